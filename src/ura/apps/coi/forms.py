"""Forms of the COI pages: the search (read from the URL), sources, the upload of one
document with its metadata, saved searches and near-duplicate reviews."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ura.apps.coi import services
from ura.apps.coi.countries import country_choices, is_country, language_choices
from ura.apps.coi.models import Document, DocumentType, Source, Topic
from ura.apps.coi.selectors import FACETS, MODES, SearchParams
from ura.coi import FacetFilter, Sort

SORT_CHOICES = [
    (Sort.RELEVANCE.value, _("Relevance")),
    (Sort.NEWEST.value, _("Newest first")),
    (Sort.OLDEST.value, _("Oldest first")),
]
MODE_CHOICES = [("any", _("any of")), ("all", _("all of")), ("none", _("none of"))]

#: URL parameters of a search (everything else in a URL is ignored, "page" is the page).
SEARCH_KEYS = (
    "q",
    "title_only",
    "only_country",
    "published_from",
    "published_to",
    "sort",
    *FACETS,
    *(f"{name}_mode" for name in FACETS),
)


class SearchForm(forms.Form):
    """The search as the URL carries it: ``q``, ``title_only``, per facet its chosen values
    (``country=SY&country=IQ``) and how they combine (``country_mode=any|all|none``),
    ``only_country``, ``published_from`` / ``published_to``, ``sort`` and ``page``."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=1000,
        strip=True,
        widget=forms.SearchInput(attrs={"aria-describedby": "query-help", "autocomplete": "off"}),
    )
    title_only = forms.BooleanField(label=_("Search titles only"), required=False)
    only_country = forms.CharField(label=_("Only about this country"), required=False, max_length=2)
    published_from = forms.DateField(
        label=_("Published from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    published_to = forms.DateField(
        label=_("Published until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(label=_("Order"), choices=SORT_CHOICES, required=False)
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1)

    def __init__(self, data: QueryDict | None = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.q_data = data if data is not None else QueryDict()
        for name in FACETS:
            self.fields[f"{name}_mode"] = forms.ChoiceField(
                label=str(FACETS[name]), choices=MODE_CHOICES, required=False
            )

    def clean_only_country(self) -> str:
        code = str(self.cleaned_data.get("only_country") or "").strip().upper()
        if code and not is_country(code):
            raise forms.ValidationError(_("Unknown country code."))
        return code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("published_from"), cleaned.get("published_to")
        if start and end and start > end:
            self.add_error("published_to", _("The end of the period is before its start."))
        return cleaned

    def params(self, *, per_page: int | None = None) -> SearchParams:
        """The search parameters (call after ``is_valid()``; invalid fields are left out)."""
        data = self.cleaned_data
        facets = {}
        for name in FACETS:
            values = tuple(dict.fromkeys(v.strip() for v in self.q_data.getlist(name) if v))
            mode = data.get(f"{name}_mode") or "any"
            facets[name] = FacetFilter(**{m: values if m == mode else () for m in MODES})
        extra: dict[str, Any] = {"per_page": per_page} if per_page else {}
        return SearchParams(
            query=data.get("q") or "",
            title_only=bool(data.get("title_only")),
            facets=facets,
            only_country=data.get("only_country") or "",
            published_from=data.get("published_from"),
            published_to=data.get("published_to"),
            sort=Sort(data.get("sort") or Sort.RELEVANCE.value),
            page=data.get("page") or 1,
            **extra,
        )


def search_querydict(params: SearchParams) -> QueryDict:
    """The URL parameters that ask for ``params`` (the inverse of :class:`SearchForm`; a
    facet with values in several modes keeps those of its first mode)."""
    query = QueryDict(mutable=True)
    if params.query:
        query["q"] = params.query
    if params.title_only:
        query["title_only"] = "1"
    for name in FACETS:
        wanted = params.facet(name)
        for mode in MODES:
            values = getattr(wanted, mode)
            if values:
                query.setlist(name, list(values))
                if mode != "any":
                    query[f"{name}_mode"] = mode
                break
    if params.only_country:
        query["only_country"] = params.only_country
    if params.published_from:
        query["published_from"] = params.published_from.isoformat()
    if params.published_to:
        query["published_to"] = params.published_to.isoformat()
    if params.sort is not Sort.RELEVANCE:
        query["sort"] = params.sort.value
    return query


class SaveSearchForm(forms.Form):
    name = forms.CharField(label=_("Name of the saved search"), max_length=200)
    search = forms.CharField(widget=forms.HiddenInput, required=False, max_length=4000)


class RenameForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=200)


class SourceForm(forms.ModelForm[Source]):
    """A source as ecoi.net describes it."""

    url = forms.URLField(label=_("Website"), max_length=500, required=False, assume_scheme="https")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Source
        fields = list(services.SOURCE_FIELDS)  # exactly what source_create/update take
        widgets = {
            "reviewed_on": forms.DateInput(attrs={"type": "date"}),
            "mandate": forms.Textarea(attrs={"rows": 3}),
            "method": forms.Textarea(attrs={"rows": 3}),
            "coverage": forms.Textarea(attrs={"rows": 3}),
            "reliability_notes": forms.Textarea(attrs={"rows": 3}),
        }


_SEVERAL = _("Hold Ctrl (⌘ on a Mac) to choose several.")


class TopicsField(forms.ModelMultipleChoiceField[Topic]):
    """Topics of the thesaurus, by their label in the user's language."""

    def label_from_instance(self, obj: Topic) -> str:
        # thesaurus labels are translated through gettext (ura.apps.coi.thesaurus)
        return gettext(obj.label)


class DocumentMetadataForm(forms.Form):
    """What the library says about a document (:class:`services.DocumentMetadata`)."""

    title = forms.CharField(label=_("Title (original)"), max_length=500)
    title_translated = forms.CharField(
        label=_("Title (translated)"), max_length=500, required=False
    )
    sources = forms.ModelMultipleChoiceField(
        label=_("Sources"), queryset=Source.objects.order_by("name"), help_text=_SEVERAL
    )
    document_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    country = forms.ChoiceField(label=_("Country (primary)"))
    other_countries = forms.MultipleChoiceField(
        label=_("Other countries covered"), required=False, help_text=_SEVERAL
    )
    topics = TopicsField(
        label=_("Topics"),
        queryset=Topic.objects.filter(active=True),
        required=False,
        help_text=_SEVERAL,
    )
    language = forms.ChoiceField(label=_("Original language"))
    published = forms.DateField(
        label=_("Published"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    url = forms.URLField(
        label=_("Original URL"), max_length=1000, required=False, assume_scheme="https"
    )
    accessed_on = forms.DateField(
        label=_("Accessed"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = country_choices()
        country: forms.ChoiceField = self.fields["country"]  # type: ignore[assignment]
        country.choices = [("", "—"), *choices]
        others: forms.MultipleChoiceField = self.fields["other_countries"]  # type: ignore[assignment]
        others.choices = choices
        language: forms.ChoiceField = self.fields["language"]  # type: ignore[assignment]
        language.choices = [("", "—"), *language_choices()]
        for name in ("other_countries", "sources", "topics"):
            self.fields[name].widget.attrs["size"] = 8

    def countries(self) -> list[str]:
        """The chosen countries, the primary first (after ``is_valid()``)."""
        primary = self.cleaned_data["country"]
        others = [c for c in self.cleaned_data.get("other_countries") or [] if c != primary]
        return [primary, *others]

    def metadata(self) -> services.DocumentMetadata:
        """The metadata the form holds (after ``is_valid()``)."""
        data = self.cleaned_data
        return services.DocumentMetadata(
            title=data["title"],
            title_translated=data["title_translated"],
            sources=[s.pk for s in data["sources"]],
            document_type=data["document_type"],
            countries=self.countries(),
            topics=[t.code for t in data["topics"]],
            language=data["language"],
            published=data["published"],
            url=data["url"],
            accessed_on=data["accessed_on"],
        )

    @staticmethod
    def initial_from(document: Document) -> dict[str, Any]:
        """The form's initial values from a document in the library."""
        countries = [c.country for c in document.countries.all()]
        return {
            "title": document.title,
            "title_translated": document.title_translated,
            "sources": list(document.sources.all()),
            "document_type": document.document_type,
            "country": countries[0] if countries else "",
            "other_countries": countries[1:],
            "topics": list(document.topics.all()),
            "language": document.language,
            "published": document.published,
            "url": document.url,
            "accessed_on": document.accessed_on,
            "is_key": document.is_key,
            "version": document.version,
        }


def _not_too_large(upload: Any) -> Any:
    """Refuse a file over the library's limit before it is read into memory."""
    if upload is not None and upload.size is not None and upload.size > services.FILE_MAX_BYTES:
        raise forms.ValidationError(
            _("The file is larger than %(mb)d MB.") % {"mb": services.FILE_MAX_BYTES >> 20}
        )
    return upload


class DocumentImportForm(DocumentMetadataForm):
    """One document to add to the library: its file and metadata."""

    file = forms.FileField(label=_("File"), help_text=_("PDF, HTML, Word (DOCX) or plain text."))
    field_order = ["file"]

    def clean_file(self) -> Any:
        return _not_too_large(self.cleaned_data.get("file"))


class DocumentEditForm(DocumentMetadataForm):
    """A document's metadata and its "key document" mark, for the version read."""

    is_key = forms.BooleanField(
        label=_("Key document"),
        required=False,
        help_text=_("Shown first on its countries' pages."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why is it withdrawn?"), max_length=300)


class NewEditionForm(forms.Form):
    file = forms.FileField(label=_("File of the new edition"))
    note = forms.CharField(label=_("What changed"), max_length=300)

    def clean_file(self) -> Any:
        return _not_too_large(self.cleaned_data.get("file"))


class DuplicateReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("not_duplicate", _("Not a duplicate: keep both")),
            ("confirmed", _("Duplicate: withdraw this document")),
        ]
    )

"""The fixed vocabularies of the LFIP procedure: provinces, legal grounds, outcomes.

Each ground names the article of Law No. 6458 (LFIP) it comes from; where a paragraph's
internal lettering was found only in secondary sources the article is cited without it.
Stored values are the codes; labels are translated.
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _

#: Foreigner identification number (yabancı kimlik numarası): 11 digits beginning with 99.
FOREIGNER_ID = re.compile(r"99\d{9}")
#: ISO 3166-1 alpha-3 country code, as the person index stores nationality.
ISO3 = re.compile(r"[A-Z]{3}")

_PROVINCE_NAMES = (  # in plate-code order: 01 Adana … 81 Düzce
    "Adana", "Adıyaman", "Afyonkarahisar", "Ağrı", "Amasya", "Ankara", "Antalya", "Artvin",
    "Aydın", "Balıkesir", "Bilecik", "Bingöl", "Bitlis", "Bolu", "Burdur", "Bursa", "Çanakkale",
    "Çankırı", "Çorum", "Denizli", "Diyarbakır", "Edirne", "Elazığ", "Erzincan", "Erzurum",
    "Eskişehir", "Gaziantep", "Giresun", "Gümüşhane", "Hakkari", "Hatay", "Isparta", "Mersin",
    "İstanbul", "İzmir", "Kars", "Kastamonu", "Kayseri", "Kırklareli", "Kırşehir", "Kocaeli",
    "Konya", "Kütahya", "Malatya", "Manisa", "Kahramanmaraş", "Mardin", "Muğla", "Muş",
    "Nevşehir", "Niğde", "Ordu", "Rize", "Sakarya", "Samsun", "Siirt", "Sinop", "Sivas",
    "Tekirdağ", "Tokat", "Trabzon", "Tunceli", "Şanlıurfa", "Uşak", "Van", "Yozgat",
    "Zonguldak", "Aksaray", "Bayburt", "Karaman", "Kırıkkale", "Batman", "Şırnak", "Bartın",
    "Ardahan", "Iğdır", "Yalova", "Karabük", "Kilis", "Osmaniye", "Düzce",
)  # fmt: skip
#: Türkiye's 81 provinces by licence-plate code, the code the registration stores.
PROVINCES: tuple[tuple[str, str], ...] = tuple(
    (f"{i:02d}", name) for i, name in enumerate(_PROVINCE_NAMES, start=1)
)
PROVINCE_CHOICES = [(code, f"{code} {name}") for code, name in PROVINCES]
PROVINCE_NAMES = dict(PROVINCES)


class ReportingFrequency(models.TextChoices):
    """How often the applicant must report (the reporting duty set at registration)."""

    WEEKLY = "weekly", _("Weekly")
    BIWEEKLY = "biweekly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")


class InadmissibilityGround(models.TextChoices):
    """Grounds on which an application is not examined on its merits (LFIP Art. 72(1))."""

    SUBSEQUENT_NO_NEW_ELEMENTS = (
        "subsequent_no_new_elements",
        _("Subsequent application without new elements (LFIP Art. 72(1))"),
    )
    REAPPLIED_AFTER_WITHDRAWAL = (
        "reapplied_after_withdrawal",
        _("New application after withdrawal, without a justified reason (LFIP Art. 72(1))"),
    )
    SEPARATE_APPLICATION = (
        "separate_application",
        _(
            "Separate application by a person included in an earlier application, without a "
            "justified reason (LFIP Art. 72(1))"
        ),
    )
    FIRST_COUNTRY_OF_ASYLUM = (
        "first_country_of_asylum",
        _("First country of asylum (LFIP Art. 72(1), Art. 73)"),
    )
    SAFE_THIRD_COUNTRY = "safe_third_country", _("Safe third country (LFIP Art. 72(1), Art. 74)")


class AcceleratedGround(models.TextChoices):
    """Grounds for examining an application in the accelerated procedure (LFIP Art. 79(1))."""

    NOT_RELATED_TO_PROTECTION = (
        "not_related_to_protection",
        _("Claims unrelated to international protection (LFIP Art. 79(1))"),
    )
    MISLED_AUTHORITIES = (
        "misled_authorities",
        _(
            "Misled the authorities with false identity, information or documents, or withheld "
            "them (LFIP Art. 79(1))"
        ),
    )
    DESTROYED_DOCUMENTS = (
        "destroyed_documents",
        _("Destroyed or disposed of identity or travel documents in bad faith (LFIP Art. 79(1))"),
    )
    DETAINED_FOR_REMOVAL = (
        "detained_for_removal",
        _("Applied while in administrative detention for removal (LFIP Art. 79(1))"),
    )
    ONLY_TO_DELAY_REMOVAL = (
        "only_to_delay_removal",
        _("Applied only to delay or prevent removal (LFIP Art. 79(1))"),
    )
    PUBLIC_ORDER = (
        "public_order",
        _(
            "Danger to public order or security, or removed earlier on such grounds "
            "(LFIP Art. 79(1))"
        ),
    )
    REAPPLIED_AFTER_IMPLICIT_WITHDRAWAL = (
        "reapplied_after_implicit_withdrawal",
        _("New application after an application considered withdrawn (LFIP Art. 79(1))"),
    )


class Modality(models.TextChoices):
    """Processing modalities (the codes of ``ura/casework/triage/asylum-lfip.yaml``)."""

    PRIORITISED = "prioritised", _("Prioritised (special needs)")
    ACCELERATED = "accelerated", _("Accelerated (LFIP Art. 79)")
    SIMPLIFIED = "simplified", _("Simplified (high recognition rate)")
    REGULAR = "regular", _("Regular (LFIP Art. 78)")


class ConventionGround(models.TextChoices):
    """Reasons for persecution (1951 Convention Art. 1A(2); LFIP Art. 61 and 62)."""

    RACE = "race", _("Race")
    RELIGION = "religion", _("Religion")
    NATIONALITY = "nationality", _("Nationality")
    PARTICULAR_SOCIAL_GROUP = (
        "particular_social_group",
        _("Membership of a particular social group"),
    )
    POLITICAL_OPINION = "political_opinion", _("Political opinion")


class SeriousHarm(models.TextChoices):
    """Serious harm that grounds subsidiary protection (LFIP Art. 63)."""

    DEATH_PENALTY = "death_penalty", _("Death penalty or execution")
    TORTURE = "torture", _("Torture or inhuman or degrading treatment or punishment")
    INDISCRIMINATE_VIOLENCE = (
        "indiscriminate_violence",
        _("Serious threat to life or person by indiscriminate violence in armed conflict"),
    )


class ExclusionClause(models.TextChoices):
    """Grounds for exclusion from international protection (LFIP Art. 64)."""

    UN_PROTECTION = (
        "un_protection",
        _("Protection or assistance from a UN body other than UNHCR (LFIP Art. 64(1))"),
    )
    RIGHTS_OF_NATIONALS = (
        "rights_of_nationals",
        _("Rights and obligations of a national in the country of residence (LFIP Art. 64(1))"),
    )
    CRIMES_AGAINST_PEACE = (
        "crimes_against_peace",
        _("Crime against peace, war crime or crime against humanity (LFIP Art. 64(1))"),
    )
    SERIOUS_NON_POLITICAL_CRIME = (
        "serious_non_political_crime",
        _("Serious non-political crime outside Türkiye (LFIP Art. 64(1))"),
    )
    CONTRARY_TO_UN_PURPOSES = (
        "contrary_to_un_purposes",
        _("Acts contrary to the purposes and principles of the United Nations (LFIP Art. 64(1))"),
    )
    DANGER_TO_SECURITY = (
        "danger_to_security",
        _("Danger to society or security (subsidiary protection only, LFIP Art. 64(2))"),
    )


class Outcome(models.TextChoices):
    """First-instance outcomes (PROCEDURES.md §1); each has a decision template."""

    REFUGEE = "refugee", _("Refugee status (LFIP Art. 61)")
    CONDITIONAL_REFUGEE = "conditional_refugee", _("Conditional refugee status (LFIP Art. 62)")
    SUBSIDIARY_PROTECTION = "subsidiary_protection", _("Subsidiary protection (LFIP Art. 63)")
    REJECTED = "rejected", _("Rejected")
    INADMISSIBLE = "inadmissible", _("Inadmissible (LFIP Art. 72)")
    EXCLUDED = "excluded", _("Excluded (LFIP Art. 64)")
    IMPLICITLY_WITHDRAWN = "implicitly_withdrawn", _("Implicitly withdrawn (LFIP Art. 77)")


POSITIVE_OUTCOMES = frozenset(
    {Outcome.REFUGEE, Outcome.CONDITIONAL_REFUGEE, Outcome.SUBSIDIARY_PROTECTION}
)


class NotificationMethod(models.TextChoices):
    IN_PERSON = "in_person", _("Handed to the applicant in person")
    REPRESENTATIVE = "representative", _("Handed to the lawyer or legal representative")
    POST = "post", _("Sent under the Notification Law (Law No. 7201)")


class WithdrawalKind(models.TextChoices):
    EXPLICIT = "explicit", _("Explicit: the applicant withdrew the application")
    IMPLICIT = "implicit", _("Implicit: considered withdrawn (LFIP Art. 77(1))")


class WithdrawalGround(models.TextChoices):
    APPLICANT_REQUEST = "applicant_request", _("The applicant asked in writing")
    MISSED_REPORTING = (
        "missed_reporting",
        _("Did not report three consecutive times without excuse"),
    )
    MISSED_INTERVIEW = "missed_interview", _("Did not attend the interview without excuse")
    ABSCONDED = "absconded", _("Absconded or left the assigned province without permission")
    OTHER = "other", _("Another ground of LFIP Art. 77(1)")


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", _("The court upheld the decision (appeal dismissed)")
    ANNULLED = "annulled", _("The court annulled the decision")


class CredibilityFinding(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    PARTLY_ACCEPTED = "partly_accepted", _("Partly accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")


class AssessmentSection(models.TextChoices):
    """Parts of the structured assessment, each a list of paragraphs in
    ``assessment.<code>``; the codes are the decision templates' assessment parts, except
    the two credibility parts, which the decision joins into ``credibility``."""

    MATERIAL_FACTS = "material_facts", _("Material facts")
    CREDIBILITY_INTERNAL = "credibility_internal", _("Credibility: internal consistency")
    CREDIBILITY_EXTERNAL = (
        "credibility_external",
        _("Credibility: consistency with country information"),
    )
    WELL_FOUNDED_FEAR = "well_founded_fear", _("Well-founded fear of persecution")
    CONVENTION_GROUND = "convention_ground", _("Reason for persecution (Convention ground)")
    INTERNAL_PROTECTION = "internal_protection", _("Internal protection alternative")
    EXCLUSION = "exclusion", _("Exclusion (LFIP Art. 64)")
    SERIOUS_HARM = "serious_harm", _("Subsidiary protection: serious harm (LFIP Art. 63)")
    ADMISSIBILITY = "admissibility", _("Admissibility (LFIP Art. 72)")
    WITHDRAWAL = "withdrawal", _("Circumstances of a withdrawal (LFIP Art. 77)")

"""Template helpers of the COI pages: country and language names, and search URLs that
change one parameter of the current search."""

from __future__ import annotations

from django import template
from django.http import QueryDict

from ura.apps.coi.countries import country_name as _country_name
from ura.apps.coi.countries import language_name as _language_name

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    """``{{ "SY"|country_name }}``: the country's name in the interface language."""
    return _country_name(str(code or ""))


@register.filter
def language_name(code: str) -> str:
    """``{{ "fa"|language_name }}``: the language's name in the interface language."""
    return _language_name(str(code or ""))


@register.simple_tag
def query_with(query: str, **changes: object) -> str:
    """The URL-encoded search ``query`` with some parameters replaced (an empty value
    removes the parameter) and without ``page``: ``?{% query_with query sort="newest" %}``."""
    params = QueryDict(query or "", mutable=True)
    params.pop("page", None)
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = str(value)
    return params.urlencode()

"""The migration profile report (pure; no Django): structure, highlights, model, PDF and HTML.

``load_template()`` reads the report's structure (``extended-migration-profile.yaml``, the
IOM/EU extended migration profile outline); ``build_report(template, tables, texts, meta)``
assembles it from protected long-format tables and analyst texts, with highlights computed
from the data and data gaps stated; ``render_pdf`` and ``render_html`` (or
``report_context`` for a Django template) render it. Guide: docs/statistics-profile.md.
"""

from ura.stats.profile.highlights import (
    Highlight,
    HighlightError,
    HighlightUnavailable,
    largest_changes,
    previous_period,
    recognition_rate,
    repeat_share,
    top_codes,
    total_change,
)
from ura.stats.profile.html_report import render_html, report_context
from ura.stats.profile.pdf import render_pdf
from ura.stats.profile.report import (
    DataGap,
    Report,
    ReportError,
    ReportMeta,
    Section,
    build_report,
    cross_table,
)
from ura.stats.profile.template import (
    DEFAULT_TEMPLATE,
    ProfileTemplate,
    TemplateError,
    load_template,
    parse_template,
)

__all__ = [
    "DEFAULT_TEMPLATE",
    "DataGap",
    "Highlight",
    "HighlightError",
    "HighlightUnavailable",
    "ProfileTemplate",
    "Report",
    "ReportError",
    "ReportMeta",
    "Section",
    "TemplateError",
    "build_report",
    "cross_table",
    "largest_changes",
    "load_template",
    "parse_template",
    "previous_period",
    "recognition_rate",
    "render_html",
    "render_pdf",
    "repeat_share",
    "report_context",
    "top_codes",
    "total_change",
]

"""The migration profile for the web: a template context and standalone HTML.

:func:`report_context` gives the report as plain dicts and strings, translated and with
numbers formatted, for a Django template (``{% for section in sections %}``…).
:func:`render_html` builds HTML from the same context with every text escaped: a fragment
(``<article>``) to place inside Ura's pages, or a whole document. Charts are ``<div
class="vega-chart" data-spec="…">`` holding the Vega-Lite spec; the page's script embeds them
with the vendored Vega (inline scripts are forbidden by Ura's Content-Security-Policy), and a
table of the chart's figures follows each chart for readers without JavaScript.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from babel.numbers import format_decimal

from ura.stats.outputs.tabular import NOT_AVAILABLE
from ura.stats.profile.highlights import Translate, untranslated
from ura.stats.profile.pdf import (
    CONTENTS,
    DRAFT,
    EDITION_LINE,
    FLAG_MEANINGS,
    LEGEND_TITLE,
    MORE_ROWS,
    NO_GAPS,
    NOT_AVAILABLE_TEXT,
    NOT_PUBLISHED,
    NOT_WRITTEN,
    PERIOD_LINE,
    UNIT_LINE,
    UNIT_NAMES,
)
from ura.stats.profile.report import (
    ChartBlock,
    DataGapList,
    Heading,
    HighlightList,
    Report,
    SourceNote,
    TableBlock,
    TextBlock,
)


def _number(value: float, locale: str) -> str:
    pattern = "#,##0" if float(value).is_integer() else "#,##0.0#"
    return format_decimal(value, format=pattern, locale=locale)


def report_context(
    report: Report, *, translate: Translate = untranslated, locale: str = "en"
) -> dict[str, Any]:
    """The report as plain data for a template: every text translated, numbers formatted.

    Returns:
        ``title``, ``country``, ``period_line``, ``edition_line``, ``draft`` (text or ""),
        ``contents_title``, ``sections`` (each ``id``, ``anchor``, ``number``, ``title``,
        ``blocks``: dicts with a ``kind`` of heading, text, highlights, table, chart, source
        or data_gaps) and ``legend`` (symbol, meaning) for the symbols the tables use.
    """
    _ = translate
    meta = report.meta
    flags: set[str] = set()
    sections = []
    for section in report.sections:
        blocks: list[dict[str, Any]] = []
        for block in section.blocks:
            if isinstance(block, Heading):
                continue  # the section's title
            if isinstance(block, TextBlock):
                blocks.append(
                    {
                        "kind": "text",
                        "label": _(block.label),
                        "paragraphs": [p.strip() for p in block.text.split("\n\n") if p.strip()],
                        "missing": (_(NOT_PUBLISHED if block.unpublished else NOT_WRITTEN))
                        if block.missing
                        else "",
                        "required": block.required,
                    }
                )
            elif isinstance(block, HighlightList):
                blocks.append(
                    {
                        "kind": "highlights",
                        "items": [
                            {"text": h.text(_, locale), "table": ", ".join(h.tables)}
                            for h in block.highlights
                        ],
                    }
                )
            elif isinstance(block, TableBlock):
                flags |= block.flags
                blocks.append(_table(block, _, locale))
            elif isinstance(block, ChartBlock):
                blocks.append(
                    {
                        "kind": "chart",
                        "title": _(block.title),
                        "table": block.table,
                        "spec": json.dumps(block.spec, ensure_ascii=False, sort_keys=True),
                        "figures": [
                            (
                                str(v.get("name") or v.get("series") or v.get("GEO") or ""),
                                str(v.get("TIME_PERIOD", "")),
                                _number(float(v["value"]), locale),
                                str(v.get("flags", "")),
                            )
                            for v in block.spec.get("data", {}).get("values", [])
                            if v.get("value") is not None
                        ],
                    }
                )
            elif isinstance(block, SourceNote):
                blocks.append({"kind": "source", "text": block.message.text(_)})
            elif isinstance(block, DataGapList):
                blocks.append(
                    {
                        "kind": "data_gaps",
                        "empty": _(NO_GAPS),
                        "items": [
                            f"{_(g.section)} — {_(g.item)}: {g.reason.text(_)}" for g in block.gaps
                        ],
                    }
                )
        prefix = "" if section.part == "summary" else f"{section.part}. "
        sections.append(
            {
                "id": section.id,
                "anchor": f"profile-{section.id}",
                "number": section.number,
                "title": prefix + _(section.title),
                "blocks": blocks,
            }
        )
    legend = [(NOT_AVAILABLE, _(NOT_AVAILABLE_TEXT))] if NOT_AVAILABLE in flags else []
    legend += [(s, _(m)) for s, m in FLAG_MEANINGS.items() if s in flags]
    draft = not (meta.final and report.can_be_final)
    return {
        "title": _(report.title),
        "country": meta.country,
        "period_line": _(PERIOD_LINE) % {"period": meta.period},
        "edition_line": _(EDITION_LINE) % {"edition": meta.edition, "date": meta.reference_date},
        "draft": _(DRAFT) if draft else "",
        "contents_title": _(CONTENTS),
        "sections": sections,
        "legend_title": _(LEGEND_TITLE),
        "legend": legend,
    }


def _table(block: TableBlock, _: Translate, locale: str) -> dict[str, Any]:
    rows = []
    for row in block.rows:
        rows.append(
            {
                "label": _(row.label) if row.total else row.label,
                "total": row.total,
                "cells": [
                    {
                        "value": NOT_AVAILABLE
                        if cell.value is None
                        else _number(cell.value, locale),
                        "flags": cell.flags,
                    }
                    for cell in row.cells
                ],
            }
        )
    unit = _(UNIT_NAMES[block.unit]) if block.unit in UNIT_NAMES else block.unit
    notes = [_(UNIT_LINE) % {"unit": unit}] if block.unit else []
    if block.omitted_rows:
        notes.append(_(MORE_ROWS) % {"count": block.omitted_rows})
    return {
        "kind": "table",
        "title": _(block.title),
        "table": block.table,
        "columns": list(block.columns),
        "rows": rows,
        "notes": " ".join(notes),
    }


def render_html(
    report: Report,
    *,
    translate: Translate = untranslated,
    locale: str = "en",
    standalone: bool = False,
    direction: str = "ltr",
) -> str:
    """The report as HTML, every text escaped.

    Args:
        report: The report.
        translate: The message translator (Django's ``gettext`` in the app).
        locale: The locale for numbers.
        standalone: A whole document (``<!DOCTYPE html>``…) instead of an ``<article>``.
        direction: ``rtl`` for Arabic.

    Returns:
        The HTML text.
    """
    context = report_context(report, translate=translate, locale=locale)
    out: list[str] = ['<article class="profile">', "<header>"]
    out.append(f"<h1>{escape(context['title'])}</h1>")
    out.append(f'<p class="profile-country">{escape(context["country"])}</p>')
    out.append(f"<p>{escape(context['period_line'])}</p>")
    out.append(f"<p>{escape(context['edition_line'])}</p>")
    if context["draft"]:
        out.append(f'<p class="profile-draft">{escape(context["draft"])}</p>')
    out.append(
        f'</header><nav class="profile-contents"><h2>{escape(context["contents_title"])}</h2><ol>'
    )
    for section in context["sections"]:
        out.append(f'<li><a href="#{section["anchor"]}">{escape(section["title"])}</a></li>')
    out.append("</ol></nav>")
    for section in context["sections"]:
        out.append(f'<section id="{section["anchor"]}"><h2>{escape(section["title"])}</h2>')
        for block in section["blocks"]:
            out += _html_block(block)
        out.append("</section>")
    if context["legend"]:
        out.append(f'<aside class="profile-legend"><h3>{escape(context["legend_title"])}</h3><dl>')
        for symbol, meaning in context["legend"]:
            out.append(f"<dt>{escape(symbol)}</dt><dd>{escape(meaning)}</dd>")
        out.append("</dl></aside>")
    out.append("</article>")
    body = "\n".join(out)
    if not standalone:
        return body
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(locale)}" dir="{escape(direction)}">\n<head>'
        f'<meta charset="utf-8"><title>{escape(context["title"])} — '
        f"{escape(context['country'])}</title></head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _html_block(block: dict[str, Any]) -> list[str]:
    kind = block["kind"]
    if kind == "text":
        out = [f"<h3>{escape(block['label'])}</h3>"]
        if block["missing"]:
            return [*out, f'<p class="profile-missing">{escape(block["missing"])}</p>']
        return out + ["<p>" + escape(p).replace("\n", "<br>") + "</p>" for p in block["paragraphs"]]
    if kind == "highlights":
        items = "".join(
            f'<li data-table="{escape(i["table"])}">{escape(i["text"])}</li>'
            for i in block["items"]
        )
        return [f'<ul class="profile-highlights">{items}</ul>']
    if kind == "table":
        head = "".join(f'<th scope="col">{escape(c)}</th>' for c in block["columns"])
        out = [
            f'<table class="profile-table" data-table="{escape(block["table"])}">'
            f"<caption>{escape(block['title'])}</caption><thead><tr><td></td>{head}</tr></thead>"
            "<tbody>"
        ]
        for row in block["rows"]:
            cells = "".join(
                f"<td>{escape(c['value'])}"
                + (f' <span class="flag">{escape(c["flags"])}</span>' if c["flags"] else "")
                + "</td>"
                for c in row["cells"]
            )
            css = ' class="total"' if row["total"] else ""
            out.append(f'<tr{css}><th scope="row">{escape(row["label"])}</th>{cells}</tr>')
        out.append("</tbody></table>")
        if block["notes"]:
            out.append(f'<p class="profile-note">{escape(block["notes"])}</p>')
        return out
    if kind == "chart":
        rows = "".join(
            "<tr>" + "".join(f"<td>{escape(x)}</td>" for x in figure) + "</tr>"
            for figure in block["figures"]
        )
        return [
            f'<figure class="profile-chart"><figcaption>{escape(block["title"])}</figcaption>'
            f'<div class="vega-chart" data-spec="{escape(block["spec"], quote=True)}"></div>'
            f"<details><summary>{escape(block['title'])}</summary>"
            f'<table class="profile-chart-data"><tbody>{rows}</tbody></table></details></figure>'
        ]
    if kind == "source":
        return [f'<p class="profile-source">{escape(block["text"])}</p>']
    if not block["items"]:
        return [f"<p>{escape(block['empty'])}</p>"]
    items = "".join(f"<li>{escape(i)}</li>" for i in block["items"])
    return [f'<ul class="profile-gaps">{items}</ul>']

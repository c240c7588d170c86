"""The vendored Vega renders Ura's chart specs in Chromium under Ura's own
Content-Security-Policy: no eval, no inline styles, no violations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from ura.stats.outputs.charts import province_tile_spec, time_series_spec
from ura.stats.reference import load_turkiye_provinces, unhcr
from ura.web.middleware import CONTENT_SECURITY_POLICY

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

pytestmark = pytest.mark.browser

VENDOR = Path(__file__).resolve().parents[2] / "src" / "ura" / "web" / "static" / "vendor"
ORIGIN = "http://ura.test"
SCRIPTS = ("vega.min.js", "vega-lite.min.js", "vega-interpreter.js", "vega-embed.min.js")
# How a page embeds a chart: the spec in a JSON data block (not executed, so the CSP allows
# it), read by a script file; vega-embed told to evaluate with the interpreter and to inject no
# style element.
EMBED_JS = """
const spec = JSON.parse(document.getElementById('spec').textContent);
vegaEmbed('#chart', spec, {
  ast: true, expr: vega.expressionInterpreter, actions: false, defaultStyle: false,
  tooltip: {disableDefaultStyle: true},
}).then(() => { document.body.dataset.chart = 'rendered'; },
        (error) => { document.body.dataset.chart = 'failed: ' + error; });
"""


def serve(page: Page, spec: dict[str, object]) -> None:
    """Answer every request to the test origin from memory, with Ura's CSP on the page."""
    tags = "".join(f'<script src="/static/vendor/{name}"></script>' for name in SCRIPTS)
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>chart</title>{tags}'
        f'</head><body><div id="chart"></div><script type="application/json" id="spec">'
        f'{json.dumps(spec)}</script><script src="/static/embed.js"></script></body></html>'
    )

    def answer(route: Route) -> None:
        path = route.request.url.removeprefix(ORIGIN)
        headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY}
        if path == "/":
            route.fulfill(body=html, content_type="text/html", headers=headers)
        elif path == "/static/embed.js":
            route.fulfill(body=EMBED_JS, content_type="text/javascript", headers=headers)
        elif path.startswith("/static/vendor/") and path.removeprefix("/static/vendor/") in SCRIPTS:
            body = (VENDOR / path.removeprefix("/static/vendor/")).read_bytes()
            route.fulfill(body=body, content_type="text/javascript", headers=headers)
        else:
            route.fulfill(status=404, body="", headers=headers)

    page.route(f"{ORIGIN}/**", answer)


def test_province_tiles_render_under_the_csp(page: Page, csp_violations: list[str]) -> None:
    provinces = load_turkiye_provinces()
    table = pd.DataFrame(
        {"GEO": [row.code for row in provinces.rows], "OBS_VALUE": range(1, 82),
         "OBS_STATUS": "A", "CONF_STATUS": "F"}
    )  # fmt: skip
    serve(page, province_tile_spec(table, provinces, title="Foreigners", value_label="Persons"))
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("() => document.body.dataset.chart !== undefined")
    assert page.evaluate("() => document.body.dataset.chart") == "rendered"
    assert page.locator("#chart svg").count() == 1
    assert "Şanlıurfa" in page.locator("#chart svg").inner_html()
    # Hovering a tile opens the tooltip without an inline style element.
    page.locator("#chart svg text", has_text="Kocaeli").hover()
    page.wait_for_selector("#vg-tooltip-element.visible")
    assert "East Marmara" in page.locator("#vg-tooltip-element").inner_text()
    assert not csp_violations, csp_violations


def test_time_series_renders_under_the_csp(page: Page, csp_violations: list[str]) -> None:
    table = unhcr.load_unhcr_context(countries=["TUR", "SRB"], indicators=["ASYL_APP"])
    spec = time_series_spec(
        table, title="Asylum applications", value_label="Applications", series="GEO",
        fixed={"INDICATOR": "ASYL_APP"}, source=unhcr.CITATION,
    )  # fmt: skip
    serve(page, spec)
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("() => document.body.dataset.chart !== undefined")
    assert page.evaluate("() => document.body.dataset.chart") == "rendered"
    assert "UNHCR Refugee Population Statistics Database" in page.locator("#chart svg").inner_html()
    assert not csp_violations, csp_violations

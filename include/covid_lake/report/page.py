"""The report page: one HTML file with everything inside (Vega's JavaScript, the chart specs,
each chart's SQL and data), so it renders from S3, a laptop or the Airflow UI with no internet."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

import jinja2
import pandas as pd

EMBED_OPTIONS = {"actions": {"export": True, "source": False, "compiled": False,
                             "editor": False},  # the editor link would leave the machine
                 "renderer": "svg"}


@dataclass
class Section:
    anchor: str
    title: str
    note: str  # one line: how to read the chart
    sql: list[str]
    data: dict[str, pd.DataFrame]  # the data behind it, offered as CSV
    chart: dict | None = None  # Vega-Lite spec; None: no data yet
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)  # shown as HTML


TEMPLATE = jinja2.Environment(autoescape=True).from_string("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ title }}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 1000px;
         color: #222; padding: 0 1rem; }
  h1 { margin-bottom: .2rem; } .meta { color: #555; margin-top: 0; }
  section { border-top: 1px solid #ddd; padding: .6rem 0 1.2rem; }
  .note { color: #333; font-style: italic; }
  .empty { color: #8a4b00; }
  table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0; }
  th, td { border: 1px solid #ddd; padding: .15rem .5rem; text-align: left; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  pre { background: #f6f6f6; padding: .6rem; overflow-x: auto; font-size: .8rem; }
  details { margin: .3rem 0; } summary { cursor: pointer; color: #1f4e9c; }
  .alert { background: #fff4e5; border-left: 4px solid #d62728; padding: .4rem .8rem; }
</style>
<script>
// Vega, Vega-Lite and vega-embed {{ versions }}, inline (vl-convert's bundle)
{{ bundle }}
</script>
</head>
<body>
<h1>{{ title }}</h1>
<p class="meta">Generated {{ generated_at }} from the Redshift warehouse {{ warehouse }}.
{% if overview %}Dates {{ overview.first }} to {{ overview.last }}; {{ overview.rows }}.{% endif %}</p>
<nav><ul>{% for s in sections %}<li><a href="#{{ s.anchor }}">{{ s.title }}</a></li>{% endfor %}</ul></nav>
{% for s in sections %}
<section id="{{ s.anchor }}" data-section="{{ s.anchor }}">
<h2>{{ s.title }}</h2>
<p class="note">{{ s.note }}</p>
{% for alert in s.alerts %}<p class="alert">{{ alert }}</p>{% endfor %}
{% if s.spec %}<div class="chart" id="chart-{{ s.anchor }}"></div>
<script type="application/json" id="spec-{{ s.anchor }}">{{ s.spec | safe }}</script>
{% else %}<p class="empty">No data for this chart yet: the warehouse has no rows it needs.</p>{% endif %}
{% for caption, table in s.tables %}<table><caption>{{ caption }}</caption>
<tr>{% for c in table.columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for row in table.rows %}<tr>{% for v, num in row %}<td{% if num %} class="num"{% endif %}>{{ v }}</td>{% endfor %}</tr>{% endfor %}
</table>{% endfor %}
<details><summary>SQL</summary>{% for q in s.sql %}<pre>{{ q }}</pre>{% endfor %}</details>
<p>Data: {% for name, d in s.data %}<a download="{{ name }}.csv" href="data:text/csv;base64,{{ d.csv }}">{{ name }}.csv</a> ({{ d.rows }} rows){% if not loop.last %}, {% endif %}{% endfor %}</p>
</section>
{% endfor %}
<script>
const embedOptions = {{ embed_options | safe }};
for (const node of document.querySelectorAll("script[id^='spec-']")) {
  const target = "#chart-" + node.id.slice(5);
  vegaEmbed(target, JSON.parse(node.textContent), embedOptions).catch(console.error);
}
</script>
</body>
</html>
""")


def render(sections: list[Section], title: str, generated_at: str, warehouse: str,
           overview: dict | None = None, alerts: dict[str, list[str]] | None = None) -> str:
    import altair as alt
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    version = vl_version_for_vl_convert()
    views = []
    for s in sections:
        views.append({
            "anchor": s.anchor, "title": s.title, "note": s.note, "sql": s.sql,
            "alerts": (alerts or {}).get(s.anchor, []),
            "spec": _script_json(s.chart) if s.chart is not None else None,
            "tables": [(caption, _table(t)) for caption, t in s.tables],
            "data": [(name, {"csv": base64.b64encode(frame.to_csv(index=False).encode()).decode(),
                             "rows": f"{len(frame):,}"}) for name, frame in s.data.items()],
        })
    return TEMPLATE.render(
        title=title, generated_at=generated_at, warehouse=warehouse, overview=overview,
        sections=views, embed_options=json.dumps(EMBED_OPTIONS),
        versions=f"(Vega-Lite {version}, altair {alt.__version__})",
        bundle=jinja2.filters.Markup(_script_text(vl_convert.javascript_bundle(  # type: ignore[call-arg]
            vl_version=version))))  # (vl-convert's stub omits snippet's default)


def _script_json(spec: dict) -> str:
    # Inside <script> only "</" can end the element early; JSON allows "<\/" for it.
    return json.dumps(spec, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")


def _script_text(code: str) -> str:
    if "</script" in code.lower():
        raise ValueError("the Vega bundle contains '</script': it cannot be inlined as is")
    return code


def _table(frame: pd.DataFrame) -> dict:
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    rows = []
    for record in frame.itertuples(index=False, name=None):
        rows.append([(_cell(v), num) for v, num in zip(record, numeric, strict=True)])
    return {"columns": list(frame.columns), "rows": rows}


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if not value.is_integer() else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)

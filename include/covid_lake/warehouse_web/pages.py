"""The HTML pages of the COVID warehouse views: plain server-rendered HTML with no script of
their own (the CSP below forbids scripts), links relative to the app's mount point, styles
inline. The report itself is the page covid_lake_report wrote, shown in a sandboxed iframe."""

from __future__ import annotations

import jinja2

from covid_lake.warehouse_web.warehouse import MAX_ROWS, TIMEOUT_S

# Our pages: nothing but this origin; no scripts at all.
PAGE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
            "frame-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'")
# The report: self-contained (inline scripts and styles, data: images), so it may load nothing
# from anywhere, not even this server (connect-src 'none').
REPORT_CSP = ("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
              "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; "
              "worker-src blob:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'")

NO_REPORT = ("No report yet: it is written by the covid_lake_report DAG after covid_lake_daily "
             "updates the warehouse.")

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)

_LAYOUT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }} - COVID warehouse</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0; color: #1a202c; background: #fff; }
header { padding: .6rem 1rem; border-bottom: 1px solid #e2e8f0; display: flex; gap: 1.2rem;
         align-items: baseline; }
header h1 { font-size: 1.1rem; margin: 0; }
header a { color: #2b6cb0; text-decoration: none; }
header a.current { font-weight: 600; text-decoration: underline; }
main { padding: 1rem; }
.notice { padding: .8rem 1rem; border-left: 4px solid #d69e2e; background: #fffaf0; }
.error { padding: .8rem 1rem; border-left: 4px solid #c53030; background: #fff5f5; }
.ok { color: #2f855a; }
table { border-collapse: collapse; margin: .5rem 0 1.2rem; font-size: .9rem; }
th, td { border: 1px solid #e2e8f0; padding: .25rem .6rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
textarea { width: 100%; max-width: 60rem; font-family: ui-monospace, monospace; }
iframe.report { border: 0; width: 100%; height: calc(100vh - 3.5rem); display: block; }
dl { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; }
dt { color: #4a5568; }
</style></head>
<body>
<header><h1>COVID warehouse</h1>
<a href="{{ root }}" {% if current == 'report' %}class="current"{% endif %}>Latest report</a>
<a href="{{ root }}sql" {% if current == 'sql' %}class="current"{% endif %}>SQL editor</a>
</header>
{{ body }}
</body></html>
"""

_HOME = """{% if report %}<iframe class="report" title="Latest COVID report" src="report/latest"
 sandbox="allow-scripts"></iframe>
{% else %}<main><p class="notice" id="no-report">{{ no_report }}</p></main>{% endif %}"""

_RUN = """<main>
<h2>What run {{ run_id }} loaded and left out</h2>
{% if problem %}<p class="notice" id="run-problem">{{ problem }}</p>
{% else %}
<dl><dt>DAG</dt><dd>{{ dag_id }}</dd><dt>run</dt><dd>{{ run_id }} ({{ run_type }}, {{ state }})</dd>
<dt>run date</dt><dd>{{ run_date }} (runaudit.run_date_key = {{ run_key }})</dd></dl>
{% if error %}<p class="error">{{ error }}</p>
{% elif not loaded and not left_out %}<p class="notice" id="no-audit">No runaudit rows for run
date {{ run_date }}: the run has not reached its load yet, or stopped before it.</p>
{% else %}
<h3>Loaded</h3>
{% if loaded %}<table id="loaded"><thead><tr><th>table</th><th>rows loaded</th></tr></thead><tbody>
{% for r in loaded %}<tr><td>{{ r.dataset }}</td><td class="num">{{ "{:,}".format(r.row_count) }}</td></tr>
{% endfor %}</tbody></table>{% else %}<p>No star table rows loaded for this date.</p>{% endif %}
<h3>Left out or resolved</h3>
{% if left_out %}<table id="left-out"><thead><tr><th>dataset</th><th>kind</th><th>reason</th>
<th>rows</th><th>of rows</th><th>share</th><th>limit</th></tr></thead><tbody>
{% for r in left_out %}<tr><td>{{ r.dataset }}</td><td>{{ r.kind }}</td><td>{{ r.reason }}</td>
<td class="num">{{ "{:,}".format(r.row_count) }}</td><td class="num">{{ "{:,}".format(r.of_rows) }}</td>
<td class="num">{{ pct(r.share) }}</td><td class="num">{{ pct(r.limit_share) }}</td></tr>
{% endfor %}</tbody></table>{% else %}<p>Nothing left out: every extracted row was used.</p>{% endif %}
<p>kinds: <b>scope</b> left out by design, <b>quirk</b> a known defect of the source, resolved
or left out; <b>reject</b> an invalid row, quarantined.</p>
{% endif %}{% endif %}
</main>"""

_SQL = """<main>
<form method="post" action="sql">
<p><label for="sql">One read-only SELECT on the warehouse (Redshift Data API); at most
{{ max_rows }} rows are shown and a statement is cancelled after {{ timeout }} s.</label></p>
<textarea id="sql" name="sql" rows="8" spellcheck="false">{{ sql }}</textarea>
<p><button type="submit">Run</button></p>
</form>
{% if message %}<p class="{{ 'error' if failed else 'ok' }}" id="sql-message">{{ message }}</p>{% endif %}
{% if columns %}<table id="sql-result"><thead><tr>{% for c in columns %}<th>{{ c }}</th>{% endfor %}
</tr></thead><tbody>{% for row in rows %}<tr>{% for v in row %}<td>{{ "NULL" if v is none else v }}</td>
{% endfor %}</tr>{% endfor %}</tbody></table>{% endif %}
</main>"""


def _pct(value) -> str:
    return "" if value is None else f"{float(value):.2%}"


def _render(template: str, title: str, current: str, root: str, **values) -> str:
    body = _ENV.from_string(template).render(**values)
    return _ENV.from_string(_LAYOUT).render(title=title, current=current, root=root,
                                            body=jinja2.filters.Markup(body))


def home(report: bool) -> str:
    return _render(_HOME, "Latest report", "report", "./", report=report, no_report=NO_REPORT)


def run(*, dag_id: str, run_id: str, problem: str = "", run_type: str = "", state: str = "",
        run_date: str = "", run_key: int | None = None, rows: list[dict] | None = None,
        error: str = "") -> str:
    rows = rows or []
    loaded = [r for r in rows if r["kind"] == "loaded"]
    left_out = [r for r in rows if r["kind"] != "loaded"]
    return _render(_RUN, f"Run {run_id}", "run", "../../", dag_id=dag_id, run_id=run_id,
                   problem=problem, run_type=run_type, state=state, run_date=run_date,
                   run_key=run_key, loaded=loaded, left_out=left_out, error=error, pct=_pct)


def sql_editor(sql: str = "", message: str = "", failed: bool = False,
               columns: list[str] | None = None, rows: list[list] | None = None) -> str:
    return _render(_SQL, "SQL editor", "sql", "./", sql=sql, message=message, failed=failed,
                   columns=columns or [], rows=rows or [], max_rows=MAX_ROWS,
                   timeout=f"{TIMEOUT_S:g}")


def message_page(title: str, message: str) -> str:
    return _render("<main><p class=\"error\">{{ message }}</p></main>", title, "", "./",
                   message=message)

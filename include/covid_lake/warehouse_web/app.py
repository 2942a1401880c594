"""The COVID warehouse FastAPI app, mounted by Airflow's API server at URL_PREFIX.

    GET  /                          the latest report (in a sandboxed iframe), or "no report yet"
    GET  /report/latest             the report page itself (S3 reports/latest.html)
    GET  /runs/{dag_id}/{run_id}    what a covid_lake_daily run's date loaded and left out
    GET  /sql, POST /sql            the read-only SQL editor (HTML form; a refusal is shown)
    POST /api/sql                   the same as JSON: {"sql": "..."} -> columns and rows;
                                    400 refused or failed, 504 timed out

Every route requires an authenticated Airflow user (auth.require_user). User errors (a refused
or failed statement, a missing run) answer with a message and a 4xx status, never a stack trace.
`create_app` takes the settings loader and client factories so tests can point them at a
local_aws emulator; by default they are covid_lake.tasks.settings.load and the provider's hooks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import Body, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from covid_lake.domain.errors import DataError
from covid_lake.tasks import settings as settings_module
from covid_lake.warehouse_web import aws, pages, reports, runs, sql_guard, warehouse
from covid_lake.warehouse_web.auth import require_user

URL_PREFIX = "/covid-warehouse"
log = logging.getLogger(__name__)


def metadata_session():
    """A session on Airflow's metadata DB (the API server's own dependency)."""
    from airflow.api_fastapi.common.db.common import _get_session

    yield from _get_session()


def create_app(load_settings: Callable[[], settings_module.Settings] = settings_module.load,
               s3_client: Callable[[], object] = aws.s3_client,
               redshift_data_client: Callable[[], object] = aws.redshift_data_client) -> FastAPI:
    app = FastAPI(title="COVID warehouse", dependencies=[Depends(require_user)],
                  docs_url=None, redoc_url=None, openapi_url=None)

    def html(body: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(body, status_code=status,
                            headers={"Content-Security-Policy": pages.PAGE_CSP,
                                     "Cache-Control": "no-store"})

    @app.exception_handler(ClientError)
    @app.exception_handler(BotoCoreError)
    async def aws_failed(request: Request, exc: Exception) -> Response:
        """AWS (or local_aws) did not answer as expected: say so, with its message, as a 502."""
        log.warning("COVID warehouse view %s: AWS call failed: %s", request.url.path, exc)
        message = f"The AWS call failed (aws_default): {exc}"
        if request.url.path.endswith("/api/sql"):
            return JSONResponse({"error": "aws", "message": message}, status_code=502)
        return html(pages.message_page("AWS error", message), 502)

    @app.get("/", response_class=HTMLResponse)
    def home() -> HTMLResponse:
        return html(pages.home(reports.has_report(s3_client(), load_settings())))

    @app.get("/report/latest")
    def latest_report() -> Response:
        report = reports.latest_report(s3_client(), load_settings())
        if report is None:
            return html(pages.message_page("Latest report", pages.NO_REPORT), 404)
        return HTMLResponse(report, headers={"Content-Security-Policy": pages.REPORT_CSP,
                                             "Cache-Control": "no-store"})

    @app.get("/runs/{dag_id}/{run_id}", response_class=HTMLResponse)
    def run_view(dag_id: str, run_id: str, session=Depends(metadata_session)) -> HTMLResponse:
        if dag_id != runs.DAILY_DAG_ID:
            return html(pages.run(dag_id=dag_id, run_id=run_id, problem=(
                f"This view shows what a {runs.DAILY_DAG_ID} run loaded and left out; "
                f"DAG {dag_id} is not {runs.DAILY_DAG_ID}, so there is nothing to show.")))
        found = runs.find_run(session, dag_id, run_id)
        if found is None:
            return html(pages.run(dag_id=dag_id, run_id=run_id, problem=(
                f"No run {run_id} of {dag_id} in Airflow.")), 404)
        try:
            day = found.run_date
        except DataError as exc:
            return html(pages.run(dag_id=dag_id, run_id=run_id, problem=str(exc)), 400)
        s = load_settings()
        rows, error = [], ""
        try:
            rows = warehouse.run_audit(redshift_data_client(), s.redshift_target(), day)
        except warehouse.StatementFailed as exc:
            error = f"The warehouse query failed: {exc}"
        return html(pages.run(dag_id=dag_id, run_id=run_id, run_type=found.run_type,
                              state=found.state, run_date=day.isoformat(),
                              run_key=warehouse.run_key(day), rows=rows, error=error),
                    502 if error else 200)

    @app.get("/sql", response_class=HTMLResponse)
    def sql_form() -> HTMLResponse:
        return html(pages.sql_editor(sql="SELECT * FROM runaudit ORDER BY run_date_key DESC"))

    @app.post("/sql", response_class=HTMLResponse)
    def sql_form_run(sql: str = Form("")) -> HTMLResponse:
        # The form page answers 200 with the refusal or failure shown: it is a page that loaded
        # fine (a 4xx document would be a console error in the browser). /api/sql carries the
        # status: 400 refused or failed, 504 timed out.
        status, answer = _run_sql(sql)
        if status != 200:
            return html(pages.sql_editor(sql=sql, message=answer["message"], failed=True))
        return html(pages.sql_editor(sql=sql, message=_summary(answer),
                                     columns=answer["columns"], rows=answer["rows"]))

    @app.post("/api/sql")
    def sql_api(sql: str = Body(..., embed=True)) -> JSONResponse:
        status, answer = _run_sql(sql)
        return JSONResponse(answer, status_code=status)

    def _run_sql(sql: str) -> tuple[int, dict]:
        try:
            statement = sql_guard.check_read_only(sql)
        except sql_guard.RefusedSQL as exc:
            return 400, {"error": "refused", "message": f"Refused: {exc}"}
        s = load_settings()
        try:
            result = warehouse.run_select(redshift_data_client(), statement, s.redshift_target())
        except warehouse.StatementTimedOut as exc:
            return 504, {"error": "timeout", "message": f"Timed out: {exc}"}
        except warehouse.StatementFailed as exc:
            return 400, {"error": "failed", "message": f"The statement failed: {exc}"}
        return 200, result.as_json()

    return app


def _summary(answer: dict) -> str:
    what = (f"showing first {answer['row_count']} rows"
            + (f" of {answer['total_rows']:,}" if answer.get("total_rows") else "")
            if answer["truncated"] else f"{answer['row_count']} rows")
    return f"{what} ({answer['elapsed_s']:.2f} s)"

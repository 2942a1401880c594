"""The real lake's CSV files through the crawler and Athena, as on AWS: Athena's Open CSV SerDe
fails a query that reads an empty field of a numeric column (HIVE_BAD_DATA,
docs.aws.amazon.com/athena/latest/ug/csv-serde.html), local_aws does the same, and the pipeline
reads the CSV tables as text (catalog.read_csv_as_text) so that its profile and extracts pass.
Expected values come from the raw file with Python's csv module, not from the pipeline."""

from __future__ import annotations

import csv
import datetime as dt
import time

import pytest

from covid_lake.aws import athena_io
from covid_lake.domain.datasets import DATASETS
from covid_lake.tasks import catalog, extract, land
from covid_lake.tasks import settings as settings_module
from tests.support import real_lake as hand
from tests.support.emulator import start_emulator

pytestmark = pytest.mark.skipif(not hand.available(), reason=hand.SKIP_REASON)
DAY = dt.date(2020, 4, 1)
CSV_TABLES = {d.name for d in DATASETS} - {"hospital_beds"}  # hospital_beds is JSON lines


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    emu = start_emulator(tmp_path_factory.mktemp("real-csv"), "--lake", str(hand.REAL_LAKE))
    cfg = settings_module.load(lambda key, default: default)
    glue, s3, athena = emu.client("glue"), emu.client("s3"), emu.client("athena")
    land.ensure_bucket(s3, cfg.bucket, "us-east-1")
    for d in DATASETS:
        land.land(s3, cfg, d.name)
    catalog.prepare_catalog(glue, cfg)
    glue.update_crawler(**catalog.crawler_config(cfg))
    crawl(glue, cfg.crawler_name)
    yield cfg, glue, athena
    emu.stop()


def crawl(glue, name: str, timeout: float = 120) -> None:
    glue.start_crawler(Name=name)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        crawler = glue.get_crawler(Name=name)["Crawler"]
        if crawler["State"] == "READY" and "LastCrawl" in crawler:
            assert crawler["LastCrawl"]["Status"] == "SUCCEEDED", crawler["LastCrawl"]
            return
        time.sleep(0.1)
    raise AssertionError(f"crawler {name} not READY after {timeout} s")


def start(athena, cfg, sql: str) -> dict:
    qid = athena.start_query_execution(
        QueryString=sql, QueryExecutionContext={"Database": cfg.glue_database},
        ResultConfiguration={"OutputLocation": f"s3://{cfg.bucket}/{cfg.athena_output_prefix}/"},
        WorkGroup=cfg.athena_workgroup)["QueryExecutionId"]
    while True:
        execution = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
        if execution["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return execution
        time.sleep(0.05)


def column_types(glue, cfg, table: str) -> dict[str, str]:
    got = glue.get_table(DatabaseName=cfg.glue_database, Name=table)["Table"]
    return {c["Name"]: c["Type"] for c in got["StorageDescriptor"]["Columns"]}


def raw_rows(name: str) -> list[dict[str, str]]:
    with open(hand.REAL_LAKE / hand.KEYS[name], newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_crawled_real_files_fail_in_athena_until_read_as_text(lake):
    cfg, glue, athena = lake
    # The crawler types states_daily's counts as numbers; AS has them empty on 2020-03-25..30.
    assert column_types(glue, cfg, "states_daily")["positive"] == "bigint"
    assert any(r["positive"] == "" for r in raw_rows("states_daily"))
    failed = start(athena, cfg, athena_io.render("states_daily", DAY))
    assert failed["Status"]["State"] == "FAILED"
    reason = failed["Status"]["StateChangeReason"]
    assert reason.startswith("HIVE_BAD_DATA: Error parsing field value ''") and "states_daily" in reason

    retyped = catalog.read_csv_as_text(glue, cfg)
    assert "positive" in retyped["states_daily"] and "hospital_beds" not in retyped
    for table in CSV_TABLES:
        assert set(column_types(glue, cfg, table).values()) == {"string"}, table
    assert column_types(glue, cfg, "hospital_beds")["objectid"] == "bigint"  # JSON: typed as crawled

    # Every query the pipeline runs on the raw tables now passes, and check_raw accepts them.
    profile = start(athena, cfg, (athena_io.SQL_DIR / "profile.sql").read_text())
    assert profile["Status"]["State"] == "SUCCEEDED", profile["Status"]
    catalog.check_raw(glue, athena, cfg, profile["QueryExecutionId"])
    for name, sql in zip(athena_io.EXTRACTS, extract.extract_queries(DAY), strict=True):
        done = start(athena, cfg, sql)
        assert done["Status"]["State"] == "SUCCEEDED", (name, done["Status"])

    # The day's rows arrive as the file has them: text, an empty field missing.
    done = start(athena, cfg, athena_io.render("states_daily", DAY))
    got = athena_io.results_frame(athena, done["QueryExecutionId"])
    want = {r["state"]: r for r in raw_rows("states_daily") if r["date"] == DAY.strftime("%Y%m%d")}
    assert len(got) == len(want) == 56
    for row in got.to_dict("records"):
        raw = want[row["state"]]
        for column in ("positive", "negative", "hospitalizedcurrently", "death", "totaltestresults"):
            source = raw[{"hospitalizedcurrently": "hospitalizedCurrently",
                          "totaltestresults": "totalTestResults"}.get(column, column)]
            assert (row[column] if row[column] is not None else "") == source, (row["state"], column)


def test_a_recrawl_keeps_the_text_columns(lake):
    cfg, glue, athena = lake
    catalog.read_csv_as_text(glue, cfg)
    crawl(glue, cfg.crawler_name)  # the crawler adds new columns only (catalog.CRAWLER_CONFIGURATION)
    assert set(column_types(glue, cfg, "states_daily").values()) == {"string"}
    assert catalog.read_csv_as_text(glue, cfg) == {}

"""Glue crawlers crawl: classification rules, layout, and the API as boto3 and Airflow see it."""

from __future__ import annotations

import io
import time
import uuid

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError

from covid_lake.domain.datasets import BY_NAME
from local_aws.glue import crawler as gc
from local_aws.glue.models import LocalGlueBackend, RealCrawl

# ---- classification, no server needed


def test_csv_types_and_detected_header():
    data = b"fips,name,rate,flag,day\n01001,Autauga,1.5,true,2020-03-22\n,\"Korea, South\",2,false,\n"
    c = gc.classify(data)
    assert c.columns == [("fips", "bigint"), ("name", "string"), ("rate", "double"),
                         ("flag", "boolean"), ("day", "string")]
    assert c.params["skip.header.line.count"] == "1"
    assert c.serde == gc.LAZY_SIMPLE and c.serde_params == {"field.delim": ","}
    assert c.params["compressionType"] == "none"


def test_all_string_csv_gets_col_names_and_keeps_its_header_as_data(small_lake):
    c = gc.classify((small_lake / BY_NAME["state_abv"].key).read_bytes())
    assert c.columns == [("col0", "string"), ("col1", "string")]
    assert "skip.header.line.count" not in c.params


def test_custom_classifier_declares_the_header_and_quoting():
    data = b"State,Abbreviation\nAlabama,AL\n\"Virgin Islands, US\",VI\n"
    c = gc.classify(data, {"ContainsHeader": "PRESENT", "QuoteSymbol": '"', "Delimiter": ","})
    assert [n for n, _ in c.columns] == ["state", "abbreviation"]
    assert c.params["skip.header.line.count"] == "1"
    assert c.serde == gc.OPEN_CSV and c.serde_params == {"separatorChar": ",", "quoteChar": '"'}
    lazy = gc.classify(data, {"ContainsHeader": "PRESENT", "Serde": "LazySimpleSerDe",
                              "QuoteSymbol": '"'})
    assert lazy.serde == gc.LAZY_SIMPLE
    absent = gc.classify(b"1,2\n3,4\n", {"ContainsHeader": "ABSENT"})
    assert absent.columns == [("col0", "bigint"), ("col1", "bigint")]


def test_gzip_json_and_parquet(small_lake):
    jhu = gc.classify((small_lake / BY_NAME["enigma_jhu"].key).read_bytes())
    assert jhu.params["compressionType"] == "gzip" and jhu.columns[0] == ("fips", "bigint")
    hosp = gc.classify((small_lake / BY_NAME["hospital_beds"].key).read_bytes())
    assert hosp.classification == "json" and hosp.serde == gc.JSON_SERDE
    assert ("longtitude", "double") in hosp.columns and ("fips", "string") in hosp.columns
    buf = io.BytesIO()
    pq.write_table(pa.table({"fips": pa.array(["01"]), "n": pa.array([1], pa.int64()),
                             "d": pa.array([None], pa.date32())}), buf)
    pqc = gc.classify(buf.getvalue())
    assert pqc.classification == "parquet"
    assert pqc.columns == [("fips", "string"), ("n", "bigint"), ("d", "date")]


def test_layout_tables_partitions_and_prefix():
    keys = ["raw/a/x.csv", "raw/b/date=2020-01-01/y.csv", "raw/b/date=2020-01-02/y.csv",
            "raw/c-d/sub/z.csv", "raw/top.csv"]
    found = {t.name: t for t in gc.layout("bkt", "raw/", keys, "p_")}
    assert set(found) == {"p_a", "p_b", "p_c_d", "p_raw"}
    assert found["p_a"].location == "s3://bkt/raw/a/" and not found["p_a"].partition_names
    assert found["p_b"].partition_names == ["date"]
    assert found["p_b"].partitions[("2020-01-02",)] == "s3://bkt/raw/b/date=2020-01-02/"
    assert found["p_c_d"].partition_names == ["partition_0"]


def test_not_csv_is_a_clear_error():
    with pytest.raises(gc.CrawlError, match="fewer than two rows"):
        gc.classify(b"only-one-line\n")


# ---- through the emulator, with boto3


def wait_ready(glue, name: str, timeout: float = 30) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        crawler = glue.get_crawler(Name=name)["Crawler"]
        if crawler["State"] == "READY" and "LastCrawl" in crawler:
            return crawler
        time.sleep(0.05)
    raise AssertionError(f"crawler {name} not READY after {timeout} s")


@pytest.fixture()
def lake_bucket(emulator, small_lake):
    """A fresh bucket with the small lake landed under raw/<dataset>/<file>."""
    s3 = emulator.client("s3")
    bucket = f"crawl-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    for ds in BY_NAME.values():
        s3.put_object(Bucket=bucket, Key=ds.raw_key(), Body=(small_lake / ds.key).read_bytes())
    return bucket


def test_crawl_creates_one_table_per_dataset(emulator, lake_bucket):
    glue = emulator.client("glue")
    db, name = f"db_{lake_bucket[-8:]}", f"crawler-{lake_bucket}"
    glue.create_database(DatabaseInput={"Name": db})
    glue.create_crawler(Name=name, Role="arn:aws:iam::123456789012:role/crawler",
                        DatabaseName=db, Targets={"S3Targets": [{"Path": f"s3://{lake_bucket}/raw/"}]})
    glue.start_crawler(Name=name)
    assert glue.get_crawler(Name=name)["Crawler"]["State"] in ("RUNNING", "READY")
    crawler = wait_ready(glue, name)
    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED"
    tables = {t["Name"]: t for t in glue.get_tables(DatabaseName=db)["TableList"]}
    assert set(tables) == set(BY_NAME)
    jhu = tables["enigma_jhu"]["StorageDescriptor"]
    assert jhu["Location"] == f"s3://{lake_bucket}/raw/enigma_jhu/"
    assert jhu["SerdeInfo"]["SerializationLibrary"] == gc.LAZY_SIMPLE
    assert tables["enigma_jhu"]["Parameters"]["skip.header.line.count"] == "1"
    abv = tables["state_abv"]["StorageDescriptor"]["Columns"]
    assert [c["Name"] for c in abv] == ["col0", "col1"]  # Glue's header problem, reproduced
    metrics = glue.get_crawler_metrics(CrawlerNameList=[name])["CrawlerMetricsList"][0]
    assert metrics["TablesCreated"] == 10 and metrics["LastRuntimeSeconds"] > 0

    # A second crawl of unchanged data changes nothing.
    glue.start_crawler(Name=name)
    wait_ready(glue, name)
    metrics = glue.get_crawler_metrics(CrawlerNameList=[name])["CrawlerMetricsList"][0]
    assert (metrics["TablesCreated"], metrics["TablesUpdated"]) == (0, 0)


def test_classifier_fixes_the_header_and_update_crawler_applies_it(emulator, lake_bucket):
    glue = emulator.client("glue")
    db, name = f"db_{lake_bucket[-8:]}", f"crawler-{lake_bucket}"
    classifier = f"csv-header-{lake_bucket}"
    glue.create_database(DatabaseInput={"Name": db})
    glue.create_classifier(CsvClassifier={"Name": classifier, "Delimiter": ",",
                                          "QuoteSymbol": '"', "ContainsHeader": "PRESENT",
                                          "Serde": "OpenCSVSerDe"})
    with pytest.raises(ClientError, match="AlreadyExists"):
        glue.create_classifier(CsvClassifier={"Name": classifier})
    got = glue.get_classifier(Name=classifier)["Classifier"]["CsvClassifier"]
    assert got["ContainsHeader"] == "PRESENT" and got["Version"] == 1
    target = {"S3Targets": [{"Path": f"s3://{lake_bucket}/raw/state_abv/"}]}
    glue.create_crawler(Name=name, Role="r", DatabaseName=db, Targets=target, TablePrefix="raw_")
    glue.update_crawler(Name=name, Classifiers=[classifier])
    assert glue.get_crawler(Name=name)["Crawler"]["Classifiers"] == [classifier]
    glue.start_crawler(Name=name)
    assert wait_ready(glue, name)["LastCrawl"]["Status"] == "SUCCEEDED"
    table = glue.get_table(DatabaseName=db, Name="raw_state_abv")["Table"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["state", "abbreviation"]
    assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == gc.OPEN_CSV
    with pytest.raises(ClientError, match="EntityNotFound"):
        glue.get_classifier(Name="no-such-classifier")


def test_crawl_creates_its_database_and_takes_a_path_without_scheme(emulator, lake_bucket):
    # As the Amazon provider's example_glue system test (run on AWS) does: no database made
    # beforehand, the S3 target given as "<bucket>/<prefix>", the data in a key=value folder.
    glue, s3 = emulator.client("glue"), emulator.client("s3")
    s3.put_object(Bucket=lake_bucket, Key="input/category=mixed/input.csv",
                  Body=b"product,value\napple,0.5\nmilk,2.5\nbread,4.0\n")
    db, name = f"new_{lake_bucket[-8:]}", f"crawler-{lake_bucket}"
    glue.create_crawler(Name=name, Role="r", DatabaseName=db,
                        Targets={"S3Targets": [{"Path": f"{lake_bucket}/input"}]})
    glue.start_crawler(Name=name)
    assert wait_ready(glue, name)["LastCrawl"]["Status"] == "SUCCEEDED"
    assert glue.get_database(Name=db)["Database"]["Name"] == db
    assert [t["Name"] for t in glue.get_tables(DatabaseName=db)["TableList"]] == ["input"]
    table = glue.get_table(DatabaseName=db, Name="input")["Table"]
    assert table["PartitionKeys"] == [{"Name": "category", "Type": "string"}]
    assert table["StorageDescriptor"]["Location"] == f"s3://{lake_bucket}/input/"
    partitions = glue.get_partitions(DatabaseName=db, TableName="input",
                                     Expression="category='mixed'")["Partitions"]
    assert [p["Values"] for p in partitions] == [["mixed"]]


def test_layout_key_value_folders_under_the_target_are_partitions_of_its_table():
    found = gc.layout("b", "input/", ["input/category=a/x.csv", "input/category=b/y.csv"], None)
    assert [(t.name, t.location, t.partition_names) for t in found] == [
        ("input", "s3://b/input/", ["category"])]
    assert found[0].partitions == {("a",): "s3://b/input/category=a/",
                                   ("b",): "s3://b/input/category=b/"}
    # A plain folder under the target is still a table of its own (the raw zone's layout).
    found = gc.layout("b", "raw/", ["raw/us_states/us_states.csv", "raw/state_abv/s.csv"], None)
    assert [t.name for t in found] == ["state_abv", "us_states"]


def test_starting_a_running_crawler_is_refused():
    from moto.glue.exceptions import CrawlerRunningException

    glue = LocalGlueBackend("us-east-1", "123456789012")
    glue.create_crawler(name="busy", role="r", database_name="db", description="",
                        targets={"S3Targets": [{"Path": "s3://b/raw/"}]}, schedule="",
                        classifiers=[], table_prefix="", schema_change_policy={},
                        recrawl_policy={}, lineage_configuration={}, configuration="",
                        crawler_security_configuration="", tags={})
    glue.get_crawler("busy").crawls.append(RealCrawl("busy"))  # a crawl still running
    with pytest.raises(CrawlerRunningException, match="already started"):
        glue.start_crawler("busy")


def _retype(glue, db: str, table: str, kind: str) -> None:
    current = glue.get_table(DatabaseName=db, Name=table)["Table"]
    columns = [{**c, "Type": kind} for c in current["StorageDescriptor"]["Columns"]]
    glue.update_table(DatabaseName=db, TableInput={
        "Name": table, "TableType": current["TableType"], "Parameters": current["Parameters"],
        "PartitionKeys": current.get("PartitionKeys", []),
        "StorageDescriptor": {**current["StorageDescriptor"], "Columns": columns}})


def test_merge_new_columns_keeps_existing_types_and_appends_new_columns(emulator, lake_bucket):
    # docs.aws.amazon.com/glue/latest/dg/crawler-schema-changes-prevent.html: "Add new columns
    # only" keeps a schema someone changed after the crawl; without it the crawl reverts it.
    glue, s3 = emulator.client("glue"), emulator.client("s3")
    db, name = f"db_{lake_bucket[-8:]}", f"crawler-{lake_bucket}"
    glue.create_database(DatabaseInput={"Name": db})
    glue.create_crawler(Name=name, Role="r", DatabaseName=db,
                        Targets={"S3Targets": [{"Path": f"s3://{lake_bucket}/raw/us_states/"}]})
    glue.start_crawler(Name=name)
    wait_ready(glue, name)
    types = lambda: {c["Name"]: c["Type"] for c in glue.get_table(  # noqa: E731
        DatabaseName=db, Name="us_states")["Table"]["StorageDescriptor"]["Columns"]}
    assert types()["cases"] == "bigint"

    _retype(glue, db, "us_states", "string")
    glue.start_crawler(Name=name)
    wait_ready(glue, name)
    assert types()["cases"] == "bigint"  # UPDATE_IN_DATABASE alone: the crawl's types win

    glue.update_crawler(Name=name, Configuration=(
        '{"Version": 1.0, "CrawlerOutput": {"Tables": {"AddOrUpdateBehavior": "MergeNewColumns"},'
        ' "Partitions": {"AddOrUpdateBehavior": "InheritFromTable"}}}'))
    _retype(glue, db, "us_states", "string")
    key = BY_NAME["us_states"].raw_key()
    body = s3.get_object(Bucket=lake_bucket, Key=key)["Body"].read().decode().splitlines()
    s3.put_object(Bucket=lake_bucket, Key=key,
                  Body=("\n".join([body[0] + ",probable"] + [r + ",1" for r in body[1:]]) + "\n").encode())
    glue.start_crawler(Name=name)
    assert wait_ready(glue, name)["LastCrawl"]["Status"] == "SUCCEEDED"
    after = types()
    assert after["cases"] == "string" and after["date"] == "string"
    assert list(after)[-1] == "probable" and after["probable"] == "bigint"


def test_crawler_configuration_local_aws_does_not_implement_fails_the_crawl(emulator, lake_bucket):
    glue = emulator.client("glue")
    db, name = f"db_{lake_bucket[-8:]}", f"crawler-{lake_bucket}"
    glue.create_database(DatabaseInput={"Name": db})
    glue.create_crawler(Name=name, Role="r", DatabaseName=db,
                        Targets={"S3Targets": [{"Path": f"s3://{lake_bucket}/raw/us_states/"}]},
                        Configuration='{"Version": 1.0, "Grouping": {"TableLevelConfiguration": 2}}')
    glue.start_crawler(Name=name)
    last = wait_ready(glue, name)["LastCrawl"]
    assert last["Status"] == "FAILED" and "Grouping" in last["ErrorMessage"]


def crawl_log(emulator, last_crawl: dict) -> list[str]:
    """The crawl's messages where LastCrawl points: LogGroup, LogStream, MessagePrefix
    (https://docs.aws.amazon.com/glue/latest/webapi/API_LastCrawlInfo.html)."""
    events = emulator.client("logs").get_log_events(
        logGroupName=last_crawl["LogGroup"], logStreamName=last_crawl["LogStream"],
        startFromHead=True)["events"]
    prefix = f"[{last_crawl['MessagePrefix']}] "
    return [e["message"][len(prefix):] for e in events if e["message"].startswith(prefix)]


def test_a_crawl_logs_to_cloudwatch_where_last_crawl_points(emulator, lake_bucket):
    glue = emulator.client("glue")
    db, name = f"db_{lake_bucket[-8:]}", f"crawler-{lake_bucket}"
    glue.create_crawler(Name=name, Role="r", DatabaseName=db,
                        Targets={"S3Targets": [{"Path": f"s3://{lake_bucket}/raw/us_states/"}]})
    glue.start_crawler(Name=name)
    last = wait_ready(glue, name)["LastCrawl"]
    assert (last["LogGroup"], last["LogStream"]) == ("/aws-glue/crawlers", name)
    messages = crawl_log(emulator, last)
    assert messages[0] == f"BENCHMARK : Running Start Crawl for Crawler {name}"
    assert f"INFO : Tables created: 1, tables updated: 0 (database {db})" in messages
    assert messages[-1] == "BENCHMARK : Crawler has finished running and is in state READY"

    # A failed crawl says why, under its own prefix.
    glue.update_crawler(Name=name, Configuration='{"Version": 1.0, "Grouping": {"TableLevelConfiguration": 2}}')
    glue.start_crawler(Name=name)
    failed = wait_ready(glue, name)["LastCrawl"]
    assert failed["MessagePrefix"] != last["MessagePrefix"]
    messages = crawl_log(emulator, failed)
    assert any(m.startswith("ERROR : ") and "Grouping" in m for m in messages), messages
    assert messages[-1] == "BENCHMARK : Crawler has finished running and is in state FAILED"

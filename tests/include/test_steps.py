"""steps.py against a real local_aws: what concurrent runs of a backfill do at the same moment."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from covid_lake import settings as settings_module
from covid_lake import steps
from covid_lake.catalog import crawler_config
from tests.local_aws.conftest import start_emulator


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    emu = start_emulator(tmp_path_factory.mktemp("steps-aws"), "--sample-scale", "none")
    yield emu
    emu.stop()


def test_concurrent_runs_prepare_the_catalog_once_and_all_succeed(emulator):
    cfg = settings_module.load(lambda key, default: default)
    glue, s3 = emulator.client("glue"), emulator.client("s3")

    def one_run(_):
        created_bucket = steps.ensure_bucket(s3, cfg.bucket, "us-east-1")
        return created_bucket, steps.prepare_catalog(glue, cfg)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one_run, range(4)))
    assert sum(r[1]["crawler_created"] for r in results) == 1
    crawler = glue.get_crawler(Name=cfg.crawler_name)["Crawler"]
    assert crawler["DatabaseName"] == cfg.glue_database
    assert crawler["Targets"] == crawler_config(cfg)["Targets"]
    assert glue.get_classifier(Name=cfg.classifier_name)["Classifier"]["CsvClassifier"]
    # and later runs find everything in place
    assert steps.prepare_catalog(glue, cfg)["crawler_created"] is False

"""What stops a run and what is only measured: raw gates, quirk limits, the failure policy, and
where each kind of JHU row goes (regions.classify_jhu)."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from covid_lake.domain import quality, raw_contract, regions
from covid_lake.domain.errors import DataError, QuirkLimitError
from covid_lake.tasks import settings
from covid_lake.tasks.policy import fail_fast

PROFILE = [
    {"dataset": name, "row_count": 100, "key_nulls": 0, "duplicate_keys": 0}
    for name in raw_contract.RAW_TABLES
]


def profile(**changes: dict) -> list[dict]:
    return [{**r, **changes.get(r["dataset"], {})} for r in PROFILE]


def test_duplicate_raw_keys_are_measured_not_fatal():
    rows = profile(enigma_jhu={"duplicate_keys": 92, "row_count": 25_490},
                   countrycode={"duplicate_keys": 13, "row_count": 256})
    raw_contract.check_profile(rows)  # no exception
    found = quality.raw_findings(rows, raw_contract.keys()).set_index("dataset")
    assert found.loc["enigma_jhu", "rows"] == 92 and found.loc["enigma_jhu", "of_rows"] == 25_490
    assert found.loc["countrycode", "reason"] == "duplicate keys (alpha-2 code) in the raw file"
    assert set(found["kind"]) == {"quirk"}


@pytest.mark.parametrize("change, message", [
    ({"us_states": {"row_count": 0}}, "dataset us_states is empty"),
    ({"hospital_beds": {"key_nulls": 3}}, r"dataset hospital_beds: 3 rows with a null key \(objectid\)"),
])
def test_empty_datasets_and_null_keys_stop_the_run(change, message):
    with pytest.raises(raw_contract.RawContractError, match=message) as err:
        raw_contract.check_profile(profile(**change))
    assert isinstance(err.value, DataError)


def test_catalog_columns_are_checked_against_the_contract():
    cols = lambda **types: [{"Name": n, "Type": t} for n, t in types.items()]  # noqa: E731
    typed = dict(date="string", state="string", fips="bigint", cases="bigint", deaths="bigint")
    raw_contract.check_columns("us_states", cols(**typed))
    with pytest.raises(raw_contract.RawContractError,
                       match=r"dataset us_states: column 'cases' changed type: expected a number"):
        raw_contract.check_columns("us_states", cols(**{**typed, "cases": "string"}))
    with pytest.raises(raw_contract.RawContractError, match=r"column 'deaths' is missing"):
        raw_contract.check_columns("us_states", cols(**{k: v for k, v in typed.items() if k != "deaths"}))
    # A CSV table is read as text (catalog.py): every column string, or the run stops.
    text = {k: "string" for k in typed}
    raw_contract.check_columns("us_states", cols(**text), read_as_text=True)
    with pytest.raises(raw_contract.RawContractError,
                       match=r"dataset us_states: column 'fips' is typed bigint: a CSV table's"):
        raw_contract.check_columns("us_states", cols(**{**text, "fips": "bigint"}), read_as_text=True)


def test_text_table_input_retypes_only_open_csv_tables_and_keeps_the_rest():
    from covid_lake.aws.glue_tables import OPEN_CSV_SERDE, text_table_input

    table = {"Name": "us_states", "DatabaseName": "raw", "CreateTime": "x", "VersionId": "3",
             "TableType": "EXTERNAL_TABLE", "Parameters": {"skip.header.line.count": "1"},
             "PartitionKeys": [],
             "StorageDescriptor": {"Location": "s3://b/raw/us_states/",
                                   "SerdeInfo": {"SerializationLibrary": OPEN_CSV_SERDE},
                                   "Columns": [{"Name": "date", "Type": "string"},
                                               {"Name": "cases", "Type": "bigint"}]}}
    got = text_table_input(table)
    assert set(got) == {"Name", "TableType", "Parameters", "PartitionKeys", "StorageDescriptor"}
    assert got["StorageDescriptor"]["Columns"] == [{"Name": "date", "Type": "string"},
                                                   {"Name": "cases", "Type": "string"}]
    assert got["StorageDescriptor"]["Location"] == "s3://b/raw/us_states/"
    assert text_table_input({**table, "StorageDescriptor": {**table["StorageDescriptor"],
                                                            "Columns": got["StorageDescriptor"]["Columns"]}}) is None
    json_table = {**table, "StorageDescriptor": {**table["StorageDescriptor"], "SerdeInfo": {
        "SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"}}}
    assert text_table_input(json_table) is None


def test_a_quirk_above_its_limit_fails_naming_dataset_rule_and_figures():
    report = quality.frame([("us_states", "no state fips", "quirk", 30, 100),
                            ("enigma_jhu", "non-US region (out of scope)", "scope", 90, 100)])
    s = settings.load(lambda key, default: {"covid_lake_settings": '{"quirk_limits": {"us_states": 0.5}}'}
                      .get(key, default))
    quality.check_limits(quality.with_limits(report, s.quirk_limit))  # 30% < 50%; scope never fails
    with pytest.raises(QuirkLimitError,
                       match=r"dataset us_states: no state fips: 30 of 100 rows \(30.0%\) > limit 10.0%"):
        quality.check_limits(quality.with_limits(report, lambda d: 0.10))


@pytest.mark.parametrize("limits", ['{"x": ', '{"x": 2}', '[1]'])
def test_a_malformed_limit_is_named(limits):
    s = settings.load(lambda key, default: {"covid_lake_settings": json.dumps({"quirk_limits": limits})}
                      .get(key, default))
    with pytest.raises(ValueError, match="quirk"):
        s.quirk_limit("x")


def test_audit_rows_carry_the_report_and_the_published_counts():
    report = quality.with_limits(quality.frame([("us_county", "no county fips: Unknown", "scope",
                                                 28, 2216)]), lambda d: 0.1)
    audit = quality.audit_rows(report, {"factcovid": 56, "dimdate": 1}, dt.date(2020, 4, 1))
    from covid_lake.domain import contracts

    contracts.validate("runaudit", audit)
    assert audit["run_date_key"].eq(20200401).all()
    assert audit.set_index("dataset").loc["factcovid", "kind"] == "loaded"
    assert pd.isna(audit.set_index("dataset").loc["us_county", "limit_share"])  # scope: no limit


def test_fail_fast_turns_data_errors_into_a_failure_without_retries():
    from airflow.sdk.exceptions import AirflowFailException

    with pytest.raises(AirflowFailException, match="QuirkLimitError: dataset x"):
        with fail_fast():
            raise QuirkLimitError("dataset x: too many")
    with pytest.raises(ConnectionError):  # transient: left to the task's retries
        with fail_fast():
            raise ConnectionError("reset by peer")


# --- where JHU rows go -------------------------------------------------------------------------

def geo():
    pop = pd.DataFrame({"fips": ["01001", "35013", "48201", "22059", "51683", "51685"],
                        "county_name": ["Autauga", "Do\ufffda Ana", "Harris", "LaSalle Parish",
                                        "Manassas city", "Manassas Park city"],
                        "state_name": ["Alabama", "New Mexico", "Texas", "Louisiana", "Virginia",
                                       "Virginia"],
                        "population": [1, 2, 3, 4, 5, 6]}).astype({"fips": "str"})
    return regions.geography(pop)


CASES = [  # fips, admin2, province_state, country -> placement, rule, state, county
    ("01001", "Autauga", "Alabama", "US", "county", "", "01", "01001"),
    ("1001", "Autauga", "Alabama", "US", "county", "", "01", "01001"),  # cleaned to 01001 first
    (None, "Unassigned", "Alabama", "US", "state_other", "unassigned", "01", None),
    ("90001", "Unassigned", "Alabama", "US", "state_other", "unassigned", "01", None),
    (None, "Out of AL", "Alabama", "US", "state_other", "out_of", "01", None),
    ("80001", "Out of AL", "Alabama", "US", "state_other", "out_of", "01", None),
    (None, "Dona Ana", "New Mexico", "US", "county", "matched", "35", "35013"),
    (None, "Harris", "Texas", "US", "county", "matched", "48", "48201"),
    (None, "LaSalle", "Louisiana", "US", "county", "matched", "22", "22059"),
    (None, "Manassas", "Virginia", "US", "county", "matched", "51", "51683"),
    (None, "Kansas City", "Texas", "US", "state_other", "unmatched", "48", None),
    (None, None, "Puerto Rico", "US", "state_level", "state_level", "72", None),
    ("66000", None, "Guam", "US", "state_level", "state_level", "66", None),
    ("88888", None, "Diamond Princess", "US", "no_state", "no_state", None, None),
    ("99999", None, "Grand Princess", "US", "no_state", "no_state", None, None),
    (None, None, "Recovered", "US", "national", "national", None, None),
    (None, None, "Hubei", "China", "non_us", "non_us", None, None),
]


def test_every_kind_of_jhu_row_has_one_place():
    from covid_lake.domain.parsing import pad_fips

    raw = pd.DataFrame([c[:4] for c in CASES],
                       columns=["fips", "admin2", "province_state", "country_region"])
    raw["fips"] = pad_fips(raw["fips"].astype("str"), "enigma_jhu", "fips")
    out = regions.classify_jhu(raw, geo())
    for (case, got) in zip(CASES, out.itertuples(), strict=True):
        want = case[4:]
        have = (got.placement, got.rule, None if pd.isna(got.state_fips) else got.state_fips,
                None if pd.isna(got.county_fips) else got.county_fips)
        assert have == want, case[:4]


def test_an_ambiguous_county_name_matches_nothing():
    g = geo()
    # 'Manassas' is 'Manassas city' (unique once the suffix goes); 'Manassas Park' stays apart
    assert g.county_by_name("51", "Manassas Park") == "51685"
    two = pd.DataFrame({"fips": ["51059", "51600"], "county_name": ["Fairfax", "Fairfax city"],
                        "state_name": ["Virginia", "Virginia"], "population": [1, 2]})
    g2 = regions.geography(two)
    assert g2.county_by_name("51", "Fairfax") == "51059"  # exact name first
    assert g2.county_by_name("51", "Fairfax City") == "51600"

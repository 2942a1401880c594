"""The row balance (covid_lake.domain.balance): per daily dataset and day, rows read = loaded + left out
by reason + rejected. Expected figures on the real files come from the raw rows with plain csv
(tests/support/real_lake.py), never from the pipeline."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from collections import Counter

import pandas as pd
import pytest

from covid_lake.domain import balance, contracts, quality, star
from covid_lake.domain.clean import clean_lake, load_raw_from_dir
from tests.include.fixtures.lake import _jhu, raw_frame
from tests.support import real_lake as hand

DAILY = ("enigma_jhu", "us_county", "us_states", "states_daily")


@pytest.fixture(scope="module")
def real_balance():
    if not hand.available():
        pytest.skip(hand.SKIP_REASON)
    lake = clean_lake(load_raw_from_dir(hand.REAL_LAKE))
    built = star.build_range(lake, hand.JHU_DAYS[0], hand.JHU_DAYS[-1])
    return balance.check(built.balance).set_index(["dataset", "date"])


@pytest.mark.parametrize("day", hand.JHU_DAYS, ids=str)
def test_the_balance_closes_on_every_day_of_the_real_files(real_balance, day):
    for name in DAILY:
        r = real_balance.loc[(name, pd.Timestamp(day))]
        assert r["read"] == hand.rows_read(name, day), name
        assert r["read"] == r["loaded"] + r["scope"] + r["quirk"] + r["reject"]
    jhu = real_balance.loc[("enigma_jhu", pd.Timestamp(day))]
    # The rows of no state are left out; every other row is loaded or is a region's second row
    # that day (the 'Dona Ana' / 'Doña Ana' quirk): none falls through.
    assert jhu["scope"] == hand.jhu_left_out(day)
    assert jhu["loaded"] + jhu["quirk"] == hand.rows_read("enigma_jhu", day) - hand.jhu_left_out(day)
    nyt = real_balance.loc[("us_county", pd.Timestamp(day))]
    assert nyt["scope"] == sum(hand.nyt_rows_without_fips(day).values())


def _raw_counts(lake_dir, name: str, key: str, column: str, day_of) -> Counter:
    path = lake_dir / key
    raw = path.read_bytes()
    text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8-sig")
    return Counter(day_of(r[column]) for r in csv.DictReader(io.StringIO(text, newline="")))


def test_the_balance_closes_on_every_day_of_the_sample(small_sample):
    from covid_lake.domain.datasets import dataset

    lake = small_sample["lake"]
    table = balance.check(star.build_full_history(lake).balance)
    assert (table["difference"] == 0).all()
    days = {
        "enigma_jhu": ("last_update", hand.jhu_day),
        "us_county": ("date", dt.date.fromisoformat),
        "us_states": ("date", dt.date.fromisoformat),
        "states_daily": ("date", lambda v: dt.datetime.strptime(v, "%Y%m%d").date()),
    }
    for name, (column, day_of) in days.items():
        expected = _raw_counts(small_sample["dir"], name, dataset(name).key, column, day_of)
        got = table[table["dataset"] == name].set_index("date")["read"]
        got = {d.date(): int(n) for d, n in got.items() if n}
        span = (min(got), max(got))
        assert got == {d: n for d, n in expected.items() if span[0] <= d <= span[1]}, name


def test_a_row_in_no_figure_fails_the_run_naming_dataset_day_and_difference(hand_raw):
    """A county row of a state JHU also reports as one row would be in neither figure. The hand
    lake's 2020-04-01: 10 JHU rows (three counties twice, Puerto Rico, Manhattan, two non-US);
    loaded 5 (a row per region), left out 5 (3 earlier reports, 2 non-US); the added row is 11th."""
    jhu = pd.concat([hand_raw["enigma_jhu"], raw_frame("enigma_jhu", [
        _jhu("72001", "Adjuntas", "Puerto Rico", "US", "2020-04-01 21:00:00", "4", "0")])],
        ignore_index=True)
    built = star.build_day(clean_lake({**hand_raw, "enigma_jhu": jhu}), "2020-04-01")
    with pytest.raises(balance.BalanceError,
                       match=r"dataset enigma_jhu, day 2020-04-01: read 11 != loaded 5 \+ left out 5"
                             r".*difference \+1 rows"):
        balance.check(built.balance)


def test_rejected_rows_of_the_day_are_read_and_rejected_and_the_audit_shows_the_balance(
        hand_lake, hand_raw):
    built = star.build_day(hand_lake, "2020-04-01")
    rejected = {"us_states": raw_frame("us_states", [
        {"date": "2020-04-01", "state": "Alabama", "fips": "02", "cases": "1", "deaths": "0"},
        {"date": "2020-03-31", "state": "Alabama", "fips": "02", "cases": "1", "deaths": "0"}])}
    day = pd.Timestamp("2020-04-01")
    table = balance.check(balance.with_rejects(built.balance, rejected, day, day))
    states = table.set_index("dataset").loc["us_states"]
    # 3 rows of us_states dated 2020-04-01 in the hand lake, plus the rejected one of that day
    assert (states["read"], states["loaded"], states["reject"]) == (4, 3, 1)
    audit = quality.audit_rows(quality.with_limits(balance.audit_findings(table), lambda d: 0.1),
                               {}, dt.date(2020, 4, 1))
    contracts.validate("runaudit", audit)  # what the warehouse table accepts (VARCHAR(6) kind)
    rows = audit[audit["kind"] == "tally"].set_index("dataset")
    assert set(rows.index) == set(DAILY)
    assert rows.loc["us_states", "of_rows"] == 4 and rows.loc["us_states", "row_count"] == 4
    assert "read 4 = loaded 3" in rows.loc["us_states", "reason"]


@pytest.mark.parametrize(("table", "measures", "dataset"), [
    ("factcovid", ("confirmed", "deaths", "recovered"), "enigma_jhu"),
    ("factcovid", ("nyt_cases", "nyt_deaths"), "us_states"),
    ("factcovidcounty", ("nyt_cases", "nyt_deaths"), "us_county"),
])
def test_a_fact_row_made_by_another_source_does_not_count_a_row_kept_out_of_it(
        hand_lake, table, measures, dataset):
    """Issue 26's defect: Guam's JHU row reached no figure while COVID Tracking made Guam's
    factcovid row, so the row's presence said nothing. A source's rows are loaded only where the
    fact holds that source's measures: here one fact row loses them, and the balance opens."""
    from covid_lake.domain import regions

    built = star.build_day(hand_lake, "2020-04-01")
    facts = built.tables[table]
    carrying = facts[list(measures)].notna().any(axis=1)
    victim = facts.index[carrying][0]
    broken = {**built.tables, table: facts.assign(
        **{m: facts[m].where(facts.index != victim) for m in measures})}
    day = pd.Timestamp("2020-04-01")
    geo = regions.geography(hand_lake["countypopulation"], hand_lake["us_states"])
    raw_jhu = hand_lake["enigma_jhu"]
    jhu = star._active_computed(regions.classify_jhu(
        raw_jhu[raw_jhu["date"].between(day - pd.Timedelta(days=1), day)], geo))
    parts = balance.of_build(hand_lake, jhu, star.latest_jhu_reports(jhu), broken, day, day)
    with pytest.raises(balance.BalanceError, match=rf"dataset {dataset}, day 2020-04-01: .*"
                                                   r"rows neither loaded nor audited"):
        balance.check(parts)
    # and the unbroken build closes
    balance.check(balance.of_build(hand_lake, jhu, star.latest_jhu_reports(jhu), built.tables,
                                   day, day))

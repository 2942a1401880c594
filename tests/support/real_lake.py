"""What a data engineer computes by hand from the real lake files (../shared/real-lake), to
compare the pipeline with. Plain `csv` and `gzip` over the raw rows, on purpose: nothing here
calls the pipeline's cleaners, classifier or star build, so a defect there cannot hide by being
repeated on both sides.

The rules written down in docs/data-model.md, applied by hand:
- a state's JHU figure on day D = the sum of all its US rows whose last_update falls on D (its
  counties, 'Unassigned', 'Out of XX', county rows without fips), the state found from the row's
  province_state name; a state or territory reported as one row (Puerto Rico, Guam, ...) is that
  row. In the real files each region is reported once a day, so "latest report" changes nothing;
- NYT state figures are us_states.csv's rows; COVID Tracking's are states_daily.csv's;
- cruise ships (Diamond Princess, Grand Princess) and the 'Recovered' row belong to no state.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import os
import unicodedata
from collections import defaultdict
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REAL_LAKE = Path(os.environ.get("COVID_LAKE_REAL_LAKE", ROOT.parent / "shared" / "real-lake"))
SKIP_REASON = (f"the real lake copy is not at {REAL_LAKE} (CI and the team's machines have "
               "../shared/real-lake; set COVID_LAKE_REAL_LAKE to use another copy)")
# The days the real JHU reports cover (eight daily files, 2020-03-25 .. 2020-04-01).
JHU_DAYS = tuple(dt.date(2020, 3, 25) + dt.timedelta(days=k) for k in range(8))

KEYS = {
    "enigma_jhu": "enigma-jhu/csv/Enigma-JHU.csv.gz",
    "us_county": "enigma-nytimes-data-in-usa/csv/us_county/us_county.csv",
    "us_states": "enigma-nytimes-data-in-usa/csv/us_states/us_states.csv",
    "states_daily": "rearc-covid-19-testing-data/csv/states_daily/states_daily.csv",
    "countypopulation": "static-datasets/csv/CountyPopulation/County_Population.csv",
}
# Territory names JHU uses, with their FIPS; countypopulation has every state and Puerto Rico.
TERRITORY_FIPS = {"American Samoa": "60", "Guam": "66", "Northern Mariana Islands": "69",
                  "Puerto Rico": "72", "Virgin Islands": "78"}
NOT_A_STATE = {"Recovered", "Diamond Princess", "Grand Princess"}


def available() -> bool:
    return all((REAL_LAKE / k).is_file() for k in KEYS.values())


def rows(name: str) -> list[dict[str, str]]:
    return list(_rows(name))


@cache
def _rows(name: str) -> tuple[dict[str, str], ...]:
    raw = (REAL_LAKE / KEYS[name]).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8-sig")
    return tuple(csv.DictReader(io.StringIO(text, newline="")))


def jhu_day(value: str) -> dt.date:
    """'2020-03-25 23:33:19', '2020-03-25T23:33:19' or '3/28/20 23:05' -> its calendar day."""
    day = value.strip().split(" ")[0].split("T")[0]
    if "/" in day:
        m, d, y = day.split("/")
        return dt.date(2000 + int(y) if len(y) == 2 else int(y), int(m), int(d))
    return dt.date.fromisoformat(day)


@cache
def state_fips_by_name() -> dict[str, str]:
    out = dict(TERRITORY_FIPS)
    for r in _rows("countypopulation"):
        out.setdefault(r["State"], r["Id2"].zfill(5)[:2])
    return out


def county_fips() -> set[str]:
    return {r["Id2"].zfill(5) for r in _rows("countypopulation")}


def jhu_us_rows(day: dt.date) -> list[dict[str, str]]:
    return [r for r in _rows("enigma_jhu")
            if r["country_region"] == "US" and jhu_day(r["last_update"]) == day]


def jhu_state_totals(day: dt.date, measure: str = "confirmed") -> dict[str, int]:
    """State fips -> the sum of the measure over all the state's JHU rows of the day."""
    names = state_fips_by_name()
    out: dict[str, int] = defaultdict(int)
    for r in jhu_us_rows(day):
        if r["province_state"] in NOT_A_STATE:
            continue
        out[names[r["province_state"]]] += int(r[measure] or 0)
    return dict(out)


def jhu_county_values(day: dt.date, measure: str = "confirmed") -> dict[str, int]:
    """County fips -> the measure, for JHU rows whose own fips is a county of countypopulation
    and that are the only row of their county that day: neither the fips nor the county's name
    (accents aside: 'Dona Ana' / 'Doña Ana') appears on another row. The simple cases."""
    seen: dict[str, list[int]] = defaultdict(list)
    names: dict[tuple[str, str], int] = defaultdict(int)
    counties = county_fips()
    day_rows = jhu_us_rows(day)
    for r in day_rows:
        names[(_ascii(r["admin2"]), r["province_state"])] += 1
    for r in day_rows:
        f = r["fips"].strip()
        if f and f.zfill(5) in counties and names[(_ascii(r["admin2"]), r["province_state"])] == 1:
            seen[f.zfill(5)].append(int(r[measure] or 0))
    return {f: v[0] for f, v in seen.items() if len(v) == 1}


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def nyt_states(day: dt.date) -> dict[str, tuple[int, int]]:
    return {r["fips"].zfill(2): (int(r["cases"]), int(r["deaths"]))
            for r in _rows("us_states") if r["date"] == day.isoformat()}


def nyt_counties(day: dt.date) -> dict[str, int]:
    return {r["fips"].zfill(5): int(r["cases"]) for r in _rows("us_county")
            if r["date"] == day.isoformat() and r["fips"]}


def nyt_rows_without_fips(day: dt.date) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for r in _rows("us_county"):
        if r["date"] == day.isoformat() and not r["fips"]:
            out[r["county"]] += 1
    return dict(out)


def tracking_positive(day: dt.date) -> dict[str, int | None]:
    return {r["fips"].zfill(2): (int(r["positive"]) if r["positive"] else None)
            for r in _rows("states_daily") if r["date"] == day.strftime("%Y%m%d")}


def count_jhu_us(day: dt.date, predicate) -> int:
    return sum(1 for r in jhu_us_rows(day) if predicate(r))


def rows_read(name: str, day: dt.date) -> int:
    """Rows of a daily dataset dated `day` (a JHU row's day: its last_update's), any country."""
    if name == "enigma_jhu":
        return sum(1 for r in _rows(name) if jhu_day(r["last_update"]) == day)
    field = day.strftime("%Y%m%d") if name == "states_daily" else day.isoformat()
    return sum(1 for r in _rows(name) if r["date"] == field)


def jhu_left_out(day: dt.date) -> int:
    """JHU rows of the day in no state: non-US rows, the cruise ships, the 'Recovered' row."""
    return sum(1 for r in _rows("enigma_jhu") if jhu_day(r["last_update"]) == day
               and (r["country_region"] != "US" or r["province_state"] in NOT_A_STATE))

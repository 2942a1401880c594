"""Row-level validation of what a run extracted, with pandera: a row that breaks a rule is
rejected (left out of the star, quarantined with its reasons under
s3://<bucket>/quarantine/<dataset>/run_date=D/, counted in the run's report and in runaudit as
kind 'reject'), never loaded; above a share per dataset (settings max_reject_share /
reject_limits) the run fails with the counts named (quality.check_limits).

The rules, each decided against ../shared/real-lake, where no row breaks one:
- types: a count, a coordinate or a FIPS code that is not one;
- ranges: cumulative counts are never negative (a correction that lowers one is legitimate and
  not checked; increments are not validated); latitude within ±90, longitude within ±180;
- dates: a real calendar date (2020-02-30 is not one) from 2020-01-01 up to today (UTC);
- codes: a state's fips is the one the reference tables give its name or postal code
  (countypopulation, state_abv and regions.TERRITORIES); a county fips starts with its state's.
Not rules, because the real files have them legitimately: missing values, NYT 'Unknown'
counties and rows without a fips, JHU's synthetic codes (80xxx 'Out of', 90xxx 'Unassigned',
88888/99999 cruise ships), a negative potential_increase_in_bed_capac (a difference). JHU's
non-US rows are out of the star's scope and are not validated.

A rejected row is one the cleaners would otherwise refuse (fatal) or, worse, load: a negative
fact, a day's figure silently missing, one state's figures under another's code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from covid_lake.domain import jhu_keys, quality, regions
from covid_lake.domain.clean import STATES_DAILY_MEASURES, clean_countypopulation, clean_state_abv
from covid_lake.domain.parsing import (
    SourceDataError,
    _text,
    by_distinct,
    jhu_timestamps,
    normalise_columns,
)

FIRST_DATE = dt.date(2020, 1, 1)  # no source reports a COVID-19 figure before 2020
REASON_COLUMN = "reject_reasons"

# Reference tables first: the others' code checks are made against what passed here.
_ORDER = ("countypopulation", "state_abv", "countrycode", "hospital_beds", "us_states",
          "us_county", "states_daily", "enigma_jhu", "jhu_regions")
# Extract name -> the dataset whose columns it has (jhu_regions is a query over enigma_jhu).
_SOURCE = {"jhu_regions": "enigma_jhu"}


def _number(s: pd.Series) -> pd.Series:
    """The values as floats; NaN where missing or not a number."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype("float64")
    text = _text(s)
    try:
        # every value a number: Arrow's cast, one pass (to_numeric goes through Python objects)
        return text.astype("double[pyarrow]").astype("float64")
    except ValueError:
        return pd.to_numeric(text, errors="coerce").astype("float64")


def _present(s: pd.Series) -> pd.Series:
    return _text(s).notna() if not pd.api.types.is_numeric_dtype(s) else s.notna()


def _is_number(s: pd.Series) -> pd.Series:
    return ~_present(s) | _number(s).notna()


def _is_whole(s: pd.Series) -> pd.Series:
    n = _number(s)
    return n.isna() | (n % 1 == 0)


def _not_negative(s: pd.Series) -> pd.Series:
    n = _number(s)
    return n.isna() | (n >= 0)


def _fips_text(s: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(s):
        return s.map(lambda v: None if pd.isna(v) or v % 1 else str(int(v))).astype("str")
    return _text(s).str.replace(r"\.0*$", "", regex=True)


def _is_fips(width: int) -> Callable[[pd.Series], pd.Series]:
    def check(s: pd.Series) -> pd.Series:
        f = _fips_text(s)
        return f.isna() | (f.str.fullmatch(r"\d+").fillna(False).astype(bool) & (f.str.len() <= width))
    return check


def _padded(s: pd.Series, width: int | None) -> pd.Series:
    """Digits zero-padded to `width`; width=None decides per value as clean.pad_fips does
    (up to 2 digits a state, else a county: JHU's '66' is Guam's own row, not county 00066)."""
    f = _fips_text(s)
    f = f.where(f.str.fullmatch(r"\d+").fillna(False).astype(bool))
    if width is None:
        return f.where(f.str.len() > 2, f.str.zfill(2)).where(f.str.len() <= 2, f.str.zfill(5))
    return f.str.zfill(width)


def _within(low: float, high: float) -> Callable[[pd.Series], pd.Series]:
    def check(s: pd.Series) -> pd.Series:
        n = _number(s)
        return n.isna() | n.between(low, high)
    return check


def _dates(kind: str, s: pd.Series) -> pd.Series:
    if kind == "yyyymmdd":
        return pd.to_datetime(_fips_text(s), format="%Y%m%d", errors="coerce")
    if kind == "iso":
        if pd.api.types.is_datetime64_any_dtype(s):
            return s
        return by_distinct(_iso_dates, s)
    return jhu_timestamps(s)


def _iso_dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(_text(s), format="ISO8601", errors="coerce")


def _is_date(kind: str) -> Callable[[pd.Series], pd.Series]:
    def check(s: pd.Series) -> pd.Series:
        return ~_present(s) | _dates(kind, s).notna()
    return check


def _in_span(kind: str, today: dt.date) -> Callable[[pd.Series], pd.Series]:
    def check(s: pd.Series) -> pd.Series:
        d = _dates(kind, s)
        return d.isna() | d.between(pd.Timestamp(FIRST_DATE), pd.Timestamp(today) + pd.Timedelta(days=1),
                                    inclusive="left")
    return check


def _checks(kind: str, today: dt.date) -> list[pa.Check]:
    """The element checks of a column kind; each error text is the reason written per row."""
    c = pa.Check
    if kind == "count":
        return [c(_is_number, error="not a number"), c(_is_whole, error="not a whole number"),
                c(_not_negative, error="negative (a cumulative count never is)")]
    if kind == "integer":
        return [c(_is_number, error="not a number"), c(_is_whole, error="not a whole number")]
    if kind == "number":
        return [c(_is_number, error="not a number")]
    if kind == "latitude":
        return [c(_is_number, error="not a number"),
                c(_within(-90, 90), error="not a latitude (outside -90..90)")]
    if kind == "longitude":
        return [c(_is_number, error="not a number"),
                c(_within(-180, 180), error="not a longitude (outside -180..180)")]
    if kind.startswith("fips"):
        width = int(kind[4:])
        return [c(_is_fips(width), error=f"not a FIPS code (digits, at most {width})")]
    if kind in ("iso", "yyyymmdd", "jhu"):
        what = {"iso": "YYYY-MM-DD", "yyyymmdd": "YYYYMMDD", "jhu": "a known timestamp format"}
        return [c(_is_date(kind), error=f"not a real calendar date ({what[kind]})"),
                c(_in_span(kind, today), error=f"outside the sources' span {FIRST_DATE}..today")]
    raise ValueError(f"unknown column kind {kind!r}")


_COUNTS = {"cases": "count", "deaths": "count"}
COLUMNS: dict[str, dict[str, str]] = {
    "enigma_jhu": {"fips": "fips5", "last_update": "jhu", "latitude": "latitude",
                   "longitude": "longitude", "confirmed": "count", "deaths": "count",
                   "recovered": "count", "active": "count"},
    "jhu_regions": {"fips": "fips5", "last_update": "jhu", "latitude": "latitude",
                    "longitude": "longitude"},
    "us_county": {"date": "iso", "fips": "fips5", **_COUNTS},
    "us_states": {"date": "iso", "fips": "fips2", **_COUNTS},
    "states_daily": {"date": "yyyymmdd", "fips": "fips2",
                     **{m: "count" for m in STATES_DAILY_MEASURES}},
    "hospital_beds": {"objectid": "integer", "state_fips": "fips2", "cnty_fips": "fips3",
                      "fips": "fips5", "num_licensed_beds": "count", "num_staffed_beds": "count",
                      "num_icu_beds": "count", "adult_icu_beds": "count",
                      "pedi_icu_beds": "count", "potential_increase_in_bed_capac": "integer",
                      "bed_utilization": "number", "avg_ventilator_usage": "number",
                      "latitude": "latitude", "longtitude": "longitude"},
    "countypopulation": {"id2": "fips5", "population_estimate_2018": "count"},
    "countrycode": {"numeric_code": "integer", "latitude": "latitude", "longitude": "longitude"},
    "state_abv": {},
}


@dataclass(frozen=True)
class _Reference:
    by_name: dict[str, str]  # folded state name -> 2-digit fips
    by_abbr: dict[str, str]  # postal code -> 2-digit fips

    @property
    def states(self) -> frozenset[str]:
        return frozenset(self.by_name.values())

    def of_names(self, names: pd.Series) -> pd.Series:
        return regions._per_value(_text(names), lambda n: self.by_name.get(regions.fold(n)))


def _reference(countypopulation: pd.DataFrame | None, state_abv: pd.DataFrame | None) -> _Reference:
    pop = (clean_countypopulation(countypopulation) if countypopulation is not None
           else pd.DataFrame({"fips": [], "county_name": [], "state_name": []}, dtype="str"))
    by_name = dict(regions.geography(pop).state_fips_by_name)
    by_abbr = dict(zip(regions.TERRITORIES["state_abbr"], regions.TERRITORIES["fips"], strict=True))
    if state_abv is not None:
        abv = clean_state_abv(state_abv)
        for name, abbr in zip(abv["state_name"], abv["state_abbr"], strict=True):
            fips = by_name.get(regions.fold(name))
            if fips:
                by_abbr.setdefault(abbr, fips)
    return _Reference(by_name, by_abbr)


def _same_state(code: pd.Series, state: pd.Series) -> pd.Series:
    """True where either side is unknown, or both agree."""
    return code.isna() | state.isna() | (code == state)


def _state_checks(name: str, ref: _Reference) -> list[pa.Check]:
    """Row checks across columns: the fips belongs to the row's state."""
    def us_states(df):
        return _same_state(_padded(df["fips"], 2), ref.of_names(df["state"]))

    def us_county(df):
        return _same_state(_padded(df["fips"], 5).str[:2], ref.of_names(df["state"]))

    def states_daily(df):
        state = _text(df["state"]).str.upper().map(ref.by_abbr).astype("str")
        return _same_state(_padded(df["fips"], 2), state)

    def jhu(df):
        fips = _padded(df["fips"], None)
        code = jhu_keys.state_of_fips(fips, jhu_keys.fips_forms(fips, ref.states))
        return _same_state(code, ref.of_names(df["province_state"]))

    def hospital_beds(df):
        return _same_state(_padded(df["fips"], 5).str[:2], _padded(df["state_fips"], 2))

    fn = {"us_states": (us_states, "fips: not the fips of the row's state"),
          "us_county": (us_county, "fips: a county of another state than the row's"),
          "states_daily": (states_daily, "fips: not the fips of the row's state code"),
          "enigma_jhu": (jhu, "fips: a region of another state than province_state"),
          "jhu_regions": (jhu, "fips: a region of another state than province_state"),
          "hospital_beds": (hospital_beds, "fips: a county of another state than state_fips"),
          }.get(name)
    return [pa.Check(fn[0], error=fn[1])] if fn else []


def schema(name: str, ref: _Reference, today: dt.date) -> pa.DataFrameSchema:
    """The pandera schema of one extract (columns as clean.normalise_columns names them)."""
    columns = {col: pa.Column(checks=_checks(kind, today), nullable=True, required=True)
               for col, kind in COLUMNS[name].items()}
    return pa.DataFrameSchema(columns, checks=_state_checks(name, ref), name=name, strict=False)


@dataclass(frozen=True)
class Validated:
    frames: dict[str, pd.DataFrame]  # per extract, the rows that passed (as extracted)
    rejected: dict[str, pd.DataFrame]  # per extract, the rows that did not, plus reject_reasons
    report: pd.DataFrame  # quality findings, kind 'reject': rows per (dataset, reason)


def _failures(name: str, df: pd.DataFrame, sch: pd.DataFrame) -> pd.DataFrame:
    """(index, reason) of every failed check; empty when all pass."""
    try:
        sch.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
        if fc["index"].isna().any():
            # Not a row's fault (a whole column wrong): fatal, never a quarantine.
            raise SourceDataError(f"{name}: {err}") from None
        column = fc["column"].where(fc["schema_context"] == "Column")
        reason = [f"{col}: {check}" if isinstance(col, str) else str(check)
                  for col, check in zip(column, fc["check"], strict=True)]
        return pd.DataFrame({"index": fc["index"], "reason": reason}).drop_duplicates()
    return pd.DataFrame({"index": [], "reason": []})


def split(frames: Mapping[str, pd.DataFrame], today: dt.date) -> Validated:
    """Validate every extract; the rows that pass, the rows rejected and the report."""
    passed: dict[str, pd.DataFrame] = {}
    rejected: dict[str, pd.DataFrame] = {}
    findings = []
    ref = _Reference({}, {})
    for name in sorted(frames, key=lambda n: _ORDER.index(n) if n in _ORDER else len(_ORDER)):
        raw = frames[name]
        if name not in COLUMNS:
            passed[name] = raw
            continue
        norm = normalise_columns(raw, _SOURCE.get(name, name), required=tuple(COLUMNS[name]))
        scope = norm
        if name in ("enigma_jhu", "jhu_regions"):
            scope = norm[norm["country_region"].isin(["US", "United States"])]
        bad = _failures(name, scope, schema(name, ref, today))
        reasons = bad.groupby("index")["reason"].agg("; ".join) if len(bad) else pd.Series(dtype="str")
        keep = ~raw.index.isin(reasons.index)
        passed[name] = raw[keep]
        if len(reasons):
            rejected[name] = raw[~keep].assign(**{REASON_COLUMN: reasons.reindex(raw.index[~keep])})
            counts = bad.groupby("reason")["index"].nunique()
            findings += [(name, reason, quality.REJECT, int(n), len(scope))
                         for reason, n in counts.items()]
        if name == "countypopulation" or name == "state_abv":
            ref = _reference(passed.get("countypopulation"), passed.get("state_abv"))
    return Validated(passed, rejected, quality.frame(findings))

"""Raw-side cleaning: one function per source dataset, from either form a table can arrive in.

The two forms:
- raw file text: every column a string, empty cells missing (what `load_raw_from_dir` returns);
- Athena results over a Glue crawler's table: lower-cased names, bigint/double columns (FIPS lose
  their leading zero, nullable ints come back as floats such as 1001.0), maybe a `partition_0`.

Every cleaner returns snake_case columns, FIPS as zero-padded strings, counts as nullable Int64,
dates as midnight datetime64[ns]. Bad input raises `SourceDataError` naming the dataset, the column,
the row and the value, except where a module-level comment says a case is quarantined instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from covid_lake.datasets import DATASETS, dataset
from covid_lake.errors import DataError


class SourceDataError(DataError):
    """A source file does not hold what the pipeline relies on."""


def snake(name: str) -> str:
    """'hospitalizedCurrently' -> 'hospitalized_currently', 'Alpha-2 code' -> 'alpha_2_code'."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name.strip())
    return re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()


# A crawler lower-cases 'hospitalizedCurrently' to 'hospitalizedcurrently', which no rule can split
# again; the canonical headers in datasets.py can, so names are looked up by their lower-case form.
_SNAKE_BY_LOWER: dict[str, dict[str, str]] = {
    d.name: {c.lower(): snake(c) for c in d.columns} for d in DATASETS
}
# A UTF-8 byte-order mark, as decoded correctly or as Latin-1 by a tool that ignored it.
_BOM = re.compile(r"^(\ufeff|ï»¿)+")


def normalise_columns(df: pd.DataFrame, name: str,
                      required: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Canonical snake_case names; drop crawler partition columns; fail on missing columns.

    `required`: the columns the cleaner reads (default: every column of the source file), so a
    query that selects only what the pipeline needs is accepted.
    """
    mapping = _SNAKE_BY_LOWER[name]
    renamed = {}
    for col in df.columns:
        lower = _BOM.sub("", str(col)).strip().lower()
        renamed[col] = mapping.get(lower, snake(lower))
    out = df.rename(columns=renamed)
    out = out.drop(columns=[c for c in out.columns if re.fullmatch(r"partition_\d+", c)])
    if out.columns.duplicated().any():
        dup = sorted(set(out.columns[out.columns.duplicated()]))
        raise SourceDataError(f"{name}: duplicate columns after normalising names: {dup}")
    missing = [c for c in (required or mapping.values()) if c not in out.columns]
    if missing:
        raise SourceDataError(
            f"{name}: missing columns {missing}; got {list(df.columns)}"
        )
    return out


def _bad(name: str, column: str, values: pd.Series, mask: pd.Series, problem: str) -> None:
    if not mask.any():
        return
    bad = values[mask]
    first_row = bad.index[0]
    examples = ", ".join(repr(v) for v in bad.astype(str).unique()[:5])
    raise SourceDataError(
        f"{name}: column {column!r}: {int(mask.sum())} value(s) {problem}; "
        f"first at row {first_row} (0-based data row): {bad.iloc[0]!r}; examples: {examples}"
    )


def _text(values: pd.Series) -> pd.Series:
    """Strings, stripped, empty as missing, whatever the input dtype."""
    s = values.astype("str").str.strip().where(values.notna())
    return s.mask(s == "")


def to_text(values: pd.Series) -> pd.Series:
    return _text(values).astype("str")


def _integral_text(values: pd.Series, name: str, column: str) -> pd.Series:
    """Digits only: 1001 and 1001.0 (crawler-typed) and '1001' / '1001.0' all give '1001'."""
    if pd.api.types.is_float_dtype(values):
        _bad(name, column, values, values.notna() & (values % 1 != 0), "are not whole numbers")
        out = pd.Series(np.nan, index=values.index, dtype="str")
        present = values.notna()
        out[present] = values[present].astype("int64").astype("str")
        return out
    if pd.api.types.is_integer_dtype(values):
        return values.astype("str").where(values.notna()).astype("str")
    s = _text(values).str.replace(r"\.0*$", "", regex=True)
    _bad(name, column, values, s.notna() & ~s.str.fullmatch(r"\d+").fillna(False).astype(bool),
         "are not FIPS codes (digits)")
    return s.astype("str")


def pad_fips(values: pd.Series, name: str, column: str, width: int | None = None) -> pd.Series:
    """Zero-padded FIPS text from '01001', 1001 or 1001.0; missing stays missing.

    width=None decides per value: up to 2 digits is a state (2), 3-5 digits a county (5). No county
    code has fewer than 4 digits (state 01 -> 01001), so the rule cannot mistake one for the other.
    """
    s = _integral_text(values, name, column)
    n = s.str.len()
    if width is None:
        _bad(name, column, values, n > 5, "are too long for a FIPS code")
        return s.where(n > 2, s.str.zfill(2)).where(n <= 2, s.str.zfill(5)).astype("str")
    _bad(name, column, values, n > width, f"are too long for a {width}-digit FIPS code")
    return s.str.zfill(width).astype("str")


def to_int64(values: pd.Series, name: str, column: str) -> pd.Series:
    """Nullable Int64 from '12', '12.0', 12, 12.0; anything else is an error."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("Int64")
    if pd.api.types.is_integer_dtype(values):
        return values.astype("Int64")
    if pd.api.types.is_float_dtype(values):
        num = values
    else:
        s = _text(values)
        num = pd.to_numeric(s, errors="coerce")
        _bad(name, column, values, s.notna() & num.isna(), "are not numbers")
    _bad(name, column, values, num.notna() & (num % 1 != 0), "are not whole numbers")
    return num.astype("Int64")


def to_float64(values: pd.Series, name: str, column: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64")
    s = _text(values)
    num = pd.to_numeric(s, errors="coerce")
    _bad(name, column, values, s.notna() & num.isna(), "are not numbers")
    return num.astype("float64")


def _midnight(values: pd.Series) -> pd.Series:
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    return values.dt.normalize().astype("datetime64[ns]")


def parse_yyyymmdd(values: pd.Series, name: str, column: str) -> pd.Series:
    """COVID Tracking's integer dates: 20200322, 20200322.0 or '20200322'."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return _midnight(values)
    s = _integral_text(values, name, column)
    out = pd.to_datetime(s, format="%Y%m%d", errors="coerce")
    _bad(name, column, values, s.notna() & out.isna(), "are not dates YYYYMMDD")
    _bad(name, column, values, s.isna(), "are missing")
    return out.astype("datetime64[ns]")


def parse_iso_date(values: pd.Series, name: str, column: str) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        out = _midnight(values)
    else:
        s = _text(values)
        out = pd.to_datetime(s, format="ISO8601", errors="coerce")
        _bad(name, column, values, s.notna() & out.isna(), "are not ISO dates")
        out = _midnight(out)
    _bad(name, column, values, out.isna(), "are missing")
    return out


# JHU's last_update changed format across the history. Tried in order; each pass only sees what
# the earlier ones could not parse, so a format is never applied to a value another one matched.
_US_TIMESTAMP_FORMATS = ("%m/%d/%y %H:%M", "%m/%d/%Y %H:%M", "%m/%d/%y %H:%M:%S",
                         "%m/%d/%Y %H:%M:%S", "%m/%d/%Y", "%m/%d/%y")


def parse_jhu_timestamp(values: pd.Series, name: str = "enigma_jhu",
                        column: str = "last_update") -> pd.Series:
    """'2020-03-22 23:45:00', '2020-03-22T23:45:00Z' and '3/22/20 23:45' to naive UTC timestamps.

    Missing values stay NaT (the star build quarantines and counts those rows). A value present
    but in no known format is an error: a new format in the feed must be added here, not silently
    dropped, because dropping a report changes which report is the latest of its day. (Row
    validation, covid_lake.validate, quarantines such rows first, with jhu_timestamps.)
    """
    out = jhu_timestamps(values)
    s = _text(values) if not pd.api.types.is_datetime64_any_dtype(values) else out
    _bad(name, column, values, s.notna() & out.isna(), "are timestamps in no known format")
    return out


def jhu_timestamps(values: pd.Series) -> pd.Series:
    """parse_jhu_timestamp without the error: NaT where a value is in no known format (or is a
    date that does not exist, such as 2020-02-30)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        out = values.dt.tz_convert(None) if getattr(values.dt, "tz", None) is not None else values
        return out.astype("datetime64[ns]")
    s = _text(values)
    out = pd.to_datetime(s, format="ISO8601", utc=True, errors="coerce").dt.tz_convert(None)
    out = out.astype("datetime64[ns]")
    for fmt in _US_TIMESTAMP_FORMATS:
        todo = s.notna() & out.isna()
        if not todo.any():
            break
        out[todo] = pd.to_datetime(s[todo], format=fmt, errors="coerce")
    return out


# ---------------------------------------------------------------------------------------------
# One cleaner per source
# ---------------------------------------------------------------------------------------------

def clean_enigma_jhu(df: pd.DataFrame) -> pd.DataFrame:
    """One row per region per report; `date` is the UTC day of `last_update`.

    fips: '01001' for US counties, '72' for Puerto Rico (state level), missing for non-US regions.
    """
    name = "enigma_jhu"
    df = normalise_columns(df, name)
    out = _jhu_region_columns(df)
    out.insert(4, "combined_key", to_text(df["combined_key"]))
    for col in ("confirmed", "deaths", "recovered", "active"):
        out[col] = to_int64(df[col], name, col)
    return out.reset_index(drop=True)


def _jhu_region_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Where and when a JHU row reports: fips, names, last_update, its day, coordinates."""
    name = "enigma_jhu"
    out = pd.DataFrame(index=df.index)
    out["fips"] = pad_fips(df["fips"], name, "fips")
    for col in ("admin2", "province_state", "country_region"):
        out[col] = to_text(df[col])
    out["last_update"] = parse_jhu_timestamp(df["last_update"], name, "last_update")
    out["date"] = out["last_update"].dt.normalize()
    for col in ("latitude", "longitude"):
        out[col] = to_float64(df[col], name, col)
    return out


_JHU_REGION_COLUMNS = ("fips", "admin2", "province_state", "country_region", "last_update",
                       "latitude", "longitude")


def clean_jhu_regions(df: pd.DataFrame) -> pd.DataFrame:
    """JHU's region columns over every report (extract jhu_regions.sql), cleaned as
    clean_enigma_jhu cleans them; dimregion's coordinates come from here."""
    df = normalise_columns(df, "enigma_jhu", required=_JHU_REGION_COLUMNS)
    return _jhu_region_columns(df).reset_index(drop=True)


def clean_us_county(df: pd.DataFrame) -> pd.DataFrame:
    """NYT per county per day. fips is missing for 'Unknown' (any state), 'New York City',
    'Kansas City' and 'Joplin'; the star build reports those rows and never joins them."""
    name = "us_county"
    df = normalise_columns(df, name)
    out = pd.DataFrame(index=df.index)
    out["date"] = parse_iso_date(df["date"], name, "date")
    out["county"] = to_text(df["county"])
    out["state"] = to_text(df["state"])
    out["fips"] = pad_fips(df["fips"], name, "fips", width=5)
    out["cases"] = to_int64(df["cases"], name, "cases")
    out["deaths"] = to_int64(df["deaths"], name, "deaths")
    return out.reset_index(drop=True)


def clean_us_states(df: pd.DataFrame) -> pd.DataFrame:
    name = "us_states"
    df = normalise_columns(df, name)
    out = pd.DataFrame(index=df.index)
    out["date"] = parse_iso_date(df["date"], name, "date")
    out["state"] = to_text(df["state"])
    out["fips"] = pad_fips(df["fips"], name, "fips", width=2)
    out["cases"] = to_int64(df["cases"], name, "cases")
    out["deaths"] = to_int64(df["deaths"], name, "deaths")
    return out.reset_index(drop=True)


# The measures the star schema takes from COVID Tracking; other columns pass through as text.
STATES_DAILY_MEASURES = (
    "positive", "negative", "hospitalized_currently", "hospitalized_cumulative",
    "hospitalized_discharged", "in_icu_currently", "on_ventilator_currently", "death",
    "total_test_results",
)
_US_DAILY_MEASURES = (
    "positive", "negative", "pending", "hospitalized_currently", "hospitalized_cumulative",
    "in_icu_currently", "in_icu_cumulative", "on_ventilator_currently", "on_ventilator_cumulative",
    "death", "hospitalized", "total_test_results", "recovered", "total", "pos_neg",
    "death_increase", "hospitalized_increase", "negative_increase", "positive_increase",
    "total_test_results_increase",
)


def clean_states_daily(df: pd.DataFrame) -> pd.DataFrame:
    """COVID Tracking per state per day: date from YYYYMMDD, fips '01', state the postal code."""
    name = "states_daily"
    df = normalise_columns(df, name, required=("date", "state", "fips", *STATES_DAILY_MEASURES))
    out = df.copy()
    out["date"] = parse_yyyymmdd(df["date"], name, "date")
    out["state"] = to_text(df["state"]).str.upper()
    out["fips"] = pad_fips(df["fips"], name, "fips", width=2)
    for col in STATES_DAILY_MEASURES:
        out[col] = to_int64(df[col], name, col)
    return out.reset_index(drop=True)


def clean_us_daily(df: pd.DataFrame) -> pd.DataFrame:
    """National totals per day (no fips; not part of the star schema, cleaned for profiling)."""
    name = "us_daily"
    df = normalise_columns(df, name)
    out = df.copy()
    out["date"] = parse_yyyymmdd(df["date"], name, "date")
    for col in ("states", *_US_DAILY_MEASURES):
        out[col] = to_int64(df[col], name, col)
    return out.reset_index(drop=True)


def clean_us_total_latest(df: pd.DataFrame) -> pd.DataFrame:
    name = "us_total_latest"
    df = normalise_columns(df, name)
    out = df.copy()
    for col in _US_DAILY_MEASURES:
        if col in out.columns and not col.endswith("_increase"):
            out[col] = to_int64(df[col], name, col)
    return out.reset_index(drop=True)


def _hospital_records(raw) -> pd.DataFrame:
    """Flat records from JSON lines, a GeoJSON FeatureCollection, or a frame of either."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8-sig")
    if isinstance(raw, str):
        text = raw.lstrip("\ufeff").strip()
        try:
            doc = json.loads(text)
        except json.JSONDecodeError:
            doc = [json.loads(line) for line in text.splitlines() if line.strip()]
        raw = doc
    if isinstance(raw, dict):
        # A FeatureCollection, or a JSON-lines file of one record (which parses as one object).
        raw = raw["features"] if "features" in raw else [raw]
    if isinstance(raw, list):
        raw = pd.DataFrame.from_records(raw)
    if not isinstance(raw, pd.DataFrame):
        raise SourceDataError(f"hospital_beds: cannot read records from {type(raw).__name__}")
    if "properties" in raw.columns:
        # GeoJSON features: the 23 fields sit under properties; the geometry repeats lat/long.
        raw = pd.DataFrame.from_records(raw["properties"].tolist(), index=raw.index)
    return raw


def clean_hospital_beds(raw) -> pd.DataFrame:
    """One row per hospital. Accepts JSON lines, a FeatureCollection, or a (crawled) frame."""
    name = "hospital_beds"
    df = normalise_columns(_hospital_records(raw), name)
    out = pd.DataFrame(index=df.index)
    out["objectid"] = to_int64(df["objectid"], name, "objectid")
    _bad(name, "objectid", df["objectid"], out["objectid"].isna(), "are missing")
    for col in ("hospital_name", "hospital_type", "hq_address", "hq_address1", "hq_city",
                "hq_state", "county_name", "state_name"):
        out[col] = to_text(df[col])
    zip_text = _text(df["hq_zip_code"]).str.replace(r"\.0*$", "", regex=True)
    lost_zeros = zip_text.str.fullmatch(r"\d{1,4}").fillna(False).astype(bool)  # bigint 6067
    out["hq_zip_code"] = zip_text.where(~lost_zeros, zip_text.str.zfill(5)).astype("str")
    out["state_fips"] = pad_fips(df["state_fips"], name, "state_fips", width=2)
    out["cnty_fips"] = pad_fips(df["cnty_fips"], name, "cnty_fips", width=3)
    out["fips"] = pad_fips(df["fips"], name, "fips", width=5)
    for col in ("num_licensed_beds", "num_staffed_beds", "num_icu_beds", "adult_icu_beds",
                "pedi_icu_beds", "potential_increase_in_bed_capac"):
        out[col] = to_int64(df[col], name, col)
    for col in ("bed_utilization", "avg_ventilator_usage", "latitude", "longtitude"):
        out[col] = to_float64(df[col], name, col)
    return out.reset_index(drop=True)


def clean_countrycode(df: pd.DataFrame) -> pd.DataFrame:
    """ISO codes; the file's byte-order mark would otherwise glue itself to 'Country'."""
    name = "countrycode"
    df = normalise_columns(df, name)
    out = pd.DataFrame(index=df.index)
    out["country"] = to_text(df["country"]).str.replace(_BOM, "", regex=True)
    out["alpha_2_code"] = to_text(df["alpha_2_code"])
    out["alpha_3_code"] = to_text(df["alpha_3_code"])
    out["numeric_code"] = to_int64(df["numeric_code"], name, "numeric_code")
    out["latitude"] = to_float64(df["latitude"], name, "latitude")
    out["longitude"] = to_float64(df["longitude"], name, "longitude")
    return out.reset_index(drop=True)


def clean_countypopulation(df: pd.DataFrame) -> pd.DataFrame:
    """fips from Id2 (5 digits), checked against the tail of Id ('0500000US01001')."""
    name = "countypopulation"
    df = normalise_columns(df, name)
    out = pd.DataFrame(index=df.index)
    out["fips"] = pad_fips(df["id2"], name, "id2", width=5)
    _bad(name, "id2", df["id2"], out["fips"].isna(), "are missing")
    id_tail = to_text(df["id"]).str.extract(r"US(\d{5})$", expand=False)
    _bad(name, "id", df["id"], id_tail.notna() & (id_tail != out["fips"]), "disagree with Id2")
    out["county_name"] = to_text(df["county"])
    out["state_name"] = to_text(df["state"])
    out["population"] = to_int64(df["population_estimate_2018"], name, "population_estimate_2018")
    return out.reset_index(drop=True)


def clean_state_abv(df: pd.DataFrame) -> pd.DataFrame:
    """State name and postal code, whether or not the crawler detected the header row."""
    name = "state_abv"
    if list(map(str, df.columns)) == ["col0", "col1"]:
        df = df.set_axis(["state", "abbreviation"], axis=1)
    df = normalise_columns(df, name)
    state = to_text(df["state"])
    abbr = to_text(df["abbreviation"])
    # The header line returned as data when the crawler saw only string columns.
    header_row = state.str.lower().eq("state") & abbr.str.lower().eq("abbreviation")
    out = pd.DataFrame({"state_name": state[~header_row],
                        "state_abbr": abbr[~header_row].str.upper()})
    _bad(name, "abbreviation", out["state_abbr"],
         ~out["state_abbr"].str.fullmatch(r"[A-Z]{2}").fillna(False).astype(bool),
         "are not two-letter postal codes")
    return out.reset_index(drop=True)


CLEANERS: dict[str, Callable[..., pd.DataFrame]] = {
    "enigma_jhu": clean_enigma_jhu,
    "jhu_regions": clean_jhu_regions,
    "us_county": clean_us_county,
    "us_states": clean_us_states,
    "states_daily": clean_states_daily,
    "us_daily": clean_us_daily,
    "us_total_latest": clean_us_total_latest,
    "hospital_beds": clean_hospital_beds,
    "countrycode": clean_countrycode,
    "countypopulation": clean_countypopulation,
    "state_abv": clean_state_abv,
}


def clean_lake(raw: Mapping[str, object]) -> dict[str, pd.DataFrame]:
    """Apply each dataset's cleaner; datasets absent from `raw` are absent from the result."""
    unknown = set(raw) - set(CLEANERS)
    if unknown:
        raise SourceDataError(f"unknown datasets {sorted(unknown)}; known: {sorted(CLEANERS)}")
    return {name: CLEANERS[name](frame) for name, frame in raw.items()}


def read_raw_file(path: str | Path, name: str) -> pd.DataFrame:
    """One source file as raw text: every column a string, empty cells missing."""
    ds = dataset(name)
    path = Path(path)
    if ds.fmt == "jsonl":
        records = _hospital_records(path.read_text(encoding="utf-8-sig"))
        # Same form as the CSVs: text everywhere, JSON null -> missing.
        return records.astype("str").where(records.notna())
    # pandas' C parser drops a leading BOM itself; other readers (a crawler, Athena) may keep it,
    # so the cleaners remove it too.
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                       encoding="utf-8", compression="infer")


def load_raw_from_dir(lake_dir: str | Path,
                      names: tuple[str, ...] | None = None) -> dict[str, pd.DataFrame]:
    """Read the ten files from a directory laid out like the source bucket (keys in datasets.py)."""
    lake_dir = Path(lake_dir)
    out = {}
    for ds in DATASETS:
        if names is not None and ds.name not in names:
            continue
        path = lake_dir / ds.key
        if not path.exists():
            raise FileNotFoundError(
                f"{ds.name}: {path} not found (expected the source key {ds.key})")
        out[ds.name] = read_raw_file(path, ds.name)
    return out

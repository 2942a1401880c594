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

import gzip
import json
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from covid_lake.domain.datasets import DATASETS, dataset
from covid_lake.domain.parsing import (
    _BOM,
    SourceDataError,
    _bad,
    _text,
    normalise_columns,
    pad_fips,
    parse_iso_date,
    parse_jhu_timestamp,
    parse_yyyymmdd,
    to_float64,
    to_int64,
    to_text,
)

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
            doc = _json_lines(text)
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


def _json_lines(text: str) -> list:
    """One JSON value per line, parsed as one array: one call, with the keys' strings shared
    (x10's 66,370 hospitals: 0.55 s -> 0.35 s). Unless every line gave one object, the lines
    are parsed one by one, as they always were (so a bad line raises as it did)."""
    lines = [line for line in text.splitlines() if line.strip()]
    try:
        doc = json.loads("[" + ",".join(lines) + "]")
    except json.JSONDecodeError:
        doc = None
    if doc is None or len(doc) != len(lines) or not all(isinstance(r, dict) for r in doc):
        doc = [json.loads(line) for line in lines]
    return doc


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
    """Apply each dataset's cleaner; datasets absent from `raw` are absent from the result.

    The cleaners run on threads, the largest dataset first: their work is Arrow's kernels and
    numpy's, which let go of the GIL, so on two cores x10's cleaning takes 0.7 s instead of
    1.0 s. Where several datasets are bad, the error raised is the first dataset's in `raw`'s
    order, as when they ran one after another."""
    unknown = set(raw) - set(CLEANERS)
    if unknown:
        raise SourceDataError(f"unknown datasets {sorted(unknown)}; known: {sorted(CLEANERS)}")
    workers = min(_CLEAN_THREADS, os.cpu_count() or 1, len(raw))
    if workers < 2:
        return {name: CLEANERS[name](frame) for name, frame in raw.items()}
    with ThreadPoolExecutor(workers, thread_name_prefix="clean") as pool:
        largest_first = sorted(raw, key=lambda name: -_rows(raw[name]))
        done = {name: pool.submit(CLEANERS[name], raw[name]) for name in largest_first}
        return {name: done[name].result() for name in raw}


# JHU's cleaner is most of the work (x10: 0.6 of 1.0 s), so a third thread has little to take.
_CLEAN_THREADS = 2


def _rows(frame: object) -> int:
    return len(frame) if isinstance(frame, pd.DataFrame) else 0


def _flat_json_lines(path: Path) -> pd.DataFrame | None:
    """Flat JSON lines through pandas' pyarrow engine (Arrow's reader, on both cores): x10's
    66,370 hospitals 0.9 s -> 0.3 s with the text conversion. It types columns as
    `DataFrame.from_records` does (ints, ints with a null as floats, floats, text, booleans), so the
    text each value becomes is the same; anything else (nested values, a FeatureCollection, a
    line Arrow refuses, such as a column of numbers and text) returns None, for the Python parse
    that always read it."""
    try:
        frame = pd.read_json(path, lines=True, engine="pyarrow")
    except ValueError:  # ArrowInvalid is a ValueError
        return None
    plain = all(pd.api.types.is_numeric_dtype(col.dtype)  # bool too
                or (pd.api.types.is_string_dtype(col.dtype) and not pd.api.types.is_object_dtype(col))
                or col.isna().all()  # Arrow's null type: None, as from_records gives it
                for _, col in frame.items())
    return frame if plain and len(frame.columns) else None


def read_raw_file(path: str | Path, name: str) -> pd.DataFrame:
    """One source file as raw text: every column a string, empty cells missing."""
    ds = dataset(name)
    path = Path(path)
    if ds.fmt == "jsonl":
        records = _flat_json_lines(path)
        if records is None:
            records = _hospital_records(path.read_text(encoding="utf-8-sig"))
        # Same form as the CSVs: text everywhere, JSON null -> missing.
        return records.astype("str").where(records.notna())
    # pandas' pyarrow engine (like its C parser) drops a leading BOM itself; other readers (a
    # crawler, Athena) may keep it, so the cleaners remove it too. The pyarrow engine parses on
    # both cores straight into Arrow strings; the C parser made a Python str per cell first
    # (half the x10 build's peak memory).
    options = {"dtype": str, "keep_default_na": False, "na_values": [""], "encoding": "utf-8"}
    try:
        if path.suffix == ".gz":
            # Handed an open gzip file, Arrow's reader pulls blocks on its read-ahead thread
            # (zlib inflates without the GIL) while its other threads parse the blocks before;
            # given the path, pandas' handling of it cost twice as long (x10 JHU: 2.0-3.4 s ->
            # 1.2-1.4 s).
            with gzip.open(path) as stream:
                return pd.read_csv(stream, engine="pyarrow", compression=None, **options)
        return pd.read_csv(path, engine="pyarrow", compression="infer", **options)
    except ValueError:  # what Arrow's reader refuses, the C parser decides, as it did before
        return pd.read_csv(path, compression="infer", **options)


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

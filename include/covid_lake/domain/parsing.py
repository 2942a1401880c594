"""Typed values from source text: column names normalised, FIPS padded, counts and dates parsed,
JHU's timestamps in their several formats. Bad input raises `SourceDataError` naming the dataset,
the column, the row and the value (the cleaners, clean.py, apply these per source)."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from covid_lake.domain.datasets import DATASETS
from covid_lake.domain.errors import DataError


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
    if values.dtype == "str":
        s = values.str.strip()  # missing stays missing: no `where` pass over millions of rows
    else:
        s = values.astype("str").str.strip().where(values.notna())
    empty = s == ""
    return s.mask(empty) if empty.any() else s


# Parsing text costs per value, and a fips, a day or a report's timestamp repeats thousands of
# times in a source of millions of rows: below this many rows, factorizing costs more than it saves.
_DISTINCT_FROM = 10_000


def by_distinct(fn: Callable[..., pd.Series], values: pd.Series, *args) -> pd.Series:
    """fn(values, *args) for an element-wise fn, computed once per distinct text value and spread
    back to the rows. Where fn raises on the distinct values it runs again on the rows, so the
    error names the first bad row as it always did."""
    if values.dtype != "str" or len(values) < _DISTINCT_FROM:
        return fn(values, *args)
    codes, uniques = pd.factorize(values, use_na_sentinel=False)  # missing is a value too
    try:
        done = fn(pd.Series(uniques, dtype=values.dtype), *args)
    except SourceDataError:
        return fn(values, *args)
    return pd.Series(done.array.take(codes), index=values.index, name=values.name)


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
    return by_distinct(_pad_fips, values, name, column, width)


def _pad_fips(values: pd.Series, name: str, column: str, width: int | None) -> pd.Series:
    s = _integral_text(values, name, column)
    n = s.str.len()
    if width is None:
        _bad(name, column, values, n > 5, "are too long for a FIPS code")
        return s.where(n > 2, s.str.zfill(2)).where(n <= 2, s.str.zfill(5)).astype("str")
    _bad(name, column, values, n > width, f"are too long for a {width}-digit FIPS code")
    return s.str.zfill(width).astype("str")


def _arrow_cast(values: pd.Series, dtype: str) -> pd.Series | None:
    """Arrow text cast as it is, or None where a value refuses. Arrow refuses an empty value
    and one with whitespace around it, so a cast that succeeds is the cast of the stripped
    text: the strip (a copy of every value) is only made for the columns that need it."""
    if getattr(values.dtype, "storage", None) != "pyarrow":
        return None
    try:
        return values.astype(dtype)
    except ValueError:
        return None


def to_int64(values: pd.Series, name: str, column: str) -> pd.Series:
    """Nullable Int64 from '12', '12.0', 12, 12.0; anything else is an error."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("Int64")
    if pd.api.types.is_integer_dtype(values):
        return values.astype("Int64")
    if pd.api.types.is_float_dtype(values):
        num = values
    else:
        cast = _arrow_cast(values, "Int64")
        if cast is not None:
            return cast
        s = _text(values)
        try:
            # Whole numbers written as such (all but a few values): Arrow's cast parses them in
            # one pass; to_numeric goes through Python objects (seconds per million rows).
            # '12.0', '+4' or 'x' make the cast fail, and to_numeric decides as it always did.
            return s.astype("Int64")
        except ValueError:
            pass
        num = pd.to_numeric(s, errors="coerce")
        _bad(name, column, values, s.notna() & num.isna(), "are not numbers")
    _bad(name, column, values, num.notna() & (num % 1 != 0), "are not whole numbers")
    return num.astype("Int64")


def to_float64(values: pd.Series, name: str, column: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64")
    cast = _arrow_cast(values, "double[pyarrow]")
    if cast is not None:  # no value was empty: missing is missing in `values` as in the text
        num = cast.astype("float64")
        _bad(name, column, values, values.notna() & num.isna(), "are not numbers")  # 'NaN'
        return num
    s = _text(values)
    try:
        num = s.astype("double[pyarrow]").astype("float64")  # as in to_int64: one Arrow pass
    except ValueError:
        num = pd.to_numeric(s, errors="coerce")
    _bad(name, column, values, s.notna() & num.isna(), "are not numbers")
    return num.astype("float64")


def _midnight(values: pd.Series) -> pd.Series:
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    return values.dt.normalize().astype("datetime64[ns]")


def parse_yyyymmdd(values: pd.Series, name: str, column: str) -> pd.Series:
    """COVID Tracking's integer dates: 20200322, 20200322.0 or '20200322'."""
    return by_distinct(_parse_yyyymmdd, values, name, column)


def _parse_yyyymmdd(values: pd.Series, name: str, column: str) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return _midnight(values)
    s = _integral_text(values, name, column)
    out = pd.to_datetime(s, format="%Y%m%d", errors="coerce")
    _bad(name, column, values, s.notna() & out.isna(), "are not dates YYYYMMDD")
    _bad(name, column, values, s.isna(), "are missing")
    return out.astype("datetime64[ns]")


def parse_iso_date(values: pd.Series, name: str, column: str) -> pd.Series:
    return by_distinct(_parse_iso_date, values, name, column)


def _parse_iso_date(values: pd.Series, name: str, column: str) -> pd.Series:
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
    validation, covid_lake.domain.validate, quarantines such rows first, with jhu_timestamps.)
    """
    return by_distinct(_parse_jhu_timestamp, values, name, column)


def _parse_jhu_timestamp(values: pd.Series, name: str, column: str) -> pd.Series:
    out = _jhu_timestamps(values)
    s = _text(values) if not pd.api.types.is_datetime64_any_dtype(values) else out
    _bad(name, column, values, s.notna() & out.isna(), "are timestamps in no known format")
    return out


def jhu_timestamps(values: pd.Series) -> pd.Series:
    """parse_jhu_timestamp without the error: NaT where a value is in no known format (or is a
    date that does not exist, such as 2020-02-30)."""
    return by_distinct(_jhu_timestamps, values)


def _jhu_timestamps(values: pd.Series) -> pd.Series:
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

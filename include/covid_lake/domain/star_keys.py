"""Keys and windows the star's facts and dimensions share: a day as a date and as its INT
YYYYMMDD key, a key that must be unique, the rows of a date window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from covid_lake.domain import regions
from covid_lake.domain.parsing import SourceDataError

Lake = Mapping[str, pd.DataFrame]  # dataset name -> frame as returned by its cleaner

JHU_MEASURES = ("confirmed", "deaths", "recovered", "active")
TERRITORIES = regions.TERRITORIES
_PLACED = (regions.COUNTY, regions.STATE_OTHER, regions.STATE_LEVEL)



def _as_date(day) -> dt.date:
    if isinstance(day, str):
        return dt.date.fromisoformat(day)
    if isinstance(day, pd.Timestamp):
        return day.date()
    if isinstance(day, dt.datetime):
        return day.date()
    if isinstance(day, dt.date):
        return day
    raise TypeError(f"not a date: {day!r}")


def date_key(dates: pd.Series) -> pd.Series:
    """datetime64 -> INT YYYYMMDD (int32)."""
    return (dates.dt.year * 10000 + dates.dt.month * 100 + dates.dt.day).astype("int32")


def _key_of(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _require_unique(df: pd.DataFrame, keys: list[str], dataset: str) -> None:
    dup = df.duplicated(keys, keep=False)
    if dup.any():
        sample = df.loc[dup, keys].drop_duplicates().head(5).to_dict("records")
        raise SourceDataError(
            f"{dataset}: {int(dup.sum())} rows share a key {keys} that must be unique, "
            f"e.g. {sample}"
        )


def rank(values: pd.Series) -> np.ndarray:
    """Each value's rank in the order sort_values gives the text (missing: -1). A categorical of
    sorted categories (regions.classify_jhu's) has it in its codes; text is factorized."""
    categorical = isinstance(values.dtype, pd.CategoricalDtype)
    if categorical and values.cat.categories.is_monotonic_increasing:
        return values.cat.codes.to_numpy().astype("int64")
    return pd.factorize(values, sort=True)[0]


def pair_codes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A number per row, equal for rows equal in both integer arrays; dense enough for bincount
    (a hash of two million pairs cost a third of a second)."""
    if not len(a):
        return np.zeros(0, dtype="int64")
    a, b = a - a.min(), b - b.min()
    key = a * (int(b.max()) + 1) + b
    return key if key.max() <= 8 * len(key) else pd.factorize(key)[0]


def day_numbers(dates: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 per row; a missing date is one day before the earliest (a number
    of its own, as NaT is a value of its own to duplicated())."""
    days = dates.to_numpy().astype("datetime64[D]")
    missing = np.isnat(days)
    out = days.view("int64").copy()
    if missing.any():
        out[missing] = out[~missing].min(initial=0) - 1
    return out


def as_text(values: pd.Series) -> pd.Series:
    """A categorical column (regions.classify_jhu's) back to the text it stands for, else
    `values` unchanged: done where few rows are left, so text is made for those alone."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.astype(values.cat.categories.dtype)
    return values


def rows_where(df: pd.DataFrame, mask, columns: list[str]) -> pd.DataFrame:
    """`df.loc[mask, columns]` for a boolean mask made from `df` (same rows, same order), each
    column filtered on its own. pandas gathers a boolean .loc's rows by position, and Arrow's
    take over a text column of many chunks first joins the chunks: x10's JHU text is 215 chunks,
    and gathering its 221,705 non-US rows' four columns took 0.08 s and +55 MB at the peak;
    filtering, 0.016 s and +2 MB. Where the columns are numbers, categoricals or text of few
    chunks it gains nothing."""
    keep = np.asarray(mask, dtype=bool)
    return pd.DataFrame({c: df[c].array[keep] for c in columns}, index=df.index[keep])


def _window(df: pd.DataFrame, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DataFrame:
    d = df["date"]
    inside = (d >= lo) & (d <= hi)
    # A full refresh's window holds every dated row: filtering would copy millions of text cells.
    return df if inside.all() else df[inside]



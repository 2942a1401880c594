"""Star tables as Parquet with explicit Arrow types, to a local path or any filesystem.

Layout under `root` (a local directory, 's3://bucket/prefix', or a path on a given filesystem):
    star/<fact>/date=YYYY-MM-DD/part-0.parquet   one partition per day; a rerun replaces it
    star/<dimension>/<dimension>.parquet         one object per run, replaced by the next run
(`prefix` changes or drops the 'star' folder.)
Types come from the contracts, never from the frame's dtypes: FIPS are strings, counts int64 with
nulls, dates date32. Files hold exactly the contract's columns; the `date=` directory is layout
(Hive-style, so Athena/Spectrum can prune), the row's day is its `date_key`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from covid_lake.domain import contracts, layout

_ARROW = {
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "str": pa.string(),
    "date": pa.date32(),
    "bool": pa.bool_(),
}
PARTITION = pa.schema([("date", pa.date32())])  # the Hive-style directory, for reading back


def arrow_schema(table: str) -> pa.Schema:
    c = contracts.contract(table)
    fields = [pa.field(col.name, _ARROW[col.kind], nullable=col.nullable) for col in c.columns]
    return pa.schema(fields, metadata={"table": c.name, "key": ",".join(c.key)})


def to_arrow(table: str, df: pd.DataFrame, validate: bool = True) -> pa.Table:
    """The frame as an Arrow table of exactly the contract's types (validated first)."""
    if validate:
        contracts.validate(table, df)
    schema = arrow_schema(table)
    arrays = []
    for f in schema:
        s = df[f.name]
        if pa.types.is_date32(f.type):
            arr = pc.cast(pa.array(s, type=pa.timestamp("ns")), pa.date32())
        else:
            arr = pa.array(s, type=f.type, from_pandas=True)
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, schema=schema)


def resolve(root: str, filesystem=None) -> tuple[pafs.FileSystem, str]:
    """A pyarrow filesystem and a path on it: from a URI, an fsspec filesystem, or local."""
    if filesystem is None:
        if "://" in root:
            return pafs.FileSystem.from_uri(root)
        return pafs.LocalFileSystem(), root
    if isinstance(filesystem, pafs.FileSystem):
        return filesystem, root
    # fsspec (s3fs, memory, ...): wrap so pyarrow writes through it.
    return pafs.PyFileSystem(pafs.FSSpecHandler(filesystem)), root


STAR_PREFIX = "star"


def table_dir(root: str, table: str, prefix: str = STAR_PREFIX) -> str:
    parts = [root.rstrip("/")] + ([prefix.strip("/")] if prefix else []) + [table]
    return "/".join(parts)


def write_table(table: str, df: pd.DataFrame, root: str, filesystem=None,
                validate: bool = True, prefix: str = STAR_PREFIX) -> list[str]:
    """Write one star table; return the paths written."""
    fs, base = resolve(root, filesystem)
    t = to_arrow(table, df, validate=validate)
    out_dir = table_dir(base, table, prefix)
    if not contracts.contract(table).is_fact:
        fs.create_dir(out_dir, recursive=True)
        path = f"{out_dir}/{table}.parquet"
        pq.write_table(t, path, filesystem=fs)
        return [path]
    if t.num_rows == 0:
        return []
    # One file per day, written partition by partition. pyarrow.dataset.write_dataset would do
    # this in one call, but its writer threads can abort the interpreter at exit
    # (apache/arrow#36980: "terminate called without an active exception").
    t = t.sort_by("date_key")
    keys = t["date_key"].to_numpy()
    bounds = [0, *(np.flatnonzero(keys[1:] != keys[:-1]) + 1).tolist(), len(keys)]
    written: list[str] = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        k = int(keys[a])
        day = dt.date(k // 10000, k // 100 % 100, k % 100)
        part = layout.fact_prefix(out_dir.rsplit("/", 1)[0], table, day).rstrip("/")
        # Replace the day's partition whole, so a rerun never leaves an older file beside it.
        fs.create_dir(part, recursive=True)
        fs.delete_dir_contents(part, missing_dir_ok=True)
        path = f"{part}/part-0.parquet"
        pq.write_table(t.slice(a, b - a), path, filesystem=fs)
        written.append(path)
    return written


def write_star(tables: Mapping[str, pd.DataFrame], root: str, filesystem=None,
               validate: bool = True, prefix: str = STAR_PREFIX) -> dict[str, list[str]]:
    """Write every table of a build (e.g. `StarBuild.tables`) under root/<prefix>/<table>/."""
    return {name: write_table(name, df, root, filesystem, validate, prefix)
            for name, df in tables.items()}


def read_table(table: str, root: str, filesystem=None,
               dates: Iterable[str] | None = None, prefix: str = STAR_PREFIX) -> pa.Table:
    """Read a star table back with its contract's schema (facts: all days or the given ones)."""
    fs, base = resolve(root, filesystem)
    out_dir = table_dir(base, table, prefix)
    schema = arrow_schema(table)
    if not contracts.contract(table).is_fact:
        return pq.read_table(f"{out_dir}/{table}.parquet", filesystem=fs, schema=schema)
    if dates is not None:
        star = out_dir.rsplit("/", 1)[0]
        files = [layout.fact_prefix(star, table, dt.date.fromisoformat(str(d))) + "part-0.parquet"
                 for d in dates]
        return pads.dataset(files, filesystem=fs, format="parquet", schema=schema).to_table()
    data = pads.dataset(out_dir, filesystem=fs, format="parquet", schema=schema,
                        partitioning=pads.partitioning(PARTITION, flavor="hive"))
    return data.to_table(columns=schema.names)


def to_pandas(table: str, t: pa.Table) -> pd.DataFrame:
    """Arrow back to the frame form the contracts validate (nullable ints, str, datetime64)."""
    c = contracts.contract(table)
    df = t.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype(), pa.int32(): pd.Int32Dtype()}.get)
    out = pd.DataFrame(index=df.index)
    for col in c.columns:
        s = df[col.name]
        if col.kind == "date":
            s = pd.to_datetime(s)
        out[col.name] = s.astype(col.pandas_dtype)
    return out


def build_lake_to_parquet(lake_dir, out_dir, start=None, end=None) -> dict[str, int]:
    """Files laid out like the source bucket -> cleaned -> star -> Parquet directly under out_dir
    (out_dir/<table>/...). The whole history unless start/end are given. Returns rows per table."""
    from covid_lake.aws.arrow_memory import use_pipeline_memory
    from covid_lake.domain.clean import clean_lake, load_raw_from_dir
    from covid_lake.domain.star import build_range, lake_span

    use_pipeline_memory()  # as transform_and_publish: the build's peak memory
    lake = clean_lake(load_raw_from_dir(lake_dir))
    s, e = lake_span(lake)
    built = build_range(lake, start or s, end or e)
    # validated in the build already; the writer need not validate again
    write_star(built.tables, str(out_dir), validate=False, prefix="")
    return built.counts()

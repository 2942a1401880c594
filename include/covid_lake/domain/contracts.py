"""The star schema's contracts: one declared schema per warehouse table.

Each table is declared once here (names, logical types, nullability, key, references). From that
declaration come the pandera schema that validates a DataFrame before it is written, the Arrow
schema of its Parquet files (parquet_io), and the Redshift DDL (warehouse_ddl.py generates
include/sql/redshift/<table>.sql from it, with the table's distribution and comments).
A little over 300 lines on purpose: the six declarations stay together, so that every column of
the warehouse, its type, nullability and Redshift layout are read in one file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd
import pandera.pandas as pa

from covid_lake.domain.errors import DataError


class DataContractError(DataError):
    """A star table does not match its declared contract."""


@dataclass(frozen=True)
class Col:
    name: str
    kind: str  # "int32", "int64", "float64", "str", "date", "bool"
    nullable: bool = True
    length: int | None = None  # max UTF-8 bytes of a str column (Redshift VARCHAR(n) / CHAR(n))
    fixed: bool = False  # str of exactly `length` characters: CHAR(n)
    pattern: str | None = None  # regex every non-null value matches
    isin: tuple | None = None
    references: tuple[str, str] | None = None  # (table, column)
    comment: str = ""  # the DDL's comment on the column
    section: str = ""  # the DDL's comment line above the column (a group of columns begins)
    kept_when_null: bool = False  # a dimension's NULL never erases a loaded value (load plan)

    @property
    def redshift_type(self) -> str:
        if self.kind == "str":
            return f"{'CHAR' if self.fixed else 'VARCHAR'}({self.length})"
        return {"int32": "INTEGER", "int64": "BIGINT", "float64": "DOUBLE PRECISION",
                "date": "DATE", "bool": "BOOLEAN"}[self.kind]

    @property
    def pandas_dtype(self) -> str:
        return {"int32": "Int32" if self.nullable else "int32",
                "int64": "Int64" if self.nullable else "int64",
                "float64": "float64", "str": "str", "date": "datetime64[ns]",
                "bool": "bool"}[self.kind]


@dataclass(frozen=True)
class TableContract:
    name: str  # as Redshift stores it (lower case)
    columns: tuple[Col, ...]
    key: tuple[str, ...]
    is_fact: bool
    description: str = ""
    ddl_notes: str = ""  # the DDL's header comment: what a row is, why the layout
    distribution: str = "DISTSTYLE ALL"  # the DDL's DISTSTYLE / DISTKEY / SORTKEY lines

    @property
    def kept_when_null(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.kept_when_null)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Col:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @cached_property
    def schema(self) -> pa.DataFrameSchema:
        return self._schema(unique=True)

    @cached_property
    def schema_of_rows(self) -> pa.DataFrameSchema:
        """`schema` without its key's uniqueness, for a frame whose key is known unique."""
        return self._schema(unique=False)

    def _schema(self, unique: bool) -> pa.DataFrameSchema:
        cols = {}
        for c in self.columns:
            checks = []
            if c.kind == "str" and c.length is not None:
                if c.fixed:
                    checks.append(pa.Check.str_length(c.length, c.length))
                # Redshift counts VARCHAR length in bytes; names such as 'Doña Ana' need 2 for ñ.
                checks.append(pa.Check(lambda s, n=c.length: _utf8_bytes(s) <= n,
                                       element_wise=False, name=f"utf8_bytes<={c.length}"))
            if c.pattern:
                checks.append(pa.Check.str_matches(c.pattern))
            if c.isin:
                checks.append(pa.Check.isin(list(c.isin)))
            if c.kind == "date":
                checks.append(pa.Check(lambda s: (s == s.dt.normalize()), name="midnight"))
            cols[c.name] = pa.Column(c.pandas_dtype, nullable=c.nullable, checks=checks)
        return pa.DataFrameSchema(cols, strict=True, ordered=True,
                                  unique=list(self.key) if unique else None, name=self.name,
                                  coerce=False)


def _utf8_bytes(s: pd.Series) -> pd.Series:
    """Each value's length in UTF-8 bytes: its length in characters where it is ASCII (Arrow's
    ASCII test, a seventh of a regex's time), encoded only where it is not (encoding builds a
    Python bytes object per value: seconds over a 2-million-row fact table)."""
    n = s.str.len()
    wide = s.notna() & ~s.str.isascii().fillna(True).astype(bool)
    if wide.any():
        n = n.astype("float64")
        n[wide] = s[wide].str.encode("utf-8").str.len()
    return n


def _fips(name: str = "fips", width: int | None = None, **kw) -> Col:
    if width == 2:
        return Col(name, "str", length=2, fixed=True, pattern=r"^\d{2}$", **kw)
    if width == 5:
        return Col(name, "str", length=5, pattern=r"^\d{5}$", **kw)
    return Col(name, "str", length=5, pattern=r"^(\d{2}|\d{5})$", **kw)


def _count(name: str, section: str = "") -> Col:
    return Col(name, "int64", section=section)


_DATE_KEY = Col("date_key", "int32", nullable=False, references=("dimdate", "date_key"))

DIM_DATE = TableContract(
    "dimdate",
    (
        Col("date_key", "int32", nullable=False),
        Col("date", "date", nullable=False),
        Col("year", "int32", nullable=False),
        Col("quarter", "int32", nullable=False, isin=(1, 2, 3, 4)),
        Col("month", "int32", nullable=False),
        Col("month_name", "str", nullable=False, length=9),
        Col("day", "int32", nullable=False),
        Col("day_of_week", "int32", nullable=False, isin=(1, 2, 3, 4, 5, 6, 7),
            comment="ISO: Monday = 1"),
        Col("day_name", "str", nullable=False, length=9),
        Col("week_of_year", "int32", nullable=False, comment="ISO week"),
        Col("is_weekend", "bool", nullable=False),
    ),
    key=("date_key",),
    is_fact=False,
    description="one row per calendar day; date_key is YYYYMMDD",
    ddl_notes="dimDate: one row per calendar day. date_key (YYYYMMDD) is what the facts carry.\n"
              "Small and joined by every fact: copied to every node.",
    distribution="DISTSTYLE ALL\nSORTKEY (date_key)",
)

DIM_REGION = TableContract(
    "dimregion",
    (
        _fips("fips", nullable=False),
        Col("region_level", "str", nullable=False, length=6, isin=("state", "county"),
            comment="'state' or 'county'"),
        Col("county_name", "str", length=100, kept_when_null=True),
        Col("state_name", "str", length=60, kept_when_null=True),
        Col("state_abbr", "str", length=2, fixed=True, pattern=r"^[A-Z]{2}$", kept_when_null=True),
        _fips("state_fips", 2, nullable=False),
        Col("country_region", "str", nullable=False, length=40, kept_when_null=True),
        Col("latitude", "float64", kept_when_null=True),
        Col("longitude", "float64", kept_when_null=True),
        Col("population", "int64", kept_when_null=True,
            comment="counties: 2018 estimate; states: sum of counties"),
    ),
    key=("fips",),
    is_fact=False,
    description="one row per US state/territory (2-digit fips) or county (5-digit fips)",
    ddl_notes="dimRegion: one row per US state/territory (2-digit fips) or county (5-digit fips).\n"
              "VARCHAR lengths are bytes in Redshift: names such as 'Doña Ana County' need 2 for "
              "the ñ.",
    distribution="DISTSTYLE ALL\nSORTKEY (fips)",
)

DIM_HOSPITAL = TableContract(
    "dimhospital",
    (
        Col("hospital_id", "int64", nullable=False),
        Col("hospital_name", "str", length=200),
        Col("hospital_type", "str", length=100),
        Col("address", "str", length=300),
        Col("city", "str", length=100),
        Col("state_abbr", "str", length=2, fixed=True),
        Col("zip_code", "str", length=10),
        _fips("county_fips", 5, references=("dimregion", "fips")),
        _fips("state_fips", 2),
        Col("num_licensed_beds", "int64"),
        Col("num_staffed_beds", "int64"),
        Col("num_icu_beds", "int64"),
        Col("adult_icu_beds", "int64"),
        Col("pedi_icu_beds", "int64"),
        Col("bed_utilization", "float64"),
        Col("potential_increase_in_bed_capac", "int64"),
        Col("latitude", "float64"),
        Col("longitude", "float64", comment="the source's 'longtitude'"),
    ),
    key=("hospital_id",),
    is_fact=False,
    description="one row per hospital (source objectid)",
    ddl_notes="dimHospital: one row per hospital; hospital_id is the source objectid.\n"
              "county_fips is empty for the territory hospitals the source gives no fips "
              "(reported by the build).",
    distribution="DISTSTYLE ALL\nSORTKEY (hospital_id)",
)

FACT_COVID = TableContract(
    "factcovid",
    (
        _DATE_KEY,
        _fips("fips", 2, nullable=False, references=("dimregion", "fips")),
        _count("positive", section="COVID Tracking (states_daily)"),
        _count("negative"),
        _count("hospitalized_currently"),
        _count("hospitalized_cumulative"),
        _count("hospitalized_discharged"),
        _count("in_icu_currently"),
        _count("on_ventilator_currently"),
        _count("death"),
        _count("total_test_results"),
        _count("confirmed", section="JHU: the state's regions summed (latest report per region "
                                    "per day)"),
        _count("deaths"),
        _count("recovered"),
        _count("active"),
        _count("nyt_cases", section="NYT state totals"),
        _count("nyt_deaths"),
    ),
    key=("date_key", "fips"),
    is_fact=True,
    description="one row per state per day with data from any source",
    ddl_notes="factCovid: one row per state per day that any source has data for. A measure a "
              "source lacks\nis NULL, never 0. Redshift does not enforce keys: the build asserts "
              "them, and loads\nreplace a day's rows (delete + insert) so reruns never duplicate.\n"
              "Small (~56 states x days): the dimensions are ALL, so KEY on fips only spreads the "
              "rows;\nqueries filter on dates, hence the date_key sort key.",
    distribution="DISTSTYLE KEY\nDISTKEY (fips)\nCOMPOUND SORTKEY (date_key, fips)",
)

FACT_COVID_COUNTY = TableContract(
    "factcovidcounty",
    (
        _DATE_KEY,
        _fips("fips", 5, nullable=False, references=("dimregion", "fips")),
        _count("confirmed"),
        _count("deaths"),
        _count("recovered"),
        _count("active"),
        _count("nyt_cases"),
        _count("nyt_deaths"),
        _count("new_confirmed"),
        _count("new_deaths"),
    ),
    key=("date_key", "fips"),
    is_fact=True,
    description="one row per county per day; new_* are JHU day-over-day differences",
    ddl_notes="factCovidCounty: one row per county per day. new_confirmed / new_deaths are JHU "
              "day-over-day\ndifferences within the county (negative when a cumulative count was "
              "corrected downwards).\nDistributed on fips so a county's days sit on one slice "
              "(window functions per county).",
    distribution="DISTSTYLE KEY\nDISTKEY (fips)\nCOMPOUND SORTKEY (date_key, fips)",
)

TABLES: dict[str, TableContract] = {
    t.name: t for t in (DIM_DATE, DIM_REGION, DIM_HOSPITAL, FACT_COVID, FACT_COVID_COUNTY)
}

# Not part of the star: what each run left out, resolved or published (covid_lake.domain.quality).
RUN_AUDIT = TableContract(
    "runaudit",
    (
        Col("run_date_key", "int32", nullable=False),
        Col("dataset", "str", nullable=False, length=40,
            comment="a source dataset, or a star table for 'loaded'"),
        Col("reason", "str", nullable=False, length=200),
        Col("kind", "str", nullable=False, length=6, isin=("scope", "quirk", "reject", "loaded", "tally"),
            comment="scope | quirk | reject | loaded | tally"),
        Col("row_count", "int64", nullable=False),
        Col("of_rows", "int64", nullable=False, comment="the dataset's rows the rule was applied to"),
        Col("share", "float64"),
        Col("limit_share", "float64", comment="quirks and rejects: the run fails above it"),
    ),
    key=("run_date_key", "dataset", "reason"),
    is_fact=False,
    description="one row per run date, dataset and rule: rows left out, resolved or published",
    ddl_notes="runAudit: what each run left out, resolved or published, per dataset and rule\n"
              "(include/covid_lake/domain/quality.py). A run replaces its own run_date_key's rows in "
              "the load's\ntransaction, so a rerun never duplicates them. Tiny: one slice holds it "
              "all.",
    distribution="DISTSTYLE ALL\nSORTKEY (run_date_key)",
)
# Every table the warehouse holds: the star, then the audit table.
WAREHOUSE_TABLES: dict[str, TableContract] = {**TABLES, RUN_AUDIT.name: RUN_AUDIT}
FACT_TABLES = tuple(n for n, t in TABLES.items() if t.is_fact)
DIMENSION_TABLES = tuple(n for n, t in TABLES.items() if not t.is_fact)


def contract(table: str) -> TableContract:
    try:
        return WAREHOUSE_TABLES[table]
    except KeyError:
        raise KeyError(f"unknown table {table!r}; known: {', '.join(WAREHOUSE_TABLES)}") from None


def validate(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Check a DataFrame against its table's contract; raise DataContractError listing failures."""
    c = contract(table)
    if list(df.columns) != c.column_names:
        raise DataContractError(
            f"{table}: columns {list(df.columns)} differ from the contract {c.column_names}"
        )
    # pandera checks the key with DataFrame.duplicated, which sizes hash tables for every row
    # (116-274 MB over x10's county fact, where the build peaks); a MultiIndex says whether
    # the key is unique in 41 MB. Only where it is not does pandera look, and report, as ever.
    unique = bool(c.key) and pd.MultiIndex.from_arrays([df[k] for k in c.key]).is_unique
    try:
        return (c.schema_of_rows if unique else c.schema).validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        lines = []
        for (col, check), grp in fc.groupby(["column", "check"], dropna=False, sort=False):
            examples = ", ".join(map(repr, grp["failure_case"].astype(str).unique()[:5]))
            lines.append(f"column {col!r}: {check}: {len(grp)} failure(s), e.g. {examples}")
        raise DataContractError(f"{table}: contract violated:\n  " + "\n  ".join(lines)) from None

"""What the pipeline needs from each raw table as the crawler catalogs it.

The profile step checks the Glue catalog and Athena's counts against this before anything is
transformed: a source that is empty, lost a column the pipeline reads, changed a column's type
family, or has null keys fails the run with the dataset and column named (RawContractError, a
DataError: no retries). Duplicate keys are a known quirk of the real files (JHU lists a region
twice in one report; CountryCodeQS.csv repeats alpha-2 codes under other names): they are
measured and reported (covid_lake.domain.quality), and fail the run only above their limit.

Types are families, because a crawler types from a sample: "numeric" accepts bigint, int,
double; "text" accepts string; "any" accepts anything (FIPS arrive as bigint or as text, and the
cleaners handle both; a measure that is empty in the sample is typed string). The families
apply to the JSON table; the CSV tables are read as text (catalog.py: why), so there every
column must be string and the values are checked row by row (validate.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from covid_lake.domain.errors import DataError

NUMERIC = {"bigint", "int", "integer", "smallint", "tinyint", "double", "float", "decimal"}


@dataclass(frozen=True)
class RawTable:
    columns: dict[str, str]  # crawled (lower-case) name -> "numeric" | "text" | "any"
    key: tuple[str, ...] = ()  # columns whose combination is unique and never null
    used_by_star: bool = True


RAW_TABLES: dict[str, RawTable] = {
    "enigma_jhu": RawTable(
        {"fips": "any", "admin2": "any", "province_state": "any", "country_region": "text",
         "last_update": "text", "latitude": "any", "longitude": "any", "confirmed": "numeric",
         "deaths": "numeric", "recovered": "any", "active": "any", "combined_key": "text"},
        key=("combined_key", "last_update")),
    "us_county": RawTable(
        {"date": "text", "county": "text", "state": "text", "fips": "any", "cases": "numeric",
         "deaths": "numeric"},
        key=("date", "state", "county")),
    "us_states": RawTable(
        {"date": "text", "state": "text", "fips": "any", "cases": "numeric", "deaths": "numeric"},
        key=("date", "state")),
    "states_daily": RawTable(
        {"date": "any", "state": "text", "fips": "any", "positive": "any", "negative": "any",
         "hospitalizedcurrently": "any", "hospitalizedcumulative": "any",
         "hospitalizeddischarged": "any", "inicucurrently": "any",
         "onventilatorcurrently": "any", "death": "any", "totaltestresults": "any"},
        key=("date", "state")),
    "us_daily": RawTable({"date": "any", "positive": "any"}, key=("date",), used_by_star=False),
    "us_total_latest": RawTable({"positive": "any"}, used_by_star=False),
    "hospital_beds": RawTable(
        {"objectid": "numeric", "hospital_name": "text", "hospital_type": "any",
         "hq_address": "any", "hq_city": "any", "hq_state": "any", "hq_zip_code": "any",
         "state_fips": "any", "fips": "any", "num_licensed_beds": "any",
         "num_staffed_beds": "any", "num_icu_beds": "any", "adult_icu_beds": "any",
         "pedi_icu_beds": "any", "bed_utilization": "any",
         "potential_increase_in_bed_capac": "any", "latitude": "any", "longtitude": "any"},
        key=("objectid",)),
    "countrycode": RawTable({"country": "text", "alpha-2 code": "text", "alpha-3 code": "text"},
                            key=("alpha-2 code",)),
    "countypopulation": RawTable(
        {"id": "text", "id2": "any", "county": "text", "state": "text",
         "population estimate 2018": "numeric"},
        key=("id2",)),
    "state_abv": RawTable({"state": "text", "abbreviation": "text"}, key=("abbreviation",)),
}


def keys() -> dict[str, tuple[str, ...]]:
    return {name: t.key for name, t in RAW_TABLES.items()}


class RawContractError(DataError):
    """A raw table does not have what the pipeline reads; the message names dataset and column."""


def check_columns(dataset: str, catalog_columns: list[dict], read_as_text: bool = False) -> None:
    """Compare a Glue table's StorageDescriptor.Columns with the contract. A CSV table
    (read_as_text) must have every column string, as steps.read_csv_as_text types them: its
    values are checked row by row after the extract instead (validate.py)."""
    have = {c["Name"]: c["Type"].lower() for c in catalog_columns}
    problems = []
    for col, family in RAW_TABLES[dataset].columns.items():
        if col not in have:
            problems.append(f"column {col!r} is missing (catalog has: {', '.join(have) or 'none'})")
        elif read_as_text and have[col] != "string":
            problems.append(f"column {col!r} is typed {have[col]}: a CSV table's columns must be "
                            "string before Athena reads them (steps.read_csv_as_text)")
        elif read_as_text:
            continue
        elif family == "numeric" and have[col].split("(")[0] not in NUMERIC:
            problems.append(f"column {col!r} changed type: expected a number, catalog says {have[col]}")
        elif family == "text" and have[col] != "string":
            problems.append(f"column {col!r} changed type: expected text, catalog says {have[col]}")
    if problems:
        raise RawContractError(f"dataset {dataset}: " + "; ".join(problems))


def check_profile(rows: list[dict]) -> None:
    """Athena's profile result (dataset, row_count, key_nulls, duplicate_keys per dataset)."""
    problems = []
    seen = set()
    for r in rows:
        ds = r["dataset"]
        seen.add(ds)
        key = ", ".join(RAW_TABLES[ds].key) or "-"
        if int(r["row_count"]) == 0:
            problems.append(f"dataset {ds} is empty (0 rows)")
        if int(r["key_nulls"]):
            problems.append(f"dataset {ds}: {r['key_nulls']} rows with a null key ({key})")
    missing = set(RAW_TABLES) - seen
    if missing:
        problems.append(f"no profile for datasets {sorted(missing)}")
    if problems:
        raise RawContractError("; ".join(problems))

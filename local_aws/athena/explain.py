"""EXPLAIN, as far as local_aws can answer it as Trino does (https://trino.io/docs/current/sql/explain.html,
https://docs.aws.amazon.com/athena/latest/ug/athena-explain-statement.html).

  EXPLAIN [ ( option [, ...] ) ] statement
      option: FORMAT { TEXT | GRAPHVIZ | JSON }, TYPE { LOGICAL | DISTRIBUTED | VALIDATE | IO }

The statement is planned in full (parsed, its tables resolved through the catalog, typed, and
bound by DuckDB), so EXPLAIN fails where the query would. TYPE VALIDATE answers as Trino
does: one boolean column Valid, true. TYPE LOGICAL or DISTRIBUTED in FORMAT TEXT answers one
varchar column "Query Plan", as Trino does, whose text is DuckDB's plan of the translated query,
and says so on its first line: Trino's plan cannot be reproduced. FORMAT GRAPHVIZ / JSON, TYPE IO
and EXPLAIN ANALYZE are refused by name.
"""

from __future__ import annotations

import re

from local_aws.athena.exceptions import AthenaQueryError

_EXPLAIN = re.compile(r"^EXPLAIN\s*(?P<analyze>ANALYZE\b)?\s*(?:\((?P<options>[^)]*)\))?\s*(?P<statement>.*)$",
                      re.I | re.S)
NOTE = ("local_aws: the plan below is DuckDB's, for the query as local_aws translated it; "
        "Athena (Trino) plans it differently")


def parse(statement: str) -> tuple[str, str]:
    """(plan type: LOGICAL, DISTRIBUTED or VALIDATE; the statement explained)."""
    found = _EXPLAIN.match(statement)
    if not found or not found["statement"].strip():
        raise AthenaQueryError("SYNTAX_ERROR", "expected EXPLAIN [ ( option [, ...] ) ] statement")
    if found["analyze"]:
        raise AthenaQueryError("NOT_SUPPORTED", "local_aws does not run EXPLAIN ANALYZE")
    kind, fmt = "DISTRIBUTED", "TEXT"  # Trino's defaults
    for option in filter(None, (o.strip() for o in (found["options"] or "").split(","))):
        words = option.upper().split()
        if len(words) != 2 or words[0] not in ("TYPE", "FORMAT"):
            raise AthenaQueryError("SYNTAX_ERROR", f"EXPLAIN option {option!r}: expected TYPE ... or FORMAT ...")
        if words[0] == "TYPE":
            kind = words[1]
        else:
            fmt = words[1]
    if kind not in ("LOGICAL", "DISTRIBUTED", "VALIDATE"):
        raise AthenaQueryError("NOT_SUPPORTED", f"local_aws does not run EXPLAIN (TYPE {kind})")
    if fmt != "TEXT":
        raise AthenaQueryError("NOT_SUPPORTED", f"local_aws does not run EXPLAIN (FORMAT {fmt})")
    return kind, found["statement"].strip()


def plan_text(duckdb_plan: list[tuple]) -> str:
    """DuckDB's EXPLAIN rows ((key, plan text), ...) as one text under NOTE."""
    return "\n".join([NOTE, *(str(row[-1]) for row in duckdb_plan)])

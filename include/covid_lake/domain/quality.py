"""A run's data-quality report: what each rule did to how many rows, the limits, the audit rows.

Two kinds of findings, never mixed:
- stops (raise a DataError, the run fails at once): a damaged source file (source_files), a
  dataset missing or empty, a column the pipeline reads missing or of another type family, keys
  that cannot be built (raw_contract);
- measured (reported, never fatal by themselves): rows left out by design ("scope": non-US
  regions, cruise ships, NYT 'Unknown'...), known source quirks ("quirk": duplicate keys,
  a county without its fips, an undecodable byte...) and rows row validation quarantined
  ("reject": a negative cumulative count, an impossible date, a fips of another state; see
  covid_lake.domain.validate). Either is fatal only above its limit: more than `max_quirk_share` /
  `max_reject_share` of the dataset's rows (settings; per dataset in `quirk_limits` /
  `reject_limits`).

The report goes to the task log, the run's XCom and the warehouse table `runaudit`
(one row per run date, dataset and rule, plus the rows published per star table).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping

import pandas as pd

from covid_lake.domain.errors import QuirkLimitError

SCOPE, QUIRK, REJECT, LOADED = "scope", "quirk", "reject", "loaded"
LIMITED = (QUIRK, REJECT)  # the kinds with a limit
COLUMNS = ("dataset", "reason", "kind", "rows", "of_rows")


def raw_findings(profile: Iterable[dict], keys: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """Quirks the profile query measured on the raw files: duplicate keys per dataset."""
    rows = [(r["dataset"], f"duplicate keys ({', '.join(keys[r['dataset']])}) in the raw file",
             QUIRK, int(r["duplicate_keys"]), int(r["row_count"]))
            for r in profile if int(r["duplicate_keys"])]
    return frame(rows)


def frame(rows: Iterable[tuple]) -> pd.DataFrame:
    out = pd.DataFrame(list(rows), columns=list(COLUMNS))
    return out.astype({"dataset": "str", "reason": "str", "kind": "str",
                       "rows": "int64", "of_rows": "int64"})


def combine(*reports: pd.DataFrame) -> pd.DataFrame:
    parts = [r for r in reports if len(r)]
    if not parts:
        return frame([])
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["dataset", "kind", "reason"], kind="mergesort").reset_index(drop=True)


def with_limits(report: pd.DataFrame,
                limit: Callable[[str], float] | Mapping[str, Callable[[str], float]]
                ) -> pd.DataFrame:
    """Adds share (rows / of_rows) and limit_share to each finding. `limit`: dataset -> share
    for quirks, or {kind: dataset -> share} for quirks and rejected rows."""
    limits = limit if isinstance(limit, Mapping) else {QUIRK: limit}
    out = report.copy()
    out["share"] = (out["rows"] / out["of_rows"].where(out["of_rows"] > 0)).astype("float64")
    out["limit_share"] = [limits[k](d) if k in limits else float("nan")
                          for d, k in zip(out["dataset"], out["kind"], strict=True)]
    return out


def check_limits(report: pd.DataFrame) -> None:
    """Fail, naming dataset, rule and figures, when a quirk or the quarantined rows of a
    dataset are above their limit."""
    over = report[report["kind"].isin(LIMITED) & (report["share"] > report["limit_share"])]
    if len(over):
        lines = [f"dataset {r.dataset}: {r.reason}: {r.rows} of {r.of_rows} rows "
                 f"({r.share:.1%}) > limit {r.limit_share:.1%}" for r in over.itertuples()]
        raise QuirkLimitError("data-quality findings above their limits (covid_lake_settings "
                              "max_quirk_share / quirk_limits for quirks, max_reject_share / "
                              "reject_limits for quarantined rows): " + "; ".join(lines))


def audit_rows(report: pd.DataFrame, counts: dict[str, int], run_date: dt.date) -> pd.DataFrame:
    """The runaudit table's rows for one run (contract: contracts.RUN_AUDIT). `report` has
    passed through with_limits; the rows published per star table are added as kind 'loaded'."""
    loaded = with_limits(frame((t, "rows published", LOADED, n, n) for t, n in sorted(counts.items())),
                         lambda _: float("nan"))
    out = pd.concat([p for p in (report, loaded) if len(p)] or [loaded], ignore_index=True)
    out.insert(0, "run_date_key", run_date.year * 10000 + run_date.month * 100 + run_date.day)
    out = out.rename(columns={"rows": "row_count"})
    return out.astype({"run_date_key": "int32", "dataset": "str", "reason": "str", "kind": "str",
                       "row_count": "int64", "of_rows": "int64", "share": "float64",
                       "limit_share": "float64"})


def log_lines(report: pd.DataFrame) -> list[str]:
    """The report as the task log shows it: one line per finding."""
    lines = []
    for r in report.itertuples():
        limit = "" if pd.isna(r.limit_share) else f" (limit {r.limit_share:.1%})"
        lines.append(f"{r.dataset:16s} {r.kind:6s} {r.rows:>7,d} of {r.of_rows:>7,d}{limit}  "
                     f"{r.reason}")
    return lines


def records(report: pd.DataFrame) -> list[dict]:
    """JSON-ready rows for XCom."""
    out = []
    for r in report.to_dict("records"):
        out.append({k: (None if isinstance(v, float) and pd.isna(v)
                        else int(v) if k in ("rows", "of_rows")
                        else float(v) if k in ("share", "limit_share") else str(v))
                    for k, v in r.items()})
    return out

"""The harness's report: one row per DAG (result, tasks passed / total, failed tasks, first
error line), as plain text so it can be pasted into a review."""

from __future__ import annotations

from covid_lake_dev.system_tests.runner import Result


def render(results: list[Result]) -> str:
    header = ("DAG", "result", "passed", "failed tasks (+ upstream_failed)", "first error line")
    rows = [(r.dag_id, r.state, f"{r.passed}/{len(r.tasks)}", _failed(r), r.first_error or "-")
            for r in results]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(4)]
    lines = []
    for row in [header, *rows]:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row[:4], widths, strict=False)) + "  " + row[4])
    lines.insert(1, "-" * (sum(widths) + 8 + len(header[4])))
    logs = {str(r.log_path.parent) for r in results if r.log_path}
    return "\n".join(lines) + (f"\nlogs: {', '.join(sorted(logs))}" if logs else "")


def _failed(result: Result) -> str:
    named = ", ".join(result.failed) or "-"
    return f"{named} (+{result.upstream_failed})" if result.upstream_failed else named

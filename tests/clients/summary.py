"""The client suite's count, printed at the end of every pytest run that ran it: checks right /
total per client. A plugin of tests/conftest.py (that conftest is the one pytest-xdist's
controller loads, and the controller is where every worker's reports meet)."""

from __future__ import annotations

from collections import Counter


def pytest_terminal_summary(terminalreporter):
    counts: dict[str, Counter] = {}
    for outcome in ("passed", "failed", "error", "xfailed", "xpassed", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            if not nodeid.startswith("tests/clients/test_") or getattr(report, "when", "call") not in ("call", "setup"):
                continue
            if outcome == "passed" and report.when != "call":
                continue
            counts.setdefault(nodeid.split("::")[0], Counter())[outcome] += 1
    if counts:
        terminalreporter.section("client suite: checks right / total")
        for path, c in sorted(counts.items()):
            total = sum(c.values())
            terminalreporter.write_line(f"{path}: {c['passed']} / {total} right"
                                        + (f" ({c['xfailed']} known differences, xfail)" if c["xfailed"] else ""))

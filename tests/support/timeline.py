"""Where `make test`'s wall time goes: each test file's span on its xdist worker, printed at the end
of the run and written to tests/artifacts/timeline.txt. The wall time is the busiest worker's;
this says which files made it so (a plugin of tests/conftest.py, on the controller, where every
worker's reports meet)."""

from __future__ import annotations

from pathlib import Path

ARTIFACT = Path(__file__).resolve().parents[1] / "artifacts" / "timeline.txt"
# file -> [worker, first start, last stop, seconds inside its tests]
_spans: dict[str, list] = {}


def pytest_runtest_logreport(report) -> None:
    start, stop = getattr(report, "start", None), getattr(report, "stop", None)
    if start is None or stop is None:
        return
    path = report.nodeid.split("::")[0]
    worker = getattr(getattr(report, "node", None), "gateway", None)
    span = _spans.setdefault(path, [getattr(worker, "id", "main"), start, stop, 0.0])
    span[1], span[2] = min(span[1], start), max(span[2], stop)
    span[3] += stop - start


def lines() -> list[str]:
    if not _spans:
        return []
    t0 = min(s[1] for s in _spans.values())
    out = []
    for worker in sorted({s[0] for s in _spans.values()}):
        files = sorted((s[1], path, s) for path, s in _spans.items() if s[0] == worker)
        busy = sum(s[3] for *_, s in files)
        end = max(s[2] for *_, s in files) - t0
        out.append(f"{worker}: ends at {end:.0f} s, {busy:.0f} s in tests, {len(files)} files; "
                   "the files over 20 s:")
        out += [f"  {start - t0:6.0f} s +{s[3]:5.0f} s  {path}"
                for start, path, s in files if s[3] >= 20]
    return out


def pytest_terminal_summary(terminalreporter) -> None:
    said = lines()
    if not said:
        return
    terminalreporter.section("where the wall time went: each worker's files (start, time)")
    for line in said:
        terminalreporter.write_line(line)
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text("\n".join(said) + "\n")

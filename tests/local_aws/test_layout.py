"""local_aws's layout is its architecture: one folder per AWS service over a small core.

- core/ (runtime, worker threads, faults, persistence, routing) imports no service;
- a service folder imports the core and itself, and another service only where the AWS service
  really calls that one (ALLOWED_CALLS): Athena reads S3 and the Glue Data Catalog, a Glue
  crawler and a Glue job read S3, Redshift's COPY and UNLOAD read and write S3;
- a service's data plane (every module but its moto-style models, responses, urls, exceptions)
  knows no HTTP: no Flask, werkzeug or moto response class;
- the server and the command line (local_aws/server.py, __main__.py) compose them; no service
  imports them back;
- no module imports itself back through others (no cycles), and nothing in local_aws imports the
  pipeline, its launchers or COVID data.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "local_aws"
SERVICES = ("s3", "glue", "athena", "redshift")
# (caller, callee): a service folder may import another only here.
ALLOWED_CALLS = {("glue", "s3"), ("athena", "s3"), ("athena", "glue"), ("redshift", "s3")}
API_MODULES = {"models", "responses", "urls", "exceptions", "__init__"}
HTTP = ("flask", "werkzeug", "moto.core.responses", "moto.moto_server")
# The ~400-line rule: a longer module says why at its top (a line starting "Why this long:").
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    """Every absolute name an import in the file mentions (module, and module.name)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return names


def _local_edges() -> dict[str, set[str]]:
    """Module -> the local_aws modules it imports (the deepest name that is a module)."""
    modules = _modules()
    edges = {}
    for name, path in modules.items():
        targets = set()
        for imported in _imports(path):
            if imported.startswith("local_aws") and imported in modules:
                # `from local_aws.athena import ddl` names both the package and the module:
                # the module is the edge, the package's __init__ only when nothing deeper is.
                deeper = [m for m in _imports(path) if m.startswith(imported + ".") and m in modules]
                if not deeper:
                    targets.add(imported)
        edges[name] = targets - {name}
    return edges


def _folder(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in (*SERVICES, "core")) else ""


def test_the_core_imports_no_service():
    offending = {m: sorted(t for t in targets if _folder(t) != "core")
                 for m, targets in _local_edges().items() if _folder(m) == "core"}
    assert {m: t for m, t in offending.items() if t} == {}


def test_a_service_imports_only_the_core_itself_and_the_services_it_calls():
    offending = {}
    for module, targets in _local_edges().items():
        caller = _folder(module)
        if caller not in SERVICES:
            continue
        bad = sorted(t for t in targets
                     if _folder(t) not in ("core", caller) and (caller, _folder(t)) not in ALLOWED_CALLS)
        if bad:
            offending[module] = bad
    assert offending == {}


def test_a_data_plane_module_knows_no_http():
    offending = {}
    for name, path in _modules().items():
        if _folder(name) in SERVICES and name.rsplit(".", 1)[-1] not in API_MODULES:
            found = sorted(n for n in _imports(path) if n.startswith(HTTP))
            if found:
                offending[name] = found
    assert offending == {}


def test_there_are_no_import_cycles():
    edges = _local_edges()
    cycles, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for target in sorted(edges.get(node, ())):
            if state.get(target) == "open":
                cycles.append(path[path.index(target):] + [target] if target in path else [node, target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_local_aws_knows_nothing_of_the_pipeline_or_covid():
    forbidden = ("covid_lake", "covid_lake_dev", "covid_lake_sources", "dags", "tests")
    offending = {name: sorted(n for n in _imports(path) if n.split(".")[0] in forbidden)
                 for name, path in _modules().items()}
    assert {m: n for m, n in offending.items() if n} == {}
    words = {name: w for name, path in _modules().items()
             for w in ("covid19-lake", "enigma-jhu", "COVID") if w in path.read_text()}
    assert words == {}


def test_no_service_imports_the_server_or_the_command_line():
    top = {"local_aws.server", "local_aws.__main__"}
    offending = {m: sorted(t & top) for m, t in _local_edges().items()
                 if _folder(m) in (*SERVICES, "core") and t & top}
    assert offending == {}


def test_every_folder_is_a_service_or_the_core():
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert folders == sorted(("core", *SERVICES))


def test_a_module_over_400_lines_says_why_at_its_top():
    long = {}
    for name, path in _modules().items():
        lines = path.read_text().splitlines()
        if len(lines) > MAX_LINES and not any(line.startswith("Why this long:") for line in lines[:40]):
            long[name] = len(lines)
    assert long == {}

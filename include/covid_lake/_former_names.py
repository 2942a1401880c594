"""The flat module names covid_lake had before its layers (issue 29), for code that still uses them.

Why it exists: benchmarks/, tests/local_aws/ and covid_lake_dev/local_stack.py import
covid_lake.steps, covid_lake.athena_io and the like, and are being moved by issue 27 at the same
time; they change to the layered names there, and then this module and its install() in
__init__.py go. Nothing in the pipeline, its DAGs or plugins may use these names (the import
contracts in .importlinter cannot see them, so tests/test_project.py checks it).

A former name imports as the new module itself (the same object: a monkeypatch on either name is
seen by both); a former module split in two is a module whose attributes are looked up in its
successors, in order.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types

FORMER: dict[str, tuple[str, ...]] = {
    "covid_lake.datasets": ("covid_lake.domain.datasets",),
    "covid_lake.clean": ("covid_lake.domain.clean",),
    "covid_lake.validate": ("covid_lake.domain.validate",),
    "covid_lake.star": ("covid_lake.domain.star",),
    "covid_lake.raw_contract": ("covid_lake.domain.raw_contract",),
    "covid_lake.source_files": ("covid_lake.domain.source_files",),
    "covid_lake.athena_io": ("covid_lake.aws.athena_io",),
    "covid_lake.redshift_io": ("covid_lake.aws.redshift_io",),
    "covid_lake.catalog": ("covid_lake.aws.glue_tables", "covid_lake.tasks.crawler"),
    "covid_lake.settings": ("covid_lake.tasks.settings",),
    "covid_lake.steps": ("covid_lake.tasks.land", "covid_lake.tasks.catalog",
                         "covid_lake.tasks.extract", "covid_lake.tasks.publish",
                         "covid_lake.tasks.warehouse"),
}


class _Successors(types.ModuleType):
    """A former module split in two: its attributes come from the modules that replaced it."""

    _successors: tuple[str, ...] = ()

    def __getattr__(self, name: str) -> object:
        for successor in self._successors:
            module = importlib.import_module(successor)
            if hasattr(module, name):
                return getattr(module, name)
        raise AttributeError(f"module {self.__name__!r} (now {', '.join(self._successors)}) "
                             f"has no attribute {name!r}")


class _FormerNameLoader(importlib.abc.Loader):
    def __init__(self, successors: tuple[str, ...]):
        self.successors = successors

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        if len(self.successors) == 1:
            return importlib.import_module(self.successors[0])
        module = _Successors(spec.name)
        module._successors = self.successors
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the successors ran when they were imported."""


class _FormerNameFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: object = None,
                  target: object = None) -> importlib.machinery.ModuleSpec | None:
        successors = FORMER.get(fullname)
        if successors is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _FormerNameLoader(successors))


def install() -> None:
    if not any(isinstance(f, _FormerNameFinder) for f in sys.meta_path):
        sys.meta_path.append(_FormerNameFinder())

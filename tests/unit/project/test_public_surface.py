"""Every package's `__all__` is its public surface: each name importable, documented, public, and
one name means one object across the whole library."""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
import pkgutil
import re
import sys
from collections import defaultdict
from types import ModuleType

import pytest

import orderflow_lib


def _packages() -> list[ModuleType]:
    found = []
    for info in pkgutil.walk_packages(orderflow_lib.__path__, "orderflow_lib."):
        if info.ispkg and ".migrations" not in info.name:
            package = importlib.import_module(info.name)
            if hasattr(package, "__all__"):
                found.append(package)
    return found


PACKAGES = _packages()


def _own_doc(obj: object) -> str:
    """The docstring written for `obj` itself: not inherited, not a dataclass's generated one."""
    doc = vars(obj).get("__doc__") if inspect.isclass(obj) else getattr(obj, "__doc__", None)
    if not doc or (inspect.isclass(obj) and doc.startswith(f"{obj.__name__}(")):
        return ""
    return doc.strip()


def _attribute_docs(package: ModuleType) -> set[str]:
    """Module-level names of the package's modules followed by a docstring (`X = ...` then
    `\"\"\"what X is\"\"\"`)."""
    names = set()
    for module in [m for n, m in list(sys.modules.items()) if n.startswith(package.__name__)]:
        if not getattr(module, "__file__", None):
            continue
        body = ast.parse(inspect.getsource(module)).body
        for node, after in itertools.pairwise(body):
            targets = (
                node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            )
            if isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
                names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _undocumented(package: ModuleType) -> list[str]:
    """Names with no docstring of their own; a constant or alias counts when the package
    docstring names it or a docstring follows its assignment."""
    missing = []
    package_doc = package.__doc__ or ""
    attribute_docs = _attribute_docs(package)
    for name in package.__all__:
        obj = getattr(package, name)
        own = callable(obj) and getattr(obj, "__name__", None) == name
        if own and _own_doc(obj):
            continue
        if not own and (
            re.search(rf"\b{re.escape(name)}\b", package_doc) or name in attribute_docs
        ):
            continue
        missing.append(name)
    return missing


def test_packages_when_discovered_then_the_public_ones_are_all_found():
    names = {package.__name__ for package in PACKAGES}

    assert {"orderflow_lib.flow", "orderflow_lib.profiles", "orderflow_lib.market"} <= names


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_all_when_listed_then_every_name_importable_public_and_unique(package):
    names = package.__all__

    assert [name for name in names if not hasattr(package, name)] == []
    assert [name for name in names if name.startswith("_")] == []
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_all_when_listed_then_every_name_documented(package):
    assert _undocumented(package) == []


def test_all_when_two_packages_export_one_name_then_it_is_the_same_object():
    owners: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for package in PACKAGES:
        for name in package.__all__:
            owners[name][id(getattr(package, name))].append(package.__name__)

    clashes = {name: sorted(by_id.values()) for name, by_id in owners.items() if len(by_id) > 1}

    assert clashes == {}

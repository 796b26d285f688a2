"""Every service's handler modules (and the gateway's) in the shape decision 0029 sets: none over
250 lines, and one imports another only through a seam its package's docstring names, which the
importing module's docstring names too. Read from the source, so a new import of another handler
module fails here until it is named as a seam in both places. (Members' stricter wording check is
tests/unit/test_members_seams.py.)"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGES = [
    "services.members.handlers",
    "services.enrollment.handlers",
    "services.billing.handlers",
    "services.documents.handlers",
    "services.notifications.handlers",
    "gateway.handlers",
]


def _folder(package: str) -> Path:
    return Path(importlib.import_module(package).__file__).parent  # type: ignore[arg-type]


def _handler_imports(tree: ast.Module, package: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(package + "."):
            found.add(node.module.removeprefix(package + "."))
        elif isinstance(node, ast.ImportFrom) and node.module == package:
            found.update(alias.name for alias in node.names)
    return found


def _after_seam(docstring: str) -> str:
    lowered = docstring.lower()
    return docstring[lowered.index("seam") :] if "seam" in lowered else ""


@pytest.mark.parametrize("package", PACKAGES)
def test_handler_modules_import_one_another_only_through_named_seams(package):
    folder = _folder(package)
    seams = _after_seam(ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))) or "")
    for path in sorted(folder.glob("*.py")):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        own = _after_seam(ast.get_docstring(tree) or "")
        for module in _handler_imports(tree, package):
            assert f"`{module}" in seams, f"{package}: {path.name} imports {module}, not a seam named in __init__.py"
            assert module in own, f"{package}: {path.name} imports {module} without naming the seam in its docstring"


@pytest.mark.parametrize("package", PACKAGES)
def test_no_handler_module_is_over_250_lines(package):
    for path in _folder(package).glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 250, f"{package}: {path.name}"

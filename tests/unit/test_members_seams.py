"""Members' handler modules import one another only through the seams services/members/handlers/
__init__.py lists, and each importing module names the seams it uses in its docstring (decision
0029): read from the source, so a new import of another handler module fails here until it is
named as a seam in both places."""

from __future__ import annotations

import ast
from pathlib import Path

import services.members.handlers as handlers

HANDLERS = Path(handlers.__file__).parent
PACKAGE = "services.members.handlers"


def _handler_imports(tree: ast.Module) -> dict[str, set[str]]:
    """{handler module imported: the names taken from it} of one module's imports."""
    found: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE + "."):
            found.setdefault(node.module.removeprefix(PACKAGE + "."), set()).update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == PACKAGE:
            for alias in node.names:
                found.setdefault(alias.name, set())
    return found


def test_every_handler_import_is_a_seam_named_in_the_package_and_the_importer():
    listed = ast.get_docstring(ast.parse((HANDLERS / "__init__.py").read_text(encoding="utf-8"))) or ""
    seams = listed.split("named seams", 1)[1]
    modules = sorted(p for p in HANDLERS.glob("*.py") if p.name != "__init__.py")
    assert modules
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstring = ast.get_docstring(tree) or ""
        for module, names in _handler_imports(tree).items():
            assert f"`{module}" in seams, f"{path.name} imports handlers.{module}, not a seam in handlers/__init__.py"
            assert "Seams:" in docstring and module in docstring.split("Seams:", 1)[1], (
                f"{path.name} imports handlers.{module} ({', '.join(sorted(names))}) without naming the seam"
            )


def test_no_handler_module_is_over_250_lines():
    for path in HANDLERS.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 250, path.name

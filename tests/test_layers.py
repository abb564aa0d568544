"""Imports point one way: a domain never imports the domains built on top of it.

The market is the base the orders build on (`market/hooks.py` is how the market asks orders
anything), and `web/` is shared plumbing that no domain's rules live in. A new import the
wrong way fails here with the file and line to fix."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "clustermarket"

# domain -> the packages it must never import (they build on it)
NEVER = {
    "market": ("clustermarket.orders",),
    "web": ("clustermarket.orders", "clustermarket.market", "clustermarket.moderation"),
}


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


@pytest.mark.parametrize("domain", sorted(NEVER))
def test_a_domain_never_imports_what_builds_on_it(domain: str) -> None:
    wrong = [
        f"{path.relative_to(SRC.parent)}:{line} imports {module}"
        for path in sorted((SRC / domain).rglob("*.py"))
        for line, module in _imports(path)
        if module.startswith(NEVER[domain])
    ]
    assert wrong == []


def test_the_check_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from clustermarket.orders.collection import x\n")
    assert _imports(module) == [(2, "clustermarket.orders.collection")]

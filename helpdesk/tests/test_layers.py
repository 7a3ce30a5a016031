"""The apps form floors (docs/architecture.md): a module imports only from its own app or a lower floor.

Reads every non-test, non-migration module's imports with `ast` — module-level and inside functions alike — plus
the string references that load code or models by name (`import_module`, `import_string`, `apps.get_model`, model
fields such as `ForeignKey("tickets.Ticket")`), and each app's templates (`{% include %}`, `{% extends %}`,
`{% url %}`). Only the root wiring (settings, root urls, the Celery app, wsgi/asgi) may name every app.
Migrations are history (a migration keeps the dependencies it was written with) and are not scanned.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FLOORS = {
    "helpdesk": 1,
    "accounts": 2,
    "notifications": 3,
    "tickets": 4,
    "knowledgebase": 5,
    "limits": 5,
    "automation": 5,
    "inbound": 5,
    "reports": 5,
}
WIRING = {"helpdesk/settings", "helpdesk/urls.py", "helpdesk/celery.py", "helpdesk/wsgi.py", "helpdesk/asgi.py"}
BY_NAME = {"import_module", "import_string", "get_model", "ForeignKey", "OneToOneField", "ManyToManyField"}
TEMPLATE_REF = re.compile(r"""{%\s*(?:include|extends)\s+["']([a-z_]+)/|{%\s*url\s+["']([a-z_]+):""")


def _is_wiring(path: Path) -> bool:
    rel = path.relative_to(ROOT).as_posix()
    return any(rel == w or rel.startswith(w + "/") for w in WIRING)


def _modules():
    for app in FLOORS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts or _is_wiring(path):
                continue
            yield app, path


def _targets(tree: ast.AST):
    """(line, name of what is used) for every import and by-name reference in a module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            first = node.args[0]
            if (
                name in BY_NAME
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and "." in first.value
            ):
                yield node.lineno, first.value


def _template_targets(app: str):
    for path in sorted((ROOT / app).rglob("templates/**/*.html")) + sorted((ROOT / app).rglob("templates/**/*.txt")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in TEMPLATE_REF.finditer(line):
                yield path, lineno, match.group(1) or match.group(2)


def _edges():
    """{(from app, to app): [where]} over all code and templates."""
    edges: dict[tuple[str, str], list[str]] = {}
    for app, path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for lineno, target in _targets(tree):
            other = target.split(".")[0]
            if other in FLOORS and other != app:
                edges.setdefault((app, other), []).append(f"{path.relative_to(ROOT)}:{lineno} {target}")
    for app in FLOORS:
        for path, lineno, other in _template_targets(app):
            if other in FLOORS and other != app:
                edges.setdefault((app, other), []).append(f"{path.relative_to(ROOT)}:{lineno} template → {other}")
    return edges


def test_no_module_uses_a_higher_floor():
    upward = {
        f"{a} (floor {FLOORS[a]}) → {b} (floor {FLOORS[b]})": where
        for (a, b), where in _edges().items()
        if FLOORS[b] > FLOORS[a]
    }
    assert upward == {}


def test_no_cycle_between_apps():
    graph: dict[str, set[str]] = {}
    for a, b in _edges():
        graph.setdefault(a, set()).add(b)
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == path[0]:
                cycles.append(" → ".join([*path, nxt]))
            elif nxt not in path and FLOORS[nxt] >= FLOORS[path[0]]:
                visit(nxt, [*path, nxt])

    for start in sorted(graph):
        visit(start, [start])
    assert cycles == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from tickets.models import Ticket", ["tickets.models"]),
        ("def f():\n    import knowledgebase.services", ["knowledgebase.services"]),
        ("x = import_string('limits.tasks.run')", ["limits.tasks.run"]),
        ("t = models.ForeignKey('tickets.Ticket', on_delete=None)", ["tickets.Ticket"]),
        ("from .models import Ticket", []),
    ],
)
def test_the_scan_sees_every_kind_of_reference(source, expected):
    assert [name for _, name in _targets(ast.parse(source))] == expected


def test_the_scan_sees_template_references(tmp_path):
    text = '{% include "knowledgebase/_box.html" %} {% url "limits:home" %} {% extends "base.html" %}'
    assert [m.group(1) or m.group(2) for m in TEMPLATE_REF.finditer(text)] == ["knowledgebase", "limits"]

"""The apps form floors (docs/architecture.md): a module imports only from its own app or a lower floor.

Reads every non-test, non-migration module's imports with `ast` — module-level and inside functions alike — plus
every string that names an app's code, model or URL (`import_module("limits.demo")`, `import_string(…)`,
`apps.get_model("tickets.Ticket")`, `ForeignKey("tickets.Ticket")`, `reverse("accounts:login")`, a list of module
names), and the templates (each app's, and the project's `templates/`, which is the ground floor's): any quoted
`app/…` or `app:…` inside a tag (`{% include %}`, `{% extends %}`, `{% url %}`, `{% static %}`, …). Only the root
wiring (settings, root urls, the Celery app, wsgi/asgi) may name every app.
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
# A string that is nothing but an app's dotted path ("limits.demo", "tickets.Ticket") or URL name ("accounts:login").
NAMES_AN_APP = re.compile(rf"({'|'.join(FLOORS)})(?:(?:\.[A-Za-z_]\w*)+|:[\w-]+)")
TEMPLATE_TAG = re.compile(r"{%.*?%}", re.DOTALL)
QUOTED_REF = re.compile(r"""["']([a-z_]+)[/:]""")
# The project's templates (base layout, error pages) belong to the ground floor.
TEMPLATE_DIRS = {app: [ROOT / app] for app in FLOORS} | {"helpdesk": [ROOT / "helpdesk", ROOT / "templates"]}


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
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and NAMES_AN_APP.fullmatch(node.value):
            yield node.lineno, node.value


def template_references(text: str):
    """(line, app) for each quoted `app/…` or `app:…` inside a template tag."""
    for tag in TEMPLATE_TAG.finditer(text):
        for match in QUOTED_REF.finditer(tag.group()):
            yield text.count("\n", 0, tag.start()) + 1, match.group(1)


def _template_targets(app: str):
    for folder in TEMPLATE_DIRS[app]:
        templates = folder.rglob("*.*") if folder.name == "templates" else folder.rglob("templates/**/*.*")
        for path in sorted(p for p in templates if p.suffix in {".html", ".txt"}):
            for lineno, other in template_references(path.read_text(encoding="utf-8")):
                yield path, lineno, other


def _edges():
    """{(from app, to app): [where]} over all code and templates."""
    edges: dict[tuple[str, str], list[str]] = {}
    for app, path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for lineno, target in _targets(tree):
            other = re.split(r"[.:]", target)[0]
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
        ("DEMO = ['accounts.demo', 'tickets.demo']", ["accounts.demo", "tickets.demo"]),
        ("NAMES = ('accounts:login', 'admin:login')", ["accounts:login"]),
        ("x = reverse('knowledgebase:home')", ["knowledgebase:home"]),
        ("s = 'tickets are listed. accounts: none'", []),
    ],
)
def test_the_scan_sees_every_kind_of_reference(source, expected):
    assert [name for _, name in _targets(ast.parse(source))] == expected


def test_the_scan_sees_template_references(tmp_path):
    text = (
        '{% include "knowledgebase/_box.html" %} {% url "limits:home" %} {% extends "base.html" %}\n'
        '{% url_if "knowledgebase:index" "x" as kb %} tickets: {{ "tickets:list" }} {% static "reports/r.css" %}'
    )
    assert list(template_references(text)) == [
        (1, "knowledgebase"),
        (1, "limits"),
        (2, "knowledgebase"),
        (2, "reports"),
    ]


def test_the_demo_command_finds_the_apps_demo_data_in_floor_order():
    """`load_demo` (ground floor) names no app: it loads each installed app's `demo` module, lower floors first."""
    from helpdesk.management.commands.load_demo import demo_modules

    assert demo_modules() == ["accounts.demo", "tickets.demo", "knowledgebase.demo", "limits.demo"]

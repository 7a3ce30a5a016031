"""The actor is typed everywhere (issue #9): in the code that mypy reads (`make lint`; tests and migrations are not
read), every parameter that holds a person has an annotation, so mypy checks what is done with them."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Parameter names that hold a person (a user, an actor, or one of their roles).
PEOPLE = {"user", "actor", "agent", "staff", "viewer", "reader", "requester", "customer", "recipient", "supervisor"}
NOT_READ_BY_MYPY = {".venv", "bench", "docs", "static", "testing"}


def untyped_people(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
                if arg.arg in PEOPLE and arg.annotation is None:
                    yield node.lineno, f"{node.name}({arg.arg})"


def test_every_parameter_that_holds_a_person_is_typed():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in NOT_READ_BY_MYPY or "tests" in rel.parts or "migrations" in rel.parts:
            continue
        if rel.as_posix() == "conftest.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found += [f"{rel.as_posix()}:{line} {name}" for line, name in untyped_people(tree)]
    assert found == []


def test_the_scan_sees_an_untyped_actor():
    tree = ast.parse("def f(ticket, *, actor, user: 'User', note: str): ...\ndef g(request, user=None): ...")
    assert list(untyped_people(tree)) == [(1, "f(actor)"), (2, "g(user)")]

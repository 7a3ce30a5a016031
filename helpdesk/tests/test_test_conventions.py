"""The suite's own conventions (issue #9, "tests mirror modules"), read from the test files with `ast`:

- a refusal is asserted by what was refused, not only by its class: every `pytest.raises(ValidationError)` (or
  one of the project's subclasses) keeps the error (`as refused`) and reads it again, e.g. with
  `helpdesk.tests.errors.error_codes`;
- a text is asserted in one language (the one the test runs in), never as "this English or that Persian".
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.core.exceptions import ValidationError

# The modules that define the project's ValidationError subclasses (imported so that `__subclasses__` sees them).
import limits.selectors  # noqa: F401
import limits.services  # noqa: F401
import tickets.services.errors  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
PERSIAN = re.compile("[\u0600-\u06ff]")
ENGLISH = re.compile("[A-Za-z]{3}")


def _subclasses(cls: type) -> set[str]:
    return {cls.__name__}.union(*(_subclasses(sub) for sub in cls.__subclasses__()))


REFUSALS = _subclasses(ValidationError)


def _test_files():
    for path in sorted(ROOT.rglob("test*.py")):
        if ".venv" not in path.parts and "tests" in path.parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def _raised_name(call: ast.expr) -> str:
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "raises"):
        return ""
    if not call.args:
        return ""
    first = call.args[0]
    return first.id if isinstance(first, ast.Name) else first.attr if isinstance(first, ast.Attribute) else ""


def unchecked_refusals(tree: ast.AST):
    """The `with pytest.raises(<a ValidationError>)` blocks whose error is not kept, or kept and never read."""
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        read = {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        for node in ast.walk(function):
            if not isinstance(node, (ast.With, ast.AsyncWith)):
                continue
            for item in node.items:
                if _raised_name(item.context_expr) not in REFUSALS:
                    continue
                kept = item.optional_vars
                if not isinstance(kept, ast.Name) or kept.id not in read:
                    yield node


def either_language(tree: ast.AST):
    """`assert "English" in x or "فارسی" in x` and `x in ("English", "فارسی")`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert) and isinstance(node.test, ast.BoolOp) and isinstance(node.test.op, ast.Or):
            texts = [c.value for c in ast.walk(node.test) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
        elif isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.In):
            choices = node.comparators[0]
            if not isinstance(choices, (ast.Tuple, ast.List, ast.Set)):
                continue
            texts = [c.value for c in choices.elts if isinstance(c, ast.Constant) and isinstance(c.value, str)]
        else:
            continue
        if any(PERSIAN.search(t) for t in texts) and any(ENGLISH.search(t) and not PERSIAN.search(t) for t in texts):
            yield node


def test_every_refusal_is_asserted_by_what_was_refused():
    assert [_where(path, node) for path, tree in _test_files() for node in unchecked_refusals(tree)] == []


def test_no_assertion_accepts_either_language():
    assert [_where(path, node) for path, tree in _test_files() for node in either_language(tree)] == []


def test_the_scans_see_what_they_look_for():
    source = (
        "def test_a():\n"
        "    with pytest.raises(ValidationError):\n        f()\n"
        "    with pytest.raises(TicketError) as kept_only:\n        f()\n"
        "    with pytest.raises(ValidationError) as refused:\n        f()\n"
        "    assert error_codes(refused.value) == {}\n"
        "    with pytest.raises(ValueError):\n        f()\n"
        "    assert 'Accepted by' in text or 'پذیرفت' in text\n"
        "    assert text in ('Saved', 'ذخیره شد')\n"
        "    assert 'ذخیره شد' in text or 'x' in text\n"
    )
    tree = ast.parse(source)
    assert [node.lineno for node in unchecked_refusals(tree)] == [2, 4]
    assert [node.lineno for node in either_language(tree)] == [11, 12]

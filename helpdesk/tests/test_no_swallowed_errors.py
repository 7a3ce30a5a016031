"""The rule "nothing catches an exception inside a `transaction.atomic` block and carries on", enforced by reading the
code (an AST scan of every non-test module).

A handler that catches broadly (a bare `except`, `Exception`, `BaseException`, or a database error class that a lost
connection raises: `Error`, `DatabaseError`, `OperationalError`, `InterfaceError`, `InternalError`) and does not end
by raising is refused in code that runs inside a transaction:

- a function decorated with `transaction.atomic`, or one that opens `with transaction.atomic()` anywhere;
- any function of the modules whose code runs inside its caller's transaction: the services, the hooks and event
  recorders, the notification registrations and the outbox's writing side, the automation rules.

Such a handler would hide a dropped connection: Django then rolls the whole transaction back silently when the
outermost block exits, and the caller reports a change that was never stored. Contain an optional step's failure
with `helpdesk.transactions.optional_step` instead. The few handlers that provably run outside any transaction are
listed in `ALLOWED` with the reason.

Also refused there: catching `IntegrityError` or `DataError` around a statement that has no savepoint of its own
(`with transaction.atomic():` inside the `try`): on PostgreSQL the failed statement aborts the whole transaction.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SKIP_DIRS = {"tests", "migrations", "testing", "bench", "docs", "static", "templates", "locale", "node_modules"}

BROAD = {"Exception", "BaseException", "Error", "DatabaseError", "DatabaseFailure", "OperationalError"}
BROAD |= {"InterfaceError", "InternalError"}
NEEDS_SAVEPOINT = {"IntegrityError", "DataError"}

# Modules whose functions run inside their caller's transaction (the services call them, or they are services).
IN_TRANSACTION = [
    "*/services.py",
    "*/services/*.py",
    "*/hooks.py",
    "*/events.py",
    "*/notifications.py",
    "*/notices.py",
    "automation/rules.py",
    "automation/routing.py",
    "notifications/outbox.py",
    "notifications/registry.py",
    "notifications/render.py",
    "notifications/preferences.py",
]

# (module, function): why its broad handler is safe. Nothing else may have one.
ALLOWED = {
    ("helpdesk/transactions.py", "optional_step"): "the helper itself: it re-raises what lost the transaction",
    ("notifications/outbox.py", "_publish"): "publishes to the broker after commit (or in the sweep); no database",
    ("notifications/outbox.py", "_attempt"): "runs in the delivery task, in no transaction; database errors are "
    "re-raised before it, and it is around the provider's call",
    ("inbound/services/intake.py", "enqueue"): "publishes to the broker after commit (or in the sweep); no database",
    ("inbound/services/mail.py", "email_fields"): "parses a message and reads nothing from the database",
    ("inbound/services/processing.py", "process_claimed"): "the outermost transaction of a task: what it catches "
    "was rolled back whole",
}


@dataclass(frozen=True)
class Finding:
    module: str
    function: str
    line: int
    problem: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} in {self.function}(): {self.problem}"


def _name(node: ast.AST | None) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _name(node.func)
    return ""


def _caught(handler: ast.ExceptHandler) -> set[str]:
    if handler.type is None:
        return {"BaseException"}
    if isinstance(handler.type, ast.Tuple):
        return {_name(element) for element in handler.type.elts}
    return {_name(handler.type)}


def _own_nodes(function: ast.AST):
    """The nodes of a function's body, without those of the functions and classes defined inside it."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))


def _opens_atomic(nodes) -> bool:
    return any(
        isinstance(node, ast.With | ast.AsyncWith) and any(_name(item.context_expr) == "atomic" for item in node.items)
        for node in nodes
    )


def _atomic_function(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(_name(d) == "atomic" for d in function.decorator_list) or _opens_atomic(_own_nodes(function))


def _reraises(handler: ast.ExceptHandler) -> bool:
    return bool(handler.body) and isinstance(handler.body[-1], ast.Raise)


def scan_source(source: str, module: str) -> list[Finding]:
    """The handlers of `source` that break the rule (`module`: its path from the repository root)."""
    tree = ast.parse(source)
    in_transaction_module = any(fnmatch(module, pattern) for pattern in IN_TRANSACTION)
    findings = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if not (in_transaction_module or _atomic_function(function)):
            continue
        for node in _own_nodes(function):
            if not isinstance(node, ast.Try):
                continue
            savepoint = _opens_atomic(n for statement in node.body for n in ast.walk(statement))
            for handler in node.handlers:
                caught = _caught(handler)
                if caught & BROAD and not _reraises(handler):
                    if (module, function.name) not in ALLOWED:
                        problem = f"`except {', '.join(sorted(caught))}` carries on (use optional_step)"
                        findings.append(Finding(module, function.name, handler.lineno, problem))
                elif caught & NEEDS_SAVEPOINT and not savepoint and not _reraises(handler):
                    problem = f"`except {', '.join(sorted(caught))}` without a savepoint in the `try`"
                    findings.append(Finding(module, function.name, handler.lineno, problem))
    return findings


def our_modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0].startswith(".") or set(relative.parts[:-1]) & SKIP_DIRS or len(relative.parts) < 2:
            continue
        yield relative.as_posix(), path.read_text(encoding="utf-8")


def test_nothing_catches_and_carries_on_inside_a_transaction():
    findings = [finding for module, source in our_modules() for finding in scan_source(source, module)]
    assert not findings, "Exceptions caught inside a transaction:\n  " + "\n  ".join(map(str, findings))


def test_every_allowed_handler_still_exists():
    """An entry of ALLOWED whose function is gone is removed, so the list stays the list of real exceptions."""
    functions = set()
    for module, source in our_modules():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                functions.add((module, node.name))
    assert set(ALLOWED) <= functions, set(ALLOWED) - functions


# --- the scan itself ----------------------------------------------------------------------------------------------

SWALLOWING = """
from django.db import transaction

def reply_add(*, ticket, body):
    with transaction.atomic():
        message = ticket.messages.create(body=body)
        try:
            with transaction.atomic():
                notify(message)
        except Exception:
            logger.exception("notify failed")
        return message

@transaction.atomic
def ticket_close(*, ticket):
    try:
        ticket.save()
    except (ValueError, DatabaseError):
        pass

def unrelated():
    try:
        cache.get("x")
    except Exception:
        return None
"""

LEGITIMATE = """
from django.db import IntegrityError, transaction

@transaction.atomic
def feedback_submit(*, article):
    try:
        with transaction.atomic():
            return article.feedback.create()
    except IntegrityError:
        raise ValidationError("already") from None

def step():
    with transaction.atomic():
        try:
            compute()
        except Exception as exc:
            raise Refused(str(exc)) from exc
        with optional_step("the extra") as extra:
            extra_work()
"""


def test_the_scan_finds_a_swallowed_error_in_a_transaction_and_nothing_else():
    findings = scan_source(SWALLOWING, "tickets/views.py")
    assert [(f.function, f.line) for f in findings] == [("reply_add", 10), ("ticket_close", 18)]
    assert scan_source(LEGITIMATE, "tickets/views.py") == []
    # In a module that runs inside its caller's transaction, any function counts.
    assert [f.function for f in scan_source(SWALLOWING, "tickets/services/messages.py")] == [
        "reply_add",
        "ticket_close",
        "unrelated",
    ]


def test_the_scan_finds_an_integrity_error_caught_without_a_savepoint():
    source = (
        "@transaction.atomic\n"
        "def ticket_create():\n"
        "    try:\n"
        "        Ticket.objects.create()\n"
        "    except IntegrityError:\n"
        "        pass\n"
    )
    assert [f.line for f in scan_source(source, "tickets/views.py")] == [5]

"""Pinned query counts (issue #9): a page or a service runs exactly N queries, and a change of N fails a test.

- `assert_queries(n)`: exactly `n` queries in the block; on a mismatch the failure lists every captured statement,
  numbered (pytest-django's `django_assert_num_queries` shows them only with `-vv`, since `pytest.ini` says `-q`).
- `pinned_get(client, url, n)`: GET a page once (caches warm: site settings, the IP block list, content types, the
  queue's choice lists, as for a user who is already on the site), then again, counted.
- `@pytest.mark.pins("app:url_name", …)`: the test pins these pages. `helpdesk/tests/test_page_pins.py` walks the
  URL resolver and fails for a page that no test pins and no exclusion names.
- `admin_pins(...)`: a model's admin pages (changelist with 1 and with 30 rows, add, change, history, delete).

Every count is the same on SQLite and PostgreSQL (both run in CI); one that comes to differ gets both numbers
(`connection.vendor`) and the reason beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


@contextmanager
def assert_queries(expected: int, *, using: str = DEFAULT_DB_ALIAS):
    with CaptureQueriesContext(connections[using]) as ctx:
        yield ctx
    if len(ctx.captured_queries) != expected:
        listing = "\n".join(f"{i:3}. {q['sql']}" for i, q in enumerate(ctx.captured_queries, 1))
        pytest.fail(f"expected {expected} queries, {len(ctx.captured_queries)} were run:\n{listing}", pytrace=False)


def pinned_get(client, url: str, queries: int, *, status: int = 200, **extra):
    """The response of a GET (the second one: caches warm) that runs exactly `queries` queries and answers `status`."""
    client.get(url, **extra)
    with assert_queries(queries):
        response = client.get(url, **extra)
    assert response.status_code == status, f"GET {url}: {response.status_code}, expected {status}"
    return response


# --- the admin -----------------------------------------------------------------------------------------------------

ADMIN_VIEWS = ("changelist", "add", "change", "history", "delete")


@dataclass(frozen=True)
class Denied:
    """An admin page the admin refuses (a read-only model's add or delete page): 403, with this many queries."""

    queries: int


@dataclass(frozen=True)
class AdminPins:
    """The pinned counts of one model's admin pages."""

    changelist: int
    add: int | Denied
    change: int
    history: int
    delete: int | Denied


def admin_names(table: dict) -> list[str]:
    """The URL names an admin table pins (for `@pytest.mark.pins`)."""
    return [f"admin:{m._meta.app_label}_{m._meta.model_name}_{view}" for m in table for view in ADMIN_VIEWS]


def admin_pins(client, model, pins: AdminPins, make: Callable, *, many: int = 30) -> None:
    """Each admin page of `model` with its pinned count; the changelist with 1 and with `many` rows. `make(n)` adds
    `n` rows of `model` and returns the last one."""
    meta = model._meta
    obj = make(1)

    def check(view: str, expected, *args):
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)
        denied = isinstance(expected, Denied)
        return pinned_get(client, url, expected.queries if denied else expected, status=403 if denied else 200)

    check("changelist", pins.changelist)
    check("add", pins.add)
    check("change", pins.change, obj.pk)
    check("history", pins.history, obj.pk)
    check("delete", pins.delete, obj.pk)
    make(many - 1)
    assert check("changelist", pins.changelist).context["cl"].result_count >= many

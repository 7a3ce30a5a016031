"""Extension points of the account services for the apps above accounts, which accounts must not import.

**Contact changed.** Other apps keep copies of a person's name, email address and mobile number (the search text
of the tickets they filed, for instance). `accounts.services.user_update` — the one path that changes those fields
of an existing account: the admin's change page and the profile page both call it — runs each registered hook
inside its transaction, after the row is saved, when at least one of `CONTACT_FIELDS` now holds a different value:
`hook(user, changed)`, with the saved user and the names of the fields that changed. A hook that raises rolls the
whole change back (the caller sees the error, nothing is saved), so a hook does its work set-wise and does not
catch what it cannot finish.

**Contact changing.** Before `user_update` locks the user's row, when a fresh read shows that the change will give
one of `CONTACT_FIELDS` a new value, it runs each "contact changing" hook: `hook(user)`, with nothing locked yet, so
an app can first lock the rows its "contact changed" hook will write. The ticket services lock a ticket and then,
through a foreign key (a message's author), need the user's row; a change that locked the user's row first and then
waited for one of that person's tickets would deadlock with them (PostgreSQL aborts one of the two).

An app registers from its `AppConfig.ready()`; registering the same callable twice is harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import User

CONTACT_FIELDS = ("full_name", "email", "mobile")

ContactChangedHook = Callable[["User", frozenset[str]], None]
ContactChangingHook = Callable[["User"], None]

on_contact_changed: list[ContactChangedHook] = []
on_contact_changing: list[ContactChangingHook] = []


def register_contact_changing(hook: ContactChangingHook) -> None:
    """Call `hook(user)` before a change of the user's name, email or mobile locks their row."""
    if hook not in on_contact_changing:
        on_contact_changing.append(hook)


def run_contact_changing(user: User) -> None:
    """Run the hooks (call inside the change's transaction, before locking the user's row)."""
    for hook in on_contact_changing:
        hook(user)


def register_contact_changed(hook: ContactChangedHook) -> None:
    """Call `hook(user, changed)` after every saved change of a user's name, email or mobile."""
    if hook not in on_contact_changed:
        on_contact_changed.append(hook)


def run_contact_changed(user: User, changed: frozenset[str]) -> None:
    """Run the hooks (call inside the transaction that saved the change, with a non-empty `changed`)."""
    for hook in on_contact_changed:
        hook(user, changed)

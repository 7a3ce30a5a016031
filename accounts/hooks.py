"""Extension points of the account services for the apps above accounts, which accounts must not import.

**Contact changed.** Other apps keep copies of a person's name, email address and mobile number (the search text
of the tickets they filed, for instance). `accounts.services.user_update` — the one path that changes those fields
of an existing account: the admin's change page and the profile page both call it — runs each registered hook
inside its transaction, after the row is saved, when at least one of `CONTACT_FIELDS` now holds a different value:
`hook(user, changed)`, with the saved user and the names of the fields that changed. A hook that raises rolls the
whole change back (the caller sees the error, nothing is saved), so a hook does its work set-wise and does not
catch what it cannot finish.

An app registers from its `AppConfig.ready()`; registering the same callable twice is harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import User

CONTACT_FIELDS = ("full_name", "email", "mobile")

ContactChangedHook = Callable[["User", frozenset[str]], None]

on_contact_changed: list[ContactChangedHook] = []


def register_contact_changed(hook: ContactChangedHook) -> None:
    """Call `hook(user, changed)` after every saved change of a user's name, email or mobile."""
    if hook not in on_contact_changed:
        on_contact_changed.append(hook)


def run_contact_changed(user: User, changed: frozenset[str]) -> None:
    """Run the hooks (call inside the transaction that saved the change, with a non-empty `changed`)."""
    for hook in on_contact_changed:
        hook(user, changed)

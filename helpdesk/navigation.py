"""The site's navigation: which links a user sees.

The core knows none of the apps above it: each app registers its entries from its `AppConfig.ready()`
(`navigation.register(Entry(...))`). An entry names one or more candidate URL names; the first that reverses wins,
and an entry with none is left out (a URL configuration without that app still renders).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Viewer(Protocol):
    """Who reads the page: a signed-in user (of whatever model the project uses) or AnonymousUser."""

    @property
    def is_authenticated(self) -> bool: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def is_staff(self) -> bool: ...
    @property
    def is_superuser(self) -> bool: ...


def url_or_empty(*names: str) -> str:
    """The URL of the first name that reverses (without arguments), or "" when none does."""
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return ""


def is_customer(user: Viewer) -> bool:
    return bool(user.is_authenticated and getattr(user, "is_customer", False))


def is_employee(user: Viewer) -> bool:
    return bool(user.is_authenticated and (getattr(user, "is_employee", False) or user.is_superuser))


def can_use_admin(user: Viewer) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def everyone(user: Viewer) -> bool:
    return True


@dataclass(frozen=True)
class Entry:
    """A link that may appear: its label, the URL names to try, who sees it, a one-line description and its place
    in the navbar (smaller `order` first)."""

    label: Promise
    names: tuple[str, ...]
    audience: Callable[[Viewer], bool]
    description: Promise | str = ""
    order: int = 100


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    active: bool = False
    description: str = ""


# The core's own entry; the apps add theirs from their `AppConfig.ready()` with `register()`.
_ENTRIES: list[Entry] = [
    Entry(_("Administration"), ("admin:index",), can_use_admin, _("Users, organisations and site settings."), 900),
]


def register(entry: Entry) -> None:
    """Add a navbar entry (an entry for the same URL names and audience replaces the earlier one)."""
    _ENTRIES[:] = [e for e in _ENTRIES if (e.names, e.audience) != (entry.names, entry.audience)] + [entry]


def registered() -> list[Entry]:
    """The registered entries in navbar order."""
    return sorted(_ENTRIES, key=lambda e: e.order)


# The account links of the navbar (signing in and out, the profile): URL names the app that owns the accounts
# registers with `register_account_urls()`. Until one does, signing in is the admin's login.
_ACCOUNT_URLS: dict[str, tuple[str, ...]] = {"login": ("admin:login",), "logout": (), "profile": ()}


def register_account_urls(*, login: str, logout: str, profile: str) -> None:
    """Name the URLs of signing in, signing out and the profile page (the admin's login stays the fallback)."""
    _ACCOUNT_URLS.update(login=(login, "admin:login"), logout=(logout,), profile=(profile,))


def login_url() -> str:
    return url_or_empty(*_ACCOUNT_URLS["login"])


def profile_url() -> str:
    return url_or_empty(*_ACCOUNT_URLS["profile"])


def logout_url_for(user: Viewer) -> str:
    """Where the logout form posts. The admin's logout only serves staff, so it is a fallback for them alone."""
    url = url_or_empty(*_ACCOUNT_URLS["logout"])
    if not url and can_use_admin(user):
        url = url_or_empty("admin:logout")
    return url


# What the "page not found" page offers besides the home page (the knowledge base registers its search), and the
# templates the navbar shows beside the language switch (the notifications app registers its bell).
_NOT_FOUND: list[Entry] = []
_NAVBAR_TEMPLATES: list[str] = []


def register_not_found(entry: Entry) -> None:
    """Offer `entry` on the "page not found" page (an entry for the same URL names and audience replaces it)."""
    _NOT_FOUND[:] = [e for e in _NOT_FOUND if (e.names, e.audience) != (entry.names, entry.audience)] + [entry]


def not_found_links(user: Viewer) -> list[Link]:
    return links_for(user, entries=sorted(_NOT_FOUND, key=lambda e: e.order))


def register_navbar_template(template: str) -> None:
    """Include `template` in the navbar, beside the language switch (it renders nothing for whom it is not for)."""
    if template not in _NAVBAR_TEMPLATES:
        _NAVBAR_TEMPLATES.append(template)


def navbar_templates() -> list[str]:
    return list(_NAVBAR_TEMPLATES)


def links_for(user: Viewer, *, current_path: str = "", entries: Iterable[Entry] | None = None) -> list[Link]:
    """The links `user` may follow, in navbar order, each marked active when the current path is under it."""
    links = []
    for entry in registered() if entries is None else entries:
        if not entry.audience(user):
            continue
        url = url_or_empty(*entry.names)
        if not url:
            continue
        active = bool(current_path) and (current_path == url or (url != "/" and current_path.startswith(url)))
        links.append(Link(label=str(entry.label), url=url, active=active, description=str(entry.description)))
    return links

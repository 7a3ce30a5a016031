"""The site's navigation: which links a user sees, built only from URL names that resolve.

The apps are built in parallel, so a page must never break because `tickets:portal` does not exist yet. Each link
names one or more candidate URL names; the first that reverses wins, and a link with none is left out.
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


def _is_customer(user: Viewer) -> bool:
    return bool(user.is_authenticated and getattr(user, "is_customer", False))


def _is_employee(user: Viewer) -> bool:
    return bool(user.is_authenticated and (getattr(user, "is_employee", False) or user.is_superuser))


def _can_use_admin(user: Viewer) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def _everyone(user: Viewer) -> bool:
    return True


@dataclass(frozen=True)
class Entry:
    """A link that may appear: its label, the URL names to try, who sees it and a one-line description."""

    label: Promise
    names: tuple[str, ...]
    audience: Callable[[Viewer], bool]
    description: Promise | str = ""


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    active: bool = False
    description: str = ""


# Order matters: it is the order in the navbar.
NAV_ENTRIES: tuple[Entry, ...] = (
    Entry(
        _("My tickets"),
        ("tickets:portal",),
        _is_customer,
        _("Follow your requests and reply to them."),
    ),
    Entry(
        _("New ticket"),
        ("tickets:create",),
        _is_customer,
        _("Send a new request to the support team."),
    ),
    Entry(
        _("Queue"),
        ("tickets:queue",),
        _is_employee,
        _("The tickets waiting for you and your departments."),
    ),
    Entry(
        _("New ticket"),
        ("tickets:staff_create",),
        _is_employee,
        _("File a ticket on behalf of a customer."),
    ),
    Entry(
        _("Knowledge base"),
        ("knowledgebase:home",),
        _everyone,
        _("Answers to common questions, ready to read."),
    ),
    Entry(
        _("Sales ceilings"),
        ("limits:index",),
        _everyone,  # visitors land on the public calculator
        _("Article 6 sales ceilings, increase requests and the public calculator."),
    ),
    Entry(
        _("Administration"),
        ("admin:index",),
        _can_use_admin,
        _("Users, organisations and site settings."),
    ),
)

LOGIN_NAMES = ("accounts:login", "admin:login")
LOGOUT_NAMES = ("accounts:logout",)
PROFILE_NAMES = ("accounts:profile",)


def logout_url_for(user: Viewer) -> str:
    """Where the logout form posts. The admin's logout only serves staff, so it is a fallback for them alone."""
    url = url_or_empty(*LOGOUT_NAMES)
    if not url and _can_use_admin(user):
        url = url_or_empty("admin:logout")
    return url


def links_for(user: Viewer, *, current_path: str = "", entries: Iterable[Entry] = NAV_ENTRIES) -> list[Link]:
    """The links `user` may follow, in navbar order, each marked active when the current path is under it."""
    links = []
    for entry in entries:
        if not entry.audience(user):
            continue
        url = url_or_empty(*entry.names)
        if not url:
            continue
        active = bool(current_path) and (current_path == url or (url != "/" and current_path.startswith(url)))
        links.append(Link(label=str(entry.label), url=url, active=active, description=str(entry.description)))
    return links

"""Notices at the top of the admin index, from apps the core must not import.

The admin index template is shared (`templates/admin/index.html`), so an app that has something an administrator
should act on registers a provider from its `AppConfig.ready()`:

    from helpdesk import admin_notices
    admin_notices.register(banner.admin_index_notices)   # limits: a year's Article 6 figures are missing

A provider receives the request and returns the notices for it (usually none; it may query the database, since it
runs only on the admin index). The template renders each notice's message and, when set, its link.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class AdminNotice:
    message: str
    link_url: str = ""
    link_text: str = ""


Provider = Callable[[HttpRequest], Iterable[AdminNotice]]

providers: list[Provider] = []


def register(provider: Provider) -> None:
    """Show `provider(request)`'s notices on the admin index (registering the same callable twice is harmless)."""
    if provider not in providers:
        providers.append(provider)


def notices_for(request: HttpRequest) -> list[AdminNotice]:
    return [notice for provider in providers for notice in provider(request)]

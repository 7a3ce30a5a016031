"""Which channels a user wants for a group of events (the groups are the apps', see `registry.register_group`).

A `NotificationPreference` row (user, group) holds the choice; without one, the user's general flags
(`notify_email`, `notify_sms`, `notify_panel`) apply. A channel is used only when the user also has the address
for it (an email address, a mobile number).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.db import transaction

from . import registry
from .models import Notification, NotificationPreference

if TYPE_CHECKING:
    from accounts.models import User

CHANNELS = (Notification.Channel.EMAIL, Notification.Channel.SMS, Notification.Channel.PANEL)


def defaults(user: User) -> dict[str, bool]:
    return {"email": bool(user.notify_email), "sms": bool(user.notify_sms), "panel": bool(user.notify_panel)}


def reachable(user: User, channel: str) -> bool:
    if channel == Notification.Channel.EMAIL:
        return bool(user.email)
    if channel == Notification.Channel.SMS:
        return bool(user.mobile)
    return True


def channels_for_users(users: Iterable[User], group: str) -> dict[int, list[str]]:
    """{user id: channels} for one group, in one query."""
    users = list(users)
    stored = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=[u.pk for u in users], group=group)}
    result: dict[int, list[str]] = {}
    for user in users:
        pref = stored.get(user.pk)
        wanted = {"email": pref.email, "sms": pref.sms, "panel": pref.panel} if pref else defaults(user)
        result[user.pk] = [c for c in CHANNELS if wanted[c] and reachable(user, c)]
    return result


def preferences_table(user: User) -> dict[str, dict[str, bool]]:
    """{group: {channel: on}} for every group, stored choices over the defaults (for the preferences form)."""
    table = {group: defaults(user) for group in registry.group_codes()}
    for pref in NotificationPreference.objects.filter(user=user):
        table[pref.group] = {"email": pref.email, "sms": pref.sms, "panel": pref.panel}
    return table


def preferences_save(*, user: User, table: Mapping[str, Mapping[str, bool]]) -> None:
    """Store the user's choice for each group given (unknown groups are refused)."""
    unknown = set(table) - set(registry.group_codes())
    if unknown:
        raise ValueError(f"Unknown notification groups: {sorted(unknown)}")
    with transaction.atomic():
        for group, channels in table.items():
            NotificationPreference.objects.update_or_create(
                user=user,
                group=group,
                defaults={c: bool(channels.get(c, False)) for c in ("email", "sms", "panel")},
            )

"""Which channels a person gets for a group of events (the groups are the apps', see `registry.register_group`).

In order, the first that says something decides:

1. the person's own choice for the group (a `NotificationPreference` row, saved from their preferences page);
2. the admins' default for their access level and the group (a `NotificationDefault` row, written by `migrate`
   from the group's registered defaults and changed in the admin), narrowed by the person's general switches
   (`notify_email`, `notify_sms`, `notify_panel` on their profile: off there means off for every group they have
   not chosen for themselves);
3. the group's registered defaults for the person's side (a row the admin table does not have yet).

A channel is used only when the person also has the address for it (an email address, a mobile number).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.db import transaction

from accounts.models import STAFF_ROLES, Role

from . import registry
from .models import Notification, NotificationDefault, NotificationPreference

if TYPE_CHECKING:
    from accounts.models import User

CHANNELS = (Notification.Channel.EMAIL, Notification.Channel.SMS, Notification.Channel.PANEL)

Channels = dict[str, bool]


def role_of(user: User) -> str:
    """The access level whose defaults apply (a superuser's are the admins')."""
    return Role.ADMIN if user.is_superuser else user.role


def registered_default(group: str, role: str) -> Channels:
    """The group's registered defaults for the side `role` is on (all off for an unknown group)."""
    found = registry.group(group)
    on = () if found is None else found.customer_channels if role == Role.CUSTOMER else found.staff_channels
    return {c: c in on for c in CHANNELS}


def default_rows() -> list[tuple[str, str, Channels]]:
    """(role, group, channels) of the admins' table as the apps registered it: customers × the customers' groups,
    then each staff access level × the staff groups (what `migrate` writes when a row is missing)."""
    rows = []
    for role in (Role.CUSTOMER, *STAFF_ROLES):
        for group in registry.groups():
            if group.customers if role == Role.CUSTOMER else group.staff:
                rows.append((str(role), group.code, registered_default(group.code, role)))
    return rows


def _stored(row: NotificationDefault | NotificationPreference) -> Channels:
    return {c: bool(getattr(row, c)) for c in CHANNELS}


def _narrowed(channels: Channels, user: User) -> Channels:
    """A default as this person gets it: their general switches turn channels off."""
    switches = {"email": user.notify_email, "sms": user.notify_sms, "panel": user.notify_panel}
    return {c: bool(channels[c] and switches[c]) for c in CHANNELS}


def role_defaults(group: str) -> dict[str, Channels]:
    """{role: channels} for one group: the admins' table over the registered defaults (one query)."""
    table = {str(role): registered_default(group, role) for role in Role.values}
    for row in NotificationDefault.objects.filter(group=group):
        table[row.role] = _stored(row)
    return table


def reachable(user: User, channel: str) -> bool:
    if channel == Notification.Channel.EMAIL:
        return bool(user.email)
    if channel == Notification.Channel.SMS:
        return bool(user.mobile)
    return True


def channels_for_users(users: Iterable[User], group: str) -> dict[int, list[str]]:
    """{user id: channels} for one group, in two queries (their own choices, the admins' defaults)."""
    users = list(users)
    stored = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=[u.pk for u in users], group=group)}
    defaults = role_defaults(group)
    result: dict[int, list[str]] = {}
    for user in users:
        pref = stored.get(user.pk)
        wanted = _stored(pref) if pref else _narrowed(defaults[role_of(user)], user)
        result[user.pk] = [c for c in CHANNELS if wanted[c] and reachable(user, c)]
    return result


def preferences_table(user: User) -> dict[str, Channels]:
    """{group: channels} for every group as the person gets them today: their own choices over their access
    level's defaults (for the preferences form)."""
    role = role_of(user)
    defaults = {group: registered_default(group, role) for group in registry.group_codes()}
    for row in NotificationDefault.objects.filter(role=role):
        defaults[row.group] = _stored(row)
    table = {group: _narrowed(channels, user) for group, channels in defaults.items()}
    for pref in NotificationPreference.objects.filter(user=user):
        table[pref.group] = _stored(pref)
    return table


def preferences_save(*, user: User, table: Mapping[str, Mapping[str, bool]]) -> None:
    """Store the person's own choice for each group given (unknown groups are refused); the groups not given
    keep following the defaults (or the choice stored before)."""
    unknown = set(table) - set(registry.group_codes())
    if unknown:
        raise ValueError(f"Unknown notification groups: {sorted(unknown)}")
    with transaction.atomic():
        for group, channels in table.items():
            NotificationPreference.objects.update_or_create(
                user=user,
                group=group,
                defaults={c: bool(channels.get(c, False)) for c in CHANNELS},
            )


def preferences_reset(*, user: User) -> int:
    """Forget the person's own choices: every group follows the defaults again. Returns how many were removed."""
    deleted, _ = NotificationPreference.objects.filter(user=user).delete()
    return deleted

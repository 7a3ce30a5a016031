"""What each app tells whom: the groups of events people choose channels for, and the event kinds notified.

The notifications app knows no ticket. Each app registers, from its `AppConfig.ready()`, its groups (the rows of
the preferences form) and, for each of its event kinds, who is told and how the text reads:

    registry.register_group("reply", label=_("Replies"), customers=True, staff_channels=("email", "panel"))
    registry.register_kind("replied", group="reply", recipients=replied_recipients, content=ticket_content)

A group says which channels each side gets by default (`staff_channels`, `customer_channels`; all three unless
said otherwise). Those are only the first values of the admins' table of defaults per access level and group
(`NotificationDefault`, written by `migrate`); a person's own choice in their preferences wins over both
(`notifications.preferences`).

- `recipients(event)` yields `(user, audience)` pairs; `audience` is the app's own word for the wording to use
  (e.g. the requester's side or the staff side), handed back to `content`.
- `content(event)` is called once per event (so what every recipient shares is loaded once) and returns a
  function `(user, audience) -> render.Content`, called inside each recipient's language.

The filters every kind goes through (`recipients_for`): inactive users hear nothing, each user appears once (their
first audience wins), and nobody is notified of their own action (`event.actor_id`) — except with the audience
`ACK`, the receipt the person who acted is waiting for (e.g. "your request was received").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    from accounts.models import User

    from .render import Content

ACK = "ack"  # an acknowledgement: sent to the person who acted too

CHANNELS = ("email", "sms", "panel")

Recipients = Callable[[Any], Iterable[tuple["User | None", str]]]
ContentFor = Callable[["User", str], "Content"]


@dataclass(frozen=True)
class Group:
    code: str
    label: Any  # a lazy translation
    staff: bool  # offered to employees (and superusers)
    customers: bool  # offered to customers
    staff_channels: tuple[str, ...] = CHANNELS  # what employees get until an admin or they say otherwise
    customer_channels: tuple[str, ...] = CHANNELS  # what customers get until an admin or they say otherwise


@dataclass(frozen=True)
class Kind:
    group: str
    recipients: Recipients
    content: Callable[[Any], ContentFor]
    label: Any = None  # what people call it (a lazy translation); None: the code itself
    group_of: Callable[[Any], str] | None = None  # the group of one event, when it depends on the event

    def group_for(self, event: Any) -> str:
        """The group whose channel choices apply to `event`'s notifications."""
        return self.group_of(event) if self.group_of is not None else self.group


_GROUPS: dict[str, Group] = {}
_KINDS: dict[str, Kind] = {}
_LABELS: dict[str, str | StrPromise] = {}  # kinds written directly (no event), by `register_label`


def register_group(
    code: str,
    *,
    label: str | StrPromise,
    staff: bool = True,
    customers: bool = False,
    staff_channels: tuple[str, ...] = CHANNELS,
    customer_channels: tuple[str, ...] = CHANNELS,
) -> None:
    """Add a group of events (a row of the preferences form, in registration order), with each side's default
    channels. Registering a code again replaces it."""
    if not code or len(code) > 20:
        raise ValueError("A notification group code is 1 to 20 characters.")
    unknown = (set(staff_channels) | set(customer_channels)) - set(CHANNELS)
    if unknown:
        raise ValueError(f"Unknown notification channels: {sorted(unknown)}")
    _GROUPS[code] = Group(
        code=code,
        label=label,
        staff=staff,
        customers=customers,
        staff_channels=tuple(staff_channels),
        customer_channels=tuple(customer_channels),
    )


def groups() -> list[Group]:
    return list(_GROUPS.values())


def group(code: str) -> Group | None:
    return _GROUPS.get(code)


def group_codes() -> list[str]:
    return list(_GROUPS)


def register_kind(
    kind: str,
    *,
    group: str,
    recipients: Recipients,
    content: Callable[[Any], ContentFor],
    label: str | StrPromise | None = None,
    group_of: Callable[[Any], str] | None = None,
) -> None:
    """Notify events of `kind` (add or replace its registration). The group must be registered first. `label` is
    what the outbox shows for the kind (a lazy translation). `group_of(event)`, if given, picks the group of one
    event instead (e.g. a transfer to a whole department reads as a new ticket there, not as "yours")."""
    if group not in _GROUPS:
        raise ValueError(f"Unknown notification group {group!r}")
    _KINDS[kind] = Kind(group=group, recipients=recipients, content=content, label=label, group_of=group_of)


def register_label(kind: str, label: str | StrPromise) -> None:
    """Name a kind that is written without an event (an account's email or SMS, the admins' delivery alerts), for
    the outbox's «نوع» column."""
    _LABELS[kind] = label


def kind_label(kind: str) -> str:
    """A kind as people read it («پاسخ داده شد»), in the active language; an unregistered kind as its code."""
    entry = _KINDS.get(kind)
    if entry and entry.label:
        return str(entry.label)
    return str(_LABELS.get(kind, kind))


def group_label(code: str) -> str:
    """A group of events as people read it, in the active language; an unregistered group as its code."""
    entry = _GROUPS.get(code)
    return str(entry.label) if entry else code


def kind_for(kind: str) -> Kind | None:
    """The registration of an event kind, or None when events of that kind tell nobody."""
    return _KINDS.get(kind)


def recipients_for(event: Any, kind: Kind) -> list[tuple[User, str]]:
    """The kind's recipients after the common filters, each user once (first audience wins)."""
    seen: dict[int, tuple[User, str]] = {}
    for user, audience in kind.recipients(event):
        if user is None or not user.is_active or user.pk in seen:
            continue
        if user.pk == event.actor_id and audience != ACK:
            continue
        seen[user.pk] = (user, audience)
    return list(seen.values())

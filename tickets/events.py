"""The ticket timeline: a registry of event kinds and one small constructor per kind.

A kind maps to a label, a `describe(event) -> str` that turns the event into a translated sentence
(who, from → to) and whether customers may see it. Other apps add their own kinds from their
`AppConfig.ready()`:

    from tickets import events
    events.register("limits_submitted", label=_("Increase request submitted"), describe=..., public=True)
    event = events.record(ticket=ticket, kind="limits_submitted", actor=user, data={...})

`data` stores ids *and* display names as they were at the time, so the timeline renders from one query
(`ticket.events.select_related("actor")`) and stays true after a rename.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from helpdesk.l10n import digits, format_datetime, join_list

if TYPE_CHECKING:
    from accounts.models import User

    from .models import Department, Message, Priority, Ticket, TicketEvent, TicketType

CREATED = "created"
REPLIED = "replied"
NOTED = "noted"
ASSIGNED = "assigned"
TRANSFERRED = "transferred"
STATUS = "status"
PRIORITY = "priority"
TYPE = "type"
TAGS = "tags"
PINNED = "pinned"
DUE = "due"
MERGED = "merged"
FOLLOWED = "followed"
RATED = "rated"


@dataclass(frozen=True)
class EventKind:
    kind: str
    label: Any  # lazy translation
    describe: Callable[[TicketEvent], str]
    public: bool


_REGISTRY: dict[str, EventKind] = {}


def register(kind: str, *, label, describe: Callable[[TicketEvent], str] | None = None, public: bool = False) -> None:
    """Add an event kind. Registering the same kind twice replaces it (harmless on reloads)."""
    if not kind or len(kind) > 40:
        raise ValueError("An event kind is 1 to 40 characters.")
    _REGISTRY[kind] = EventKind(kind=kind, label=label, describe=describe or _describe_by_label, public=public)


def registered_kinds() -> list[str]:
    return list(_REGISTRY)


def get_kind(kind: str) -> EventKind | None:
    return _REGISTRY.get(kind)


def label(kind: str) -> str:
    entry = _REGISTRY.get(kind)
    return str(entry.label) if entry else kind


def is_public(kind: str) -> bool:
    entry = _REGISTRY.get(kind)
    return bool(entry and entry.public)


def public_kinds() -> list[str]:
    return [k for k, entry in _REGISTRY.items() if entry.public]


def describe(event: TicketEvent) -> str:
    """The event as a sentence in the active language."""
    entry = _REGISTRY.get(event.kind)
    if entry is None:
        return event.kind
    return str(entry.describe(event))


def actor_name(event: TicketEvent) -> str:
    if event.actor_id is None:
        return gettext("The system")
    return (event.actor.full_name if event.actor else "") or gettext("A deleted user")


def build(*, ticket: Ticket, kind: str, actor: User | None = None, data: dict | None = None) -> TicketEvent:
    """One event, not yet saved (`record` saves it; a batch is saved with `record_many`)."""
    from .models import TicketEvent

    if kind not in _REGISTRY:
        raise ValueError(f"Unknown ticket event kind: {kind!r}")
    return TicketEvent(ticket=ticket, kind=kind, actor=actor, data=data or {})


def record(*, ticket: Ticket, kind: str, actor: User | None = None, data: dict | None = None) -> TicketEvent:
    """Write one event. Call inside the service's transaction, then pass the result to `notify()`."""
    event = build(ticket=ticket, kind=kind, actor=actor, data=data)
    event.save()
    return event


def record_many(built: list[TicketEvent]) -> list[TicketEvent]:
    """Write events made by `build` in one bulk insert (their primary keys are set: the outbox rows name them)."""
    from .models import TicketEvent

    return TicketEvent.objects.bulk_create(built)


# --- helpers for payloads -------------------------------------------------------------------------


def _ref(obj, attr: str = "name") -> dict | None:
    """{"id": …, "name": …} of a model instance, or None."""
    if obj is None:
        return None
    return {"id": obj.pk, "name": str(getattr(obj, attr, "") or obj)}


def _user_ref(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.full_name or str(user)}


def _name(value: dict | None, empty: str) -> str:
    return (value or {}).get("name") or empty


def _when(value: str | None) -> str:
    """An ISO datetime from `data` as the user reads it (`format_datetime`), or "none"."""
    return format_datetime(datetime.fromisoformat(value)) if value else gettext("none")


def _status_label(code: str | None) -> str:
    from .models import Status

    try:
        return str(Status(code or "").label)
    except ValueError:
        return code or ""


# --- describers -----------------------------------------------------------------------------------


def _describe_by_label(event: TicketEvent) -> str:
    return gettext("%(actor)s: %(label)s") % {"actor": actor_name(event), "label": label(event.kind)}


def _describe_created(e: TicketEvent) -> str:
    return gettext("%(actor)s created the ticket.") % {"actor": actor_name(e)}


def _describe_replied(e: TicketEvent) -> str:
    return gettext("%(actor)s replied.") % {"actor": actor_name(e)}


def _describe_noted(e: TicketEvent) -> str:
    return gettext("%(actor)s added an internal note.") % {"actor": actor_name(e)}


def _describe_assigned(e: TicketEvent) -> str:
    new = e.data.get("new")
    if new is None:
        return gettext("%(actor)s unassigned the ticket (was %(old)s).") % {
            "actor": actor_name(e),
            "old": _name(e.data.get("old"), gettext("nobody")),
        }
    return gettext("%(actor)s assigned the ticket to %(new)s (was %(old)s).") % {
        "actor": actor_name(e),
        "new": _name(new, ""),
        "old": _name(e.data.get("old"), gettext("nobody")),
    }


def _describe_transferred(e: TicketEvent) -> str:
    text = gettext("%(actor)s transferred the ticket from %(old)s to %(new)s.") % {
        "actor": actor_name(e),
        "old": _name(e.data.get("old_department"), "?"),
        "new": _name(e.data.get("new_department"), "?"),
    }
    if e.data.get("new_agent"):
        text += " " + gettext("Assigned to %(agent)s.") % {"agent": _name(e.data["new_agent"], "")}
    if e.data.get("note"):
        text += " " + gettext("Note: %(note)s") % {"note": e.data["note"]}
    return text


def _describe_status(e: TicketEvent) -> str:
    return gettext("%(actor)s changed the status from %(old)s to %(new)s.") % {
        "actor": actor_name(e),
        "old": _status_label(e.data.get("old")),
        "new": _status_label(e.data.get("new")),
    }


def _describe_priority(e: TicketEvent) -> str:
    return gettext("%(actor)s changed the priority from %(old)s to %(new)s.") % {
        "actor": actor_name(e),
        "old": _name(e.data.get("old"), gettext("none")),
        "new": _name(e.data.get("new"), gettext("none")),
    }


def _describe_type(e: TicketEvent) -> str:
    return gettext("%(actor)s changed the type from %(old)s to %(new)s.") % {
        "actor": actor_name(e),
        "old": _name(e.data.get("old"), gettext("none")),
        "new": _name(e.data.get("new"), gettext("none")),
    }


def _describe_tags(e: TicketEvent) -> str:
    added = join_list(e.data.get("added") or [])
    removed = join_list(e.data.get("removed") or [])
    values = {"actor": actor_name(e), "added": added, "removed": removed}
    if added and removed:
        return gettext("%(actor)s added the tags %(added)s and removed %(removed)s.") % values
    if removed:
        return gettext("%(actor)s removed the tags %(removed)s.") % values
    return gettext("%(actor)s added the tags %(added)s.") % values


def _describe_pinned(e: TicketEvent) -> str:
    if e.data.get("pinned"):
        return gettext("%(actor)s pinned the ticket.") % {"actor": actor_name(e)}
    return gettext("%(actor)s unpinned the ticket.") % {"actor": actor_name(e)}


def _describe_due(e: TicketEvent) -> str:
    fmt = (
        gettext("%(actor)s changed the first response due date from %(old)s to %(new)s.")
        if e.data.get("field") == "first_response_due"
        else gettext("%(actor)s changed the resolution due date from %(old)s to %(new)s.")
    )
    return fmt % {"actor": actor_name(e), "old": _when(e.data.get("old")), "new": _when(e.data.get("new"))}


def _describe_merged(e: TicketEvent) -> str:
    other = e.data.get("other") or {}
    values = {"actor": actor_name(e), "ref": other.get("reference", "?")}
    if e.data.get("direction") == "into":
        return gettext("%(actor)s merged this ticket into ticket #%(ref)s.") % values
    return gettext("%(actor)s merged ticket #%(ref)s into this ticket.") % values


def _describe_followed(e: TicketEvent) -> str:
    values = {"actor": actor_name(e), "user": _name(e.data.get("user"), "?")}
    if e.data.get("following"):
        return gettext("%(actor)s added %(user)s as a follower.") % values
    return gettext("%(actor)s removed %(user)s from the followers.") % values


def _describe_rated(e: TicketEvent) -> str:
    text = gettext("%(actor)s rated the answer %(score)s out of 5.") % {
        "actor": actor_name(e),
        "score": digits(e.data.get("score", "?")),
    }
    if e.data.get("comment"):
        text += " " + gettext("Comment: %(comment)s") % {"comment": e.data["comment"]}
    return text


register(CREATED, label=_("Created"), describe=_describe_created, public=True)
register(REPLIED, label=_("Replied"), describe=_describe_replied, public=True)
register(NOTED, label=_("Internal note"), describe=_describe_noted)
register(ASSIGNED, label=_("Assigned"), describe=_describe_assigned)
register(TRANSFERRED, label=_("Transferred"), describe=_describe_transferred)
register(STATUS, label=_("Status changed"), describe=_describe_status, public=True)
register(PRIORITY, label=_("Priority changed"), describe=_describe_priority)
register(TYPE, label=_("Type changed"), describe=_describe_type)
register(TAGS, label=_("Tags changed"), describe=_describe_tags)
register(PINNED, label=_("Pinned"), describe=_describe_pinned)
register(DUE, label=_("Due date changed"), describe=_describe_due)
register(MERGED, label=_("Merged"), describe=_describe_merged, public=True)
register(FOLLOWED, label=_("Followers changed"), describe=_describe_followed)
register(RATED, label=_("Rated"), describe=_describe_rated)


# --- constructors (one per kind) ------------------------------------------------------------------


def event_created(*, ticket: Ticket, actor: User | None) -> TicketEvent:
    return record(
        ticket=ticket,
        kind=CREATED,
        actor=actor,
        data={"channel": ticket.channel, "status": ticket.status, "internal": ticket.is_internal},
    )


def event_replied(
    *,
    ticket: Ticket,
    actor: User | None,
    message: Message,
    old_status: str | None = None,
    new_status: str | None = None,
) -> TicketEvent:
    """`new_status`: the status the reply moved the ticket to (recorded also as a `status` event)."""
    data = {"message": message.pk, "channel": message.channel}
    if new_status is not None:
        data["status"] = {"old": str(old_status), "new": str(new_status)}
    return record(ticket=ticket, kind=REPLIED, actor=actor, data=data)


def event_noted(*, ticket: Ticket, actor: User | None, message: Message) -> TicketEvent:
    return record(ticket=ticket, kind=NOTED, actor=actor, data={"message": message.pk})


def event_assigned(*, ticket: Ticket, actor: User | None, old: User | None, new: User | None) -> TicketEvent:
    return record(ticket=ticket, kind=ASSIGNED, actor=actor, data={"old": _user_ref(old), "new": _user_ref(new)})


def event_transferred(
    *,
    ticket: Ticket,
    actor: User | None,
    old_department: Department,
    new_department: Department,
    old_agent: User | None = None,
    new_agent: User | None = None,
    note: str = "",
) -> TicketEvent:
    return record(
        ticket=ticket,
        kind=TRANSFERRED,
        actor=actor,
        data={
            "old_department": _ref(old_department),
            "new_department": _ref(new_department),
            "old_agent": _user_ref(old_agent),
            "new_agent": _user_ref(new_agent),
            "note": note,
        },
    )


def event_status(*, ticket: Ticket, actor: User | None, old: str, new: str) -> TicketEvent:
    return record(ticket=ticket, kind=STATUS, actor=actor, data={"old": str(old), "new": str(new)})


def event_priority(*, ticket: Ticket, actor: User | None, old: Priority | None, new: Priority | None) -> TicketEvent:
    return record(ticket=ticket, kind=PRIORITY, actor=actor, data={"old": _ref(old), "new": _ref(new)})


def event_type(*, ticket: Ticket, actor: User | None, old: TicketType | None, new: TicketType | None) -> TicketEvent:
    return record(ticket=ticket, kind=TYPE, actor=actor, data={"old": _ref(old), "new": _ref(new)})


def event_tags(*, ticket: Ticket, actor: User | None, added: Iterable[str], removed: Iterable[str]) -> TicketEvent:
    return record(ticket=ticket, kind=TAGS, actor=actor, data={"added": sorted(added), "removed": sorted(removed)})


def event_pinned(*, ticket: Ticket, actor: User | None, pinned: bool) -> TicketEvent:
    return record(ticket=ticket, kind=PINNED, actor=actor, data={"pinned": bool(pinned)})


def event_due(
    *, ticket: Ticket, actor: User | None, field: str, old: datetime | None, new: datetime | None
) -> TicketEvent:
    return record(
        ticket=ticket,
        kind=DUE,
        actor=actor,
        data={"field": field, "old": old.isoformat() if old else None, "new": new.isoformat() if new else None},
    )


def event_merged(*, ticket: Ticket, actor: User | None, other: Ticket, direction: str) -> TicketEvent:
    if direction not in ("into", "from"):
        raise ValueError("direction is 'into' or 'from'")
    return record(
        ticket=ticket,
        kind=MERGED,
        actor=actor,
        data={"other": {"id": other.pk, "reference": other.reference}, "direction": direction},
    )


def event_followed(*, ticket: Ticket, actor: User | None, user: User, following: bool) -> TicketEvent:
    return record(ticket=ticket, kind=FOLLOWED, actor=actor, data={"user": _user_ref(user), "following": following})


def event_rated(*, ticket: Ticket, actor: User | None, score: int, comment: str) -> TicketEvent:
    return record(ticket=ticket, kind=RATED, actor=actor, data={"score": score, "comment": comment})

"""Who hears about a ticket event, and in which words (F20, G4, B3): the tickets app's registrations with the
generic `notifications` app, made from `TicketsConfig.ready()` by `register()`.

A rule maps an event to `(user, audience)` pairs; the audience picks the wording: `REQUESTER` for the customer's
side, `FOLLOWER` for the requester's colleagues who follow the ticket (the same public events as the requester, in
their own words and without the satisfaction-rating link, which is the requester's), `STAFF` for the people working
the ticket, `registry.ACK` for the requester's receipt of a new ticket (sent even when they filed it themselves,
B3). Besides the generic filters (inactive users, duplicates, one's own
action: `notifications.registry`), customers never hear of internal tickets or of events they may not see (notes,
assignment, …).

Every notification about a ticket carries what its email needs, computed here when the row is written: the
`[#reference]` subject tag email-in matches replies on, a Reply-To with the ticket's signed token, and the
Message-ID of the thread (the ticket's first email, else a stable made-up one); its target is the ticket.

Other apps notify their own kinds of ticket events with `register_kind()` (e.g. `limits/notifications.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from helpdesk.l10n import digits
from notifications import registry
from notifications.registry import ACK, Recipients
from notifications.render import Content
from notifications.tokens import reply_address

from . import csat, events, hooks
from .models import Message, Status
from .services.sla import DIGEST, ESCALATED, SLA_BREACH, SLA_WARNING

if TYPE_CHECKING:
    from .models import Department, Ticket, TicketEvent

REQUESTER = "requester"
FOLLOWER = "follower"
STAFF = "staff"

# The groups of ticket events people choose channels for (the rows of the preferences form).
NEW_TICKET = "new_ticket"
REPLY = "reply"
NOTE = "note"
ASSIGNMENT = "assignment"
STATUS = "status"
SLA = "sla"

NO_SMS = ("email", "panel")


# --- helpers ------------------------------------------------------------------------------------------------------


def _is_staff(user: User) -> bool:
    return bool(user.is_employee or user.is_superuser)


def _department_members(department: Department) -> list[User]:
    return list(department.members.filter(is_active=True))


def _department_supervisors(department: Department) -> list[User]:
    return list(department.supervisors.filter(is_active=True))


def _user(pk) -> User | None:
    if not pk:
        return None
    return User.objects.filter(pk=pk).first()


def _followers(ticket: Ticket) -> list[User]:
    return list(ticket.followers.filter(is_active=True))


def _follower_audience(user: User, ticket: Ticket) -> str:
    """How a follower is told: staff as staff, the requester as the requester, other customers as followers."""
    if user.pk == ticket.requester_id:
        return REQUESTER
    return STAFF if _is_staff(user) else FOLLOWER


def _assignee_or_department(ticket: Ticket) -> list[User]:
    if ticket.assignee is not None:
        return [ticket.assignee]
    return _department_members(ticket.department)


def _customer_side(event: TicketEvent) -> bool:
    """Did the customer's side act? (a customer, or the requester of an internal ticket)"""
    actor = event.actor
    if actor is None:
        return False
    return not _is_staff(actor) or actor.pk == event.ticket.requester_id


# --- rules --------------------------------------------------------------------------------------------------------


def _assigned_while_created(event: TicketEvent) -> int | None:
    """The assignee that a hook (a rule, round-robin) gave the new ticket, if it still holds it: the `assigned`
    event told them already ("assigned to you", in the assignment group)."""
    ticket = event.ticket
    if not ticket.assignee_id:
        return None
    later = ticket.events.filter(kind=events.ASSIGNED, pk__gt=event.pk).order_by("-pk").first()
    new = (later.data.get("new") or {}).get("id") if later else None
    return new if new == ticket.assignee_id else None


def _created(event: TicketEvent):
    """Notified after the `on_ticket_created` hooks: the department and assignee are those the ticket ended up
    with (a rule's transfer tells nobody by itself, see `_transferred`)."""
    ticket = event.ticket
    if not ticket.is_internal and ticket.requester_id:
        yield ticket.requester, ACK
    if ticket.is_internal:  # addressed to an agent, or else to the department
        staff = _assignee_or_department(ticket)
    else:
        staff = _department_members(ticket.department)
        if ticket.assignee is not None:
            staff.append(ticket.assignee)
    told = _assigned_while_created(event)
    for user in staff:
        if user.pk != told:
            yield user, STAFF


def _replied(event: TicketEvent):
    ticket = event.ticket
    if _customer_side(event):
        for user in _assignee_or_department(ticket):
            yield user, STAFF
        if ticket.requester_id and not ticket.is_internal:
            yield ticket.requester, REQUESTER  # a colleague who follows the ticket answered (the actor is dropped)
    elif ticket.requester_id:
        yield ticket.requester, REQUESTER
    for user in _followers(ticket):
        yield user, _follower_audience(user, ticket)


def _noted(event: TicketEvent):
    ticket = event.ticket
    if ticket.assignee_id:
        yield ticket.assignee, STAFF
    for user in _followers(ticket):
        yield user, STAFF  # customers are dropped by the visibility filter


def _assigned(event: TicketEvent):
    yield _user((event.data.get("new") or {}).get("id")), STAFF


def _transfer_group(event: TicketEvent) -> str:
    """A transfer to a named agent is theirs (the assignment group); one to a whole department is, for its members,
    a new ticket there (the new-ticket group: no SMS to every agent by default)."""
    return ASSIGNMENT if (event.data.get("new_agent") or {}).get("id") else NEW_TICKET


def _transferred(event: TicketEvent):
    if hooks.being_created(event.ticket_id):
        return  # a rule moved the ticket being filed: the new-ticket notice goes to where it ends up
    agent = _user((event.data.get("new_agent") or {}).get("id"))
    if agent is not None:
        yield agent, STAFF
        return
    for user in _department_members(event.ticket.department):
        yield user, STAFF


def requester_only(event: TicketEvent):
    """The ticket's requester (e.g. status changes; the Article 6 steps, which go to the seller)."""
    if event.ticket.requester_id:
        yield event.ticket.requester, REQUESTER


def _status_changed(event: TicketEvent):
    """The requester, and the customers who follow the ticket (G6: a colleague hears what the requester hears)."""
    yield from requester_only(event)
    for user in _followers(event.ticket):
        if not _is_staff(user):
            yield user, _follower_audience(user, event.ticket)


RECIPIENTS = "_recipients"


def with_recipients(event: TicketEvent, users: list[User]) -> TicketEvent:
    """Hand `_sla` the users to notify of an SLA event (already loaded by the scan): those its `data["recipients"]`
    names, less the ones the scan summarises in a digest."""
    event.__dict__[RECIPIENTS] = users
    return event


def recipients_of(event: TicketEvent) -> list[User]:
    """The users `with_recipients` handed to the event."""
    return event.__dict__[RECIPIENTS]


def _sla(event: TicketEvent):
    """SLA warning/breach/escalation (the SLA issue): the users named in `data["recipients"]` (ids), else the
    assignee, else the department's supervisors."""
    ids = event.data.get("recipients") or []
    if ids:
        loaded = event.__dict__.get(RECIPIENTS)  # the scan read them already (`with_recipients`)
        for user in loaded if loaded is not None else User.objects.filter(pk__in=ids):
            yield user, STAFF
        return
    ticket = event.ticket
    staff = [ticket.assignee] if ticket.assignee_id else _department_supervisors(ticket.department)
    for user in staff:
        yield user, STAFF


def _visible(recipients: Recipients, event: TicketEvent) -> Iterable[tuple[User | None, str]]:
    """The rule's recipients without the customers who may not see the event (or the ticket)."""
    public = events.is_public(event.kind) and not event.ticket.is_internal
    for user, audience in recipients(event):
        if user is not None and not public and not _is_staff(user):
            continue
        yield user, audience


# --- what they read -----------------------------------------------------------------------------------------------


def ticket_path(ticket: Ticket) -> str:
    try:
        return reverse("tickets:detail", args=[ticket.reference])
    except NoReverseMatch:
        return ""


def thread_root_id(ticket: Ticket) -> str:
    """The Message-ID our mails about a ticket refer to: the ticket's first email, else a stable made-up one
    (read with the ticket when `preload_thread_roots` ran for it)."""
    if THREAD_ROOT in ticket.__dict__:
        root = ticket.__dict__[THREAD_ROOT]
    else:
        first = (
            ticket.messages.exclude(message_id=None).order_by("created_at", "pk").values_list("message_id", flat=True)
        )
        root = first.first()
    if root:
        return root
    domain = getattr(settings, "MAIL_ID_DOMAIN", "") or "helpdesk.localhost"
    return f"<ticket.{ticket.reference}@{domain}>"


THREAD_ROOT = "_thread_root"


def preload_thread_roots(tickets: Iterable[Ticket]) -> None:
    """Read the thread roots of many tickets in one query (a batch of the SLA scan notifies them all at once)."""
    by_pk = {ticket.pk: ticket for ticket in tickets}
    for ticket in by_pk.values():
        ticket.__dict__[THREAD_ROOT] = None
    rows = (
        Message.objects.filter(ticket_id__in=list(by_pk))
        .exclude(message_id=None)
        .order_by("-created_at", "-pk")
        .values_list("ticket_id", "message_id")
    )
    for ticket_id, message_id in rows:  # newest first: the first message of each ticket is written last
        by_pk[ticket_id].__dict__[THREAD_ROOT] = message_id


def quoted_message(event: TicketEvent) -> Message | None:
    """The message an event carries (a reply, a note, or a new ticket's first message), or None."""
    if event.kind in (events.REPLIED, events.NOTED):
        pk = event.data.get("message")
        return Message.objects.filter(pk=pk).first() if pk else None
    if event.kind == events.CREATED:
        return event.ticket.messages.order_by("created_at", "pk").first()
    return None


def _title_and_text(event: TicketEvent, audience: str) -> tuple[str, str]:
    ticket = event.ticket
    values = {
        "subject": ticket.subject,
        "ref": digits(ticket.reference),
        "actor": events.actor_name(event),
        "department": ticket.department.name,
    }
    kind = event.kind
    if kind == events.CREATED and audience == ACK:
        return gettext("Your request was received"), gettext(
            "Your request «%(subject)s» was registered with the tracking number %(ref)s. "
            "We will answer you as soon as possible."
        ) % values
    if kind == events.CREATED:
        if ticket.is_internal:
            return gettext("New internal ticket"), gettext(
                "%(actor)s opened an internal ticket in %(department)s: «%(subject)s»."
            ) % values
        values["requester"] = ticket.requester.full_name if ticket.requester else values["actor"]
        return gettext("New ticket"), gettext(
            "%(requester)s filed a new ticket in %(department)s: «%(subject)s»."
        ) % values
    if kind == events.REPLIED and audience == REQUESTER:
        return gettext("New reply to your request"), gettext(
            "%(actor)s replied to your request «%(subject)s»."
        ) % values
    if kind == events.REPLIED and audience == FOLLOWER:
        return gettext("New reply to a ticket you follow"), gettext(
            "%(actor)s replied to the ticket «%(subject)s» that you follow."
        ) % values
    if kind == events.REPLIED:
        return gettext("New reply"), gettext("%(actor)s replied to the ticket «%(subject)s».") % values
    if kind == events.ASSIGNED:
        return gettext("A ticket was assigned to you"), events.describe(event)
    if kind == events.STATUS and audience in (REQUESTER, FOLLOWER):
        try:
            values["status"] = str(Status(event.data.get("new")).label)
        except ValueError:
            values["status"] = str(event.data.get("new") or "")
        if audience == FOLLOWER:
            return gettext("The status of a ticket you follow changed"), gettext(
                "The status of the ticket «%(subject)s» that you follow is now: %(status)s."
            ) % values
        return gettext("The status of your request changed"), gettext(
            "The status of your request «%(subject)s» is now: %(status)s."
        ) % values
    return events.label(kind), events.describe(event)


def ticket_content(event: TicketEvent):
    """`registry` content of a ticket event: what every recipient shares (the ticket, the quoted message, the
    thread) is read once here; the returned function writes each recipient's title and sentence."""
    ticket = event.ticket
    message = quoted_message(event)
    shared: dict[str, Any] = {
        "about": ticket.subject,
        "reference": ticket.reference,
        # The tag keeps Latin digits in every language: replies are matched on it (`[#1234567]`).
        "subject_tag": f"[#{ticket.reference}]",
        "quote_text": message.body if message else "",
        "quote_html": str(message.html) if message else "",
        "link": ticket_path(ticket),
        "reply_to": reply_address(ticket.pk),
        "thread_id": thread_root_id(ticket),
        "target": ticket,
    }

    rating_link = _rating_link(event)

    def content(user: User, audience: str) -> Content:
        title, text = _title_and_text(event, audience)
        if rating_link and audience == REQUESTER:
            # The customer is asked to rate the answer: the link (email, SMS and panel) opens the rating page.
            ask = gettext("How did we do? Rate our answer from 1 to 5 with this link.")
            text = f"{text} {ask}"
            return Content(title=title, text=text, **{**shared, "link": rating_link})
        return Content(title=title, text=text, **shared)

    return content


def _resolves(event: TicketEvent) -> bool:
    """The event resolved the ticket: a status change to resolved, or a reply that resolved it."""
    if event.kind == events.STATUS:
        return event.data.get("new") == Status.RESOLVED
    if event.kind == events.REPLIED:
        return (event.data.get("status") or {}).get("new") == Status.RESOLVED
    return False


def _rating_link(event: TicketEvent) -> str:
    """The satisfaction-rating page (`tickets.csat`) when this event resolved the ticket, else ""."""
    return csat.rating_path(event.ticket) if _resolves(event) else ""


# --- registration -------------------------------------------------------------------------------------------------


def register_kind(
    kind: str, *, group: str, recipients: Recipients, group_of: Callable[[Any], str] | None = None
) -> None:
    """Notify ticket events of `kind` to `recipients(event)` (filtered by what customers may see), in the ticket's
    words: its subject, tracking number and link, the quoted message, the event's label and sentence."""
    registry.register_kind(
        kind,
        group=group,
        recipients=partial(_visible, recipients),
        content=ticket_content,
        label=lazy(events.label, str)(kind),  # the event kind's label, in the language of the page that shows it
        group_of=group_of,
    )


def register() -> None:
    """The groups and kinds of the tickets app (`TicketsConfig.ready()`)."""
    # SMS costs money per message: staff get it by default only for what is theirs (assigned or transferred to
    # them, deadlines and escalations); everything else by email and in the panel, a transfer to a whole department
    # included (`_transfer_group`). Customers get every channel.
    registry.register_group(NEW_TICKET, label=_("New tickets"), customers=True, staff_channels=NO_SMS)
    registry.register_group(REPLY, label=_("Replies"), customers=True, staff_channels=NO_SMS)
    registry.register_group(NOTE, label=_("Internal notes"), staff_channels=NO_SMS)
    registry.register_group(ASSIGNMENT, label=_("Assignments and transfers"))
    registry.register_group(STATUS, label=_("Status changes"), customers=True, staff_channels=NO_SMS)
    registry.register_group(SLA, label=_("Deadlines and escalations"))
    register_kind(events.CREATED, group=NEW_TICKET, recipients=_created)
    register_kind(events.REPLIED, group=REPLY, recipients=_replied)
    register_kind(events.NOTED, group=NOTE, recipients=_noted)
    register_kind(events.ASSIGNED, group=ASSIGNMENT, recipients=_assigned)
    register_kind(events.TRANSFERRED, group=ASSIGNMENT, recipients=_transferred, group_of=_transfer_group)
    register_kind(events.STATUS, group=STATUS, recipients=_status_changed)
    for kind in (SLA_WARNING, SLA_BREACH, ESCALATED):
        register_kind(kind, group=SLA, recipients=_sla)
    registry.register_label(DIGEST, _("SLA digest"))

"""One ticket: the page (customer or staff view), the thread, and the customer's own actions.

Every view finds the ticket through `permissions.visible_tickets(user)` (404 when not visible) and calls one
service. Staff-only actions are in `tickets.views.staff_actions`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import hooks, permissions, presence, selectors, services
from ..forms import CannedInsertForm, MergeForm, ReplyForm, StaffReplyForm, TicketUpdateForm
from ..models import Channel, Ticket
from ._common import run_service, to_ticket, visible_ticket

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def _load(request, reference: str) -> Ticket:
    try:
        return selectors.ticket_for_page(user=request.user, reference=reference)
    except Ticket.DoesNotExist:
        raise Http404 from None


def _customer_follow(user: User, ticket: Ticket) -> dict[str, bool]:
    """The portal's follow toggle (G6): for a colleague who sees the ticket through the organisation's sharing (or
    was added by staff), not for the requester, who hears of everything anyway. A closed ticket can only be
    unfollowed. (`Ticket.follower_list`, read once a page.)"""
    following = ticket.is_followed_by(user)
    offered = user.pk != ticket.requester_id and (following or not ticket.is_closed)
    return {"offered": offered, "following": following}


def _customer_context(request, ticket: Ticket, *, reply_form=None) -> dict:
    user = request.user
    page = selectors.ticket_page(user=user, ticket=ticket, with_events=True)
    return {
        "follow": _customer_follow(user, ticket),
        "ticket": ticket,
        "page": page,
        "reply_form": reply_form or ReplyForm(),
        "can_reply": permissions.can_reply(user, ticket),
        "can_close": permissions.can_close(user, ticket),
        "can_reopen": permissions.can_reopen(user, ticket),
    }


def staff_permissions(user: User | AnonymousUser, ticket: Ticket) -> dict[str, bool]:
    """What the staff page offers (asked once per page; the services check again)."""
    return {
        "reply": permissions.can_reply(user, ticket),
        "note": permissions.can_note(user, ticket),
        "assign": permissions.can_assign(user, ticket),
        "transfer": permissions.can_transfer(user, ticket),
        "status": permissions.can_change_status(user, ticket),
        "edit": permissions.can_edit(user, ticket),
        "merge": permissions.can_merge(user, ticket),
        "close": permissions.can_close(user, ticket),
        "reopen": permissions.can_reopen(user, ticket),
    }


def staff_context(request, ticket: Ticket, *, reply_form=None, update_form=None, newer=None, **extra) -> dict:
    user = request.user
    page = selectors.ticket_page(user=user, ticket=ticket, with_events=True)
    if reply_form is None:
        reply_form = StaffReplyForm(ticket=ticket, initial={"last_seen": page.last_public_message_id})
    presence.touch(ticket_id=ticket.pk, user=user)
    context = {
        "ticket": ticket,
        "page": page,
        "perms": staff_permissions(user, ticket),
        "reply_form": reply_form,
        "newer_messages": newer or [],
        "canned_form": CannedInsertForm(user=user, ticket=ticket),
        "update_form": update_form or TicketUpdateForm(ticket=ticket),
        "choices": selectors.queue_choices(),  # the sidebar's lists, cached (the form's querysets only validate)
        "merge_form": MergeForm(user=user),
        "is_following": ticket.is_followed_by(user),
        "others": presence.others(ticket_id=ticket.pk, user=user),
        "presence_poll_seconds": presence.POLL_SECONDS,
        "panels": hooks.panels_for(request, hooks.STAFF_REPLY, hooks.STAFF_SIDE, hooks.STAFF_MESSAGE, ticket=ticket),
    }
    context.update(extra)
    return context


def render_staff_page(request, ticket: Ticket, *, status: int = 200, **kwargs):
    return render(request, "tickets/staff_ticket.html", staff_context(request, ticket, **kwargs), status=status)


def render_customer_page(request, ticket: Ticket, *, status: int = 200, **kwargs):
    return render(request, "tickets/customer_ticket.html", _customer_context(request, ticket, **kwargs), status=status)


@login_required
@require_GET
def ticket_detail(request, reference: str):
    ticket = _load(request, reference)
    if permissions.is_staff_user(request.user):
        return render_staff_page(request, ticket)
    return render_customer_page(request, ticket)


# --- the thread -----------------------------------------------------------------------------------------


def _newer_public_replies(request, ticket: Ticket, form: StaffReplyForm) -> list:
    """B7: public replies that arrived after the agent loaded the page (unless they confirmed sending)."""
    if form.cleaned_data.get("confirm"):
        return []
    last_seen = form.cleaned_data.get("last_seen") or 0
    return selectors.public_messages_after(ticket=ticket, message_id=last_seen)


def _staff_reply(request, ticket: Ticket):
    form = StaffReplyForm(request.POST, request.FILES, ticket=ticket)
    if not form.is_valid():
        return render_staff_page(request, _load(request, ticket.reference), reply_form=form, status=400)
    newer = _newer_public_replies(request, ticket, form)
    if newer:
        # Nothing is sent: show what arrived, keep the draft, and let a second submit confirm.
        data = request.POST.copy()
        data["confirm"] = "1"
        data["last_seen"] = str(max(m.pk for m in newer))
        kept = StaffReplyForm(data, ticket=ticket)
        kept.is_valid()
        return render_staff_page(request, _load(request, ticket.reference), reply_form=kept, newer=newer, status=409)
    try:
        services.reply_add(
            ticket=ticket,
            author=request.user,
            body=form.cleaned_data["body"],
            attachments=form.cleaned_data["attachments"],
            channel=Channel.STAFF,
            status=form.cleaned_data["status"] or None,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return render_staff_page(request, _load(request, ticket.reference), reply_form=form, status=400)
    presence.leave(ticket_id=ticket.pk, user=request.user)
    messages.success(request, _("Your reply was sent."))
    return to_ticket(ticket, "thread-end")


def _customer_reply(request, ticket: Ticket):
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.reply_add(
                ticket=ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
                channel=Channel.WEB,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your reply was sent."))
            return to_ticket(ticket, "thread-end")
    return render_customer_page(request, _load(request, ticket.reference), reply_form=form, status=400)


@login_required
@require_POST
def ticket_reply(request, reference: str):
    """A public reply: `reply_add`. Staff replies carry the B7 "newer reply" check and an optional status."""
    ticket = visible_ticket(request, reference)
    if permissions.is_staff_user(request.user):
        return _staff_reply(request, ticket)
    return _customer_reply(request, ticket)


@login_required
@require_POST
def ticket_close(request, reference: str):
    ticket = visible_ticket(request, reference)
    return run_service(
        request, ticket, lambda: services.ticket_close(ticket=ticket, actor=request.user), _("The ticket was closed.")
    )


@login_required
@require_POST
def ticket_reopen(request, reference: str):
    ticket = visible_ticket(request, reference)
    return run_service(
        request,
        ticket,
        lambda: services.ticket_reopen(ticket=ticket, actor=request.user),
        _("The ticket was reopened."),
    )


@login_required
@require_POST
def ticket_follow(request, reference: str):
    ticket = visible_ticket(request, reference)
    return run_service(
        request,
        ticket,
        lambda: services.follower_add(ticket=ticket, user=request.user, actor=request.user),
        _("You now follow this ticket."),
    )


@login_required
@require_POST
def ticket_unfollow(request, reference: str):
    ticket = visible_ticket(request, reference)
    return run_service(
        request,
        ticket,
        lambda: services.follower_remove(ticket=ticket, user=request.user, actor=request.user),
        _("You no longer follow this ticket."),
    )

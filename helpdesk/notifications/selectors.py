"""Reads for the panel (bell, list) and for email-in (which ticket a Message-ID belongs to)."""

from __future__ import annotations

from django.db.models import QuerySet

from helpdesk.models import Notification


def panel_notifications(*, user) -> QuerySet[Notification]:
    """The user's own panel notifications, newest first. Every panel lookup starts here (others' rows: 404)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.PANEL).order_by(
        "-created_at", "-pk"
    )


def unread_count(*, user) -> int:
    return panel_notifications(user=user).filter(read_at__isnull=True).count()


def ticket_id_for_message_id(message_id: str) -> int | None:
    """The ticket an email we sent (by its Message-ID) was about — for matching `In-Reply-To`/`References`."""
    row = (
        Notification.objects.filter(channel=Notification.Channel.EMAIL, provider_message_id=message_id.strip())
        .exclude(event=None)
        .values_list("event__ticket_id", flat=True)
        .first()
    )
    return row

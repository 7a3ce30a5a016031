"""Reads for the panel (bell, list) and for email-in (what an email we sent, by its Message-ID, was about)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from .models import Notification


def panel_notifications(*, user) -> QuerySet[Notification]:
    """The user's own panel notifications, newest first. Every panel lookup starts here (others' rows: 404).
    A panel row is delivered when written (`sent`); one whose message could not be rendered is `failed` and only
    shown in the admin."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(
        recipient=user, channel=Notification.Channel.PANEL, state=Notification.State.SENT
    ).order_by("-created_at", "-pk")


def unread_count(*, user) -> int:
    return panel_notifications(user=user).filter(read_at__isnull=True).count()


def target_id_for_message_id(*, message_id: str, model: type[Model]) -> int | None:
    """The id of the `model` instance an email we sent (by its Message-ID) was about — for matching
    `In-Reply-To`/`References` (e.g. `model=Ticket`)."""
    return (
        Notification.objects.filter(
            channel=Notification.Channel.EMAIL,
            provider_message_id=message_id.strip(),
            target_type=ContentType.objects.get_for_model(model),
        )
        .values_list("target_id", flat=True)
        .first()
    )

"""Reads for the panel (bell, list) and for email-in (what an email we sent, by its Message-ID, was about)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from .models import Notification

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def panel_notifications(*, user: User | AnonymousUser) -> QuerySet[Notification]:
    """The user's own panel notifications, newest first. Every panel lookup starts here (others' rows: 404)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.PANEL).order_by(
        "-created_at", "-pk"
    )


def unread_count(*, user: User | AnonymousUser) -> int:
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

"""anymail's inbound signal → `inbound.services.email_receive`: the message is stored (and its processing queued)
before the webhook answers; a receiver that raises makes the webhook answer 500 and the ESP retry, which is right
only when storing failed (the database), never for a message we cannot read (`inbound.webhooks` answers 400)."""

from __future__ import annotations

from .services import email_receive


def anymail_inbound(sender, event, esp_name, **kwargs) -> None:
    email_receive(message=event.message, esp_name=esp_name)

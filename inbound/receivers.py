"""anymail's inbound signal → `inbound.services.email_receive`.

Fast and idempotent: a receiver that raises makes the webhook answer 500 and the ESP retry.
"""

from __future__ import annotations

from .services import email_receive


def anymail_inbound(sender, event, esp_name, **kwargs) -> None:
    email_receive(message=event.message, esp_name=esp_name)

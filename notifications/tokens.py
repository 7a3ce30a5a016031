"""The signed token in our `Reply-To` address, e.g. `support+123.5f1c…@inbound.example.com`: it names what the
email was about (a notification's target id; the ticket, for ticket events), so a reply finds its way back.

Email-in reads it back with `target_id_from_address()` / `target_id_from_token()`. The signature is an HMAC of the
id (`django.core.signing` with its own salt, keyed by SECRET_KEY); it is written in lower-case hex and the
separator is a dot, because the local part of an address must stay valid and some mail servers lower-case it.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

# The salt of the first version (notifications/): changing it would void the Reply-To of every email sent.
SALT = "helpdesk.notifications.reply-to"
SIGNATURE_LENGTH = 20  # hex characters: 80 bits


class ReplyTokenSigner(signing.Signer):
    def signature(self, value, key=None):
        key = key or self.key
        digest = salted_hmac(self.salt + "signer", value, key, algorithm=self.algorithm).hexdigest()
        return digest[:SIGNATURE_LENGTH]


def _signer() -> ReplyTokenSigner:
    return ReplyTokenSigner(salt=SALT, sep=".")


def reply_token(target_id: int) -> str:
    return _signer().sign(str(int(target_id)))


def target_id_from_token(token: str) -> int | None:
    """The id a token was made for, or None when it is not one of ours (or was tampered with)."""
    try:
        value = _signer().unsign((token or "").strip().lower())
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def reply_address(target_id: int) -> str:
    """`INBOUND_EMAIL_ADDRESS` with the id's token as plus-address; "" when no inbound address is set."""
    inbound = getattr(settings, "INBOUND_EMAIL_ADDRESS", "")
    if not inbound or "@" not in inbound:
        return ""
    local, domain = inbound.rsplit("@", 1)
    return f"{local}+{reply_token(target_id)}@{domain}"


_PLUS = re.compile(r"\+([0-9]+\.[0-9a-fA-F]+)@")


def target_id_from_address(address: str) -> int | None:
    """The id in a plus-address we made (`support+<token>@…`), or None."""
    match = _PLUS.search(address or "")
    return target_id_from_token(match.group(1)) if match else None

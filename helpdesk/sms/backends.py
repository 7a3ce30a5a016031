"""SMS backends: one small interface, three implementations.

- `console` (development): writes the message to the log.
- `locmem` (tests): keeps messages in `helpdesk.sms.backends.outbox`; `inbox` feeds `receive()`.
- `kavenegar` (production): our `KavenegarClient` with a timeout and a configurable base URL.

Backends raise one of three errors, so callers never see a gateway's codes:
`SmsTemporaryError` (try again later), `SmsRejected` (this message can never go: bad number, empty text …) and
`SmsAccountError` (the account needs a person: no credit, key or line invalid …).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .kavenegar import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, KavenegarClient, KavenegarError

logger = logging.getLogger("helpdesk.sms")

ALIASES = {
    "console": "helpdesk.sms.backends.ConsoleBackend",
    "locmem": "helpdesk.sms.backends.LocmemBackend",
    "kavenegar": "helpdesk.sms.backends.KavenegarBackend",
}


class SmsError(Exception):
    def __init__(self, reason: str, *, code: int | None = None):
        self.reason = reason
        self.code = code
        super().__init__(reason)


class SmsTemporaryError(SmsError):
    """Network trouble, a timeout, a 5xx or the gateway's "try later": retry with back-off."""


class SmsRejected(SmsError):
    """This message cannot be sent (invalid number, empty or too long text …): don't retry."""


class SmsAccountError(SmsError):
    """The account needs attention (no credit, invalid key, line or IP …): park and alert an admin."""


@dataclass(frozen=True)
class SentSms:
    message_id: str
    status: int | None = None
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class IncomingSms:
    """One received message (for SMS-in polling)."""

    message_id: str
    sender: str
    receptor: str
    text: str
    received_at: datetime | None = None
    raw: dict = field(default_factory=dict)


class BaseSmsBackend:
    def send(self, *, to: str, text: str, local_id: str) -> SentSms:
        """Send one message. `local_id` is our id for it (the outbox row), used to find it again."""
        raise NotImplementedError

    def find_sent(self, *, local_id: str) -> SentSms | None:
        """The message sent earlier with `local_id`, if the gateway has it (to decide before re-sending)."""
        return None

    def receive(self, *, line: str | None = None, mark_read: bool = True) -> list[IncomingSms]:
        """Messages received on `line` (default: our sender line) that were not read yet."""
        return []


class ConsoleBackend(BaseSmsBackend):
    def send(self, *, to: str, text: str, local_id: str) -> SentSms:
        logger.info("SMS to %s (local id %s):\n%s", to, local_id, text)
        return SentSms(message_id=f"console-{local_id}")


# The locmem backend's mailbox (like django.core.mail.outbox). Tests reset it.
outbox: list[dict] = []
inbox: list[IncomingSms] = []
_lock = threading.Lock()


class LocmemBackend(BaseSmsBackend):
    def send(self, *, to: str, text: str, local_id: str) -> SentSms:
        with _lock:
            outbox.append({"to": to, "text": text, "local_id": str(local_id)})
            return SentSms(message_id=f"locmem-{len(outbox)}")

    def find_sent(self, *, local_id: str) -> SentSms | None:
        with _lock:
            for index, sms in enumerate(outbox, start=1):
                if sms["local_id"] == str(local_id):
                    return SentSms(message_id=f"locmem-{index}")
        return None

    def receive(self, *, line: str | None = None, mark_read: bool = True) -> list[IncomingSms]:
        with _lock:
            messages = list(inbox)
            if mark_read:
                inbox.clear()
        return messages


# Kavenegar's `return.status` codes (docs/integrations.md §1.4). Anything else that is not 200 is permanent.
KAVENEGAR_TEMPORARY = frozenset({402, 409, 451})
KAVENEGAR_ACCOUNT = frozenset({401, 403, 407, 412, 416, 418, 424, 426, 427, 429, 432, 501})
# Message statuses (sms/status, sms/statuslocalmessageid): 100 means "no such message".
KAVENEGAR_STATUS_UNKNOWN = 100


def classify_kavenegar(error: KavenegarError) -> SmsError:
    reason = f"[{error.code}] {error.message}" if error.code is not None else error.message
    if error.code is None:
        http = error.http_status
        if http is None or http >= 500 or http in (408, 429):
            return SmsTemporaryError(reason)
        return SmsRejected(reason)
    if error.code in KAVENEGAR_TEMPORARY:
        return SmsTemporaryError(reason, code=error.code)
    if error.code in KAVENEGAR_ACCOUNT:
        return SmsAccountError(reason, code=error.code)
    return SmsRejected(reason, code=error.code)


class KavenegarBackend(BaseSmsBackend):
    def __init__(self):
        api_key = getattr(settings, "KAVENEGAR_API_KEY", "")
        if not api_key:
            raise ImproperlyConfigured("KAVENEGAR_API_KEY is not set.")
        self.sender = getattr(settings, "KAVENEGAR_SENDER", "") or None
        self.client = KavenegarClient(
            api_key,
            base_url=getattr(settings, "KAVENEGAR_BASE_URL", DEFAULT_BASE_URL),
            timeout=getattr(settings, "KAVENEGAR_TIMEOUT", DEFAULT_TIMEOUT),
        )

    def _call(self, method, **params) -> dict:
        try:
            return method(**params)
        except KavenegarError as exc:
            raise classify_kavenegar(exc) from None

    def send(self, *, to: str, text: str, local_id: str) -> SentSms:
        envelope = self._call(self.client.sms_send, receptor=to, message=text, sender=self.sender, localid=local_id)
        entries = envelope.get("entries") or [{}]
        entry = entries[0] if isinstance(entries, list) else entries
        return SentSms(message_id=str(entry.get("messageid", "")), status=entry.get("status"), raw=entry)

    def find_sent(self, *, local_id: str) -> SentSms | None:
        envelope = self._call(self.client.sms_status_localid, localids=[local_id])
        for entry in envelope.get("entries") or []:
            message_id = entry.get("messageid")
            status = entry.get("status")
            if message_id and str(message_id) not in ("0", "-1") and status != KAVENEGAR_STATUS_UNKNOWN:
                return SentSms(message_id=str(message_id), status=status, raw=entry)
        return None

    def receive(self, *, line: str | None = None, mark_read: bool = True) -> list[IncomingSms]:
        line = line or self.sender
        if not line:
            raise ImproperlyConfigured("KAVENEGAR_SENDER (the line to read) is not set.")
        envelope = self._call(self.client.sms_receive, linenumber=line, isread=not mark_read)
        received = []
        for entry in envelope.get("entries") or []:
            when = entry.get("date")
            received.append(
                IncomingSms(
                    message_id=str(entry.get("messageid", "")),
                    sender=str(entry.get("sender", "")),
                    receptor=str(entry.get("receptor", "")),
                    text=str(entry.get("message", "")),
                    received_at=datetime.fromtimestamp(int(when), tz=UTC) if when else None,
                    raw=entry,
                )
            )
        return received


_local = threading.local()


def get_backend() -> BaseSmsBackend:
    """The configured backend (`SMS_BACKEND`: an alias or a dotted path), one instance per thread and settings.

    Raises `ImproperlyConfigured` when it cannot be built (e.g. Kavenegar without an API key).
    """
    name = getattr(settings, "SMS_BACKEND", "console") or "console"
    path = ALIASES.get(name, name)
    key = (
        path,
        getattr(settings, "KAVENEGAR_API_KEY", ""),
        getattr(settings, "KAVENEGAR_BASE_URL", ""),
        getattr(settings, "KAVENEGAR_SENDER", ""),
        getattr(settings, "KAVENEGAR_TIMEOUT", None),
    )
    cached = getattr(_local, "backend", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    try:
        backend_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"SMS_BACKEND {name!r} cannot be imported: {exc}") from None
    backend = backend_class()
    _local.backend = (key, backend)
    return backend

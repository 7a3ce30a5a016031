"""SMS out (and, later, in) behind a small backend interface; see `helpdesk.sms.backends`.

from helpdesk.sms import get_backend
sent = get_backend().send(to="09121234567", text="…", local_id="42")
"""

from .backends import (
    BaseSmsBackend,
    IncomingSms,
    SentSms,
    SmsAccountError,
    SmsError,
    SmsRejected,
    SmsTemporaryError,
    get_backend,
)

__all__ = [
    "BaseSmsBackend",
    "IncomingSms",
    "SentSms",
    "SmsAccountError",
    "SmsError",
    "SmsRejected",
    "SmsTemporaryError",
    "get_backend",
]

"""Email-in and SMS-in (B1, G1): store each inbound message once, then turn it into a reply or a new ticket.

Processing runs in the same request as the webhook (it is quick); a failure is recorded on the stored row with its
reason and never raised, so the provider gets its 200 and does not retry (the row is already stored, a retry would
be a no-op anyway).
"""

from .mail import email_receive
from .sms import sms_poll, sms_receive

__all__ = ["email_receive", "sms_poll", "sms_receive"]

"""Email-in and SMS-in (B1, G1): each inbound message is stored once (the webhook or callback answers as soon as
it is), then processed by id into a reply or a new ticket (`processing`), through one path for every channel
(`intake`)."""

from .mail import MalformedMessage, email_receive
from .processing import inbound_process, inbound_sweep
from .sms import sms_poll, sms_receive

__all__ = ["MalformedMessage", "email_receive", "inbound_process", "inbound_sweep", "sms_poll", "sms_receive"]

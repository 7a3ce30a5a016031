from celery import shared_task

from .services import sms_poll


@shared_task(name="inbound.tasks.poll_sms", ignore_result=True)
def poll_sms() -> int:
    """Beat: read unread SMS from the gateway (the alternative to Kavenegar's receive callback)."""
    return sms_poll()

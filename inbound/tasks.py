from celery import shared_task

from .services import inbound_process, inbound_sweep, sms_poll


@shared_task(name="inbound.tasks.process", ignore_result=True)
def process_inbound(kind: str, inbound_id: int) -> str:
    """Process one stored message (queued once it is stored, or again by the sweep). Safe to run twice."""
    return inbound_process(kind=kind, inbound_id=inbound_id)


@shared_task(name="inbound.tasks.sweep", ignore_result=True)
def sweep_inbound() -> int:
    """Beat, every minute: queue again the messages whose processing failed or whose worker stopped."""
    return inbound_sweep()


@shared_task(name="inbound.tasks.poll_sms", ignore_result=True)
def poll_sms() -> int:
    """Beat: read unread SMS from the gateway (the alternative to Kavenegar's receive callback)."""
    return sms_poll()

"""The client's address, trusting a forwarded header only when the deployment names it."""

from django.conf import settings


def client_ip(request) -> str:
    header = settings.TRUSTED_PROXY_HEADER
    if header:
        forwarded = request.META.get(header, "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        # Each trusted proxy appends the address it saw; count from the right so a client cannot
        # prepend a fake address of its own.
        if len(hops) >= settings.TRUSTED_PROXY_COUNT:
            return hops[-settings.TRUSTED_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR", "")


def axes_client_ip(request) -> str:
    return client_ip(request)

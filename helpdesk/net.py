"""The client's address, and the IP block list (F33) as seen by every request.

The address comes from REMOTE_ADDR; a forwarded header is trusted only when the deployment names it in
`TRUSTED_PROXY_HEADER`, so a client cannot escape a block by sending `X-Forwarded-For` itself.

The active blocks are cached as parsed networks with their expiry, so checking a request costs no query:
services clear the cache after a block is added, changed or removed, and an entry that expires while cached
stops matching at its expiry because the expiry is checked on every request.
"""

from __future__ import annotations

import ipaddress
import logging
import time

from django.conf import settings
from django.db import DatabaseError

from . import cache

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

BLOCKS_CACHE_KEY = "helpdesk:ip-blocks:v1"
BLOCKS_CACHE_SECONDS = 24 * 3600


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


def parse_ip(value: str) -> IPAddress | None:
    """An address as proxies write it (`203.0.113.7`, `203.0.113.7:5120`, `[2001:db8::1]:443`, `2001:db8::1`),
    or None when it is not an address. An IPv4-mapped IPv6 address (`::ffff:203.0.113.7`) becomes the IPv4 one."""
    value = (value or "").strip()
    if value.startswith("["):  # [v6]:port
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


# The cached list: ((network, expires_at as a UNIX timestamp or None), …)
BlockList = tuple[tuple[IPNetwork, float | None], ...]


def active_blocks() -> BlockList:
    """The blocks that had not expired when the list was cached (callers still compare each expiry with now)."""
    blocks = cache.get(BLOCKS_CACHE_KEY)
    if blocks is None:
        blocks = _load_blocks()
        cache.set(BLOCKS_CACHE_KEY, blocks, BLOCKS_CACHE_SECONDS)
    return blocks


def clear_blocks_cache() -> None:
    if not cache.delete(BLOCKS_CACHE_KEY):
        logger.warning(
            "IP blocks: the cache could not be cleared; other processes may use the old list for up to %s s",
            BLOCKS_CACHE_SECONDS,
        )


def is_blocked(address: IPAddress | None, *, now: float | None = None) -> bool:
    if address is None:
        return False
    try:
        blocks = active_blocks()
    except DatabaseError:
        # The database is down: nothing works anyway, but /healthz must still be able to say so.
        logger.exception("IP blocks: could not load the block list")
        return False
    if not blocks:
        return False
    now = time.time() if now is None else now
    # A block written as an IPv4-mapped IPv6 range should still catch the plain IPv4 address and vice versa.
    candidates: list[IPAddress] = [address]
    if isinstance(address, ipaddress.IPv4Address):
        candidates.append(ipaddress.IPv6Address(f"::ffff:{address}"))
    for network, expires_at in blocks:
        if expires_at is not None and expires_at <= now:
            continue
        if any(candidate in network for candidate in candidates):
            return True
    return False


def _load_blocks() -> BlockList:
    # Imported here: axes loads this module by dotted path from settings, which must not pull in the models.
    from .models import IPBlock

    blocks = []
    for network, expires_at in IPBlock.objects.active().values_list("network", "expires_at"):
        try:
            parsed = ipaddress.ip_network(network, strict=False)
        except ValueError:  # a row written around IPBlock.clean(); ignore it rather than fail every request
            logger.error("IP blocks: ignoring invalid network %r", network)
            continue
        blocks.append((parsed, expires_at.timestamp() if expires_at else None))
    return tuple(blocks)

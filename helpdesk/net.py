"""The client's address, and the IP block list (F33) as seen by every request.

The address comes from REMOTE_ADDR; a forwarded header is trusted only when the deployment names it in
`TRUSTED_PROXY_HEADER`, so a client cannot escape a block by sending `X-Forwarded-For` itself.

One matching rule (`contains`) for the middleware, the admin's self-block guard and the admin's search: both
sides are normalised alike (an IPv4-mapped IPv6 address or range, `::ffff:203.0.113.7`, is the IPv4 one), then an
address matches a range of its own version that contains it. So IPv4 clients are matched by IPv4 ranges only, and
an IPv6 range, however wide, never blocks them.

The active blocks are cached as parsed networks with their expiry, so checking a request costs no query:
services clear the cache after a block is added, changed or removed, an entry that expires while cached stops
matching at its expiry (checked on every request), and the cached list lives only `BLOCKS_CACHE_SECONDS`, so a
change whose invalidation failed (the cache was unreachable at that moment) still takes effect within a minute.
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

BLOCKS_CACHE_KEY = "helpdesk:ip-blocks:v2"
BLOCKS_CACHE_SECONDS = 60
# IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`): what a dual-stack socket reports for an IPv4 client.
IPV4_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")


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
    normalised (`::ffff:203.0.113.7` becomes `203.0.113.7`), or None when it is not an address."""
    value = (value or "").strip()
    if value.startswith("["):  # [v6]:port
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    return normalise_address(address)


def normalise_address(address: IPAddress) -> IPAddress:
    """An IPv4-mapped IPv6 address is the IPv4 address it maps."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def normalise_network(network: IPNetwork) -> IPNetwork:
    """An IPv6 range inside the IPv4-mapped block is the IPv4 range it maps (`::ffff:0.0.0.0/96` is `0.0.0.0/0`,
    every IPv4 address); any other range stays as it is."""
    if isinstance(network, ipaddress.IPv6Network) and network.subnet_of(IPV4_MAPPED):
        mapped = int(network.network_address) - int(IPV4_MAPPED.network_address)
        return ipaddress.IPv4Network((mapped, network.prefixlen - IPV4_MAPPED.prefixlen))
    return network


def parse_network(value: str) -> IPNetwork | None:
    """A block as typed or stored (an address or a CIDR range, host bits allowed: `203.0.113.7/24` is
    `203.0.113.0/24`), normalised like addresses; None when it is neither."""
    try:
        return normalise_network(ipaddress.ip_network((value or "").strip(), strict=False))
    except ValueError:
        return None


def contains(network: IPNetwork, address: IPAddress) -> bool:
    """THE matching rule of the block list: both sides normalised, then the same version and inside."""
    network, address = normalise_network(network), normalise_address(address)
    return network.version == address.version and address in network


# The cached list: ((network, expires_at as a UNIX timestamp or None), …)
BlockList = tuple[tuple[IPNetwork, float | None], ...]


def active_blocks() -> BlockList:
    """The blocks that had not expired when the list was cached (callers still compare each expiry with now).
    The cached value carries the time it was read, and a reader older than `BLOCKS_CACHE_SECONDS` reloads it: the
    minute is kept by our own clock, whatever the cache backend does with its timeout."""
    now = time.time()
    cached = cache.get(BLOCKS_CACHE_KEY)
    if cached is not None and now - cached[0] < BLOCKS_CACHE_SECONDS:
        return cached[1]
    blocks = _load_blocks()
    cache.set(BLOCKS_CACHE_KEY, (now, blocks), BLOCKS_CACHE_SECONDS)
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
    return any(
        (expires_at is None or expires_at > now) and contains(network, address) for network, expires_at in blocks
    )


def _load_blocks() -> BlockList:
    # Imported here: axes loads this module by dotted path from settings, which must not pull in the models.
    from .models import IPBlock

    blocks = []
    for network, expires_at in IPBlock.objects.active().values_list("network", "expires_at"):
        parsed = parse_network(network)  # normalised: a row stored in the mapped form before it was normalised
        if parsed is None:  # a row written around IPBlock.clean(); ignore it rather than fail every request
            logger.error("IP blocks: ignoring invalid network %r", network)
            continue
        blocks.append((parsed, expires_at.timestamp() if expires_at else None))
    return tuple(blocks)

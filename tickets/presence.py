"""Who else has a ticket open (B7): `{user_id: (name, state, timestamp)}` per ticket in the cache.

The cache is Django's default one — Redis when configured, so every web process sees the same entries. The
ticket page pings every ~10 seconds (htmx) with its state ("viewing", or "writing" while the reply box has
text); an entry not refreshed within `TTL` seconds is dropped. The read-modify-write is not atomic: two pings
in the same instant may drop one entry until its next ping, which is harmless for a hint refreshed every
few seconds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from helpdesk import cache

if TYPE_CHECKING:
    from accounts.models import User


VIEWING = "viewing"
WRITING = "writing"
STATES = (VIEWING, WRITING)

POLL_SECONDS = 10
TTL = 30  # seconds without a ping before someone counts as gone (three missed polls)
KEY = "tickets:presence:v1:{ticket_id}"


@dataclass(frozen=True)
class Presence:
    user_id: int
    name: str
    state: str
    ts: float

    @property
    def writing(self) -> bool:
        return self.state == WRITING


def _key(ticket_id: int) -> str:
    return KEY.format(ticket_id=ticket_id)


def _load(ticket_id: int) -> dict:
    entries = cache.get(_key(ticket_id))  # presence is a hint: without the cache, nobody else is shown
    return entries if isinstance(entries, dict) else {}


def _fresh(entries: dict, now: float) -> dict:
    return {uid: entry for uid, entry in entries.items() if now - entry[2] < TTL}


def touch(*, ticket_id: int, user: User, state: str = VIEWING, now: float | None = None) -> None:
    """Record that `user` has the ticket open (`state`: viewing or writing)."""
    if state not in STATES:
        state = VIEWING
    now = time.time() if now is None else now
    entries = _fresh(_load(ticket_id), now)
    entries[user.pk] = (user.full_name or str(user), state, now)
    cache.set(_key(ticket_id), entries, TTL)


def leave(*, ticket_id: int, user: User) -> None:
    """Forget `user` on this ticket (they sent their reply or left the page)."""
    entries = _load(ticket_id)
    if entries.pop(user.pk, None) is None:
        return
    cache.set(_key(ticket_id), entries, TTL)


def others(*, ticket_id: int, user: User, now: float | None = None) -> list[Presence]:
    """Everyone else with the ticket open in the last `TTL` seconds, writers first, then by name."""
    now = time.time() if now is None else now
    entries = _fresh(_load(ticket_id), now)
    people = [
        Presence(user_id=uid, name=name, state=state, ts=ts)
        for uid, (name, state, ts) in entries.items()
        if uid != user.pk
    ]
    return sorted(people, key=lambda p: (not p.writing, p.name))

"""Ticket references: 7 random digits, first digit non-zero (e.g. 4830271).

Digits only, so a reference survives SMS, email subjects and being read aloud over the phone; random rather
than sequential, so it reveals nothing about ticket volume and can't be guessed from a neighbour's. Nine
million values: collisions are retried by the caller (`tickets.services.ticket_create`); widen `LENGTH`
(the column holds 12) long before the space is a tenth full.
"""

from __future__ import annotations

import re
import secrets

from helpdesk.persian import clean_digits

LENGTH = 7
_LOW = 10 ** (LENGTH - 1)
_SPAN = 9 * _LOW
_TYPED = re.compile(rf"^#?(\d{{{LENGTH},12}})$")


def new_reference() -> str:
    """A fresh random reference (not checked for uniqueness)."""
    return str(_LOW + secrets.randbelow(_SPAN))


def parse_reference(text: str) -> str | None:
    """The reference in what a person typed («#۴۸۳۰۲۷۱», «483 0271», «٤٨٣٠٢٧١»), or None if it isn't one."""
    match = _TYPED.match(clean_digits(text))
    return match.group(1) if match else None

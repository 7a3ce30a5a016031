"""How the seller hears about Article 6 events (filled in once the tickets services are available)."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def ceiling_warning(*, ceiling, level: int) -> None:
    logger.info("ceiling %s reached %s%%", ceiling.pk, level)

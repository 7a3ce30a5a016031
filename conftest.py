"""Project-wide pytest set-up: services the suite needs, and the rule that a missing service fails in CI."""

import os

import pytest

# When REQUIRE_SERVICES=1 (set by .ci/run), a test that would be skipped because PostgreSQL, Redis or
# Chromium is not available fails instead, so CI cannot pass by skipping.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def service_unavailable(reason: str):
    """Skip (locally) or fail (in CI) a test whose service is missing."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service not available: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache (site settings, presence, lockouts are cached)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()

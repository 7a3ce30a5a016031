"""Every page has a pinned query count (issue #9).

The URL resolver is walked (the admin included); each URL name must be pinned by a test marked
`@pytest.mark.pins("<name>")` (see `helpdesk/tests/pins.py`) or be listed in `EXCLUDED` with the reason and the
status a GET gets (checked here, so an exclusion cannot hide a page). A new URL without either fails `make test`.
The marked tests are found by importing the test modules of the apps in `pytest.ini`'s `testpaths`.
"""

from __future__ import annotations

import configparser
import importlib
import inspect
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROOT = Path(__file__).resolve().parents[2]

POST = "POST only (a GET is 405); the page it comes from is pinned, its service is tested where it lives"

# URL name → (the status a GET with placeholder arguments gets from a logged-in superuser, or None when not
# requested; why the URL has no pinned count).
EXCLUDED: dict[str, tuple[int | None, str]] = {
    "set_language": (302, "Django's language switch: a GET only redirects back"),
    "accounts:logout": (405, POST),
    "tickets:bulk": (405, POST),
    "tickets:saved_filter_save": (405, POST),
    "tickets:saved_filter_delete": (405, POST),
    "tickets:customer_create": (405, POST),
    "tickets:reply": (405, POST + " (`reply_add` is pinned in tickets/tests/test_queries.py)"),
    "tickets:close": (405, POST),
    "tickets:reopen": (405, POST),
    "tickets:note": (405, POST),
    "tickets:canned": (405, POST),
    "tickets:update": (405, POST + " (pinned in tickets/tests/test_views_staff_ticket.py)"),
    "tickets:take": (405, POST),
    "tickets:pin": (405, POST),
    "tickets:merge": (405, POST),
    "tickets:presence_leave": (405, POST),
    "knowledgebase:feedback": (405, POST),
    "knowledgebase:markdown_preview": (405, POST),
    "knowledgebase:draft_from_ticket": (405, POST),
    "limits:recompute": (405, POST),
    "limits:usage_add": (405, POST),
    "limits:request_action": (405, POST),
    "notifications:read": (405, POST),
    "notifications:read_all": (405, POST),
    "notifications:preferences_reset": (405, POST),
    "inbound:kavenegar_receive": (None, "Kavenegar's receive callback: stores a message (inbound/tests)"),
    "anymail:email_webhook": (None, "the email-in webhook: POST by the provider (inbound/tests)"),
    "anymail:email_webhook_mime": (None, "the email-in webhook: POST by the provider (inbound/tests)"),
    "admin:logout": (405, POST),
    "admin:view_on_site": (None, "redirects to the object's own page"),
}

# Third-party models in the admin: their pages are their packages' code, not ours.
EXCLUDED_PREFIXES: dict[str, str] = {
    "admin:taggit_": "django-taggit's own admin (tags are edited on tickets and articles)",
    "admin:axes_": "django-axes' own admin (login attempts and lockouts)",
}

# Patterns without a name: the admin's own redirects and catch-all; anything else must get a name.
UNNAMED_ROUTES = {
    "admin/<path:object_id>/": "the admin's old-style object URL, a redirect to the change page",
    "admin/(?P<url>.*)$": "the admin's catch-all: a redirect to add the slash, or a 404",
}


def walk(patterns=None, prefix: str = "", namespace: str = "", converters=None):
    """(URL name or None, route, converters) for every pattern, namespaced as `reverse` takes it."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        found = {**(converters or {}), **getattr(pattern.pattern, "converters", {})}
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns, found)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            yield (f"{namespace}{pattern.name}" if pattern.name else None), route, found


def _admin_generic_route(route: str) -> str:
    """`admin/tickets/ticket/<path:object_id>/` → `admin/<path:object_id>/` (the unnamed redirect of each model)."""
    parts = route.split("/")
    return "admin/<path:object_id>/" if parts[0] == "admin" and parts[-2:] == ["<path:object_id>", ""] else route


def url_names() -> set[str]:
    return {name for name, *_ in walk() if name}


def _test_modules():
    config = configparser.ConfigParser()
    config.read(ROOT / "pytest.ini")
    for app in config["pytest"]["testpaths"].split():
        for path in sorted((ROOT / app).rglob("test_*.py")):
            yield ".".join(path.relative_to(ROOT).with_suffix("").parts)


def marked_tests():
    """(test function, URL names it pins) for every test marked `@pytest.mark.pins`."""
    for module_name in _test_modules():
        module = importlib.import_module(module_name)
        for attr, value in vars(module).items():
            if attr.startswith("test_") and callable(value):
                names = [n for mark in getattr(value, "pytestmark", []) if mark.name == "pins" for n in mark.args]
                if names:
                    yield value, names


def pinned() -> dict[str, list[str]]:
    """URL name → the tests that pin it."""
    found: dict[str, list[str]] = {}
    for test, names in marked_tests():
        for name in names:
            found.setdefault(name, []).append(f"{test.__module__}.{test.__name__}")
    return found


def _excluded(name: str) -> bool:
    return name in EXCLUDED or name.startswith(tuple(EXCLUDED_PREFIXES))


def test_every_page_has_a_pinned_query_count():
    missing = sorted(name for name in url_names() - set(pinned()) if not _excluded(name))
    assert not missing, (
        "These URLs have no pinned query count: add a test marked @pytest.mark.pins('<name>') that GETs the page "
        "with helpdesk.tests.pins.pinned_get (or assert_queries), or list the URL in EXCLUDED with a reason:\n"
        + "\n".join(missing)
    )


def test_pins_and_exclusions_name_existing_urls_once():
    names, pins = url_names(), pinned()
    assert not set(pins) - names, f"pins of URLs that do not exist: {sorted(set(pins) - names)}"
    assert not set(EXCLUDED) - names, f"exclusions of URLs that do not exist: {sorted(set(EXCLUDED) - names)}"
    both = sorted(name for name in pins if _excluded(name))
    assert not both, f"both pinned and excluded: {both}"
    for prefix in EXCLUDED_PREFIXES:
        assert any(name.startswith(prefix) for name in names), f"no URL starts with {prefix}"


def test_a_marked_test_counts_queries():
    """A test marked `pins` that counts nothing would pin nothing."""
    counting = ("pinned_get(", "assert_queries(", "admin_pins(")
    idle = [
        f"{test.__module__}.{test.__name__}"
        for test, _names in marked_tests()
        if not any(call in inspect.getsource(test) for call in counting)
    ]
    assert not idle, f"marked with pins but counting no query: {idle}"


def test_every_unnamed_pattern_is_listed():
    unnamed = {_admin_generic_route(route) for name, route, *_ in walk() if name is None}
    assert unnamed == set(UNNAMED_ROUTES), "give the new pattern a name (and pin its page)"


PLACEHOLDERS = {"int": 1, "str": "x", "slug": "x", "path": "1", "ref": "1000000001"}


def _placeholder_url(name: str) -> str:
    for pattern_name, _route, converters in walk():
        if pattern_name == name:
            kwargs = {key: _placeholder(conv) for key, conv in converters.items()}
            return reverse(name, kwargs=kwargs)
    raise LookupError(name)


def _placeholder(converter):
    from django.urls.converters import get_converters

    for key, registered in get_converters().items():
        if type(registered) is type(converter):
            return PLACEHOLDERS[key]
    raise LookupError(converter)


@pytest.mark.parametrize("name", sorted(n for n, (status, _) in EXCLUDED.items() if status is not None))
def test_an_excluded_url_answers_a_get_as_listed(client, site_admin, name):
    client.force_login(site_admin)
    status, reason = EXCLUDED[name]
    assert client.get(_placeholder_url(name)).status_code == status, reason

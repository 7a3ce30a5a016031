"""The IP block list (F33): addresses and ranges, IPv4 and IPv6, expiry, proxies, the cache and the admin."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AdminFactory
from helpdesk import services
from helpdesk.admin import MSG_OWN_ADDRESS
from helpdesk.cache import outage
from helpdesk.middleware import MSG_BLOCKED, IPBlockMiddleware
from helpdesk.models import MSG_NETWORK_EVERYONE, MSG_NETWORK_INVALID, IPBlock
from helpdesk.net import BLOCKS_CACHE_SECONDS, parse_ip
from helpdesk.tests.errors import error_codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def block(django_capture_on_commit_callbacks):
    """Add a block through the service, with its after-commit cache invalidation."""

    def add(network, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.ip_block_add(network=network, **kwargs)

    return add


def get(client, remote_addr, path="/", **extra):
    return client.get(path, REMOTE_ADDR=remote_addr, **extra)


def assert_blocked(response):
    assert response.status_code == 403
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == str(MSG_BLOCKED)


def assert_allowed(response):
    assert response.status_code == 200


# --- matching -------------------------------------------------------------------------------------------------


def test_single_ipv4_address(client, block):
    block("203.0.113.7", reason="spam")
    assert_blocked(get(client, "203.0.113.7"))
    assert_allowed(get(client, "203.0.113.8"))


def test_ipv4_cidr_range(client, block):
    block("198.51.100.0/24")
    assert_blocked(get(client, "198.51.100.1"))
    assert_blocked(get(client, "198.51.100.254"))
    assert_allowed(get(client, "198.51.101.1"))


def test_single_ipv6_address(client, block):
    block("2001:db8::7")
    assert_blocked(get(client, "2001:db8::7"))
    assert_blocked(get(client, "2001:0db8:0000::0007"))  # another spelling of the same address
    assert_allowed(get(client, "2001:db8::8"))


def test_ipv6_cidr_range(client, block):
    block("2001:db8:abcd::/48")
    assert_blocked(get(client, "2001:db8:abcd:12::1"))
    assert_allowed(get(client, "2001:db8:abce::1"))
    assert_allowed(get(client, "203.0.113.7"))


def test_ipv4_mapped_ipv6_address_is_matched_against_ipv4_blocks(client, block):
    # A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d.
    block("203.0.113.0/24")
    assert_blocked(get(client, "::ffff:203.0.113.9"))
    assert_allowed(get(client, "::ffff:198.51.100.9"))


def test_block_written_as_ipv4_mapped_catches_the_plain_address(client, block):
    block("::ffff:203.0.113.7")
    assert_blocked(get(client, "203.0.113.7"))


def test_blocked_before_any_view_or_session(client, block):
    block("203.0.113.7")
    assert_blocked(client.post(reverse("admin:login"), {"username": "a", "password": "b"}, REMOTE_ADDR="203.0.113.7"))
    assert_blocked(get(client, "203.0.113.7", "/no-such-page/"))
    assert_blocked(get(client, "203.0.113.7", reverse("healthz")))
    assert "sessionid" not in client.cookies


# --- expiry -----------------------------------------------------------------------------------------------------


def test_expired_entry_does_not_block(client, block):
    block("203.0.113.7", expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert_allowed(get(client, "203.0.113.7"))


def test_entry_with_future_expiry_blocks_until_then_without_any_invalidation(client, block):
    start = timezone.now()
    block("203.0.113.7", expires_at=start + dt.timedelta(hours=1))
    with time_machine.travel(start, tick=False) as traveller:
        assert_blocked(get(client, "203.0.113.7"))  # the list is now cached, with the expiry
        traveller.move_to(start + dt.timedelta(minutes=59))
        assert_blocked(get(client, "203.0.113.7"))
        traveller.move_to(start + dt.timedelta(hours=1, seconds=1))
        assert_allowed(get(client, "203.0.113.7"))


# --- proxies ------------------------------------------------------------------------------------------------------


def test_spoofed_forwarded_for_does_not_bypass_the_block(client, block, settings):
    settings.TRUSTED_PROXY_HEADER = ""
    block("203.0.113.7")
    assert_blocked(get(client, "203.0.113.7", HTTP_X_FORWARDED_FOR="8.8.8.8"))
    # ...and a header cannot get someone else blocked either.
    assert_allowed(get(client, "192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.7"))


def test_trusted_proxy_header_uses_the_right_most_hop(client, block, settings):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 1
    block("203.0.113.7")
    proxy = "10.0.0.2"
    # The proxy appended the address it saw (203.0.113.7); the client prepended a fake one.
    assert_blocked(get(client, proxy, HTTP_X_FORWARDED_FOR="8.8.8.8, 203.0.113.7"))
    # A blocked address written by the client on the left is not the client.
    assert_allowed(get(client, proxy, HTTP_X_FORWARDED_FOR="203.0.113.7, 192.0.2.10"))
    # Proxies may add a port.
    assert_blocked(get(client, proxy, HTTP_X_FORWARDED_FOR="203.0.113.7:51234"))


def test_trusted_proxy_header_with_ipv6_hop(client, block, settings):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    block("2001:db8::/32")
    assert_blocked(get(client, "10.0.0.2", HTTP_X_FORWARDED_FOR="[2001:db8::5]:443"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        (" 203.0.113.7:8080 ", "203.0.113.7"),
        ("2001:db8::1", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("unknown", None),
        ("", None),
        ("203.0.113.300", None),
    ],
)
def test_parse_ip(value, expected):
    parsed = parse_ip(value)
    assert (str(parsed) if parsed else None) == expected


# --- the cache --------------------------------------------------------------------------------------------------


def test_a_request_costs_no_query_once_the_list_is_cached(block, django_assert_num_queries):
    block("203.0.113.0/24")
    block("2001:db8::/32")
    middleware = IPBlockMiddleware(lambda request: HttpResponse("view"))
    factory = RequestFactory()
    middleware(factory.get("/", REMOTE_ADDR="192.0.2.1"))  # fills the cache
    with django_assert_num_queries(0):
        assert middleware(factory.get("/", REMOTE_ADDR="192.0.2.1")).status_code == 200
        assert middleware(factory.get("/", REMOTE_ADDR="203.0.113.5")).status_code == 403
        assert middleware(factory.get("/", REMOTE_ADDR="2001:db8::1")).status_code == 403


def test_adding_and_removing_a_block_takes_effect_at_once(client, block, django_capture_on_commit_callbacks):
    assert_allowed(get(client, "203.0.113.7"))  # an empty list is cached too
    entry = block("203.0.113.7")
    assert_blocked(get(client, "203.0.113.7"))
    with django_capture_on_commit_callbacks(execute=True):
        services.ip_block_remove(block=entry)
    assert_allowed(get(client, "203.0.113.7"))


def test_changing_a_block_takes_effect_at_once(client, block, django_capture_on_commit_callbacks):
    entry = block("203.0.113.7")
    assert_blocked(get(client, "203.0.113.7"))
    with django_capture_on_commit_callbacks(execute=True):
        services.ip_block_update(block=entry, expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_allowed(get(client, "203.0.113.7"))


# --- the model and service ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (" 203.0.113.7 ", "203.0.113.7/32"),
        ("203.0.113.7/24", "203.0.113.0/24"),
        ("2001:DB8:0:0::1", "2001:db8::1/128"),
        ("2001:db8::1/32", "2001:db8::/32"),
    ],
)
def test_network_is_normalised(typed, stored):
    assert services.ip_block_add(network=typed).network == stored


@pytest.mark.parametrize("bad", ["203.0.113.300", "203.0.113.0/33", "2001:db8::/129", "example.com", "1.2.3.4/x"])
def test_bad_network_is_refused_and_nothing_saved(bad):
    with pytest.raises(ValidationError) as exc:
        services.ip_block_add(network=bad)
    assert exc.value.message_dict["network"] == [str(MSG_NETWORK_INVALID)]
    assert error_codes(exc.value) == {"network": ["invalid"]}
    assert not IPBlock.objects.exists()


def test_the_same_range_twice_is_refused():
    services.ip_block_add(network="203.0.113.0/24")
    with pytest.raises(ValidationError) as exc:
        services.ip_block_add(network="203.0.113.9/24")  # the same range, spelled differently
    assert error_codes(exc.value) == {"network": ["unique"]}
    assert IPBlock.objects.count() == 1


# --- the admin ------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client_(client):
    client.force_login(AdminFactory())
    return client


def test_admin_bad_cidr_gets_a_clear_message_and_nothing_is_saved(admin_client_):
    response = admin_client_.post(
        reverse("admin:helpdesk_ipblock_add"), {"network": "10.0.0.0/99", "reason": "x"}, REMOTE_ADDR="192.0.2.1"
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["network"] == [str(MSG_NETWORK_INVALID)]
    assert not IPBlock.objects.exists()


def test_admin_add_normalises_and_blocks_at_once(admin_client_, client, django_capture_on_commit_callbacks):
    assert_allowed(get(client, "198.51.100.77"))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            reverse("admin:helpdesk_ipblock_add"),
            {"network": "198.51.100.77/24", "reason": "حمله"},
            REMOTE_ADDR="192.0.2.1",
        )
    assert response.status_code == 302
    assert IPBlock.objects.get().network == "198.51.100.0/24"
    assert_blocked(get(client, "198.51.100.77"))


def test_admin_cannot_block_their_own_address(admin_client_):
    response = admin_client_.post(
        reverse("admin:helpdesk_ipblock_add"), {"network": "192.0.2.0/24"}, REMOTE_ADDR="192.0.2.1"
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["network"] == [str(MSG_OWN_ADDRESS) % {"address": "192.0.2.1"}]
    assert not IPBlock.objects.exists()


def test_admin_delete_unblocks_at_once(admin_client_, client, block, django_capture_on_commit_callbacks):
    entry = block("198.51.100.7")
    assert_blocked(get(client, "198.51.100.7"))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            reverse("admin:helpdesk_ipblock_delete", args=[entry.pk]), {"post": "yes"}, REMOTE_ADDR="192.0.2.1"
        )
    assert response.status_code == 302
    assert_allowed(get(client, "198.51.100.7"))


def test_admin_bulk_delete_unblocks_at_once(admin_client_, client, block, django_capture_on_commit_callbacks):
    entries = [block("198.51.100.7"), block("2001:db8::/32")]
    assert_blocked(get(client, "2001:db8::1"))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(
            reverse("admin:helpdesk_ipblock_changelist"),
            {"action": "delete_selected", "_selected_action": [e.pk for e in entries], "post": "yes"},
            REMOTE_ADDR="192.0.2.1",
        )
    assert not IPBlock.objects.exists()
    assert_allowed(get(client, "2001:db8::1"))


def test_admin_search_by_address_finds_the_containing_range(admin_client_, block):
    block("198.51.100.0/24", reason="range")
    block("203.0.113.7", reason="single")
    response = admin_client_.get(reverse("admin:helpdesk_ipblock_changelist"), {"q": "198.51.100.42"})
    assert [b.network for b in response.context["cl"].result_list] == ["198.51.100.0/24"]
    response = admin_client_.get(reverse("admin:helpdesk_ipblock_changelist"), {"q": "single"})
    assert [b.network for b in response.context["cl"].result_list] == ["203.0.113.7/32"]


def test_admin_status_filter(admin_client_, block):
    block("198.51.100.0/24")
    block("203.0.113.7", expires_at=timezone.now() - dt.timedelta(days=1))
    url = reverse("admin:helpdesk_ipblock_changelist")
    active = admin_client_.get(url, {"status": "active"}).context["cl"].result_list
    expired = admin_client_.get(url, {"status": "expired"}).context["cl"].result_list
    assert [b.network for b in active] == ["198.51.100.0/24"]
    assert [b.network for b in expired] == ["203.0.113.7/32"]


# --- one matching rule for the middleware and the admin's guard (#14.1) ----------------------------------------


def _admin_add(admin_client, network, remote_addr):
    return admin_client.post(reverse("admin:helpdesk_ipblock_add"), {"network": network}, REMOTE_ADDR=remote_addr)


@pytest.mark.parametrize(
    ("network", "admin_address"),
    [
        ("::ffff:127.0.0.1", "127.0.0.1"),  # the mapped form of the admin's own address
        ("::ffff:127.0.0.0/120", "127.0.0.1"),  # a mapped range around it
        ("127.0.0.0/8", "::ffff:127.0.0.1"),  # the admin reaches us on a dual-stack socket
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("2001:db8::/32", "2001:db8::5"),
    ],
)
def test_admin_cannot_block_their_own_address_in_any_form(admin_client_, network, admin_address):
    response = _admin_add(admin_client_, network, admin_address)
    assert response.status_code == 200
    shown = str(parse_ip(admin_address))
    assert response.context["adminform"].form.errors["network"] == [str(MSG_OWN_ADDRESS) % {"address": shown}]
    assert not IPBlock.objects.exists()


@pytest.mark.parametrize(
    ("typed", "version"), [("::ffff:0.0.0.0/96", 4), ("0.0.0.0/0", 4), ("::/0", 6), ("::ffff:1.2.3.4/96", 4)]
)
def test_a_range_of_every_address_is_refused(admin_client_, typed, version):
    # Even from an address it would not contain (the admin on IPv6 blocking all of IPv4, or the reverse).
    admin_address = "2001:db8::5" if version == 4 else "192.0.2.1"
    response = _admin_add(admin_client_, typed, admin_address)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["network"] == [str(MSG_NETWORK_EVERYONE) % {"version": version}]
    with pytest.raises(ValidationError) as exc:
        services.ip_block_add(network=typed)
    assert error_codes(exc.value) == {"network": ["everyone"]}
    assert not IPBlock.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("::ffff:203.0.113.7", "203.0.113.7/32"),
        ("::ffff:203.0.113.0/120", "203.0.113.0/24"),
        ("::ffff:0:0/97", "0.0.0.0/1"),
    ],
)
def test_a_mapped_block_is_stored_as_the_ipv4_range_it_is(typed, stored):
    assert services.ip_block_add(network=typed).network == stored


# Pairs of (block, client address) on both sides of the rule; the middleware and the admin agree on every one.
RULE_CASES = [
    ("203.0.113.0/24", "203.0.113.9", True),
    ("203.0.113.0/24", "::ffff:203.0.113.9", True),
    ("::ffff:203.0.113.0/120", "203.0.113.9", True),
    ("::ffff:203.0.113.0/120", "::ffff:203.0.113.9", True),
    ("203.0.113.0/24", "203.0.114.9", False),
    ("2001:db8::/32", "2001:db8::9", True),
    ("2001:db8::/32", "203.0.113.9", False),
    # An IPv6 range that happens to include the mapped block (::/64 does) never blocks IPv4 clients.
    ("::/64", "203.0.113.9", False),
    ("::/64", "::1", True),
    ("::ffff:0:0/95", "198.51.100.1", False),
]


@pytest.mark.parametrize(("network", "address", "matches"), RULE_CASES)
def test_the_admin_refuses_exactly_the_blocks_that_would_block_the_admin(
    admin_client_, client, django_capture_on_commit_callbacks, network, address, matches
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _admin_add(admin_client_, network, address)
    assert (response.status_code == 200) is matches  # refused, with the form shown again
    assert IPBlock.objects.exists() is not matches
    if not matches:
        # Saved (the admin was on an address it does not contain): the admin and the site still answer them.
        assert_allowed(get(client, address))
        assert admin_client_.get(reverse("admin:helpdesk_ipblock_changelist"), REMOTE_ADDR=address).status_code == 200


@pytest.mark.parametrize(("network", "address", "matches"), RULE_CASES)
def test_the_middleware_blocks_exactly_those(client, block, network, address, matches):
    block(network)
    assert get(client, address).status_code == (403 if matches else 200)


def test_a_row_stored_in_the_mapped_form_before_normalising_still_matches_both_forms(client, admin_client_):
    IPBlock.objects.create(network="::ffff:198.51.100.7/128")  # written around clean(), as older versions did
    assert_blocked(get(client, "198.51.100.7"))
    assert_blocked(get(client, "::ffff:198.51.100.7"))
    response = admin_client_.get(reverse("admin:helpdesk_ipblock_changelist"), {"q": "198.51.100.7"})
    assert [b.network for b in response.context["cl"].result_list] == ["::ffff:198.51.100.7/128"]


# --- a failed invalidation (#10.8) ----------------------------------------------------------------------------


def test_a_change_takes_effect_within_a_minute_even_when_clearing_the_cache_failed(
    client, block, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    entry = block("203.0.113.7", reason="a mistake")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        assert_blocked(get(client, "203.0.113.7"))  # the list is cached now

        def unreachable(*args, **kwargs):
            raise ConnectionError("cache unreachable")

        with monkeypatch.context() as patch:
            patch.setattr(caches["default"], "delete", unreachable)
            with django_capture_on_commit_callbacks(execute=True):
                services.ip_block_remove(block=entry)
        assert "IP blocks: the cache could not be cleared" in caplog.text
        outage.reset()  # another web process: it saw no outage and reads the cache as usual
        traveller.move_to(start + dt.timedelta(seconds=30))
        assert_blocked(get(client, "203.0.113.7"))  # the old list, still cached
        traveller.move_to(start + dt.timedelta(seconds=BLOCKS_CACHE_SECONDS + 1))
        assert_allowed(get(client, "203.0.113.7"))
    assert BLOCKS_CACHE_SECONDS <= 60

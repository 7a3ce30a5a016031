"""A requester's changed name, email or mobile reaches the search text of the tickets they filed (the
`accounts.hooks` "contact changed" hook → `tickets.services.requester_search_refresh`), by every path that changes
them (the service, the admin's change page, the profile page), on SQLite (FTS5) and PostgreSQL (stored tsvector),
through the queue's own search (`tickets.filters.search_tickets`)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import hooks as account_hooks
from accounts import services as account_services
from accounts.services import PROFILE_FIELDS
from accounts.tests.factories import CustomerFactory
from helpdesk.tests.errors import error_codes
from tickets import services
from tickets.apps import requester_contact_changed, requester_contact_changing
from tickets.filters import search_tickets
from tickets.models import Status, Ticket

pytestmark = pytest.mark.django_db

NEW_MOBILE = "09125554433"
NEW_EMAIL = "maryam.new@example.org"
NEW_NAME = "نرگس تهرانی"


def found(text: str) -> set[str]:
    return set(search_tickets(Ticket.objects.all(), text).values_list("reference", flat=True))


# Both plans of `search_tickets`: ids through the index, or the row-by-row test along the queue's sort.
@pytest.fixture(params=[2000, 0], ids=["through-the-index", "along-the-sort"])
def either_plan(request, monkeypatch):
    monkeypatch.setattr("tickets.filters.SEARCH_IDS_CAP", request.param)
    return request.param


@pytest.fixture
def filed(make_ticket, customer, agent):
    """Two tickets of the customer (one answered by the agent), and one of another customer."""
    first = make_ticket(subject="چاپگر طبقه دوم")
    services.reply_add(ticket=first, author=agent, body="لطفا کابل را بررسی کنید")
    second = make_ticket(subject="فاکتور فروردین", body="فاکتور را نفرستادید")
    other = CustomerFactory(full_name="کاوه نیکنام", email="kaveh@example.com", mobile="09351112233")
    theirs = make_ticket(requester=other, subject="سؤالی دیگر")
    return {
        "mine": {first.reference, second.reference},
        "answered": first.reference,
        "second": second.reference,
        "theirs": theirs,
        "other": other,
    }


def documents(*tickets: Ticket) -> dict[int, str]:
    return dict(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("pk", "search_document"))


def as_rebuilt(requester) -> dict[int, str]:
    """What `ticket_rebuild_search_document` (one ticket at a time) makes of each of the requester's tickets."""
    tickets = list(Ticket.objects.filter(requester=requester))
    stored = documents(*tickets)
    for ticket in tickets:
        services.ticket_rebuild_search_document(ticket=ticket)
    rebuilt = documents(*tickets)
    Ticket.objects.bulk_update(
        [Ticket(pk=pk, search_document=text) for pk, text in stored.items()], ["search_document"]
    )
    return rebuilt


@pytest.mark.parametrize(
    ("field", "old", "new", "typed_new"),
    [
        ("mobile", "09121110000", "+98 912 555 4433", "۰۹۱۲۵۵۵۴۴۳۳"),  # stored as 0912…, typed in Persian digits
        ("email", "maryam@example.com", NEW_EMAIL, NEW_EMAIL),
        ("full_name", "کاظمی", NEW_NAME, "تهرانی"),
    ],
)
def test_the_new_value_finds_the_tickets_and_the_old_one_no_longer(
    filed, customer, either_plan, field, old, new, typed_new
):
    assert found(old) == filed["mine"]
    theirs_before = documents(filed["theirs"])

    account_services.user_update(user=customer, **{field: new})

    assert found(typed_new) == filed["mine"]
    assert found(old) == set()
    assert found("کابل") == {filed["answered"]}  # the messages' text is still there
    assert found("نفرستادید") == {filed["second"]}
    assert documents(filed["theirs"]) == theirs_before  # another requester's ticket is not touched
    assert documents(*Ticket.objects.filter(requester=customer)) == as_rebuilt(customer)


def test_every_contact_field_at_once(filed, customer, either_plan):
    account_services.user_update(user=customer, full_name=NEW_NAME, email=NEW_EMAIL, mobile=NEW_MOBILE)
    for value in ("تهرانی", NEW_EMAIL, NEW_MOBILE):
        assert found(value) == filed["mine"]
    for value in ("کاظمی", "maryam@example.com", "09121110000"):
        assert found(value) == set()


def test_the_admin_change_page(filed, customer, site_admin, client, either_plan):
    client.force_login(site_admin)
    url = f"/admin/accounts/customer/{customer.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields if name != "password"}
    data = {name: "" if value is None else value for name, value in data.items()}
    for flag in ("notify_email", "notify_sms", "notify_panel", "is_active"):
        data[flag] = "on"
    data.update({"mobile": "+98 912 555 4433", "expires_at_0": "", "expires_at_1": ""})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert found(NEW_MOBILE) == filed["mine"]
    assert found("09121110000") == set()


def test_the_profile_page(filed, customer, client, either_plan):
    client.force_login(customer)
    data = {name: getattr(customer, name) or "" for name in PROFILE_FIELDS}
    data = {name: value for name, value in data.items() if value is not False}
    data["email"] = NEW_EMAIL
    assert client.post("/accounts/profile/", data).status_code == 302
    assert found(NEW_EMAIL) == filed["mine"]
    assert found("maryam@example.com") == set()


def test_merged_tickets_get_what_the_merge_gave_them(make_ticket, customer, agent):
    target = make_ticket(subject="مودم قطع است")
    source = make_ticket(subject="اینترنت وصل نمی‌شود", body="از صبح قطع است")
    services.ticket_merge(source=source, target=target, actor=agent)
    account_services.user_update(user=customer, mobile=NEW_MOBILE)
    assert found(NEW_MOBILE) == {target.reference, source.reference}
    source.refresh_from_db()
    assert (source.status, source.merged_into_id) == (Status.CLOSED, target.pk)
    assert documents(source, target) == as_rebuilt(customer)  # the source's text: its head alone


def work_queries(run: CaptureQueriesContext) -> list[str]:
    """The statements run, less the savepoint around the service (the test's transaction makes it one)."""
    return [q["sql"] for q in run.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_a_user_with_no_tickets(customer):
    with CaptureQueriesContext(connection) as run:
        assert services.requester_search_refresh(requester=customer) == 0
    assert len(work_queries(run)) == 1  # the one (locking) read that finds nothing to do
    account_services.user_update(user=customer, mobile=NEW_MOBILE)
    customer.refresh_from_db()
    assert customer.mobile == NEW_MOBILE


def test_an_agent_s_change_leaves_the_tickets_they_answered(filed, agent, either_plan):
    mine = Ticket.objects.filter(reference__in=filed["mine"])
    before = documents(*mine)
    account_services.user_update(user=agent, full_name="علی نوروزی", email="ali.new@example.com", mobile=NEW_MOBILE)
    assert documents(*mine) == before
    assert found(NEW_MOBILE) == set()


@pytest.mark.parametrize("mobile", ["0812345678", "abc", "0912123456789"])
def test_a_bad_mobile_saves_nothing(filed, customer, mobile):
    mine = Ticket.objects.filter(reference__in=filed["mine"])
    before = documents(*mine)
    with pytest.raises(ValidationError) as refused:
        account_services.user_update(user=customer, full_name=NEW_NAME, mobile=mobile)
    assert error_codes(refused.value) == {"mobile": ["invalid_mobile"]}
    customer.refresh_from_db()
    assert (customer.full_name, customer.mobile) == ("مریم کاظمی", "09121110000")
    assert documents(*mine) == before
    assert found("تهرانی") == set()


def test_a_mobile_another_account_uses_saves_nothing(filed, customer):
    mine = Ticket.objects.filter(reference__in=filed["mine"])
    before = documents(*mine)
    with pytest.raises(ValidationError) as refused:
        account_services.user_update(user=customer, full_name=NEW_NAME, mobile=filed["other"].mobile)
    assert error_codes(refused.value) == {"mobile": ["unique"]}
    assert documents(*mine) == before


def test_unchanged_values_run_no_hook(customer, make_ticket, monkeypatch):
    make_ticket()
    calls = []
    monkeypatch.setattr(account_hooks, "on_contact_changing", [lambda user: calls.append("changing")])
    monkeypatch.setattr(account_hooks, "on_contact_changed", [lambda user, changed: calls.append(changed)])
    account_services.user_update(user=customer, full_name=customer.full_name, mobile="+98 912 111 0000", language="en")
    assert calls == []  # the profile page sends every field each time: only a real change costs the rebuild
    account_services.user_update(user=customer, full_name=NEW_NAME, language="fa")
    assert calls == ["changing", frozenset({"full_name"})]


def test_the_hooks_are_registered():
    assert requester_contact_changing in account_hooks.on_contact_changing
    assert requester_contact_changed in account_hooks.on_contact_changed


def test_queries_are_set_wise(make_ticket, customer, monkeypatch):
    monkeypatch.setattr("tickets.services.tickets.SEARCH_REFRESH_BATCH", 2)
    for n in range(5):
        make_ticket(subject=f"موضوع {n}")
    with CaptureQueriesContext(connection) as run:
        assert services.requester_search_refresh(requester=customer) == 5
    work = work_queries(run)
    # One locking read, then per batch of 2 (3 batches): the messages and one UPDATE.
    assert len(work) == 1 + 2 * 3, work
    assert found("09121110000") == set(Ticket.objects.values_list("reference", flat=True))

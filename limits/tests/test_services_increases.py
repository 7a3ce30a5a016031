import datetime as dt

import pytest
import time_machine
from django.utils import translation

from accounts.tests.factories import AgentFactory, CustomerFactory, OrganisationFactory
from helpdesk.tests.errors import error_codes
from limits import events, services
from limits.models import Ceiling, IncreaseRequest, State
from limits.periods import Period
from limits.services.increases import (
    MSG_NEEDS_ANNOUNCEMENT,
    LimitsError,
    LimitsPermissionError,
)
from tickets.models import TicketEvent

from .conftest import signed_form, tehran
from .factories import TaxpayerFactory

pytestmark = pytest.mark.django_db

Q2 = Period(1404, 2)  # 1404/04/01 – 1404/06/31
DURING_Q2 = tehran(1404, 5, 10)


def file(taxpayer, seller, amount=1_000_000_000, period=Q2, form=True, **kwargs):
    return services.increase_request_file(
        taxpayer=taxpayer,
        period=period,
        amount=amount,
        signed_form=signed_form() if form else None,
        filed_by=seller,
        description=kwargs.pop("description", "برای قرارداد جدید"),
    )


@pytest.fixture
def clock():
    with time_machine.travel(DURING_Q2, tick=False) as traveller:
        yield traveller


def kinds(request):
    return list(TicketEvent.objects.filter(ticket=request.ticket).values_list("kind", flat=True))


def test_file_creates_ticket_request_and_event(clock, taxpayer, seller):
    with translation.override("fa"):
        request = file(taxpayer, seller, amount=1_234_567_891)
    assert request.state == State.SUBMITTED
    assert (request.year, request.quarter) == (1404, 2)
    assert request.vat == 123_456_789  # 10 %, truncated
    assert request.period_ends_at == Q2.ends_at
    ticket = request.ticket
    assert ticket.type.code == "article6-increase"
    assert ticket.type.name == "سامانه مودیان / حد مجاز ماده ۶"
    assert ticket.department == ticket.type.default_department
    assert ticket.requester == seller
    first = ticket.messages.get()
    assert first.attachments.count() == 1
    assert first.body == (
        f"- مودی: {taxpayer.name} (کد اقتصادی {taxpayer.economic_code})\n"
        "- دوره: تابستان ۱۴۰۴\n"
        "- فروش اضافه درخواستی: ۱٬۲۳۴٬۵۶۷٬۸۹۱ ریال\n"
        "- مالیات بر ارزش افزوده آن با نرخ ۱۰٪: ۱۲۳٬۴۵۶٬۷۸۹ ریال\n"
        "\n"
        "برای قرارداد جدید"
    )
    assert kinds(request) == ["created", events.SUBMITTED]


def test_vat_uses_the_years_rate(taxpayer, seller):
    with time_machine.travel(tehran(1402, 5, 1), tick=False):
        request = file(taxpayer, seller, amount=999, period=Period(1402, 2))
    assert request.vat == 89 and str(request.vat_rate) == "9.00"


def test_signed_form_required(clock, taxpayer, seller):
    with pytest.raises(LimitsError) as exc:
        file(taxpayer, seller, form=False)
    assert error_codes(exc.value) == {"signed_form": ["required"]}
    assert not IncreaseRequest.objects.exists()


def test_disguised_form_refused_and_nothing_saved(clock, taxpayer, seller):
    from django.core.exceptions import ValidationError

    from tickets.models import Ticket

    with pytest.raises(ValidationError) as exc:
        services.increase_request_file(
            taxpayer=taxpayer,
            period=Q2,
            amount=5,
            signed_form=signed_form("form.pdf", b"MZ\x90\x00 this is a program"),
            filed_by=seller,
        )
    assert exc.value.code == "executable"
    assert not IncreaseRequest.objects.exists() and not Ticket.objects.exists()


@pytest.mark.parametrize("amount", [0, -5])
def test_amount_must_be_positive(clock, taxpayer, seller, amount):
    with pytest.raises(LimitsError) as exc:
        file(taxpayer, seller, amount=amount)
    assert error_codes(exc.value) == {"amount": ["not_positive"]}


def test_buyer_or_other_customer_cannot_file(clock, taxpayer):
    buyer = CustomerFactory()
    with pytest.raises(LimitsPermissionError) as exc:
        file(taxpayer, buyer)
    assert exc.value.code == "not_seller"
    assert not IncreaseRequest.objects.exists()


def test_staff_cannot_file_for_a_seller(clock, taxpayer, officer):
    with pytest.raises(LimitsPermissionError) as exc:
        file(taxpayer, officer)
    assert exc.value.code == "not_seller"


def test_organisation_manager_files_but_plain_member_cannot(clock):
    from accounts.models import User

    org = OrganisationFactory()
    boss = CustomerFactory(organisation=org, organisation_role=User.OrganisationRole.MANAGER)
    clerk = CustomerFactory(organisation=org, organisation_role=User.OrganisationRole.MEMBER)
    company = TaxpayerFactory(owner_user=None, owner_organisation=org)
    assert file(company, boss).filed_by == boss
    with pytest.raises(LimitsPermissionError) as exc:
        file(company, clerk)
    assert exc.value.code == "not_seller"


def test_last_second_accepted_next_midnight_refused(taxpayer, seller):
    with time_machine.travel(tehran(1404, 6, 31, 23, 59), tick=False):
        assert file(taxpayer, seller).state == State.SUBMITTED
    with time_machine.travel(tehran(1404, 6, 31, 23, 59, 59), tick=False):
        assert file(taxpayer, seller).state == State.SUBMITTED
    with translation.override("fa"):
        with time_machine.travel(tehran(1404, 7, 1, 0, 0), tick=False), pytest.raises(LimitsError) as exc:
            file(taxpayer, seller)
        assert exc.value.code == "period_ended"
        assert exc.value.messages == [
            "دوره تابستان ۱۴۰۴ در ساعت ۲۳:۵۹:۵۹ به وقت تهران در تاریخ ۱۴۰۴/۰۶/۳۱ به پایان رسیده است؛ "
            "حد مجاز هر دوره فقط تا پایان همان دوره قابل افزایش است."
        ]
    assert IncreaseRequest.objects.count() == 2


@pytest.mark.parametrize(("year", "last_day"), [(1403, 30), (1404, 29)])
def test_q4_deadline_in_leap_and_ordinary_years(taxpayer, seller, year, last_day):
    with time_machine.travel(tehran(year, 12, last_day, 23, 59), tick=False):
        assert file(taxpayer, seller, period=Period(year, 4)).state == State.SUBMITTED
    with time_machine.travel(tehran(year + 1, 1, 1, 0, 0), tick=False), pytest.raises(LimitsError) as exc:
        file(taxpayer, seller, period=Period(year, 4))
    assert exc.value.code == "period_ended"


def test_past_period_refused_and_far_future_refused(clock, taxpayer, seller):
    with pytest.raises(LimitsError) as exc:
        file(taxpayer, seller, period=Period(1404, 1))
    assert exc.value.code == "period_ended"
    with pytest.raises(LimitsError) as exc:
        file(taxpayer, seller, period=Period(1404, 4))
    assert exc.value.code == "period_not_yet"
    assert file(taxpayer, seller, period=Period(1404, 3)).state == State.SUBMITTED  # the next period is fine


# --- the whole path ---------------------------------------------------------------------------------


def walk_to_announced(request, officer, *, method="payment"):
    request = services.increase_request_review(request=request, actor=officer)
    request = services.increase_request_request_settlement(
        request=request, actor=officer, method=method, payment_id="3312000123" if method == "payment" else ""
    )
    if method == "payment":
        request = services.increase_request_settle(request=request, actor=officer, payment_reference="REF-77")
    elif method == "arrangement":
        request = services.increase_request_settle(request=request, actor=officer, arrangement_decision="تقسیط ۶ ماهه")
    else:
        request = services.increase_request_settle(
            request=request,
            actor=officer,
            guarantee_type="bank_guarantee",
            guarantee_amount=request.vat,
            guarantee_issuer="بانک ملی",
            guarantee_expiry=dt.date(2026, 3, 1),
        )
    return services.increase_request_announce(
        request=request,
        actor=officer,
        letter_number="۱۲۳/۴۵",
        letter_date=dt.date(2025, 8, 1),
        announced_amount=request.amount,
    )


@pytest.mark.parametrize("method", ["payment", "arrangement", "guarantee"])
def test_full_path_applies_the_increase(clock, taxpayer, seller, officer, method):
    request = file(taxpayer, seller, amount=3_000_000_000)
    request = walk_to_announced(request, officer, method=method)
    assert request.state == State.ANNOUNCED
    request = services.increase_request_apply(request=request, actor=officer)
    assert request.state == State.APPLIED
    ceiling = Ceiling.objects.get(taxpayer=taxpayer, year=1404, quarter=2)
    assert ceiling.initial == 10_000_000_000  # no prior figures: 5 × E
    assert (ceiling.increases, ceiling.total) == (3_000_000_000, 13_000_000_000)
    assert kinds(request) == [
        "created",
        events.SUBMITTED,
        events.UNDER_REVIEW,
        events.AWAITING_SETTLEMENT,
        events.SETTLED,
        events.ANNOUNCED,
        events.APPLIED,
    ]
    last = TicketEvent.objects.filter(ticket=request.ticket).last()
    assert "۱۳٬۰۰۰٬۰۰۰٬۰۰۰" in last.description


def test_two_applied_requests_add_up(clock, taxpayer, seller, officer):
    for amount in (1_000, 2_000):
        request = walk_to_announced(file(taxpayer, seller, amount=amount), officer)
        services.increase_request_apply(request=request, actor=officer)
    assert Ceiling.objects.get(taxpayer=taxpayer).increases == 3_000


def test_announced_amount_is_what_gets_applied(clock, taxpayer, seller, officer):
    request = file(taxpayer, seller, amount=5_000)
    request = services.increase_request_review(request=request, actor=officer)
    request = services.increase_request_request_settlement(request=request, actor=officer, method="arrangement")
    request = services.increase_request_settle(request=request, actor=officer, arrangement_decision="D-1")
    with pytest.raises(LimitsError) as exc:
        services.increase_request_announce(
            request=request, actor=officer, letter_number="1", letter_date=dt.date(2025, 8, 1), announced_amount=5_001
        )
    assert error_codes(exc.value) == {"announced_amount": ["announced_range"]}
    request = services.increase_request_announce(
        request=request, actor=officer, letter_number="1", letter_date=dt.date(2025, 8, 1), announced_amount=4_000
    )
    services.increase_request_apply(request=request, actor=officer)
    assert Ceiling.objects.get(taxpayer=taxpayer).increases == 4_000


def test_cannot_apply_without_announcement(clock, taxpayer, seller, officer):
    request = file(taxpayer, seller)
    request = services.increase_request_review(request=request, actor=officer)
    with pytest.raises(LimitsError) as exc:
        services.increase_request_apply(request=request, actor=officer)
    assert exc.value.code == "invalid_transition"
    # the database refuses an "announced" (or "applied") row without the letter and its exact amount
    from django.db import IntegrityError, transaction

    for state in (State.ANNOUNCED, State.APPLIED):
        with pytest.raises(IntegrityError), transaction.atomic():
            IncreaseRequest.objects.filter(pk=request.pk).update(state=state)


def test_apply_service_checks_the_announced_amount(clock, taxpayer, seller, officer, monkeypatch):
    request = walk_to_announced(file(taxpayer, seller), officer)
    # simulate a row that lost its amount (the DB constraint normally prevents it) by reading a stale copy
    original = IncreaseRequest.objects.select_for_update

    def stale(*args, **kwargs):
        qs = original(*args, **kwargs)
        row = qs.get(pk=request.pk)
        row.announced_amount = None
        monkeypatch.setattr(qs, "get", lambda **kw: row)
        return qs

    monkeypatch.setattr(IncreaseRequest.objects, "select_for_update", stale)
    with pytest.raises(LimitsError) as exc:
        services.increase_request_apply(request=request, actor=officer)
    assert exc.value.messages == [str(MSG_NEEDS_ANNOUNCEMENT)]
    assert exc.value.code == "not_announced"
    assert Ceiling.objects.filter(taxpayer=taxpayer, increases__gt=0).count() == 0


def test_prior_debt_loop(clock, taxpayer, seller, officer):
    request = services.increase_request_review(request=file(taxpayer, seller), actor=officer)
    with pytest.raises(LimitsError) as exc:
        services.increase_request_require_prior_debt(request=request, actor=officer, note=" ")
    assert error_codes(exc.value) == {"note": ["required"]}
    request = services.increase_request_require_prior_debt(
        request=request, actor=officer, note="۵۰٪ مالیات تابستان ۱۴۰۳ پرداخت نشده"
    )
    assert request.state == State.AWAITING_PRIOR_DEBT
    with pytest.raises(LimitsError) as exc:
        services.increase_request_request_settlement(request=request, actor=officer, method="arrangement")
    assert exc.value.code == "invalid_transition"
    request = services.increase_request_review(request=request, actor=officer)
    assert request.state == State.UNDER_REVIEW
    assert TicketEvent.objects.filter(ticket=request.ticket).last().data["from"] == State.AWAITING_PRIOR_DEBT


def test_settlement_evidence_is_required(clock, taxpayer, seller, officer):
    request = services.increase_request_review(request=file(taxpayer, seller, amount=10_000), actor=officer)
    with pytest.raises(LimitsError) as exc:
        services.increase_request_request_settlement(request=request, actor=officer, method="payment")
    assert error_codes(exc.value) == {"payment_id": ["required"]}
    request = services.increase_request_request_settlement(request=request, actor=officer, method="guarantee")
    with pytest.raises(LimitsError) as exc:
        services.increase_request_settle(
            request=request,
            actor=officer,
            guarantee_type="cheque",
            guarantee_amount=999,  # VAT is 1,000
            guarantee_issuer="",
            guarantee_expiry=dt.date(2020, 1, 1),
        )
    assert error_codes(exc.value) == {
        "guarantee_amount": ["guarantee_too_low"],
        "guarantee_issuer": ["required"],
        "guarantee_expiry": ["guarantee_expired"],
    }
    assert IncreaseRequest.objects.get(pk=request.pk).state == State.AWAITING_SETTLEMENT


def test_only_handling_staff_may_step(clock, taxpayer, seller):
    request = file(taxpayer, seller)
    outsider = AgentFactory()  # not in the Article 6 department
    for actor in (outsider, seller, CustomerFactory()):
        with pytest.raises(LimitsPermissionError) as exc:
            services.increase_request_review(request=request, actor=actor)
        assert exc.value.code == "not_allowed"


def test_manager_may_step(clock, taxpayer, seller, manager):
    assert services.increase_request_review(request=file(taxpayer, seller), actor=manager).state == State.UNDER_REVIEW


def test_reject_needs_a_reason_and_ends_the_request(clock, taxpayer, seller, officer):
    request = file(taxpayer, seller)
    with pytest.raises(LimitsError) as exc:
        services.increase_request_reject(request=request, actor=officer, reason="")
    assert error_codes(exc.value) == {"reason": ["required"]}
    request = services.increase_request_reject(request=request, actor=officer, reason="مدارک ناقص است")
    assert request.state == State.REJECTED and request.closed_at
    with pytest.raises(LimitsError) as exc:
        services.increase_request_review(request=request, actor=officer)
    assert exc.value.code == "invalid_transition"


def test_withdraw_by_the_seller_only(clock, taxpayer, seller, officer):
    request = file(taxpayer, seller)
    for actor in (CustomerFactory(), officer):
        with pytest.raises(LimitsPermissionError) as exc:
            services.increase_request_withdraw(request=request, actor=actor)
        assert exc.value.code == "not_allowed"
    assert services.increase_request_withdraw(request=request, actor=seller).state == State.WITHDRAWN


def test_steps_refused_after_the_period_ends(taxpayer, seller, officer):
    with time_machine.travel(DURING_Q2, tick=False):
        request = file(taxpayer, seller)
    with time_machine.travel(tehran(1404, 7, 1, 0, 0, 1), tick=False):
        with pytest.raises(LimitsError) as exc:
            services.increase_request_review(request=request, actor=officer)
        assert exc.value.code == "period_ended"


def test_notify_is_called_for_each_step(clock, taxpayer, seller, officer, monkeypatch):
    seen = []
    monkeypatch.setattr("notifications.outbox.notify", lambda event: seen.append(event.kind))
    request = file(taxpayer, seller)
    services.increase_request_review(request=request, actor=officer)
    assert events.SUBMITTED in seen and events.UNDER_REVIEW in seen


# --- expiry -----------------------------------------------------------------------------------------


def test_expiry_task(taxpayer, seller, officer):
    from limits import tasks

    with time_machine.travel(DURING_Q2, tick=False):
        open_one = file(taxpayer, seller)
        reviewing = services.increase_request_review(request=file(taxpayer, seller), actor=officer)
        withdrawn = services.increase_request_withdraw(request=file(taxpayer, seller), actor=seller)
        next_period = file(taxpayer, seller, period=Period(1404, 3))
    with time_machine.travel(tehran(1404, 6, 31, 23, 59, 59), tick=False):
        assert tasks.expire_requests() == 0
    with time_machine.travel(tehran(1404, 7, 1, 0, 1), tick=False):
        assert tasks.expire_requests() == 2
        assert tasks.expire_requests() == 0  # safe to run twice
    states = dict(IncreaseRequest.objects.values_list("pk", "state"))
    assert states[open_one.pk] == states[reviewing.pk] == State.EXPIRED
    assert states[withdrawn.pk] == State.WITHDRAWN
    assert states[next_period.pk] == State.SUBMITTED
    assert events.EXPIRED in kinds(open_one)
    event = TicketEvent.objects.get(ticket=open_one.ticket, kind=events.EXPIRED)
    assert event.actor is None


def test_expire_refused_before_the_end(clock, taxpayer, seller):
    with pytest.raises(LimitsError) as exc:
        services.increase_request_expire(request=file(taxpayer, seller))
    assert exc.value.code == "not_ended"

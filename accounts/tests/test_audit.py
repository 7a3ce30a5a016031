"""What accounts writes into the audit trail (#14.6): sign-ins and failures, lockouts, sign-outs, access levels,
suspensions and reactivations, expiry and enabled changes — who, from where, before → after."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Role
from accounts.tests.factories import PASSWORD, AdminFactory, AgentFactory, CustomerFactory, ManagerFactory
from helpdesk.models import AuditEntry
from helpdesk.tests.errors import error_codes

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def attempt(client, username, password="wrong-password", ip="192.0.2.7"):  # noqa: S107
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


# --- signing in and out -------------------------------------------------------------------------------------------


def test_a_sign_in_names_the_person_and_the_address(client):
    person = CustomerFactory(email="sara@example.com")
    assert attempt(client, "SARA@example.com", PASSWORD, ip="::ffff:192.0.2.9").status_code == 302
    (entry,) = entries("login")
    assert (entry.actor, entry.target_id, entry.ip) == (person, str(person.pk), "192.0.2.9")


def test_a_failed_sign_in_keeps_what_was_typed_and_the_account_it_matches(client):
    person = CustomerFactory(mobile="09121112233")
    attempt(client, "۰۹۱۲۱۱۱۲۲۳۳")
    attempt(client, "nobody@example.com", ip="2001:db8::5")
    known, unknown = entries("login_failed")
    assert known.actor is None and known.target_id == str(person.pk) and known.ip == "192.0.2.7"
    assert known.after == {"username": "۰۹۱۲۱۱۱۲۲۳۳"}
    assert "password" not in str(known.after) and "wrong-password" not in str(known.after)
    assert (unknown.target_id, unknown.ip, unknown.after) == ("", "2001:db8::5", {"username": "nobody@example.com"})
    assert entries("login") == []


def test_a_lockout_is_recorded_with_its_address(client):
    person = CustomerFactory(email="victim@example.com")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "victim@example.com", ip="198.51.100.3")
    assert attempt(client, "victim@example.com", PASSWORD, ip="198.51.100.3").status_code == 429
    lockouts = entries("lockout")
    assert lockouts, "the lockout is in the trail"
    assert {(e.target_id, e.ip) for e in lockouts} == {(str(person.pk), "198.51.100.3")}
    assert entries("login") == []


def test_the_admin_login_is_recorded_too(client):
    admin = AdminFactory(email="boss@example.com")
    response = client.post(
        reverse("admin:login"), {"username": "boss@example.com", "password": PASSWORD}, REMOTE_ADDR="192.0.2.20"
    )
    assert response.status_code == 302
    assert [(e.actor, e.ip) for e in entries("login")] == [(admin, "192.0.2.20")]


def test_a_sign_out_is_recorded(client):
    person = CustomerFactory()
    client.force_login(person)
    client.post(reverse("accounts:logout"), REMOTE_ADDR="192.0.2.30")
    assert [(e.actor, e.ip) for e in entries("logout")] == [(person, "192.0.2.30")]


# --- access levels, suspensions, expiry --------------------------------------------------------------------------


def test_a_role_change_records_before_and_after():
    admin = AdminFactory()
    agent = AgentFactory()
    services.user_set_role(user=agent, role=Role.MANAGER, actor=admin)
    services.user_set_role(user=agent, role=Role.MANAGER, actor=admin)  # nothing changes: no entry
    (entry,) = entries("role_change")
    assert entry.actor == admin and entry.target_id == str(agent.pk)
    assert entry.before == {"role": "agent", "is_staff": False}
    assert entry.after == {"role": "manager", "is_staff": True}


def test_a_new_staff_account_is_an_access_level_given():
    admin = AdminFactory()
    person = services.employee_create(full_name="مدیر تازه", role=Role.ADMIN, email="new@example.com", actor=admin)
    (entry,) = entries("role_change")
    assert entry.target_id == str(person.pk) and entry.actor == admin
    assert entry.before == {"role": None, "is_staff": None, "is_superuser": None}
    assert entry.after == {"role": "admin", "is_staff": True, "is_superuser": False, "expires_at": None}


def test_a_refused_role_change_leaves_no_entry():
    manager = ManagerFactory()
    with pytest.raises(ValidationError) as refused:
        services.user_set_role(user=AgentFactory(), role=Role.ADMIN, actor=manager)
    assert error_codes(refused.value) == {"role": ["rank"]}
    assert entries("role_change") == []


def test_suspension_and_reactivation():
    admin = AdminFactory()
    person = CustomerFactory()
    services.user_suspend(user=person, reason="  سوءاستفاده  ", actor=admin)
    services.user_reactivate(user=person, actor=admin)
    services.user_reactivate(user=person, actor=admin)  # not suspended any more: nothing to record
    (suspension,) = entries("suspension")
    assert suspension.before == {"suspended_at": None}
    assert suspension.after["suspension_reason"] == "سوءاستفاده" and suspension.after["suspended_at"]
    (reactivation,) = entries("reactivation")
    assert reactivation.before["suspension_reason"] == "سوءاستفاده"
    assert reactivation.after == {"suspended_at": None, "suspension_reason": ""}
    assert {suspension.actor, reactivation.actor} == {admin}


def test_expiry_and_enabled_changes_are_separate_entries():
    admin = AdminFactory()
    person = CustomerFactory()
    expires = timezone.now() + dt.timedelta(days=30)
    services.user_update(user=person, actor=admin, expires_at=expires, is_active=False, full_name="نام نو")
    (expiry,) = entries("expiry_change")
    assert expiry.before == {"expires_at": None} and expiry.after == {"expires_at": expires.isoformat()}
    (active,) = entries("active_change")
    assert (active.before, active.after) == ({"is_active": True}, {"is_active": False})
    assert AuditEntry.objects.count() == 2  # a name is not security-relevant


def test_the_admin_pages_record_the_admin_and_the_address(client):
    admin = AdminFactory()
    person = CustomerFactory()
    client.force_login(admin)
    url = reverse("admin:accounts_customer_changelist")
    response = client.post(
        url,
        {"action": "suspend_users", "_selected_action": [person.pk], "apply": "1", "reason": "تخلف"},
        REMOTE_ADDR="192.0.2.55",
    )
    assert response.status_code == 302
    (entry,) = entries("suspension")
    assert (entry.actor, entry.ip, entry.target_id) == (admin, "192.0.2.55", str(person.pk))

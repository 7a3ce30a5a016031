"""The audit trail (#14.6): the writer (`helpdesk.audit`), append-only rows, the read-only admin, and the site-wide
sources (site settings, maintenance, IP blocks). The other apps test their own sources next to their code."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import AdminFactory, ManagerFactory
from helpdesk import audit, services
from helpdesk.admin import JalaliPeriodFilter
from helpdesk.models import AuditEntry, AuditTrailIsAppendOnly, IPBlock
from helpdesk.tests.pins import AdminPins, Denied, admin_names, admin_pins, assert_queries

pytestmark = pytest.mark.django_db


def entries(action=None):
    qs = AuditEntry.objects.order_by("pk")
    return list(qs.filter(action=action) if action else qs)


# --- the writer ---------------------------------------------------------------------------------------------------


def test_record_takes_who_and_where_from_the_request_being_served(site_admin):
    request = RequestFactory().get("/", REMOTE_ADDR="::ffff:198.51.100.20")
    request.user = site_admin
    middleware = audit.AuditContextMiddleware(lambda r: audit.record(audit.Action.REPORT_EXPORT, after={"rows": 1}))
    entry = middleware(request)
    assert entry.actor == site_admin
    assert entry.actor_label == "مدیر سامانه <admin@example.com>"
    assert entry.ip == "198.51.100.20"  # normalised like the block list does
    assert audit.current_request() is None  # only while that request is served
    assert audit.record(audit.Action.REPORT_EXPORT).actor is None


def test_record_uses_the_trusted_proxy_header_only_when_configured(settings, site_admin):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.4")
    request.user = site_admin
    assert audit.AuditContextMiddleware(lambda r: audit.record("report_export"))(request).ip == "10.0.0.5"
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    assert audit.AuditContextMiddleware(lambda r: audit.record("report_export"))(request).ip == "10.0.0.4"


def test_record_stores_target_values_and_explicit_actor(agent, site_admin):
    moment = dt.datetime(2025, 3, 20, 10, 30, tzinfo=dt.UTC)
    entry = audit.record(
        audit.Action.EXPIRY_CHANGE,
        target=agent,
        actor=site_admin,
        ip="203.0.113.7",
        before={"expires_at": None, "member_of": {"b", "a"}},
        after={"expires_at": moment},
    )
    entry.refresh_from_db()
    assert (entry.target_type, entry.target_id, entry.target_label) == ("accounts.user", str(agent.pk), str(agent))
    assert entry.before == {"expires_at": None, "member_of": ["a", "b"]}
    assert entry.after == {"expires_at": "2025-03-20T10:30:00+00:00"}
    assert entry.actor == site_admin and entry.ip == "203.0.113.7"


def test_record_refuses_an_unknown_action():
    with pytest.raises(ValueError):
        audit.record("log_in")
    assert entries() == []


def test_record_refuses_a_key_that_is_neither_a_field_nor_labelled(agent):
    with pytest.raises(ValueError, match="departments, tags"):
        audit.record(
            audit.Action.ROLE_CHANGE, target=agent, before={"role": "agent"}, after={"tags": 1, "departments": 2}
        )
    with pytest.raises(ValueError, match="role"):  # a field of a user, but this entry has no target
        audit.record(audit.Action.REPORT_EXPORT, after={"role": "agent"})
    assert entries() == []
    assert audit.record(audit.Action.ROLE_CHANGE, target=agent, after={"role": "agent", "member_of": []})


def test_record_change_keeps_what_changed_and_writes_nothing_otherwise():
    assert audit.record_change("report_export", before={"file": "a", "rows": 2}, after={"file": "a", "rows": 2}) is None
    entry = audit.record_change("report_export", before={"file": "a", "rows": 2}, after={"file": "a", "rows": 3})
    assert (entry.before, entry.after) == ({"rows": 2}, {"rows": 3})
    assert len(entries()) == 1


def test_an_entry_is_rolled_back_with_its_change():
    with pytest.raises(RuntimeError), transaction.atomic():
        services.ip_block_add(network="203.0.113.7")
        assert len(entries("ip_block_add")) == 1
        raise RuntimeError("the change failed after its entry")
    assert entries() == [] and not IPBlock.objects.exists()


def test_entries_are_never_changed_or_deleted():
    entry = audit.record(audit.Action.LOGIN_FAILED, after={"username": "a@example.com"})
    entry.after = {"username": "someone-else"}
    with pytest.raises(AuditTrailIsAppendOnly):
        entry.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(ip="198.51.100.1")
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEntry.objects.all().delete()
    entry.refresh_from_db()
    assert entry.after == {"username": "a@example.com"}


def test_an_entry_outlives_its_actor(site_admin):
    actor = ManagerFactory(full_name="کارمند رفته")
    entry = audit.record(audit.Action.REPORT_EXPORT, actor=actor)
    actor.delete()
    entry = AuditEntry.objects.select_related("actor").get(pk=entry.pk)
    assert entry.actor is None and entry.actor_label.startswith("کارمند رفته")


# --- site-wide sources --------------------------------------------------------------------------------------------


def test_site_settings_and_maintenance_changes_are_separate_entries():
    services.site_settings_update(title="میز نو", records_per_page=30)
    services.site_settings_update(maintenance_mode=True, maintenance_message="به‌روزرسانی", title="میز نو")
    (settings_change,) = entries("site_settings_change")
    assert settings_change.before == {"title": "میز خدمت", "records_per_page": 25}
    assert settings_change.after == {"title": "میز نو", "records_per_page": 30}
    assert settings_change.target_type == "helpdesk.sitesettings"
    (maintenance,) = entries("maintenance_change")
    assert maintenance.before == {"maintenance_mode": False, "maintenance_message": ""}
    assert maintenance.after == {"maintenance_mode": True, "maintenance_message": "به‌روزرسانی"}


def test_a_refused_site_settings_change_writes_no_entry():
    with pytest.raises(Exception):  # noqa: B017 - ValidationError; what matters is that nothing is written
        services.site_settings_update(records_per_page=1)
    assert entries() == []


def test_ip_blocks_added_changed_and_removed():
    block = services.ip_block_add(network="203.0.113.7/24", reason="هرزنامه")
    services.ip_block_update(block=block, reason="حمله")
    services.ip_block_update(block=block, reason="حمله")  # nothing changed: no entry
    services.ip_block_remove(block=block)
    added, changed, removed = entries()
    assert (added.action, added.after["network"], added.before) == ("ip_block_add", "203.0.113.0/24", {})
    assert (changed.action, changed.before, changed.after) == (
        "ip_block_change",
        {"reason": "هرزنامه"},
        {"reason": "حمله"},
    )
    assert (removed.action, removed.before["network"], removed.target_label) == (
        "ip_block_remove",
        "203.0.113.0/24",
        "203.0.113.0/24",
    )


def test_the_admin_records_who_blocked_from_where(client, site_admin):
    client.force_login(site_admin)
    response = client.post(
        reverse("admin:helpdesk_ipblock_add"), {"network": "198.51.100.0/24", "reason": "x"}, REMOTE_ADDR="192.0.2.10"
    )
    assert response.status_code == 302
    (entry,) = entries("ip_block_add")
    assert (entry.actor, entry.ip) == (site_admin, "192.0.2.10")


# --- the admin: read-only, for admins ------------------------------------------------------------------------------


def _entries(n: int) -> AuditEntry:
    for i in range(n):
        last = audit.record(audit.Action.LOGIN_FAILED, ip=f"203.0.113.{i % 250}", after={"username": f"u{i}"})
    return last


@pytest.mark.pins(*admin_names([AuditEntry]))
def test_the_audit_admin_pages(client, site_admin):
    client.force_login(site_admin)
    admin_pins(
        client,
        AuditEntry,
        AdminPins(changelist=6, add=Denied(2), change=4, history=5, delete=Denied(3)),
        _entries,
    )


def test_the_list_shows_jalali_dates_and_filters(client, site_admin, agent):
    client.force_login(site_admin)
    with time_machine.travel(dt.datetime(2025, 3, 20, 10, 0, tzinfo=dt.UTC)):  # 1403/12/30 13:30 Tehran
        audit.record(audit.Action.SUSPENSION, target=agent, actor=site_admin, after={"suspension_reason": "x"})
    audit.record(audit.Action.LOGIN_FAILED, after={"username": "nobody@example.com"})
    url = reverse("admin:helpdesk_auditentry_changelist")
    page = client.get(url).content.decode()
    assert "۱۴۰۳/۱۲/۳۰ ۱۳:۳۰" in page
    assert client.get(url, {"action": "suspension"}).context["cl"].result_count == 1
    mine = client.get(url, {"actor__id__exact": site_admin.pk}).context["cl"].result_list
    assert [e.action for e in mine] == ["login", "suspension"]  # force_login is a sign-in
    today = client.get(url, {"period": "today"}).context["cl"].result_list
    assert [e.action for e in today] == ["login_failed", "login"]
    assert client.get(url, {"q": "nobody@"}).context["cl"].result_count == 1  # the name typed at a failed sign-in
    assert client.get(url, {"q": agent.full_name}).context["cl"].result_count == 1  # the object
    assert "delete_selected" not in page and 'name="action"' not in page


def test_the_entry_page_shows_before_and_after_read_only(client, site_admin, agent):
    client.force_login(site_admin)
    entry = audit.record(
        audit.Action.EXPIRY_CHANGE,
        target=agent,
        actor=site_admin,
        before={"expires_at": None},
        after={"expires_at": dt.datetime(2025, 3, 20, 10, 0, tzinfo=dt.UTC)},
    )
    page = client.get(reverse("admin:helpdesk_auditentry_change", args=[entry.pk])).content.decode()
    assert "۱۴۰۳/۱۲/۳۰ ۱۳:۳۰" in page and "پایان اعتبار حساب" in page  # the field by its label
    assert 'name="_save"' not in page and 'name="_continue"' not in page  # a view page, nothing to submit


def test_keys_that_are_not_fields_are_shown_by_their_labels(client, site_admin, agent):
    client.force_login(site_admin)
    moves = audit.record(
        audit.Action.DEPARTMENTS_CHANGE,
        target=agent,
        before={"member_of": [], "supervises": ["فنی"]},
        after={"member_of": ["فروش"], "supervises": []},
    )
    export = audit.record(audit.Action.REPORT_EXPORT, after={"file": "a.csv", "section": "sla", "rows": 3})
    page = client.get(reverse("admin:helpdesk_auditentry_change", args=[moves.pk])).content.decode()
    assert "عضو واحدهای" in page and "سرپرست واحدهای" in page
    assert "member_of" not in page and "supervises" not in page
    page = client.get(reverse("admin:helpdesk_auditentry_change", args=[export.pk])).content.decode()
    assert "فایل" in page and "گزارش" in page and "تعداد ردیف‌ها" in page and ">rows<" not in page
    listing = client.get(reverse("admin:helpdesk_auditentry_changelist")).content.decode()
    assert "عضو واحدهای، سرپرست واحدهای" in listing  # the «change» column names them too


@pytest.mark.parametrize("who", ["site_admin", "superuser"])
def test_nobody_adds_changes_or_deletes_an_entry(client, who, site_admin):
    user = site_admin if who == "site_admin" else AdminFactory(is_superuser=True)
    client.force_login(user)
    entry = audit.record(audit.Action.LOGIN_FAILED, after={"username": "a"})
    change = reverse("admin:helpdesk_auditentry_change", args=[entry.pk])
    assert client.post(change, {"action": "login", "ip": "198.51.100.1"}).status_code == 403
    assert client.post(reverse("admin:helpdesk_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:helpdesk_auditentry_add"), {"action": "login"}).status_code == 403
    changelist = reverse("admin:helpdesk_auditentry_changelist")
    client.post(changelist, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    entry.refresh_from_db()
    assert (entry.action, entry.ip, entry.after) == ("login_failed", None, {"username": "a"})
    assert AuditEntry.objects.exclude(action="login").count() == 1


def test_only_admins_read_the_trail(client):
    audit.record(audit.Action.LOGIN_FAILED)
    client.force_login(ManagerFactory())
    assert client.get(reverse("admin:helpdesk_auditentry_changelist")).status_code in (302, 403)
    assert "helpdesk_auditentry" not in client.get(reverse("admin:index")).content.decode()


def test_nobody_can_be_given_the_right_to_change_the_trail():
    from django.contrib.auth.models import Permission

    codenames = set(Permission.objects.filter(content_type__app_label="helpdesk").values_list("codename", flat=True))
    assert "view_auditentry" in codenames
    assert not {"add_auditentry", "change_auditentry", "delete_auditentry"} & codenames


def test_the_period_filter_follows_the_jalali_calendar():
    with time_machine.travel(dt.datetime(2025, 4, 5, 8, 0, tzinfo=dt.UTC)):  # 1404/01/16
        assert JalaliPeriodFilter.bounds("month") == (dt.date(2025, 3, 21), dt.date(2025, 4, 20))
        assert JalaliPeriodFilter.bounds("last_month") == (dt.date(2025, 2, 19), dt.date(2025, 3, 20))
        assert JalaliPeriodFilter.bounds("year") == (dt.date(2025, 3, 21), dt.date(2026, 3, 20))
        assert JalaliPeriodFilter.bounds("today") == (dt.date(2025, 4, 5), dt.date(2025, 4, 5))
        assert JalaliPeriodFilter.bounds(None) is None


def test_writing_an_entry_is_one_query(agent):
    with assert_queries(1):
        audit.record(audit.Action.ROLE_CHANGE, target=agent, actor=None, before={"role": "customer"}, after={})
    assert timezone.now() - entries()[0].at < dt.timedelta(seconds=5)

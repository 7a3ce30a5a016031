"""Two-factor sign-in (#14.4): enrolment, the code step, backup codes, throttling, enforcement per role, the
half-signed-in session, admin recovery, the deploy check."""

import html
import logging
import re
import time
from binascii import unhexlify

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services, twofactor
from accounts.models import BackupCode, BackupCodeDevice, Role, TwoFactorRequirement
from accounts.tests.factories import PASSWORD
from helpdesk.models import AuditAction, AuditEntry
from helpdesk.persian import to_persian_digits

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
CODE = "/accounts/login/code/"
SETUP = "/accounts/two-factor/setup/"
BACKUP = "/accounts/two-factor/backup-codes/"
DISABLE = "/accounts/two-factor/disable/"


def totp_code(key: str, *, offset: int = 0) -> str:
    totp = TOTP(unhexlify(key), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + offset * 30
    return f"{totp.token():06d}"


def enrol(user) -> twofactor.Enrolment:
    key = twofactor.new_secret()
    return twofactor.two_factor_enrol(user=user, key=key, code=totp_code(key))


def password_step(client, user, **extra):
    return client.post(LOGIN, {"username": user.email, "password": PASSWORD, **extra})


def require(role: str) -> None:
    twofactor.two_factor_requirement_set(role=role, required=True, actor=None)


@pytest.fixture
def admin_user(db):
    return services.employee_create(
        full_name="مدیر سامانه", role=Role.ADMIN, email="root@example.com", password=PASSWORD
    )


@pytest.fixture
def enrolled(customer):
    return customer, enrol(customer)


# --- enrolment ----------------------------------------------------------------------------------------------------


def test_enrol_from_the_profile_shows_the_backup_codes_once(client, customer):
    client.force_login(customer)
    page = client.get(SETUP)
    body = page.content.decode()
    assert page.status_code == 200
    assert "data:image/svg+xml" in body  # the QR code, drawn on the server
    key = client.session[twofactor.SETUP_KEY]
    assert twofactor.secret_groups(key) in body
    assert not TOTPDevice.objects.filter(user=customer).exists()  # nothing stored before the code confirms it

    response = client.post(SETUP, {"code": to_persian_digits(totp_code(key))})  # Persian digits accepted
    assert response.status_code == 302 and response["Location"] == BACKUP
    device = TOTPDevice.objects.get(user=customer)
    assert device.confirmed and device.key == key

    codes_page = client.get(BACKUP)
    codes = [
        li.strip()
        for li in codes_page.content.decode()
        .split('data-testid="backup-codes">')[1]
        .split("</ul>")[0]
        .replace("</li>", "")
        .split('<li class="col">')
        if li.strip()
    ]
    assert len(codes) == twofactor.BACKUP_CODE_COUNT
    # Only hashes are stored.
    digests = set(BackupCode.objects.filter(device__user=customer).values_list("digest", flat=True))
    assert len(digests) == twofactor.BACKUP_CODE_COUNT
    assert not any(code.replace("-", "") in digests or code in digests for code in codes)
    # Shown once.
    assert client.get(BACKUP)["Location"] == reverse("accounts:profile")
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "۱۰" in profile and reverse("accounts:two_factor_disable") in profile
    from helpdesk.l10n import format_date

    assert f"راه‌اندازی‌شده در {format_date(device.created_at, long=True)}" in profile  # a Jalali date


@pytest.mark.parametrize("code", ["", "12345", "000000", "abcdef", "۱۲۳", "x" * 40])
def test_enrol_with_a_bad_code_stores_nothing(client, customer, code):
    client.force_login(customer)
    client.get(SETUP)
    response = client.post(SETUP, {"code": code})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not TOTPDevice.objects.exists() and not BackupCodeDevice.objects.exists()


def test_enrol_twice_is_refused(client, enrolled):
    customer, _enrolment = enrolled
    client.force_login(customer)
    assert client.get(SETUP)["Location"] == reverse("accounts:profile")
    with pytest.raises(ValueError):
        enrol(customer)
    assert TOTPDevice.objects.filter(user=customer).count() == 1


def test_setup_needs_a_login_or_a_pending_sign_in(client):
    response = client.get(SETUP)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


# --- the code step ------------------------------------------------------------------------------------------------


def test_sign_in_with_a_totp_code(client, enrolled):
    customer, enrolment = enrolled
    response = password_step(client, customer, next="/tickets/")
    assert response["Location"] == CODE
    assert "_auth_user_id" not in client.session  # not logged in after the password alone

    page = client.get(CODE)
    assert page.status_code == 200 and 'lang="fa"' in page.content.decode()
    code = totp_code(enrolment.device.key, offset=1)  # the next step: within the tolerance, not used yet
    response = client.post(CODE, {"code": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 302 and response["Location"] == "/tickets/"
    assert client.session["_auth_user_id"] == str(customer.pk)
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_a_totp_code_works_once(client, enrolled):
    customer, enrolment = enrolled
    code = totp_code(enrolment.device.key, offset=1)
    assert twofactor.two_factor_verify(user=customer, code=code) is not None
    TOTPDevice.objects.filter(user=customer).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    assert twofactor.two_factor_verify(user=customer, code=code) is None


def test_arabic_digits_are_accepted(client, enrolled):
    customer, enrolment = enrolled
    code = totp_code(enrolment.device.key, offset=1).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    password_step(client, customer)
    assert client.post(CODE, {"code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(customer.pk)


def test_a_backup_code_works_once(client, enrolled):
    customer, enrolment = enrolled
    code = enrolment.backup_codes[0]
    password_step(client, customer)
    assert client.post(CODE, {"code": code.upper()}).status_code == 302
    assert client.session["_auth_user_id"] == str(customer.pk)
    assert twofactor.backup_codes_left(customer) == twofactor.BACKUP_CODE_COUNT - 1
    # The TOTP device did not count the backup code as a wrong TOTP code.
    assert TOTPDevice.objects.get(user=customer).throttling_failure_count == 0

    client.post("/accounts/logout/")
    password_step(client, customer)
    response = client.post(CODE, {"code": code})
    assert response.status_code == 200
    assert twofactor.MSG_WRONG_CODE in response.context["form"].errors["code"]
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("code", ["", "   ", "12", "۱۲۳۴۵۶۷۸۹", "<script>", "x" * 40, "abcde-fghij"])
def test_bad_codes_get_a_persian_message_and_no_login(client, enrolled, code):
    customer, _enrolment = enrolled
    password_step(client, customer)
    response = client.post(CODE, {"code": code})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert "_auth_user_id" not in client.session
    assert "<script>" not in response.content.decode()


def test_wrong_codes_are_throttled_with_a_persian_message(client, enrolled, settings):
    customer, enrolment = enrolled
    password_step(client, customer)
    client.post(CODE, {"code": "000000"})  # one failure: the next try must wait FACTOR × 2⁰ seconds
    TOTPDevice.objects.filter(user=customer).update(throttling_failure_count=6)  # 2⁵ = 32 s now
    response = client.post(CODE, {"code": totp_code(enrolment.device.key)})  # even the right code is refused
    errors = response.context["form"].errors["code"]
    assert "کدهای نادرست" in errors[0] and "ثانیه" in errors[0]
    assert "_auth_user_id" not in client.session
    # A backup code does not get round it either.
    response = client.post(CODE, {"code": enrolment.backup_codes[0]})
    assert "کدهای نادرست" in response.context["form"].errors["code"][0]
    assert twofactor.backup_codes_left(customer) == twofactor.BACKUP_CODE_COUNT


def test_throttling_is_on():
    device = TOTPDevice(throttling_failure_count=1)
    assert device.throttling_enabled and BackupCodeDevice().throttling_enabled


def test_the_pending_sign_in_expires(client, enrolled, settings):
    customer, enrolment = enrolled
    password_step(client, customer)
    session = client.session
    session[twofactor.PENDING_KEY]["at"] -= settings.TWO_FACTOR_PENDING_SECONDS + 1
    session.save()
    response = client.post(CODE, {"code": totp_code(enrolment.device.key)})
    assert response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_the_code_step_without_a_password_step_goes_to_login(client):
    assert client.get(CODE)["Location"] == LOGIN


# --- the half-signed-in session reaches nothing ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/", "/accounts/profile/", "/tickets/", "/notifications/", "/admin/", "/admin/accounts/customer/"]
)
def test_a_half_signed_in_session_reaches_nothing(client, admin_user, url):
    enrol(admin_user)
    password_step(client, admin_user)
    response = client.get(url)
    assert "_auth_user_id" not in client.session
    if response.status_code == 200:  # a public page: shown as to a visitor
        assert admin_user.full_name not in response.content.decode()
    else:
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_admin_login_asks_for_the_code(client, admin_user):
    enrolment = enrol(admin_user)
    response = client.post(
        reverse("admin:login"), {"username": admin_user.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"] == CODE
    assert client.get("/admin/").status_code == 302
    response = client.post(CODE, {"code": totp_code(enrolment.device.key, offset=1)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- enforcement per role -------------------------------------------------------------------------------------------


def test_an_enforced_role_without_a_device_is_sent_to_enrolment(client, admin_user):
    require(Role.ADMIN)
    response = password_step(client, admin_user, next="/admin/")
    assert response["Location"] == SETUP
    assert "_auth_user_id" not in client.session
    for url in ("/", "/admin/", "/accounts/profile/", BACKUP, DISABLE):  # nothing else is reachable
        client.get(url)
        assert "_auth_user_id" not in client.session
    assert client.get(CODE)["Location"] == LOGIN  # no device: the code step is no way in
    password_step(client, admin_user, next="/admin/")

    page = client.get(SETUP)
    assert "سطح دسترسی شما باید با عامل دوم وارد شود" in page.content.decode()  # Persian, the default
    key = client.session[twofactor.SETUP_KEY]
    response = client.post(SETUP, {"code": totp_code(key)})
    assert response["Location"] == BACKUP
    assert client.session["_auth_user_id"] == str(admin_user.pk)
    codes = client.get(BACKUP)
    assert 'href="/admin/"' in codes.content.decode()  # continue to where they were going
    assert client.get("/admin/").status_code == 200


def test_an_enforced_role_cannot_bypass_with_an_old_session(client, admin_user):
    client.force_login(admin_user)  # a session from before the requirement, or from any path without the code
    assert client.get("/admin/").status_code == 200
    require(Role.ADMIN)
    response = client.get("/admin/")
    assert response.status_code == 302 and "_auth_user_id" not in client.session
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert "ورود دومرحله‌ای" in client.get(LOGIN).content.decode()


def test_the_deployment_setting_requires_a_role(client, settings, admin_user):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin"]
    assert password_step(client, admin_user)["Location"] == SETUP


def test_a_role_not_required_logs_in_with_the_password(client, admin_user, customer):
    require(Role.ADMIN)
    response = password_step(client, customer)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(customer.pk)


def test_an_enforced_user_cannot_turn_it_off(client, admin_user):
    enrolment = enrol(admin_user)
    require(Role.ADMIN)
    password_step(client, admin_user)
    client.post(CODE, {"code": totp_code(enrolment.device.key, offset=1)})
    response = client.post(DISABLE, {"code": enrolment.backup_codes[0]})
    assert response.status_code == 200
    assert TOTPDevice.objects.filter(user=admin_user).exists()


def test_a_customer_opts_out_with_a_code(client, enrolled):
    customer, enrolment = enrolled
    password_step(client, customer)
    client.post(CODE, {"code": enrolment.backup_codes[0]})
    assert client.post(DISABLE, {"code": "000000"}).status_code == 200
    assert TOTPDevice.objects.filter(user=customer).exists()
    TOTPDevice.objects.filter(user=customer).update(throttling_failure_count=0)
    assert client.post(DISABLE, {"code": enrolment.backup_codes[1]})["Location"] == reverse("accounts:profile")
    assert not TOTPDevice.objects.filter(user=customer).exists() and not BackupCode.objects.exists()
    client.post("/accounts/logout/")
    assert password_step(client, customer).status_code == 302
    assert client.session["_auth_user_id"] == str(customer.pk)


# --- recovery by an admin -----------------------------------------------------------------------------------------


def test_admin_recovery_removes_the_devices_and_is_logged(client, admin_user, enrolled, caplog):
    customer, _enrolment = enrolled
    client.force_login(admin_user)
    with caplog.at_level(logging.WARNING, logger="accounts.twofactor"):
        response = client.post(
            reverse("admin:accounts_customer_changelist"),
            {"action": "remove_two_factor", "_selected_action": [customer.pk]},
        )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=customer).exists()
    assert not BackupCodeDevice.objects.filter(user=customer).exists()
    assert any(r.getMessage() == "accounts.two_factor.removed" and r.user == customer.pk for r in caplog.records)
    assert LogEntry.objects.filter(object_id=str(customer.pk)).exists()
    entry = AuditEntry.objects.get(action=AuditAction.TWO_FACTOR_REMOVED)  # in the audit trail too
    assert (entry.target_id, entry.actor_id) == (str(customer.pk), admin_user.pk)
    client.post("/accounts/logout/")
    assert password_step(client, customer).status_code == 302  # the password alone again
    assert client.session["_auth_user_id"] == str(customer.pk)


def signed_in_with_code(user, code: str) -> Client:
    """A new browser that signed in with the password and `code`."""
    browser = Client()
    password_step(browser, user)
    assert browser.post(CODE, {"code": code}).status_code == 302
    assert browser.get("/accounts/profile/").status_code == 200
    return browser


def test_turning_it_off_in_one_browser_ends_the_others_verified_sessions(enrolled):
    customer, enrolment = enrolled
    here = signed_in_with_code(customer, totp_code(enrolment.device.key, offset=1))
    there = signed_in_with_code(customer, enrolment.backup_codes[0])
    assert here.post(DISABLE, {"code": enrolment.backup_codes[1]})["Location"] == reverse("accounts:profile")
    assert customer.__class__.objects.get(pk=customer.pk).two_factor_generation == 1

    assert here.get("/accounts/profile/").status_code == 200  # the browser that turned it off stays logged in
    response = there.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert "_auth_user_id" not in there.session and DEVICE_ID_SESSION_KEY not in there.session
    assert "بازنشانی شد" in there.get(LOGIN).content.decode()  # the login page says why
    assert password_step(there, customer).status_code == 302  # the password alone now (no device)
    assert there.session["_auth_user_id"] == str(customer.pk)


def test_admin_recovery_ends_the_sessions_verified_with_the_old_devices(client, admin_user):
    agent = services.employee_create(
        full_name="علی کارشناس", role=Role.AGENT, email="ali@example.com", password=PASSWORD
    )
    enrolment = enrol(agent)
    require(Role.AGENT)
    phone = signed_in_with_code(agent, enrolment.backup_codes[0])  # e.g. the stolen phone's browser
    assert phone.get("/accounts/profile/").status_code == 200
    client.force_login(admin_user)
    client.post(
        reverse("admin:accounts_employee_changelist"),
        {"action": "remove_two_factor", "_selected_action": [agent.pk]},
    )
    response = phone.get("/tickets/")
    assert response.status_code == 302 and "_auth_user_id" not in phone.session
    # Signing in again asks for enrolment anew (the role requires it): the old code means nothing.
    assert password_step(phone, agent)["Location"] == SETUP
    assert "_auth_user_id" not in phone.session


def test_a_verified_session_stays_verified_while_the_devices_stay(enrolled):
    customer, enrolment = enrolled
    browser = signed_in_with_code(customer, enrolment.backup_codes[0])
    session = browser.session
    del session[twofactor.GENERATION_KEY]  # verified before the counter existed: generation 0
    session.save()
    for _n in range(2):
        assert browser.get("/accounts/profile/").status_code == 200
    assert twofactor.two_factor_remove(user=customer, actor=None) == 2
    assert twofactor.two_factor_remove(user=customer, actor=None) == 0  # nothing removed: nothing bumped
    customer.refresh_from_db()
    assert customer.two_factor_generation == 1
    assert browser.get("/accounts/profile/").status_code == 302


def test_a_manager_may_not_remove_devices(client, manager, enrolled):
    customer, _enrolment = enrolled
    client.force_login(manager)
    client.post(
        reverse("admin:accounts_customer_changelist"),
        {"action": "remove_two_factor", "_selected_action": [customer.pk]},
    )
    assert TOTPDevice.objects.filter(user=customer).exists()


def test_the_requirement_is_edited_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    row = TwoFactorRequirement.objects.get(role=Role.AGENT)
    response = client.post(reverse("admin:accounts_twofactorrequirement_change", args=[row.pk]), {"required": "on"})
    assert response.status_code == 302
    assert Role.AGENT in twofactor.required_roles()


def test_enrolments_and_requirement_changes_are_in_the_audit_trail(client, admin_user, customer):
    enrol(customer)
    (enrolled,) = AuditEntry.objects.filter(action=AuditAction.TWO_FACTOR_ENROLLED)
    assert (enrolled.actor, enrolled.target_id) == (customer, str(customer.pk))
    client.force_login(admin_user)
    row = TwoFactorRequirement.objects.get(role=Role.AGENT)
    url = reverse("admin:accounts_twofactorrequirement_change", args=[row.pk])
    client.post(url, {"required": "on"}, REMOTE_ADDR="192.0.2.60")
    client.post(url, {"required": "on"}, REMOTE_ADDR="192.0.2.60")  # saved unchanged: nothing to record
    client.post(url, {}, REMOTE_ADDR="192.0.2.61")
    changes = AuditEntry.objects.filter(action=AuditAction.TWO_FACTOR_REQUIREMENT_CHANGE).order_by("pk")
    assert [(e.before, e.after, e.ip) for e in changes] == [
        ({"required": False}, {"required": True}, "192.0.2.60"),
        ({"required": True}, {"required": False}, "192.0.2.61"),
    ]
    assert all(e.actor == admin_user and e.target_id == str(row.pk) for e in changes)


def test_one_requirement_row_per_role():
    assert set(TwoFactorRequirement.objects.values_list("role", flat=True)) == set(Role.values)


# --- in Persian --------------------------------------------------------------------------------------------------

# What the Persian text itself keeps in Latin letters: the apps' names and «کد QR».
KEPT_IN_LATIN = ("Google Authenticator", "Microsoft Authenticator", "FreeOTP", "QR")


def latin_words(response, *allowed: str) -> list[str]:
    """The Latin words of the page's main part as a reader sees it (tags, scripts and the `allowed` texts out)."""
    main = response.content.decode().split('<main id="main"', 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", main.split(">", 1)[1]))
    for value in (*allowed, *KEPT_IN_LATIN):  # the allowed first: a random key may hold «QR»
        text = text.replace(value, " ")
    return re.findall(r"[A-Za-z]{2,}", text)


def test_the_two_factor_screens_are_in_persian(client, customer):
    password_step(client, customer)  # no device yet: logged in with the password
    setup = client.get(SETUP)
    key = client.session[twofactor.SETUP_KEY]
    assert "راه‌اندازی ورود دومرحله‌ای" in setup.content.decode()
    assert latin_words(setup, twofactor.secret_groups(key)) == []
    client.post(SETUP, {"code": totp_code(key)})
    codes = client.get(BACKUP)
    shown = re.findall(r'<li class="col">([a-z]{5}-[a-z]{5})</li>', codes.content.decode())
    assert len(shown) == twofactor.BACKUP_CODE_COUNT and latin_words(codes, *shown) == []
    assert latin_words(client.get(DISABLE)) == []
    client.post("/accounts/logout/")
    password_step(client, customer)
    step = client.get(CODE)
    assert "ورود دومرحله‌ای" in step.content.decode() and latin_words(step) == []
    wrong = client.post(CODE, {"code": "000000"})
    assert wrong.context["form"].errors["code"] and latin_words(wrong) == []


# --- the deploy check ------------------------------------------------------------------------------------------------


def test_the_deploy_check_warns_without_admin_enforcement(settings):
    from accounts.checks import check_admin_two_factor

    settings.DEBUG = False
    settings.TWO_FACTOR_REQUIRED_ROLES = []
    assert [w.id for w in check_admin_two_factor(None)] == ["accounts.W001"]
    require(Role.ADMIN)
    assert check_admin_two_factor(None) == []
    TwoFactorRequirement.objects.update(required=False)
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin"]
    assert check_admin_two_factor(None) == []


def test_production_requires_admins_by_default(monkeypatch):
    import importlib
    import sys

    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.delenv("TWO_FACTOR_REQUIRED_ROLES", raising=False)
    monkeypatch.delitem(sys.modules, "helpdesk.settings.production", raising=False)
    production = importlib.import_module("helpdesk.settings.production")
    assert production.TWO_FACTOR_REQUIRED_ROLES == ["admin"]


def test_an_admin_signs_in_with_a_code_during_maintenance(client, admin_user, django_capture_on_commit_callbacks):
    from helpdesk import services as site_services

    enrolment = enrol(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        site_services.site_settings_update(maintenance_mode=True, maintenance_message="به‌روزرسانی")
    password_step(client, admin_user)
    assert client.get(CODE).status_code == 200  # the second step is part of logging in, not the site
    response = client.post(CODE, {"code": totp_code(enrolment.device.key, offset=1)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_wrong_codes_count_toward_the_lockout(client, enrolled, settings):
    from axes.models import AccessFailureLog

    customer, enrolment = enrolled
    password_step(client, customer)
    for _n in range(settings.AXES_FAILURE_LIMIT - 1):
        TOTPDevice.objects.filter(user=customer).update(throttling_failure_count=0)  # past django-otp's wait
        assert client.post(CODE, {"code": "000000"}).status_code == 200
    assert AccessFailureLog.objects.filter(username=customer.email).count() == settings.AXES_FAILURE_LIMIT - 1
    TOTPDevice.objects.filter(user=customer).update(throttling_failure_count=0)
    response = client.post(CODE, {"code": "000000"})  # the last failure allowed: the lockout page
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session and twofactor.PENDING_KEY not in client.session
    # The password and the right code no longer get in from here.
    assert password_step(client, customer).status_code == 429

"""Two-factor sign-in in headless Chromium: enrol from the profile, log out, sign in with the password and a code
from the "app" (computed from the key the page shows for typing by hand), RTL and in Persian."""

import pytest

from accounts import twofactor
from accounts.tests.factories import PASSWORD
from accounts.tests.test_twofactor import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBMIT_CODE = "form[action$='/login/code/'] button[type=submit]"


def key_from_groups(groups: str) -> str:
    from base64 import b32decode
    from binascii import hexlify

    text = groups.replace(" ", "")
    return hexlify(b32decode(text + "=" * (-len(text) % 8))).decode()


def log_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action$='/accounts/login/'] button[type=submit]")


def test_enrol_then_sign_in_with_a_code(live_server, browser_page, customer):
    page, base = browser_page, live_server.url
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    log_in(page, base, customer)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/accounts/profile/")
    page.click("[data-testid=two-factor] a")
    page.wait_for_url(f"{base}/accounts/two-factor/setup/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    qr = page.locator("img[src^='data:image/svg+xml']")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")  # the QR code is drawn
    key = key_from_groups(page.inner_text("[data-testid=totp-secret]"))
    page.fill("input[name=code]", totp_code(key).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")))
    page.click("form[action$='/two-factor/setup/'] button[type=submit]")
    page.wait_for_url(f"{base}/accounts/two-factor/backup-codes/")
    codes = page.inner_text("[data-testid=backup-codes]").split()
    assert len(codes) == twofactor.BACKUP_CODE_COUNT

    page.click("text=ادامه")
    page.wait_for_url(f"{base}/accounts/profile/")
    page.context.clear_cookies()  # a new browser session
    log_in(page, base, customer)
    page.wait_for_url(f"{base}/accounts/login/code/")
    assert "ورود دومرحله‌ای" in page.inner_text("h1")
    page.fill("input[name=code]", "000000")
    page.click(SUBMIT_CODE)
    assert "کد درست نیست" in page.inner_text("form[action$='/login/code/']")
    page.wait_for_timeout(1100)  # the throttle after one wrong code: one second
    page.fill("input[name=code]", totp_code(key, offset=1))
    page.click(SUBMIT_CODE)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/accounts/profile/")
    assert "روشن" in page.inner_text("[data-testid=two-factor]")
    assert errors == []

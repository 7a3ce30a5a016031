"""Production settings: `check --deploy` is clean, HTTPS settings are on, and demo data is refused."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.models import User

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def _production_env(**extra: str) -> dict[str, str]:
    # Only what a process needs to start: nothing of the test run's own settings (e.g. DJANGO_ALLOW_ASYNC_UNSAFE,
    # which the browser tests set and which check --deploy rightly reports) leaks into the production process.
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="helpdesk.settings.production",
        # A fresh 50+ character random key, as an operator would generate it.
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.ir",
        # Email-in through Postmark, its webhook behind basic auth.
        INBOUND_EMAIL_PROVIDER="postmark",
        ANYMAIL_WEBHOOK_SECRET=f"{secrets.token_hex(8)}:{secrets.token_hex(16)}",
        INBOUND_AUTHSERV_ID="mx.example.ir",  # whose Authentication-Results verify senders
        # SMS-in through Kavenegar's receive callback, behind its secret.
        SMS_DEPARTMENT="پشتیبانی فنی",
        KAVENEGAR_INBOUND_SECRET=secrets.token_urlsafe(32),
        # The broker of the worker and beat (check --deploy does not connect to it).
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    env.update(extra)
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_with_a_weak_secret_key():
    """The check above can fail: a short key is reported (so a passing run means the settings are really right)."""
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env(SECRET_KEY="short"))
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_check_deploy_reports_an_inbound_webhook_without_authentication_and_it_answers_403(tmp_path):
    env = _production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'p.sqlite3'}")
    del env["ANYMAIL_WEBHOOK_SECRET"]
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "inbound.E003" in result.stdout + result.stderr and "ANYMAIL_WEBHOOK_SECRET" in result.stdout + result.stderr
    code = (
        "from django.test import Client;"
        "r = Client(SERVER_NAME='example.ir').post('/anymail/postmark/inbound/', {}, secure=True);"
        "print(r.status_code)"
    )
    result = _manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "403"


def test_check_deploy_reports_sms_in_without_its_callback_secret():
    env = _production_env()
    del env["KAVENEGAR_INBOUND_SECRET"]
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "inbound.E004" in result.stdout + result.stderr


def test_check_deploy_reports_production_without_a_broker():
    """Tasks would run in the requests and no beat would run: no sweep retries what failed (issue #10)."""
    env = _production_env()
    del env["CELERY_BROKER_URL"]
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "helpdesk.W001" in result.stdout + result.stderr and "CELERY_BROKER_URL" in result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = _production_env()
    del env["SECRET_KEY"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_values(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS >= 31536000, s.X_FRAME_OPTIONS, s.SESSION_COOKIE_HTTPONLY);"
        "from django.test import Client;"
        "c = Client(SERVER_NAME='example.ir');"
        "print(c.get('/accounts/login/').status_code, c.get('/healthz').status_code in (200, 503))"
    )
    result = _manage("shell", "-c", code, env=_production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'p.sqlite3'}"))
    assert result.returncode == 0, result.stderr
    values, plain_http = result.stdout.strip().splitlines()[-2:]
    assert values.split() == ["False", "True", "True", "True", "True", "DENY", "True"]
    # Plain HTTP is redirected to HTTPS, except the health check that probes ask over HTTP.
    assert plain_http.split() == ["301", "True"]


def test_load_demo_refuses_with_production_settings():
    result = _manage("load_demo", env=_production_env(DATABASE_URL="sqlite:////nonexistent/never-created.sqlite3"))
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_load_demo_refuses_when_debug_is_off_and_creates_nothing():
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert not User.objects.exists()


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_load_demo_prints_one_account_per_role_and_is_idempotent(capsys):
    call_command("load_demo")
    first = capsys.readouterr().out
    count = User.objects.count()
    for login in ("customer@example.com", "agent@example.com", "supervisor@example.com", "admin@example.com"):
        assert login in first
    assert "manager@example.com" in first
    call_command("load_demo")
    assert User.objects.count() == count


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/healthz", "/does-not-exist/"])
def test_security_headers_on_every_kind_of_page(client, path):
    response = client.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp

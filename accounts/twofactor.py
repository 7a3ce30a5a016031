"""Two-factor sign-in (TOTP with one-time backup codes, on django-otp).

- **Policy**: a role must use it when an admin ticked it («ورود دومرحله‌ای» in the admin, `TwoFactorRequirement`)
  or when settings.TWO_FACTOR_REQUIRED_ROLES names it (production: the admins). Anyone else may opt in. A ticked or
  unticked level, an enrolment and a removal are entries of the audit trail (`helpdesk.audit`).
- **Sign-in** (accounts/views.py): after the password the session is *not* logged in; it only holds a pending
  sign-in (`PENDING_KEY`: who, since when, where to go). The code step — or, for a required role without a device,
  enrolment — then logs the user in. A session that is logged in but did not pass the code step
  (`accounts.middleware.TwoFactorMiddleware`) is ended when the user's role requires a second factor.
- **Devices**: one TOTP device (django-otp's) and one `BackupCodeDevice` with hashed one-time codes. Wrong codes
  are throttled per device by django-otp (FACTOR × 2^(n-1) seconds after n failures); a code is refused while
  any of the user's devices is throttled, so alternating between a TOTP code and a backup code gains nothing.
- **Recovery**: an admin removes a user's devices (`two_factor_remove`, an admin action), logged as
  `accounts.two_factor.removed`. Removing devices bumps `User.two_factor_generation`; a session remembers the value
  it was verified under (`GENERATION_KEY`, written by `session_verify`), and the middleware ends a verified session
  whose value is older: a stolen phone's sessions do not outlive the recovery.
"""

from __future__ import annotations

import logging
import math
import secrets
import time
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login
from django_otp.models import Device, ThrottlingMixin
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from helpdesk import audit, cache
from helpdesk.l10n import digits
from helpdesk.persian import clean_digits

from .models import BackupCode, BackupCodeDevice, TwoFactorRequirement, User, backup_code_digest

logger = logging.getLogger(__name__)

MSG_WRONG_CODE = _("The code is not correct. Type the code your app shows now, or one of your backup codes.")
MSG_WRONG_SETUP_CODE = _("The code is not correct. Type the 6-digit code the app shows now for this account.")
MSG_THROTTLED = _("Too many wrong codes. Please wait %(seconds)s seconds and try again.")
MSG_ALREADY_ENROLLED = _("Two-factor sign-in is already on for this account.")
MSG_REQUIRED = _("Your access level must use two-factor sign-in: it cannot be turned off.")

BACKUP_CODE_COUNT = 10
# Letters only (no i, l, o): never mistaken for a TOTP code, which is digits, nor for one another.
BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz"
BACKUP_CODE_LENGTH = 10

POLICY_CACHE_KEY = "accounts:two-factor-roles"
POLICY_CACHE_SECONDS = 300

# Session keys: the pending sign-in, and the TOTP key being enrolled (never stored before it is confirmed).
PENDING_KEY = "accounts:2fa-pending"
SETUP_KEY = "accounts:2fa-setup-key"
BACKUP_CODES_KEY = "accounts:2fa-new-backup-codes"
# The user's `two_factor_generation` when this session passed the code step (or enrolled).
GENERATION_KEY = "accounts:2fa-generation"


class TwoFactorThrottled(Exception):
    def __init__(self, until: datetime):
        super().__init__(until)
        self.until = until

    def message(self) -> str:
        seconds = max(1, math.ceil((self.until - timezone.now()).total_seconds()))
        return str(MSG_THROTTLED % {"seconds": digits(seconds)})


# --- policy ------------------------------------------------------------------------------------------------------


def required_roles() -> frozenset[str]:
    roles = cache.get(POLICY_CACHE_KEY)
    if roles is None:
        roles = sorted(TwoFactorRequirement.objects.filter(required=True).values_list("role", flat=True))
        cache.set(POLICY_CACHE_KEY, roles, POLICY_CACHE_SECONDS)
    return frozenset(roles) | frozenset(settings.TWO_FACTOR_REQUIRED_ROLES)


def two_factor_required(user: User) -> bool:
    return user.role in required_roles() or (user.is_superuser and "admin" in required_roles())


def two_factor_requirement_set(*, role: str, required: bool, actor: User | None) -> TwoFactorRequirement:
    with transaction.atomic():
        row, _created = TwoFactorRequirement.objects.select_for_update().get_or_create(role=role)
        before = row.required
        row.required = required
        row.save(update_fields=["required"])
        audit.record_change(
            audit.Action.TWO_FACTOR_REQUIREMENT_CHANGE,
            target=row,
            actor=actor,
            before={"required": before},
            after={"required": required},
        )
    # Now, and again once committed (a process may have cached the old rows in between).
    cache.delete(POLICY_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(POLICY_CACHE_KEY))
    logger.info(
        "accounts.two_factor.policy_changed",
        extra={"role": role, "before": before, "after": required, "actor": getattr(actor, "pk", None)},
    )
    return row


# --- devices -----------------------------------------------------------------------------------------------------


def has_device(user: User) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def new_secret() -> str:
    """A TOTP key (hex, 20 bytes as django-otp stores it)."""
    return random_hex(20)


def secret_groups(key: str) -> str:
    """The key as the apps ask for it when typed by hand: base32 in groups of four («ABCD EFGH …»)."""
    text = b32encode(unhexlify(key)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def config_url(user: User, key: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code (Google's Key URI format)."""
    issuer = issuer.replace(":", "")
    label = quote(f"{issuer}:{user.get_username()}")
    secret = b32encode(unhexlify(key)).decode().rstrip("=")
    params = urlencode({"secret": secret, "algorithm": "SHA1", "digits": 6, "period": 30})
    return f"otpauth://totp/{label}?{params}&issuer={quote(issuer)}"


def qr_data_uri(url: str) -> str:
    """The QR code of `url` as an SVG data URI, drawn here (no service, no script)."""
    return segno.make(url, error="m").svg_data_uri(scale=5, border=2)


def normalise_code(code: str) -> str:
    """What was typed, without spaces, dashes or joiners, in Latin digits, lower case."""
    return clean_digits(code).strip().lower()


def _totp_matches(key: str, code: str) -> int | None:
    """The time step `code` is valid for under `key` (±1 step), or None."""
    if not (code.isascii() and code.isdigit()):
        return None
    totp = TOTP(unhexlify(key), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time()
    return totp.t() if totp.verify(int(code), tolerance=1) else None


def _new_backup_codes(device: BackupCodeDevice) -> list[str]:
    codes = [
        "".join(secrets.choice(BACKUP_ALPHABET) for _i in range(BACKUP_CODE_LENGTH)) for _n in range(BACKUP_CODE_COUNT)
    ]
    BackupCode.objects.bulk_create([BackupCode(device=device, digest=backup_code_digest(code)) for code in codes])
    return [f"{code[:5]}-{code[5:]}" for code in codes]


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    backup_codes: list[str]  # shown once; only their hashes are kept


def two_factor_enrol(*, user: User, key: str, code: str) -> Enrolment:
    """Turn two-factor sign-in on with the TOTP `key` the user's app was given, confirmed by a `code` from it.
    Raises ValueError(MSG_WRONG_SETUP_CODE) for a wrong code, ValueError(MSG_ALREADY_ENROLLED) when already on."""
    step = _totp_matches(key, normalise_code(code))
    if step is None:
        raise ValueError(MSG_WRONG_SETUP_CODE)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one enrolment at a time per user
        if has_device(user):
            raise ValueError(MSG_ALREADY_ENROLLED)
        device = TOTPDevice.objects.create(user=user, key=key, name="TOTP", confirmed=True, last_t=step)
        backup = BackupCodeDevice.objects.create(user=user, name="backup", confirmed=True)
        codes = _new_backup_codes(backup)
        audit.record(audit.Action.TWO_FACTOR_ENROLLED, target=user, actor=user)
    logger.info("accounts.two_factor.enrolled", extra={"user": user.pk})
    return Enrolment(device=device, backup_codes=codes)


def two_factor_verify(*, user: User, code: str) -> Device | None:
    """The device that accepts `code` (a TOTP code, or a backup code, which is then used up), or None. Raises
    TwoFactorThrottled while any of the user's devices waits after wrong codes."""
    token = normalise_code(code)
    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=True, for_verify=True))
        waits = [data["locked_until"] for allowed, data in (d.verify_is_allowed() for d in devices) if not allowed]
        if waits:
            raise TwoFactorThrottled(max(waits))
        # Digits are a TOTP code, letters a backup code: only the device it can be for counts a failure.
        is_totp = token.isascii() and token.isdigit()
        candidates = [d for d in devices if isinstance(d, TOTPDevice) == is_totp] or devices[:1]
        for device in candidates:
            if device.verify_token(token):  # a wrong one counts a failure on the device (django-otp)
                for other in devices:
                    if other is not device and isinstance(other, ThrottlingMixin) and other.throttling_failure_count:
                        other.throttle_reset()
                return device
    logger.info("accounts.two_factor.failed", extra={"user": user.pk})
    return None


def backup_codes_left(user: User) -> int:
    return BackupCode.objects.filter(device__user=user, device__confirmed=True).count()


def two_factor_remove(*, user: User, actor: User | None) -> int:
    """Remove every second-factor device of `user` (an admin's recovery, or the user turning it off); the next
    sign-in asks only for the password, or for enrolment when the role requires it. Returns how many were removed."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # not while the user enrols
        removed = 0
        for device in list(devices_for_user(user, confirmed=None)):
            device.delete()
            removed += 1
        if removed:  # sessions verified until now are ended (see the module); in the audit trail, with the removal
            User.objects.filter(pk=user.pk).update(two_factor_generation=F("two_factor_generation") + 1)
            user.refresh_from_db(fields=["two_factor_generation"])
            audit.record(audit.Action.TWO_FACTOR_REMOVED, target=user, actor=actor, after={"devices": removed})
    logger.warning(
        "accounts.two_factor.removed",
        extra={"user": user.pk, "actor": getattr(actor, "pk", None), "devices": removed},
    )
    return removed


# --- the session ----------------------------------------------------------------------------------------------------


def session_verify(request: HttpRequest, user: User, device: Device) -> None:
    """Mark the session, logged in as `user`, as having passed the second step with `device`, under the user's
    current `two_factor_generation`."""
    otp_login(request, device)
    request.session[GENERATION_KEY] = user.two_factor_generation


def session_unverify(request: HttpRequest) -> None:
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session.pop(GENERATION_KEY, None)


def session_outdated(request: HttpRequest, user: User) -> bool:
    """Whether this session passed the second step before the user's devices were last removed. A session
    verified before the counter existed counts as generation 0."""
    return DEVICE_ID_SESSION_KEY in request.session and request.session.get(GENERATION_KEY, 0) != (
        user.two_factor_generation
    )


# --- the pending sign-in in the session ----------------------------------------------------------------------------


def pending_start(request: HttpRequest, *, user: User, backend: str, next_url: str) -> None:
    request.session.pop(SETUP_KEY, None)
    request.session[PENDING_KEY] = {"user": user.pk, "backend": backend, "at": time.time(), "next": next_url}


def pending_user(request: HttpRequest) -> tuple[User, dict] | None:
    """The user who passed the password step in this session (and its data), if still within the time allowed."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    try:
        fresh = time.time() - float(data["at"]) <= settings.TWO_FACTOR_PENDING_SECONDS
        user = User.objects.get(pk=data["user"], is_active=True) if fresh else None
    except (KeyError, TypeError, ValueError, User.DoesNotExist):
        user = None
    if user is None:
        pending_clear(request)
        return None
    return user, data


def pending_clear(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)
    request.session.pop(SETUP_KEY, None)

"""Password reset by SMS (#14), for customers who signed up with a mobile number and have no email address (the
emailed link cannot reach them).

1. `password_reset_sms_request`: a mobile number (any digits and spelling, `clean_mobile`, as on the login page) →
   a six-digit code by SMS through the outbox (it leaves after the commit), when a customer without an email has
   that number. At most `PASSWORD_RESET_SMS_PER_NUMBER` requests an hour per number and
   `PASSWORD_RESET_SMS_PER_ADDRESS` per client address, counted on the stored requests under a lock
   (`accounts.codes.lock_code_requests`).
2. `password_reset_sms_verify`: the code (any digits) and a new password → the password is set. A code lives
   `PASSWORD_RESET_SMS_MINUTES` minutes, takes `PASSWORD_RESET_SMS_ATTEMPTS` wrong tries and serves once; setting the
   password spends every other open code of the account. Only the code's keyed hash (HMAC with the secret key) is
   stored. The new password ends the account's other sessions (Django's session hash).

A number that has no such account gets the same pages and the same answers ("wrong code") and no SMS: the form
tells a stranger nothing about which numbers have accounts.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext

from helpdesk.l10n import digits
from helpdesk.site import get_site_settings

from .codes import check_request_limits, code_hash, new_code
from .identifiers import clean_mobile
from .mail import account_sms_send
from .models import PasswordResetCode, Role, User
from .signup import (
    MSG_ADDRESS_LIMIT,
    MSG_CODE_ATTEMPTS,
    MSG_CODE_EXPIRED,
    MSG_CODE_WRONG,
    MSG_MOBILE_REQUIRED,
    MSG_NUMBER_LIMIT,
    clean_code,
)

logger = logging.getLogger(__name__)

RESET_SMS_KIND = "password_reset_sms"  # noqa: S105 - the outbox row's kind, not a password
KEPT_FOR = timedelta(days=1)


def _hash(mobile: str, code: str) -> str:
    return code_hash("accounts.password-reset.sms-code", mobile, code)


def reset_account(number: str) -> User | None:
    """The account a reset code for `number` goes to: an active customer with that number and no email."""
    return User.objects.filter(mobile=number, email__isnull=True, role=Role.CUSTOMER, is_active=True).first()


def password_reset_sms_request(*, mobile: str, client_ip: str) -> PasswordResetCode:
    """Send a reset code to `mobile` when it is a customer's without an email (see the module). Raises
    ValidationError, nothing stored or sent, for a bad number and past the hourly limits."""
    try:
        number = clean_mobile(mobile)
    except ValidationError as exc:
        raise ValidationError({"mobile": exc.error_list}) from exc
    if number is None:
        raise ValidationError({"mobile": ValidationError(MSG_MOBILE_REQUIRED, code="required")})
    client_ip = (client_ip or "")[:45]
    now = timezone.now()
    with transaction.atomic():
        check_request_limits(
            PasswordResetCode.objects.all(),
            now=now,
            kept_for=KEPT_FOR,
            mine=PasswordResetCode.objects.filter(mobile=number),
            limit=settings.PASSWORD_RESET_SMS_PER_NUMBER,
            refusal=ValidationError(MSG_NUMBER_LIMIT, code="number_limit"),
            client_ip=client_ip,
            per_address=settings.PASSWORD_RESET_SMS_PER_ADDRESS,
            address_refusal=ValidationError(MSG_ADDRESS_LIMIT, code="address_limit"),
        )
        user = reset_account(number)
        code = new_code()
        row = PasswordResetCode.objects.create(
            user=user,
            mobile=number,
            code_hash=_hash(number, code) if user else "",
            client_ip=client_ip,
            created_at=now,
            expires_at=now + timedelta(minutes=settings.PASSWORD_RESET_SMS_MINUTES),
        )
        if user is not None:
            with translation.override(user.language or settings.LANGUAGE_CODE):
                values = {
                    "site": get_site_settings().title,
                    "code": digits(code),
                    "minutes": digits(settings.PASSWORD_RESET_SMS_MINUTES),
                }
                body = (
                    gettext(
                        "Your password reset code at %(site)s: %(code)s (valid for %(minutes)s minutes). If you did "
                        "not ask for it, ignore this message: your password stays as it is."
                    )
                    % values
                )
            account_sms_send(mobile=number, body=body, kind=RESET_SMS_KIND, user=user)
    logger.info("password reset code %s requested", row.pk)
    return row


def password_reset_sms_verify(*, request_id: int, code: str, password: str) -> User:
    """Set the password of the account of request `request_id` once `code` matches (see the module); the password
    was validated by the form. Raises ValidationError: a bad, wrong, expired or used code, too many wrong tries; a
    wrong try is counted, nothing else is stored."""
    code = clean_code(code)
    now = timezone.now()
    refusal = None
    with transaction.atomic():
        row = (
            PasswordResetCode.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=request_id)
            .first()
        )
        if row is None or row.used_at is not None or row.expires_at <= now:
            refusal = ValidationError(MSG_CODE_EXPIRED, code="code_expired")
        elif row.attempts >= settings.PASSWORD_RESET_SMS_ATTEMPTS:
            refusal = ValidationError(MSG_CODE_ATTEMPTS, code="code_attempts")
        elif not (
            row.user
            and row.user.is_active
            and row.code_hash
            and constant_time_compare(row.code_hash, _hash(row.mobile, code))
        ):
            row.attempts += 1
            row.save(update_fields=["attempts"])  # counted: committed with this block
            refusal = ValidationError(MSG_CODE_WRONG, code="code_wrong")
        else:
            user = row.user
            PasswordResetCode.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
            user.set_password(password)
            user.save(update_fields=["password"])
    if refusal is not None:
        raise refusal
    logger.info("password of user %s reset by SMS (code %s)", user.pk, request_id)
    return user

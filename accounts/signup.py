"""Self-registration by SMS (issue #13, "Customers"), when the site settings allow it (`self_registration`).

1. `signup_request`: a name and a mobile number (any digits and spelling, `clean_mobile`) → a six-digit code by SMS
   through the outbox (it leaves after the commit). At most `SIGNUP_CODES_PER_NUMBER` codes an hour per number and
   `SIGNUP_CODES_PER_ADDRESS` per client address, counted on the stored requests (django-axes counts failed
   logins per account and address, which does not fit "codes sent").
2. `signup_verify`: the code (any digits) and a password → the new customer. A code lives `SIGNUP_CODE_MINUTES`
   minutes, takes `SIGNUP_CODE_ATTEMPTS` wrong tries and serves once; only its keyed hash (HMAC with the
   secret key) is stored.

A number that already has an account gets the same page and the same answers ("wrong code"): the SMS goes to
that number's owner and tells them to log in or reset their password instead, so the form reveals no more than the
login page does.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from helpdesk.l10n import digits
from helpdesk.persian import clean_digits
from helpdesk.site import get_site_settings

from .codes import lock_code_requests
from .identifiers import clean_mobile
from .mail import account_sms_send
from .models import SignupCode, User
from .services import customer_create

logger = logging.getLogger(__name__)

SIGNUP_SMS_KIND = "signup_code"
CODE_LENGTH = 6
KEPT_FOR = timedelta(days=1)
WINDOW = timedelta(hours=1)

MSG_NAME_REQUIRED = _("Enter your full name.")
MSG_MOBILE_REQUIRED = _("Enter your mobile number.")
MSG_NUMBER_LIMIT = _("Too many codes were asked for this number. Try again in an hour.")
MSG_ADDRESS_LIMIT = _("Too many codes were asked from your network. Try again in an hour.")
MSG_CODE_FORMAT = _("Enter the %(length)s-digit code from the SMS.")
MSG_CODE_WRONG = _("The code is not correct. Check the SMS and try again.")
MSG_CODE_EXPIRED = _("This code has expired or was already used. Ask for a new code.")
MSG_CODE_ATTEMPTS = _("Too many wrong codes. Ask for a new code.")


def _hash(mobile: str, code: str) -> str:
    return salted_hmac("accounts.signup.code", f"{mobile}:{code}", algorithm="sha256").hexdigest()


def clean_code(value: str | None) -> str:
    """The code as typed (Persian, Arabic or Latin digits, spaces or dashes between them) → six Latin digits."""
    code = clean_digits(value or "")
    if len(code) != CODE_LENGTH or not code.isascii() or not code.isdigit():
        raise ValidationError(MSG_CODE_FORMAT, code="code_format", params={"length": digits(CODE_LENGTH)})
    return code


def _text(*, code: str, registered: bool) -> str:
    values = {"site": get_site_settings().title, "code": digits(code), "minutes": digits(settings.SIGNUP_CODE_MINUTES)}
    if registered:
        return (
            gettext(
                "Someone asked to sign up at %(site)s with this number, which already has an account. To log in, use "
                "your password or «Forgot your password?» on the login page. If it was not you, ignore this message."
            )
            % values
        )
    return gettext("Your sign-up code at %(site)s: %(code)s (valid for %(minutes)s minutes).") % values


def signup_request(*, full_name: str, mobile: str, client_ip: str, language: str) -> SignupCode:
    """Send a sign-up code to `mobile` (see the module). Raises ValidationError, nothing stored or sent, for a bad
    number or name and past the hourly limits."""
    full_name = " ".join((full_name or "").split())[: SignupCode._meta.get_field("full_name").max_length]
    if not full_name:
        raise ValidationError({"full_name": ValidationError(MSG_NAME_REQUIRED, code="required")})
    try:
        number = clean_mobile(mobile)
    except ValidationError as exc:
        raise ValidationError({"mobile": exc.error_list}) from exc
    if number is None:
        raise ValidationError({"mobile": ValidationError(MSG_MOBILE_REQUIRED, code="required")})
    client_ip = (client_ip or "")[:45]
    now = timezone.now()
    with transaction.atomic():
        lock_code_requests()  # before counting: a concurrent request for the same number or address waits
        SignupCode.objects.filter(created_at__lt=now - KEPT_FOR).delete()
        recent = SignupCode.objects.filter(created_at__gte=now - WINDOW)
        if recent.filter(mobile=number).count() >= settings.SIGNUP_CODES_PER_NUMBER:
            raise ValidationError(MSG_NUMBER_LIMIT, code="number_limit")
        if client_ip and recent.filter(client_ip=client_ip).count() >= settings.SIGNUP_CODES_PER_ADDRESS:
            raise ValidationError(MSG_ADDRESS_LIMIT, code="address_limit")
        owner = User.objects.filter(mobile=number).first()
        code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
        row = SignupCode.objects.create(
            mobile=number,
            full_name=full_name,
            code_hash="" if owner else _hash(number, code),
            client_ip=client_ip,
            created_at=now,
            expires_at=now + timedelta(minutes=settings.SIGNUP_CODE_MINUTES),
        )
        with translation.override((owner.language if owner else language) or settings.LANGUAGE_CODE):
            body = _text(code=code, registered=owner is not None)
        account_sms_send(mobile=number, body=body, kind=SIGNUP_SMS_KIND, user=owner)
    logger.info("sign-up code %s requested", row.pk)
    return row


def signup_verify(*, signup_id: int, code: str, password: str, language: str) -> User:
    """The new customer, once `code` matches the request `signup_id` (see the module). Raises ValidationError:
    a bad, wrong, expired or used code, too many wrong tries; a wrong try is counted, nothing else is stored."""
    code = clean_code(code)
    now = timezone.now()
    refusal = None
    try:
        with transaction.atomic():
            row = SignupCode.objects.select_for_update().filter(pk=signup_id).first()
            if row is None or row.used_at is not None or row.expires_at <= now:
                refusal = ValidationError(MSG_CODE_EXPIRED, code="code_expired")
            elif row.attempts >= settings.SIGNUP_CODE_ATTEMPTS:
                refusal = ValidationError(MSG_CODE_ATTEMPTS, code="code_attempts")
            elif not (row.code_hash and constant_time_compare(row.code_hash, _hash(row.mobile, code))):
                row.attempts += 1
                row.save(update_fields=["attempts"])  # counted: committed with this block
                refusal = ValidationError(MSG_CODE_WRONG, code="code_wrong")
            else:
                row.used_at = now
                row.save(update_fields=["used_at"])
                user = customer_create(full_name=row.full_name, mobile=row.mobile, password=password, language=language)
    except IntegrityError as exc:
        # Two verified requests for one number at the same moment: the other one made the account.
        raise ValidationError(MSG_CODE_EXPIRED, code="code_expired") from exc
    if refusal is not None:
        raise refusal
    logger.info("customer %s signed up (code %s)", user.pk, signup_id)
    return user

"""Self-registration by SMS or by email (issue #13, "Customers"), when the site settings allow it
(`self_registration`).

By SMS:

1. `signup_request`: a name and a mobile number (any digits and spelling, `clean_mobile`) → a six-digit code by SMS
   through the outbox (it leaves after the commit). At most `SIGNUP_CODES_PER_NUMBER` codes an hour per number and
   `SIGNUP_CODES_PER_ADDRESS` per client address, counted on the stored requests (django-axes counts failed
   logins per account and address, which does not fit "codes sent").
2. `signup_verify`: the code (any digits) and a password → the new customer. A code lives `SIGNUP_CODE_MINUTES`
   minutes, takes `SIGNUP_CODE_ATTEMPTS` wrong tries and serves once; only its keyed hash (HMAC with the
   secret key) is stored.

By email:

1. `signup_email_request`: a name and an email address → an email with a link through the outbox. At most
   `SIGNUP_LINKS_PER_EMAIL` links an hour per address, and the same `SIGNUP_CODES_PER_ADDRESS` per client
   address (which counts the requests of both kinds).
2. `signup_email_check` / `signup_email_confirm`: the link (its token is signed with the secret key and dated:
   `signing.dumps` of the request's id and a random secret, whose keyed hash alone is stored) and a password → the
   new customer. A link lives `SIGNUP_LINK_MINUTES` minutes and serves once.

A number or address that already has an account gets the same page and the same answers ("wrong code"): the SMS
or email goes to its owner and tells them to log in or reset their password instead (the email has no link), so
the form reveals no more than the login page does.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from helpdesk.l10n import digits
from helpdesk.persian import clean_digits
from helpdesk.site import get_site_settings

from .codes import CODE_LENGTH, check_request_limits, code_hash, new_code
from .identifiers import clean_email, clean_mobile
from .mail import account_email_send, account_sms_send
from .models import SignupCode, User
from .services import customer_create

logger = logging.getLogger(__name__)

SIGNUP_SMS_KIND = "signup_code"
SIGNUP_EMAIL_KIND = "signup_link"
LINK_SALT = "accounts.signup.link"
EMAIL_MAX_LENGTH = 254  # SignupCode.email's (and User.email's) length
KEPT_AT_LEAST = timedelta(days=1)

MSG_NAME_REQUIRED = _("Enter your full name.")
MSG_MOBILE_REQUIRED = _("Enter your mobile number.")
MSG_NUMBER_LIMIT = _("Too many codes were asked for this number. Try again in an hour.")
MSG_ADDRESS_LIMIT = _("Too many sign-up requests came from your network. Try again in an hour.")
MSG_CODE_FORMAT = _("Enter the %(length)s-digit code from the SMS.")
MSG_CODE_WRONG = _("The code is not correct. Check the SMS and try again.")
MSG_CODE_EXPIRED = _("This code has expired or was already used. Ask for a new code.")
MSG_CODE_ATTEMPTS = _("Too many wrong codes. Ask for a new code.")
MSG_EMAIL_REQUIRED = _("Enter your email address.")
MSG_EMAIL_INVALID = _("Enter a valid email address, such as name@example.com.")
MSG_EMAIL_LIMIT = _("Too many links were asked for this email address. Try again in an hour.")
MSG_LINK_EXPIRED = _("This link has expired or was already used. Ask for a new link.")
MSG_LINK_BAD = _("This link is not valid. Check that you opened the whole link from the email, or ask for a new one.")


def _hash(identifier: str, secret: str) -> str:
    """The keyed hash stored for a code (sent to a mobile) or a link's secret (sent to an email address)."""
    return code_hash("accounts.signup.code", identifier, secret)


def _clean_name(full_name: str | None) -> str:
    full_name = " ".join((full_name or "").split())[: SignupCode._meta.get_field("full_name").max_length]
    if not full_name:
        raise ValidationError({"full_name": ValidationError(MSG_NAME_REQUIRED, code="required")})
    return full_name


def kept_for() -> timedelta:
    """How long a request is kept: a day, or as long as a code or a link lives when that is longer
    (`SIGNUP_LINK_MINUTES` may be days), so a link that is still valid always finds its request."""
    lifetimes = (settings.SIGNUP_CODE_MINUTES, settings.SIGNUP_LINK_MINUTES)
    return max(KEPT_AT_LEAST, *(timedelta(minutes=minutes) for minutes in lifetimes))


def _check_limits(
    *, now: datetime, client_ip: str, mine: QuerySet[SignupCode], limit: int, refusal: ValidationError
) -> None:
    """Refuse past the hourly limits: `mine` (this number's or email's requests) and the client address's."""
    check_request_limits(
        SignupCode.objects.all(),
        now=now,
        kept_for=kept_for(),
        mine=mine,
        limit=limit,
        refusal=refusal,
        client_ip=client_ip,
        per_address=settings.SIGNUP_CODES_PER_ADDRESS,
        address_refusal=ValidationError(MSG_ADDRESS_LIMIT, code="address_limit"),
    )


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
    full_name = _clean_name(full_name)
    try:
        number = clean_mobile(mobile)
    except ValidationError as exc:
        raise ValidationError({"mobile": exc.error_list}) from exc
    if number is None:
        raise ValidationError({"mobile": ValidationError(MSG_MOBILE_REQUIRED, code="required")})
    client_ip = (client_ip or "")[:45]
    now = timezone.now()
    with transaction.atomic():
        _check_limits(
            now=now,
            client_ip=client_ip,
            mine=SignupCode.objects.filter(mobile=number),
            limit=settings.SIGNUP_CODES_PER_NUMBER,
            refusal=ValidationError(MSG_NUMBER_LIMIT, code="number_limit"),
        )
        owner = User.objects.filter(mobile=number).first()
        code = new_code()
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


# --- by email ------------------------------------------------------------------------------------------------------


def link_lifetime() -> str:
    """How long a sign-up link is valid (`SIGNUP_LINK_MINUTES`), in the active language's words and digits, in
    the largest units that fit: «۳ روز», «۱ روز و ۱۲ ساعت», "1 hour and 30 minutes" (not «۴۳۲۰ دقیقه»)."""
    days, rest = divmod(settings.SIGNUP_LINK_MINUTES, 24 * 60)
    hours, minutes = divmod(rest, 60)
    units = [
        (days, ngettext("%(count)s day", "%(count)s days", days)),
        (hours, ngettext("%(count)s hour", "%(count)s hours", hours)),
        (minutes, ngettext("%(count)s minute", "%(count)s minutes", minutes)),
    ]
    parts = [text % {"count": digits(count)} for count, text in units if count]
    if len(parts) == 1:
        return parts[0]
    return gettext("%(first)s and %(last)s") % {"first": gettext(", ").join(parts[:-1]), "last": parts[-1]}


def signup_link(token: str) -> str:
    """The address of a sign-up link (on SITE_URL, as every link in an email)."""
    return settings.SITE_URL.rstrip("/") + reverse("accounts:signup_email_confirm", args=[token])


def _clean_signup_email(value: str | None) -> str:
    address = clean_email(value)
    if address is None:
        raise ValidationError({"email": ValidationError(MSG_EMAIL_REQUIRED, code="required")})
    try:
        validate_email(address)
        if len(address) > EMAIL_MAX_LENGTH:
            raise ValidationError("too long")
    except ValidationError as exc:
        raise ValidationError({"email": ValidationError(MSG_EMAIL_INVALID, code="invalid")}) from exc
    return address


def signup_email_request(*, full_name: str, email: str, client_ip: str, language: str) -> SignupCode:
    """Send a sign-up link to `email` (see the module). Raises ValidationError, nothing stored or sent, for a bad
    address or name and past the hourly limits."""
    full_name = _clean_name(full_name)
    address = _clean_signup_email(email)
    client_ip = (client_ip or "")[:45]
    now = timezone.now()
    with transaction.atomic():
        _check_limits(
            now=now,
            client_ip=client_ip,
            mine=SignupCode.objects.filter(email=address),
            limit=settings.SIGNUP_LINKS_PER_EMAIL,
            refusal=ValidationError(MSG_EMAIL_LIMIT, code="email_limit"),
        )
        owner = User.objects.filter(email__iexact=address).first()
        secret = secrets.token_urlsafe(16)
        row = SignupCode.objects.create(
            email=address,
            full_name=full_name,
            code_hash="" if owner else _hash(address, secret),
            client_ip=client_ip,
            created_at=now,
            expires_at=now + timedelta(minutes=settings.SIGNUP_LINK_MINUTES),
        )
        context = {
            "site": get_site_settings().title,
            "full_name": full_name,
            "link": "" if owner else signup_link(signing.dumps([row.pk, secret], salt=LINK_SALT)),
        }
        with translation.override((owner.language if owner else language) or settings.LANGUAGE_CODE):
            context["lifetime"] = link_lifetime()
            subject = gettext("Your sign-up at %(site)s") % context
            body = render_to_string("accounts/email/signup_link.txt", context)
        account_email_send(user=owner, email=address, subject=subject, body=body, kind=SIGNUP_EMAIL_KIND)
    logger.info("sign-up link %s requested", row.pk)
    return row


def _linked(token: str, *, now: datetime, lock: bool = False) -> SignupCode:
    """The request a link names, while the link is good; raises ValidationError: a link that is malformed, forged
    or for another address (`MSG_LINK_BAD`), or expired or used (`MSG_LINK_EXPIRED`)."""
    try:
        pk, secret = signing.loads(token, salt=LINK_SALT, max_age=timedelta(minutes=settings.SIGNUP_LINK_MINUTES))
    except signing.SignatureExpired as exc:
        raise ValidationError(MSG_LINK_EXPIRED, code="link_expired") from exc
    except (signing.BadSignature, TypeError, ValueError) as exc:
        raise ValidationError(MSG_LINK_BAD, code="link_bad") from exc
    rows = SignupCode.objects.select_for_update() if lock else SignupCode.objects
    row = rows.filter(pk=pk, mobile="").first() if isinstance(pk, int) else None
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise ValidationError(MSG_LINK_EXPIRED, code="link_expired")
    if not (
        row.code_hash and isinstance(secret, str) and constant_time_compare(row.code_hash, _hash(row.email, secret))
    ):
        raise ValidationError(MSG_LINK_BAD, code="link_bad")
    return row


def signup_email_check(*, token: str) -> SignupCode:
    """The request of a sign-up link that can still be used (the page that asks for the password); raises
    ValidationError as `signup_email_confirm` would. Changes nothing."""
    return _linked(token, now=timezone.now())


def signup_email_confirm(*, token: str, password: str, language: str) -> User:
    """The new customer, with the name and address of the link's request, once; raises ValidationError (nothing
    stored) for a bad, expired or used link."""
    now = timezone.now()
    try:
        with transaction.atomic():
            row = _linked(token, now=now, lock=True)
            row.used_at = now
            row.save(update_fields=["used_at"])
            user = customer_create(full_name=row.full_name, email=row.email, password=password, language=language)
    except IntegrityError as exc:
        # The address got an account meanwhile (another link of it, at the same moment).
        raise ValidationError(MSG_LINK_EXPIRED, code="link_expired") from exc
    logger.info("customer %s signed up (link %s)", user.pk, row.pk)
    return user

"""Forms of the accounts pages and of the admin site. They validate and normalise; services write."""

import unicodedata

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    AuthenticationForm,
    PasswordResetForm,
    SetPasswordMixin,
    UserChangeForm,
)
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from helpdesk.validators import normalize_economic_code, normalize_legal_id, normalize_national_id

from .identifiers import clean_email, clean_mobile
from .mail import account_email_send
from .models import Customer, Employee, Organisation, User
from .signup import clean_code
from .status import account_block

MSG_INVALID_LOGIN = _(
    "The email or mobile number, or the password, is not correct. Note that the password is case-sensitive."
)
MSG_EMAIL_OR_MOBILE = _("Enter an email address or a mobile number (at least one of them).")
PASSWORD_RESET_KIND = "password_reset"  # noqa: S105 - the outbox row's kind, not a password


class LoginForm(AuthenticationForm):
    """Email (any case) or mobile (any spelling) plus password. Says why an expired or suspended account
    cannot log in; an inactive account gets the usual "not correct" message (the backend refuses it)."""

    username = forms.CharField(
        label=_("Email or mobile number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "dir": "ltr"}),
    )
    error_messages = {**AuthenticationForm.error_messages, "invalid_login": MSG_INVALID_LOGIN}

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        block = account_block(user)
        if block is not None:
            raise ValidationError(block.message(), code=block.kind)


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """The admin site's login: the same identifiers and account checks, and staff only."""


class LocalisedPasswordResetForm(PasswordResetForm):
    """Writes the reset email in the language of the account's owner, not of whoever asked for it, and sends it
    through the outbox (`accounts.mail`): written in the request's transaction, delivered by the worker after
    commit, retried like every email. Nothing is sent inside the request, so the answer is the same page, as
    quick, whether or not the address belongs to an account.

    Unlike Django's form it also serves accounts without a usable password: here that means "not chosen yet"
    (an admin created the account without one), and this is how the person chooses it.
    """

    def get_users(self, email):
        email = (email or "").strip()
        users = User._default_manager.filter(email__iexact=email, is_active=True)
        # As Django does: the database's case-insensitive match must also be a Unicode one (CVE-2019-19844).
        return (user for user in users if _same_email(email, user.email))

    def save(self, *args, **kwargs):
        with transaction.atomic():  # the rows of every matching account, delivered once this commits
            super().save(*args, **kwargs)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        user = context["user"]
        with translation.override(user.language or translation.get_language()):
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
            body = loader.render_to_string(email_template_name, context)
            html = loader.render_to_string(html_email_template_name, context) if html_email_template_name else ""
        account_email_send(user=user, subject=subject, body=body, html=html, kind=PASSWORD_RESET_KIND)


def _same_email(a: str, b: str) -> bool:
    return unicodedata.normalize("NFKC", a).casefold() == unicodedata.normalize("NFKC", b).casefold()


class IdentifierFieldsMixin:
    """Accept emails in any case, mobiles in any spelling and IDs in any digits; store one spelling."""

    def clean_email(self):
        return clean_email(self.cleaned_data.get("email"))

    def clean_mobile(self):
        return clean_mobile(self.cleaned_data.get("mobile"))

    def clean_national_id(self):
        value = (self.cleaned_data.get("national_id") or "").strip()
        return normalize_national_id(value) if value else ""

    def clean(self):
        cleaned = super().clean()
        if (
            "email" in self.fields
            and "mobile" in self.fields
            and not cleaned.get("email")
            and not cleaned.get("mobile")
            and "email" not in self.errors
            and "mobile" not in self.errors
        ):
            raise ValidationError(MSG_EMAIL_OR_MOBILE, code="email_or_mobile")
        return cleaned


def _identifier_fields():
    """Form fields that let the user type more than the stored length (spaces, +98, …) before normalising."""
    return {
        "mobile": forms.CharField(
            label=_("mobile"),
            max_length=30,
            required=False,
            widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "tel", "inputmode": "tel"}),
            help_text=_("e.g. 09121234567"),
        ),
        "national_id": forms.CharField(
            label=_("national ID"),
            max_length=20,
            required=False,
            widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}),
        ),
    }


class ProfileForm(IdentifierFieldsMixin, forms.ModelForm):
    mobile, national_id = _identifier_fields().values()

    class Meta:
        model = User
        fields = [
            "full_name",
            "email",
            "mobile",
            "national_id",
            "language",
            "notify_email",
            "notify_sms",
            "notify_panel",
        ]
        widgets = {"email": forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "email"})}


def _usable_password_field():
    """Django's "password-based authentication" switch, in our words (Django's catalogue lacks Persian for it)."""
    return forms.ChoiceField(
        label=_("Password"),
        required=False,
        initial="true",
        choices={"true": _("Set a password now"), "false": _("No password yet")},
        widget=forms.RadioSelect(attrs={"class": "radiolist inline"}),
        help_text=_("Without a password, the person chooses one with “Forgot your password?” on the login page."),
    )


class CustomerCreationForm(IdentifierFieldsMixin, AdminUserCreationForm):
    mobile, national_id = _identifier_fields().values()
    usable_password = _usable_password_field()

    class Meta:
        model = Customer
        fields = [
            "full_name",
            "email",
            "mobile",
            "national_id",
            "organisation",
            "organisation_role",
            "language",
            "expires_at",
        ]


class EmployeeCreationForm(IdentifierFieldsMixin, AdminUserCreationForm):
    mobile, national_id = _identifier_fields().values()
    usable_password = _usable_password_field()

    class Meta:
        model = Employee
        fields = ["full_name", "email", "mobile", "national_id", "role", "language", "expires_at"]


class CustomerChangeForm(IdentifierFieldsMixin, UserChangeForm):
    mobile, national_id = _identifier_fields().values()

    class Meta:
        model = Customer
        fields = [
            "full_name",
            "email",
            "mobile",
            "national_id",
            "password",
            "role",
            "organisation",
            "organisation_role",
            "language",
            "notify_email",
            "notify_sms",
            "notify_panel",
            "is_active",
            "expires_at",
        ]


class EmployeeChangeForm(IdentifierFieldsMixin, UserChangeForm):
    mobile, national_id = _identifier_fields().values()

    class Meta:
        model = Employee
        fields = [
            "full_name",
            "email",
            "mobile",
            "national_id",
            "password",
            "role",
            "language",
            "notify_email",
            "notify_sms",
            "notify_panel",
            "is_active",
            "expires_at",
        ]


class SuspendForm(forms.Form):
    """The reason asked for by the admin "suspend" action (shown on every suspended user's login attempt)."""

    reason = forms.CharField(
        label=_("Reason for the suspension"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The person sees this reason when they try to log in."),
    )


class OrganisationForm(forms.ModelForm):
    national_id = forms.CharField(label=_("legal national ID"), max_length=20, required=False)
    economic_code = forms.CharField(label=_("economic code"), max_length=20, required=False)

    class Meta:
        model = Organisation
        fields = ["name", "national_id", "economic_code", "sharing"]

    def clean_name(self):
        return " ".join((self.cleaned_data.get("name") or "").split())

    def clean_national_id(self):
        value = (self.cleaned_data.get("national_id") or "").strip()
        return normalize_legal_id(value) if value else ""

    def clean_economic_code(self):
        value = (self.cleaned_data.get("economic_code") or "").strip()
        return normalize_economic_code(value) if value else ""


class SignupNameForm(forms.Form):
    """What both ways of signing up ask first: the person's name."""

    full_name = forms.CharField(
        label=_("full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name", "autofocus": True})
    )

    def clean_full_name(self):
        return " ".join((self.cleaned_data.get("full_name") or "").split())


class SignupForm(SignupNameForm):
    """Self-registration, step 1: who you are and the number the code goes to (`accounts.signup.signup_request`)."""

    mobile = forms.CharField(
        label=_("mobile"),
        max_length=30,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("e.g. 09121234567"),
    )

    def clean_mobile(self):
        return clean_mobile(self.cleaned_data.get("mobile"))


class SignupEmailForm(SignupNameForm):
    """Self-registration by email, step 1: who you are and the address the link goes to
    (`accounts.signup.signup_email_request`, which checks the address)."""

    email = forms.CharField(
        label=_("email"),
        max_length=320,  # an address's longest; past 254 (what is stored) the service's own message says why
        widget=forms.EmailInput(attrs={"dir": "ltr", "autocomplete": "email"}),
        help_text=_("e.g. name@example.com"),
    )


class SignupPasswordForm(SetPasswordMixin, forms.Form):
    """Self-registration by email, step 2 (the page the link opens): the new account's password."""

    password1, password2 = SetPasswordMixin.create_password_fields()

    def __init__(self, *args, person: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person  # the account to be (unsaved): the password may not resemble its name, number or address

    def clean(self):
        cleaned = super().clean()
        self.validate_passwords()
        self.validate_password_for_user(self.person)
        return cleaned


class SignupVerifyForm(SignupPasswordForm):
    """Self-registration by SMS, step 2: the code from the SMS (any digits) and the new account's password."""

    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"dir": "ltr", "inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )
    field_order = ["code", "password1", "password2"]

    def clean_code(self):
        return clean_code(self.cleaned_data.get("code"))


class PasswordResetSmsForm(forms.Form):
    """Password reset by SMS, step 1: the account's mobile number (`accounts.password_sms`)."""

    mobile = forms.CharField(
        label=_("mobile"),
        max_length=30,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "tel", "inputmode": "tel", "autofocus": True}),
        help_text=_("e.g. 09121234567"),
    )

    def clean_mobile(self):
        return clean_mobile(self.cleaned_data.get("mobile"))


class PasswordResetSmsVerifyForm(SignupVerifyForm):
    """Password reset by SMS, step 2: the code from the SMS and the new password (checked against the account)."""


class CodeForm(forms.Form):
    """A code of the second step: six digits from the authenticator app (Persian, Arabic or Latin digits, spaces
    allowed) or a backup code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "dir": "ltr", "spellcheck": "false"}
        ),
        error_messages={"required": _("Type the code.")},
    )

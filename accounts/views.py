"""Login, logout, password reset and change (Django's views with our forms and templates; the reset also by SMS
for accounts without an email, `accounts.password_sms`) and the profile (self-registration is in
`accounts.signup_views`)."""

import copy

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from helpdesk.net import client_ip
from helpdesk.site import get_site_settings

from . import password_sms, twofactor
from .forms import (
    AdminLoginForm,
    CodeForm,
    LocalisedPasswordResetForm,
    LoginForm,
    PasswordResetSmsForm,
    PasswordResetSmsVerifyForm,
    ProfileForm,
)
from .lockout import lockout_response
from .middleware import NOTICE_CHANGED, NOTICE_REQUIRED, SESSION_TWO_FACTOR_NOTICE
from .models import PasswordResetCode, User
from .services import PROFILE_FIELDS, user_update_profile
from .status import SESSION_BLOCK_KEY, AccountBlock

MSG_PROFILE_SAVED = _("Your profile has been saved.")
SESSION_RESET_SMS_KEY = "accounts:password-reset-sms"
MSG_PENDING_EXPIRED = _("Please log in again: the time for the second step has passed.")
MSG_TWO_FACTOR_ON = _("Two-factor sign-in is on. Keep your backup codes somewhere safe.")
MSG_TWO_FACTOR_OFF = _("Two-factor sign-in is off.")
MSG_TWO_FACTOR_NOW_REQUIRED = _("Your access level now requires two-factor sign-in. Log in again to set it up.")
MSG_TWO_FACTOR_CHANGED = _(
    "Two-factor sign-in of your account was turned off or reset since you logged in here. Please log in again."
)
TWO_FACTOR_NOTICES = {NOTICE_REQUIRED: MSG_TWO_FACTOR_NOW_REQUIRED, NOTICE_CHANGED: MSG_TWO_FACTOR_CHANGED}


def set_language_cookie(response, language: str) -> None:
    """The same cookie Django's set_language view writes, so LocaleMiddleware picks the language from now on."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class TwoStepLoginMixin:
    """The password step. A user with a second factor, or whose role requires one, is not logged in here: the
    session only remembers the pending sign-in, and the code step (or enrolment) logs them in."""

    request: HttpRequest

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = self.request.session.pop(SESSION_BLOCK_KEY, None) if self.request.method == "GET" else None
        block = AccountBlock.from_session(data) if data else None
        context["blocked_message"] = block.message() if block else ""
        notice = self.request.session.pop(SESSION_TWO_FACTOR_NOTICE, None) if self.request.method == "GET" else None
        if notice in TWO_FACTOR_NOTICES:
            context["blocked_message"] = TWO_FACTOR_NOTICES[notice]
        return context

    def form_valid(self, form):
        user = form.get_user()
        enrolled = twofactor.has_device(user)
        if enrolled or twofactor.two_factor_required(user):
            twofactor.pending_start(
                self.request,
                user=user,
                backend=user.backend,
                next_url=self.get_success_url(),
            )
            return redirect("accounts:login_code" if enrolled else "accounts:two_factor_setup")
        response = super().form_valid(form)
        language = user.language
        translation.activate(language)
        set_language_cookie(response, language)
        return response


class LoginView(TwoStepLoginMixin, auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class AdminLoginView(TwoStepLoginMixin, auth_views.LoginView):
    """The admin site's login (registered by accounts/admin.py with `admin.site.register_login_view`): two steps."""

    form_class = AdminLoginForm
    template_name = "admin/login.html"


def _finish_login(request: HttpRequest, user: User, pending: dict, device) -> None:
    """Log in the user of a pending sign-in whose second step passed, with the device that passed it."""
    twofactor.pending_clear(request)
    auth_login(request, user, backend=pending["backend"])
    twofactor.session_verify(request, user, device)
    translation.activate(user.language)


def _redirect_with_language(url: str, language: str) -> HttpResponse:
    response = redirect(url)
    set_language_cookie(response, language)
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_code(request):
    """The second step: a code from the authenticator app, or a backup code."""
    found = twofactor.pending_user(request)
    if found is None:
        messages.warning(request, MSG_PENDING_EXPIRED)
        return redirect(settings.LOGIN_URL)
    user, pending = found
    if not twofactor.has_device(user):  # removed by an admin since the password step
        twofactor.pending_clear(request)
        return redirect(settings.LOGIN_URL)
    form = CodeForm(request.POST or None)
    # A wrong code counts as a failed login of the account (django-axes and the account-wide limit), like a
    # wrong password: knowing the password does not buy unlimited code guesses.
    credentials = {"username": user.get_username()}
    if request.method == "POST" and AxesProxyHandler.is_locked(request, credentials):
        twofactor.pending_clear(request)
        return lockout_response(request, credentials=credentials)
    if request.method == "POST" and form.is_valid():
        try:
            device = twofactor.two_factor_verify(user=user, code=form.cleaned_data["code"])
        except twofactor.TwoFactorThrottled as exc:
            form.add_error("code", exc.message())
        else:
            if device is None:
                user_login_failed.send(sender=__name__, credentials=credentials, request=request)
                if getattr(request, "axes_locked_out", False):
                    twofactor.pending_clear(request)
                    return lockout_response(request, credentials=credentials)
                form.add_error("code", twofactor.MSG_WRONG_CODE)
            else:
                _finish_login(request, user, pending, device)
                return _redirect_with_language(pending["next"], user.language)
    return render(request, "accounts/login_code.html", {"form": form})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_setup(request):
    """Enrolment: from the profile (opt-in), or right after the password when the role requires it."""
    pending = None
    if request.user.is_authenticated:
        user = request.user
    else:
        found = twofactor.pending_user(request)
        if found is None:
            return redirect_to_login(request.get_full_path())
        user, pending = found
    if twofactor.has_device(user):
        messages.info(request, twofactor.MSG_ALREADY_ENROLLED)
        return redirect("accounts:login_code" if pending else "accounts:profile")
    key = request.session.get(twofactor.SETUP_KEY)
    if not key:  # kept in the session (not stored) until a code from the app confirms it
        key = request.session[twofactor.SETUP_KEY] = twofactor.new_secret()
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = twofactor.two_factor_enrol(user=user, key=key, code=form.cleaned_data["code"])
        except ValueError as exc:
            form.add_error("code", exc.args[0])
        else:
            request.session.pop(twofactor.SETUP_KEY, None)
            if pending:
                _finish_login(request, user, pending, enrolment.device)
            else:
                twofactor.session_verify(request, user, enrolment.device)
            next_url = pending["next"] if pending else reverse("accounts:profile")
            request.session[twofactor.BACKUP_CODES_KEY] = {"codes": enrolment.backup_codes, "next": next_url}
            return _redirect_with_language(reverse("accounts:two_factor_backup_codes"), user.language)
    site = get_site_settings()
    context = {
        "form": form,
        "pending": pending is not None,
        "qr": twofactor.qr_data_uri(twofactor.config_url(user, key, site.title)),
        "secret": twofactor.secret_groups(key),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def two_factor_backup_codes(request):
    """The new backup codes, shown once right after enrolment (only their hashes are stored)."""
    data = request.session.pop(twofactor.BACKUP_CODES_KEY, None)
    if not isinstance(data, dict):
        return redirect("accounts:profile")
    messages.success(request, MSG_TWO_FACTOR_ON)
    return render(request, "accounts/two_factor_backup_codes.html", {"codes": data["codes"], "next": data["next"]})


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_disable(request):
    """Turn two-factor sign-in off (opt-in users only), confirmed by a current code."""
    user = request.user
    if not twofactor.has_device(user):
        return redirect("accounts:profile")
    form = CodeForm(request.POST or None)
    required = twofactor.two_factor_required(user)
    if request.method == "POST" and form.is_valid():
        try:
            device = None if required else twofactor.two_factor_verify(user=user, code=form.cleaned_data["code"])
        except twofactor.TwoFactorThrottled as exc:
            form.add_error("code", exc.message())
        else:
            if required:
                form.add_error(None, twofactor.MSG_REQUIRED)
            elif device is None:
                form.add_error("code", twofactor.MSG_WRONG_CODE)
            else:
                twofactor.two_factor_remove(user=user, actor=user)
                twofactor.session_unverify(request)
                messages.success(request, MSG_TWO_FACTOR_OFF)
                return redirect("accounts:profile")
    return render(request, "accounts/two_factor_disable.html", {"form": form, "required": required})


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5); redirects to settings.LOGOUT_REDIRECT_URL."""


class PasswordResetView(auth_views.PasswordResetView):
    form_class = LocalisedPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):
        return {"site_title": get_site_settings().title}


def _pending_reset(request) -> PasswordResetCode | None:
    pk = request.session.get(SESSION_RESET_SMS_KEY)
    return PasswordResetCode.objects.select_related("user").filter(pk=pk).first() if isinstance(pk, int) else None


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def password_reset_sms(request):
    """Password reset by SMS, step 1 (accounts without an email): the mobile number; a code goes out by SMS."""
    if request.method == "POST":
        form = PasswordResetSmsForm(request.POST)
        if form.is_valid():
            try:
                row = password_sms.password_reset_sms_request(
                    mobile=form.cleaned_data["mobile"], client_ip=client_ip(request)
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                request.session[SESSION_RESET_SMS_KEY] = row.pk
                return redirect("accounts:password_reset_sms_verify")
        return render(request, "accounts/password_reset_sms.html", {"form": form}, status=400)
    pending = _pending_reset(request)  # "ask for a new code": the same number again
    form = PasswordResetSmsForm(initial={"mobile": pending.mobile} if pending else {})
    return render(request, "accounts/password_reset_sms.html", {"form": form})


@never_cache
@sensitive_post_parameters("code", "password1", "password2")
@require_http_methods(["GET", "HEAD", "POST"])
def password_reset_sms_verify(request):
    """Password reset by SMS, step 2: the code from the SMS and the new password."""
    pending = _pending_reset(request)
    if pending is None:
        return redirect("accounts:password_reset_sms")
    person = pending.user or User(mobile=pending.mobile)  # the password may not resemble the account's details
    form = PasswordResetSmsVerifyForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            password_sms.password_reset_sms_verify(
                request_id=pending.pk, code=form.cleaned_data["code"], password=form.cleaned_data["password1"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            del request.session[SESSION_RESET_SMS_KEY]
            return redirect("accounts:password_reset_complete")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "mobile": pending.mobile}
    return render(request, "accounts/password_reset_sms_verify.html", context, status=status)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request):
    user = request.user
    # The form validates a copy, so a rejected form leaves request.user (shown in the layout) untouched.
    form = ProfileForm(request.POST or None, instance=copy.copy(user))
    if request.method == "POST" and form.is_valid():
        old_language = user.language
        try:
            user_update_profile(user=user, **{name: form.cleaned_data[name] for name in PROFILE_FIELDS})
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            response = redirect("accounts:profile")
            if user.language != old_language:
                translation.activate(user.language)
                set_language_cookie(response, user.language)
            messages.success(request, MSG_PROFILE_SAVED)
            return response
    device = twofactor.totp_device(user)
    two_factor = {
        "on": device is not None,
        "since": device and device.created_at,
        "required": twofactor.two_factor_required(user),
    }
    if device is not None:
        two_factor["codes_left"] = twofactor.backup_codes_left(user)
    return render(request, "accounts/profile.html", {"form": form, "profile_user": user, "two_factor": two_factor})

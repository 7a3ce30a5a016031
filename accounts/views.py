"""Login, logout, password reset and change (Django's views with our forms and templates), the profile, and
self-registration by SMS when the site settings allow it (`accounts.signup`)."""

import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from helpdesk.net import client_ip
from helpdesk.site import get_site_settings

from . import signup as signups
from .forms import LocalisedPasswordResetForm, LoginForm, ProfileForm, SignupForm, SignupVerifyForm
from .models import SignupCode, User
from .services import PROFILE_FIELDS, user_update_profile
from .status import SESSION_BLOCK_KEY, AccountBlock

MSG_PROFILE_SAVED = _("Your profile has been saved.")
MSG_SIGNED_UP = _("Welcome! Your account was created and you are logged in.")
SESSION_SIGNUP_KEY = "accounts:signup"


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


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = self.request.session.pop(SESSION_BLOCK_KEY, None) if self.request.method == "GET" else None
        block = AccountBlock.from_session(data) if data else None
        context["blocked_message"] = block.message() if block else ""
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().language
        translation.activate(language)
        set_language_cookie(response, language)
        return response


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
    return render(request, "accounts/profile.html", {"form": form, "profile_user": user})


# --- self-registration (when the site settings allow it) -------------------------------------------------------


def _signup_open(request) -> bool:
    """404 unless the site lets customers sign up; True when the visitor is logged in already (nothing to do)."""
    if not get_site_settings().self_registration:
        raise Http404
    return request.user.is_authenticated


def _pending_signup(request) -> SignupCode | None:
    pk = request.session.get(SESSION_SIGNUP_KEY)
    return SignupCode.objects.filter(pk=pk).first() if isinstance(pk, int) else None


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    """Step 1: a name and a mobile number; the code goes out by SMS."""
    if _signup_open(request):
        return redirect("home")
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            try:
                row = signups.signup_request(
                    full_name=form.cleaned_data["full_name"],
                    mobile=form.cleaned_data["mobile"],
                    client_ip=client_ip(request),
                    language=translation.get_language() or settings.LANGUAGE_CODE,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                request.session[SESSION_SIGNUP_KEY] = row.pk
                return redirect("accounts:signup_verify")
        return render(request, "accounts/signup.html", {"form": form}, status=400)
    pending = _pending_signup(request)  # "ask for a new code": the same name and number again
    initial = {"full_name": pending.full_name, "mobile": pending.mobile} if pending else {}
    return render(request, "accounts/signup.html", {"form": SignupForm(initial=initial)})


@require_http_methods(["GET", "HEAD", "POST"])
def signup_verify(request):
    """Step 2: the code from the SMS and a password; the new customer is logged in."""
    if _signup_open(request):
        return redirect("home")
    pending = _pending_signup(request)
    if pending is None:
        return redirect("accounts:signup")
    form = SignupVerifyForm(request.POST or None, person=User(full_name=pending.full_name, mobile=pending.mobile))
    if request.method == "POST" and form.is_valid():
        language = translation.get_language() or settings.LANGUAGE_CODE
        try:
            user = signups.signup_verify(
                signup_id=pending.pk,
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password1"],
                language=language,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            del request.session[SESSION_SIGNUP_KEY]
            login(request, user, backend="accounts.backends.EmailOrMobileBackend")
            response = redirect("home")
            set_language_cookie(response, user.language)
            messages.success(request, MSG_SIGNED_UP)
            return response
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/signup_verify.html", {"form": form, "mobile": pending.mobile}, status=status)

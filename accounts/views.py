"""Login, logout, password reset and change (Django's views with our forms and templates), and the profile."""

import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from helpdesk.site import get_site_settings

from .forms import LocalisedPasswordResetForm, LoginForm, ProfileForm
from .services import PROFILE_FIELDS, user_update_profile
from .status import SESSION_BLOCK_KEY, AccountBlock

MSG_PROFILE_SAVED = _("Your profile has been saved.")


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

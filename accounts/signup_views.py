"""Self-registration when the site settings allow it (`accounts.signup`): by SMS code (`signup`, `signup_verify`)
or by email link (`signup_email`, `signup_email_sent`, `signup_email_confirm`). While it is off every page is a 404;
a visitor who is logged in already is sent home."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from helpdesk.net import client_ip
from helpdesk.site import get_site_settings

from . import signup as signups
from .forms import SignupEmailForm, SignupForm, SignupPasswordForm, SignupVerifyForm
from .models import SignupCode, User
from .views import set_language_cookie

MSG_SIGNED_UP = _("Welcome! Your account was created and you are logged in.")
SESSION_SIGNUP_KEY = "accounts:signup"
SESSION_SIGNUP_EMAIL_KEY = "accounts:signup_email"


def _signed_up(request, user: User):
    """Log the new customer in and take them home, in their language."""
    auth_login(request, user, backend="accounts.backends.EmailOrMobileBackend")
    response = redirect("home")
    set_language_cookie(response, user.language)
    messages.success(request, MSG_SIGNED_UP)
    return response


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


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
                    language=_language(),
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
        try:
            user = signups.signup_verify(
                signup_id=pending.pk,
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password1"],
                language=_language(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            del request.session[SESSION_SIGNUP_KEY]
            return _signed_up(request, user)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/signup_verify.html", {"form": form, "mobile": pending.mobile}, status=status)


# --- by email -------------------------------------------------------------------------------------------------------


def _pending_email(request) -> SignupCode | None:
    pk = request.session.get(SESSION_SIGNUP_EMAIL_KEY)
    return SignupCode.objects.filter(pk=pk, mobile="").first() if isinstance(pk, int) else None


@require_http_methods(["GET", "HEAD", "POST"])
def signup_email(request):
    """Step 1: a name and an email address; the link goes out by email."""
    if _signup_open(request):
        return redirect("home")
    if request.method == "POST":
        form = SignupEmailForm(request.POST)
        if form.is_valid():
            try:
                row = signups.signup_email_request(
                    full_name=form.cleaned_data["full_name"],
                    email=form.cleaned_data["email"],
                    client_ip=client_ip(request),
                    language=_language(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                request.session[SESSION_SIGNUP_EMAIL_KEY] = row.pk
                return redirect("accounts:signup_email_sent")
        return render(request, "accounts/signup_email.html", {"form": form}, status=400)
    pending = _pending_email(request)  # "ask for a new link": the same name and address again
    initial = {"full_name": pending.full_name, "email": pending.email} if pending else {}
    return render(request, "accounts/signup_email.html", {"form": SignupEmailForm(initial=initial)})


@require_http_methods(["GET", "HEAD"])
def signup_email_sent(request):
    """Where the visitor waits for the email: the address it went to, and how long the link lives."""
    if _signup_open(request):
        return redirect("home")
    pending = _pending_email(request)
    if pending is None:
        return redirect("accounts:signup_email")
    context = {"email": pending.email, "lifetime": signups.link_lifetime()}
    return render(request, "accounts/signup_email_sent.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def signup_email_confirm(request, token: str):
    """Step 2, the page the link opens (in any browser): the password; the new customer is logged in."""
    if _signup_open(request):
        return redirect("home")
    try:
        row = signups.signup_email_check(token=token)
    except ValidationError as exc:
        return render(request, "accounts/signup_email_confirm.html", {"refusal": exc.messages[0]}, status=400)
    form = SignupPasswordForm(request.POST or None, person=User(full_name=row.full_name, email=row.email))
    if request.method == "POST" and form.is_valid():
        try:
            user = signups.signup_email_confirm(
                token=token, password=form.cleaned_data["password1"], language=_language()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            request.session.pop(SESSION_SIGNUP_EMAIL_KEY, None)
            return _signed_up(request, user)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "email": row.email, "full_name": row.full_name}
    return render(request, "accounts/signup_email_confirm.html", context, status=status)

"""Log in by email (any case) or by mobile number (any spelling), and the username django-axes counts.

The backend checks only the password and `is_active`. An expired or suspended user with the right password *is*
returned, so that the login form can say why they may not log in (`accounts.forms.LoginForm.confirm_login_allowed`);
`AccountStatusMiddleware` ends any session such a user still gets through another path.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .identifiers import parse_login

UserModel = get_user_model()


class EmailOrMobileBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(UserModel.USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = find_user(username)
        if user is None:
            # Spend the time of one hash anyway, so the answer time does not reveal which logins exist.
            UserModel().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def find_user(identifier: str):
    """The user whose email or mobile this is, or None."""
    parsed = parse_login(identifier)
    if parsed is None:
        return None
    field, value = parsed
    lookup = {"email__iexact": value} if field == "email" else {"mobile": value}
    try:
        return UserModel._default_manager.get(**lookup)
    except (UserModel.DoesNotExist, UserModel.MultipleObjectsReturned):
        return None


def axes_username(request, credentials=None) -> str:
    """The key django-axes counts failures under (settings.AXES_USERNAME_CALLABLE): one per account, whichever
    identifier and spelling was typed (`+98 912…`, `0912…`, `۰۹۱۲…` or the email), and the same key axes uses
    after a successful login (`user.get_username()`), so success resets the count. Unknown identifiers count
    under their normalised spelling."""
    if credentials:
        raw = credentials.get("username")
    else:
        raw = getattr(request, "POST", {}).get("username") if request is not None else None
    cache = getattr(request, "_accounts_axes_keys", None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            request._accounts_axes_keys = cache  # axes asks several times per attempt
    if raw not in cache:
        user = find_user(raw) if raw else None
        parsed = parse_login(raw)
        cache[raw] = user.get_username() if user else (parsed[1] if parsed else (raw or "").strip().lower())
    return cache[raw]

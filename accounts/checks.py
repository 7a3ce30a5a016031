"""System checks of accounts: in production (`check --deploy`) the admins must sign in with a second factor."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError

from .models import Role, TwoFactorRequirement


@register(Tags.security, deploy=True)
def check_admin_two_factor(app_configs, **kwargs) -> list[Warning]:
    if settings.DEBUG or Role.ADMIN in settings.TWO_FACTOR_REQUIRED_ROLES:
        return []
    try:
        ticked = TwoFactorRequirement.objects.filter(role=Role.ADMIN, required=True).exists()
    except DatabaseError:  # not migrated yet: only the setting counts
        ticked = False
    if ticked:
        return []
    return [
        Warning(
            "Admins may sign in without a second factor: TWO_FACTOR_REQUIRED_ROLES does not name 'admin' and "
            "the admin's «ورود دومرحله‌ای» page does not require it for the admin access level.",
            hint="Set TWO_FACTOR_REQUIRED_ROLES=admin (production's default), or tick the admin access level in "
            "the admin under Accounts → two-factor sign-in.",
            id="accounts.W001",
        )
    ]

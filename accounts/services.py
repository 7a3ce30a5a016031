"""Every change to users and organisations goes through these functions (views, admin, demo data, other apps).

Keyword-only, one transaction each: validate → write → audit (`helpdesk.audit`: access levels, suspensions,
reactivations, expiry and enabled/disabled changes, in the same transaction) → log. Error messages are module
constants.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk import audit
from helpdesk.validators import normalize_national_id

from . import hooks
from .identifiers import clean_email, clean_mobile
from .models import (
    ADMIN_SITE_ROLES,
    MSG_ORGANISATION_CUSTOMERS_ONLY,
    ROLE_RANK,
    STAFF_ROLES,
    Organisation,
    Role,
    User,
)
from .roles import ROLE_GROUPS

logger = logging.getLogger(__name__)

MSG_NOT_STAFF_ROLE = _("An employee's access level must be agent, supervisor, manager or admin.")
MSG_NOT_CUSTOMER = MSG_ORGANISATION_CUSTOMERS_ONLY
MSG_REASON_REQUIRED = _("Write the reason for the suspension.")
MSG_SUSPEND_SELF = _("You cannot suspend your own account.")
MSG_ALREADY_SUSPENDED = _("This account is already suspended.")
MSG_RANK = _("You cannot give or change an access level higher than your own.")

PROFILE_FIELDS = (
    "full_name",
    "email",
    "mobile",
    "national_id",
    "language",
    "notify_email",
    "notify_sms",
    "notify_panel",
)

ADMIN_FIELDS = (*PROFILE_FIELDS, "organisation", "organisation_role", "expires_at", "is_active")
ROLE_FIELDS = ("role", "is_staff", "is_superuser")
# Changes of these fields go into the audit trail, each as its own action.
AUDITED_FIELDS = {"expires_at": audit.Action.EXPIRY_CHANGE, "is_active": audit.Action.ACTIVE_CHANGE}


def _check_rank(actor: User | None, role: str) -> None:
    """An actor (when there is one) may only act on roles up to their own; superusers on all."""
    if actor is None or actor.is_superuser:
        return
    if ROLE_RANK.get(role, len(ROLE_RANK)) > ROLE_RANK.get(actor.role, -1):
        raise ValidationError({"role": ValidationError(MSG_RANK, code="rank")})


def _lock(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _refresh(user: User, saved: User, fields: Iterable[str]) -> None:
    """Copy what a service wrote onto the caller's instance, so it is not stale."""
    for name in fields:
        setattr(user, name, getattr(saved, name))


@transaction.atomic
def user_set_role(*, user: User, role: str, actor: User | None = None) -> User:
    """Set the access level and keep the role group and `is_staff` in step with it.

    The user leaves every other role group (other groups are kept). `is_staff` is on for supervisors, managers
    and admins; `is_superuser` survives only on the admin role; only customers stay in an organisation.
    """
    role = Role(role)
    _check_rank(actor, role)
    locked = _lock(user)
    _check_rank(actor, locked.role)
    before = {name: getattr(locked, name) for name in ROLE_FIELDS}
    locked.role = role
    locked.is_staff = role in ADMIN_SITE_ROLES
    if role != Role.ADMIN:
        locked.is_superuser = False
    if role != Role.CUSTOMER:
        locked.organisation = None  # organisations are customer companies
    locked.save(update_fields=["role", "is_staff", "is_superuser", "organisation"])
    group, _created = Group.objects.get_or_create(name=ROLE_GROUPS[role])
    others = Group.objects.filter(name__in=[n for r, n in ROLE_GROUPS.items() if r != role])
    locked.groups.remove(*others)
    locked.groups.add(group)
    audit.record_change(
        audit.Action.ROLE_CHANGE,
        target=locked,
        actor=actor,
        before=before,
        after={name: getattr(locked, name) for name in ROLE_FIELDS},
    )
    _refresh(user, locked, ["role", "is_staff", "is_superuser", "organisation_id"])
    logger.info("user %s role set to %s by %s", user.pk, role, getattr(actor, "pk", None))
    return user


def _clean_national_id(value: str | None) -> str:
    value = (value or "").strip()
    return normalize_national_id(value) if value else ""


def _cleaned(field: str, clean: Callable[[Any], Any], value: Any) -> Any:
    """Run a normaliser; its error is reported on `field` (so a form shows it next to the input)."""
    try:
        return clean(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.error_list}) from exc


def _new_user(
    *,
    full_name: str,
    email: str | None,
    mobile: str | None,
    password: str | None,
    national_id: str,
    language: str,
    expires_at: datetime | None,
    **extra: Any,
) -> User:
    user = User(
        full_name=(full_name or "").strip(),
        email=clean_email(email),
        mobile=_cleaned("mobile", clean_mobile, mobile),
        national_id=_cleaned("national_id", _clean_national_id, national_id),
        language=language or User.Language.PERSIAN,
        expires_at=expires_at,
        **extra,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()  # the person sets one through "forgot password"
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def customer_create(
    *,
    full_name: str,
    email: str | None = None,
    mobile: str | None = None,
    password: str | None = None,
    national_id: str = "",
    language: str = User.Language.PERSIAN,
    organisation: Organisation | None = None,
    organisation_role: str = User.OrganisationRole.MEMBER,
    expires_at: datetime | None = None,
    actor: User | None = None,
) -> User:
    """A new customer (F04). Without a password the account gets an unusable one (set it by password reset)."""
    user = _new_user(
        full_name=full_name,
        email=email,
        mobile=mobile,
        password=password,
        national_id=national_id,
        language=language,
        expires_at=expires_at,
        role=Role.CUSTOMER,
        organisation=organisation,
        organisation_role=organisation_role,
    )
    user_set_role(user=user, role=Role.CUSTOMER, actor=actor)
    logger.info("customer %s created by %s", user.pk, getattr(actor, "pk", None))
    return user


@transaction.atomic
def employee_create(
    *,
    full_name: str,
    role: str,
    email: str | None = None,
    mobile: str | None = None,
    password: str | None = None,
    national_id: str = "",
    language: str = User.Language.PERSIAN,
    expires_at: datetime | None = None,
    actor: User | None = None,
) -> User:
    """A new agent, supervisor, manager or admin (F05)."""
    if role not in STAFF_ROLES:
        raise ValidationError({"role": ValidationError(MSG_NOT_STAFF_ROLE, code="not_staff_role")})
    user = _new_user(
        full_name=full_name,
        email=email,
        mobile=mobile,
        password=password,
        national_id=national_id,
        language=language,
        expires_at=expires_at,
        role=Role(role),
        is_staff=role in ADMIN_SITE_ROLES,
    )
    # A new staff account is an access level given: recorded here, as user_set_role below changes nothing.
    audit.record(
        audit.Action.ROLE_CHANGE,
        target=user,
        actor=actor,
        before=dict.fromkeys(ROLE_FIELDS),
        after={name: getattr(user, name) for name in ROLE_FIELDS} | {"expires_at": expires_at},
    )
    user_set_role(user=user, role=role, actor=actor)
    logger.info("employee %s (%s) created by %s", user.pk, role, getattr(actor, "pk", None))
    return user


def user_update_profile(*, user: User, actor: User | None = None, **changes: Any) -> User:
    """Change what a person may change about themselves (the profile page): name, email, mobile, national ID,
    language and notification preferences. Emails and mobiles are normalised and must stay unique."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not profile fields: {sorted(unknown)}")
    return user_update(user=user, actor=actor or user, **changes)


@transaction.atomic
def user_update(*, user: User, actor: User | None = None, **changes: Any) -> User:
    """Change a user's details as an administrator may (profile fields, organisation, expiry, active).

    The role, suspension and password have their own services. Raises ValidationError (nothing saved) when the
    result would be invalid, e.g. an email or mobile that another account uses. A changed name, email or mobile
    runs the `accounts.hooks` "contact changing" hooks before the row is locked and the "contact changed" hooks
    after it is saved, in the same transaction.
    """
    unknown = set(changes) - set(ADMIN_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    if not changes:
        return user
    if "email" in changes:
        changes["email"] = clean_email(changes["email"])
    if "mobile" in changes:
        changes["mobile"] = _cleaned("mobile", clean_mobile, changes["mobile"])
    if "national_id" in changes:
        changes["national_id"] = _cleaned("national_id", _clean_national_id, changes["national_id"])
    contact = [name for name in hooks.CONTACT_FIELDS if name in changes]
    if contact:  # the apps holding copies lock their rows before this one (see `accounts.hooks`: deadlocks)
        current = User.objects.filter(pk=user.pk).values(*contact).first() or {}
        if any(current.get(name) != changes[name] for name in contact):
            hooks.run_contact_changing(user)
    locked = _lock(user)
    before = {name: getattr(locked, name) for name in changes}
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["password"])
    locked.save(update_fields=list(changes))
    changed = frozenset(name for name in contact if getattr(locked, name) != before[name])
    if changed:  # copies of these elsewhere (the tickets' search text) follow, in this transaction
        hooks.run_contact_changed(locked, changed)
    for name, action in AUDITED_FIELDS.items():
        if name in changes:
            audit.record_change(
                action, target=locked, actor=actor, before={name: before[name]}, after={name: getattr(locked, name)}
            )
    _refresh(user, locked, changes)
    logger.info("user %s updated (%s) by %s", user.pk, ", ".join(sorted(changes)), getattr(actor, "pk", None))
    return user


@transaction.atomic
def user_suspend(*, user: User, reason: str, actor: User | None) -> User:
    """Suspend an account (F29): the person cannot log in and an open session ends at the next request."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(MSG_REASON_REQUIRED, code="reason_required")
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(MSG_SUSPEND_SELF, code="suspend_self")
    locked = _lock(user)
    _check_rank(actor, locked.role)
    if locked.suspended_at is not None:
        raise ValidationError(MSG_ALREADY_SUSPENDED, code="already_suspended")
    locked.suspended_at = timezone.now()
    locked.suspension_reason = reason[: User._meta.get_field("suspension_reason").max_length]
    locked.save(update_fields=["suspended_at", "suspension_reason"])
    audit.record(
        audit.Action.SUSPENSION,
        target=locked,
        actor=actor,
        before={"suspended_at": None},
        after={"suspended_at": locked.suspended_at, "suspension_reason": locked.suspension_reason},
    )
    _refresh(user, locked, ["suspended_at", "suspension_reason"])
    logger.info("user %s suspended by %s", user.pk, getattr(actor, "pk", None))
    return user


@transaction.atomic
def user_reactivate(*, user: User, actor: User | None) -> User:
    """Lift a suspension and a past expiry date (a future expiry date stays), so the person can log in again."""
    locked = _lock(user)
    _check_rank(actor, locked.role)
    fields = ["suspended_at", "suspension_reason"]
    before = {name: getattr(locked, name) for name in [*fields, "expires_at"]}
    locked.suspended_at = None
    locked.suspension_reason = ""
    if locked.expires_at is not None and locked.expires_at <= timezone.now():
        locked.expires_at = None
        fields.append("expires_at")
    locked.save(update_fields=fields)
    audit.record_change(
        audit.Action.REACTIVATION,
        target=locked,
        actor=actor,
        before=before,
        after={name: getattr(locked, name) for name in before},
    )
    _refresh(user, locked, fields)
    logger.info("user %s reactivated by %s", user.pk, getattr(actor, "pk", None))
    return user


@transaction.atomic
def organisation_add_member(
    *,
    organisation: Organisation,
    user: User,
    organisation_role: str = User.OrganisationRole.MEMBER,
    actor: User | None = None,
) -> User:
    """Make a customer a member (or manager) of an organisation; a person belongs to one organisation at most."""
    locked = _lock(user)
    if locked.role != Role.CUSTOMER:
        raise ValidationError(MSG_NOT_CUSTOMER, code="not_customer")
    locked.organisation = organisation
    locked.organisation_role = User.OrganisationRole(organisation_role)
    locked.save(update_fields=["organisation", "organisation_role"])
    _refresh(user, locked, ["organisation", "organisation_role"])
    logger.info("user %s joined organisation %s by %s", user.pk, organisation.pk, getattr(actor, "pk", None))
    return user


@transaction.atomic
def organisation_remove_member(*, user: User, actor: User | None = None) -> User:
    locked = _lock(user)
    locked.organisation = None
    locked.organisation_role = User.OrganisationRole.MEMBER
    locked.save(update_fields=["organisation", "organisation_role"])
    _refresh(user, locked, ["organisation", "organisation_role"])
    logger.info("user %s left their organisation by %s", user.pk, getattr(actor, "pk", None))
    return user

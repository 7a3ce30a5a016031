"""The audit trail (#14.6): an append-only record of security-relevant actions, written by every app.

    from helpdesk import audit

    audit.record(audit.Action.SUSPENSION, target=user, before={"suspended": False}, after={"reason": reason})
    audit.record_change(audit.Action.ROLE_CHANGE, target=user, before={"role": old}, after={"role": new})

- **Who and from where.** By default the actor is the signed-in user of the request being served and the address
  is the client's (`helpdesk.net.client_ip`, which trusts a forwarded header only as configured): the
  `AuditContextMiddleware` keeps the request in a context variable, so a service deep below a view needs no
  request argument. Outside a request (a task, a shell, a management command) both are empty unless given:
  `actor=`/`ip=` override them (a sign-in failure names no one; a signal handler passes its own request's address).
- **In the change's transaction.** `record()` is a plain INSERT: called inside the service's `transaction.atomic`
  block, the entry is committed with the change and rolled back with it. Nothing is caught here.
- **Never changed, never deleted.** `AuditEntry.save()` refuses an update, `delete()` and the queryset's
  `update()`/`delete()` raise `AuditTrailIsAppendOnly`; the admin is read-only (view permission only, for
  admins) with no actions.
- **Values.** `before`/`after` are JSON objects; dates and times are written in ISO 8601, decimals as text without
  trailing zeros, model instances as their text, sets as sorted lists. `record_change()` keeps only the keys
  whose value changed, and writes nothing when none did.
- **Keys a reader can read.** A key is the name of a field of the target's model (the admin shows the field's
  label) or one of `KEY_LABELS` (shown by its label there); `record()` refuses any other key (ValueError), so
  no entry shows a raw name such as `member_of`. An app that records a new kind of value adds its label there.

Actions are `Action` (`helpdesk.models.AuditAction`); an app that needs a new one adds it there. For example
`accounts.twofactor.two_factor_remove` records `Action.TWO_FACTOR_REMOVED` (target: the person) when an admin
removes a person's devices or the person turns two-factor sign-in off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from contextvars import ContextVar
from decimal import Decimal
from enum import Enum
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import AuditAction, AuditEntry
from .net import client_ip, parse_ip

Action = AuditAction

# The keys that are not a field of the target's model, by their label (see the module).
KEY_LABELS: dict[str, Promise] = {
    "username": _("name typed at sign-in"),  # accounts: a failed sign-in or a lockout
    "member_of": _("member of the departments"),  # tickets: a person's departments
    "supervises": _("supervisor of the departments"),
    "devices": _("authenticator apps removed"),  # accounts: two-factor sign-in removed
    "increase_request": _("increase request"),  # limits: the request an increase of a ceiling comes from
    "file": _("file"),  # reports: an export
    "section": _("report"),
    "table": _("table"),
    "rows": _("number of rows"),
    "filters": _("filters"),
}

_request: ContextVar[HttpRequest | None] = ContextVar("helpdesk_audit_request", default=None)


class _FromRequest(Enum):
    FROM_REQUEST = "from the request"


FROM_REQUEST = _FromRequest.FROM_REQUEST


class AuditContextMiddleware:
    """Keeps the request being served where `record()` finds its user and address (after AuthenticationMiddleware,
    so `request.user` is the signed-in person; read only when an entry is written)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def current_request() -> HttpRequest | None:
    return _request.get()


def request_ip(request: HttpRequest | None) -> str | None:
    """The client's address of `request`, normalised (`::ffff:203.0.113.7` → `203.0.113.7`), or None."""
    if request is None:
        return None
    address = parse_ip(client_ip(request))
    return str(address) if address is not None else None


def _request_user(request: HttpRequest | None) -> models.Model | None:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def jsonable(value: Any) -> Any:
    """A value as an entry stores it."""
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(jsonable(item) for item in value)
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):  # one spelling per number: 10, 10.0 and 10.00 are "10"
        return format(value.normalize(), "f")
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _label(obj: Any) -> str:
    return str(obj)[:300]


def key_field(model: type[models.Model] | None, key: str) -> models.Field | None:
    """The model field a recorded key names (most keys are field names), or None (e.g. "member_of")."""
    try:
        field = model._meta.get_field(key) if model is not None else None
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def key_label(model: type[models.Model] | None, key: str) -> str:
    """A recorded key as a reader sees it: its field's label, else its `KEY_LABELS` label, else the key."""
    field = key_field(model, key)
    if field is not None:
        return str(capfirst(field.verbose_name))
    return capfirst(str(KEY_LABELS[key])) if key in KEY_LABELS else key


def _check_keys(target: models.Model | None, *values: Mapping[str, Any]) -> None:
    model = type(target) if target is not None else None
    unknown = sorted({str(key) for value in values for key in value} - KEY_LABELS.keys())
    unknown = [key for key in unknown if key_field(model, key) is None]
    if unknown:
        raise ValueError(f"audit keys with no label (a field of the target, or KEY_LABELS): {', '.join(unknown)}")


def record(
    action: AuditAction | str,
    *,
    target: models.Model | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    actor: Any = FROM_REQUEST,
    ip: str | None | _FromRequest = FROM_REQUEST,
) -> AuditEntry:
    """Write one entry now (in the caller's transaction). `actor` is a user or None; `ip` an address or None;
    both default to the request being served (none outside a request)."""
    action = AuditAction(action)  # a misspelt action is a ValueError, not a row nobody can filter
    _check_keys(target, before or {}, after or {})  # likewise a key nobody can read
    request = current_request()
    if actor is FROM_REQUEST:
        actor = _request_user(request)
    if ip is FROM_REQUEST:
        ip = request_ip(request)
    elif ip is not None:
        parsed = parse_ip(ip)
        ip = str(parsed) if parsed is not None else None
    actor_label = ""
    if actor is not None:
        contact = getattr(actor, "email", "") or getattr(actor, "mobile", "") or ""
        actor_label = _label(f"{actor} <{contact}>" if contact and contact != str(actor) else actor)
    return AuditEntry.objects.create(
        action=action,
        actor=actor,
        actor_label=actor_label,
        ip=ip,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_label=_label(target) if target is not None else "",
        before=jsonable(dict(before or {})),
        after=jsonable(dict(after or {})),
    )


def record_change(
    action: AuditAction | str,
    *,
    target: models.Model | None = None,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    actor: Any = FROM_REQUEST,
    ip: str | None | _FromRequest = FROM_REQUEST,
) -> AuditEntry | None:
    """`record()` with only the keys whose value differs between `before` and `after`; nothing when none does."""
    old, new = jsonable(dict(before)), jsonable(dict(after))
    changed = [key for key in {**old, **new} if old.get(key) != new.get(key)]
    if not changed:
        return None
    return record(
        action,
        target=target,
        before={key: old.get(key) for key in changed},
        after={key: new.get(key) for key in changed},
        actor=actor,
        ip=ip,
    )

"""Forms of the ticket pages. They parse and check input early (clear Persian messages); the services are
the authority and check again — their `TicketError`s go back onto the form with `form.add_error(None, exc)`.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from helpdesk.forms import JalaliDateTimeField, MobileField
from helpdesk.l10n import digits
from helpdesk.persian import to_latin_digits
from helpdesk.uploads import validate_upload
from helpdesk.widgets import InputRenderer

from . import selectors
from .models import ALLOWED_TRANSITIONS, CannedResponse, Department, Priority, Status, Ticket, TicketType
from .references import parse_reference
from .services import BULK_ACTIONS, clean_tags

MAX_FILES = 10
BODY_MAX = 50_000

MSG_TOO_MANY_FILES = _("You can attach at most %(limit)s files to one message.")
MSG_BODY_REQUIRED = _("Write the text of the message.")
MSG_BODY_TOO_LONG = _("The text can be at most %(limit_value)s characters long.")
MSG_SUBJECT_REQUIRED = _("Write a subject for the ticket.")
MSG_DEPARTMENT_REQUIRED = _("Choose a department.")
MSG_ATTACHMENT_REQUIRED = _("Tickets of type “%(type)s” need at least one attached file.")
MSG_NO_TICKETS_SELECTED = _("Select at least one ticket.")
MSG_ACTION_PARAMETER = _("Choose the %(what)s for this action.")
MSG_REFERENCE_INVALID = _("Enter a ticket reference, e.g. 4830271.")
MSG_REFERENCE_UNKNOWN = _("There is no ticket #%(ref)s that you can see.")
MSG_REQUESTER_REQUIRED = _("Choose the customer this ticket is for, or create one.")
MSG_INTERNAL_TARGET = _("Choose the department or the agent this internal ticket is for.")
MSG_CONTACT_REQUIRED = _("Enter an email address or a mobile number.")
MSG_CANNED_REQUIRED = _("Choose a canned response.")
MSG_FILTER_NAME = _("Give the filter a name.")


# --- attachments ----------------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input. Each is checked with `helpdesk.uploads.validate_upload` so the person sees
    the reason (size, type, content) before anything is saved; the service checks again."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > MAX_FILES:
            raise ValidationError(MSG_TOO_MANY_FILES, code="too_many_files", params={"limit": MAX_FILES})
        errors = []
        for file in files:
            try:
                validate_upload(file)
            except ValidationError as exc:
                errors.extend(exc.error_list)
        if errors:
            raise ValidationError(errors)
        return files


def attachments_field() -> MultipleFileField:
    return MultipleFileField(label=_("Attachments"), help_text=_("You can choose several files."))


def body_field(label, rows: int = 6) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=BODY_MAX,
        strip=True,
        error_messages={"required": MSG_BODY_REQUIRED, "max_length": MSG_BODY_TOO_LONG},
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _require_attachment(form: forms.Form, ticket_type: TicketType | None, data: dict) -> None:
    """The type asks for a file (F09) and none came (a refused file already has its own error)."""
    if not (ticket_type and ticket_type.attachment_required) or data.get("attachments"):
        return
    if "attachments" not in form.errors:
        form.add_error(
            "attachments",
            ValidationError(MSG_ATTACHMENT_REQUIRED, code="attachment_required", params={"type": ticket_type.name}),
        )


class _ModelChoice(forms.ModelChoiceField):
    """Choices labelled by the user's full name for users, else `str()`."""

    def label_from_instance(self, obj):
        if isinstance(obj, User):
            return obj.full_name or str(obj)
        return str(obj)


# --- customer portal ------------------------------------------------------------------------------------


class TicketCreateForm(forms.Form):
    """A customer files a ticket (F01): public department (G3), public type, subject, text, files."""

    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("Choose a department"),
    )
    type = forms.ModelChoiceField(
        label=_("Type of request"), queryset=TicketType.objects.none(), required=False, empty_label=_("Other")
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=Ticket._meta.get_field("subject").max_length,
        error_messages={"required": MSG_SUBJECT_REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    body = body_field(_("Describe your request"), rows=8)
    attachments = attachments_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = selectors.public_departments()
        self.fields["type"].queryset = selectors.public_types()

    def clean(self):
        data = super().clean()
        ticket_type = data.get("type")
        if not data.get("department") and not (ticket_type and ticket_type.default_department_id):
            self.add_error("department", ValidationError(MSG_DEPARTMENT_REQUIRED, code="department_required"))
        _require_attachment(self, ticket_type, data)
        return data


class ReplyForm(forms.Form):
    """A public reply (customer or staff)."""

    default_renderer = InputRenderer  # the ticket pages render its inputs on every request

    body = body_field(_("Your reply"))
    attachments = attachments_field()


class StaffReplyForm(ReplyForm):
    """The staff reply box: reply or internal note, optionally setting the status, with the B7 check.

    `last_seen` is the newest public message the agent had on screen; if a newer public reply exists when
    the reply is sent, nothing is sent until the agent confirms (`confirm`).
    """

    body = body_field(_("Reply or internal note"))
    status = forms.ChoiceField(label=_("Then set the status to"), required=False)
    last_seen = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, ticket: Ticket | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("(leave as it is)"))]
        if ticket is not None:
            allowed = ALLOWED_TRANSITIONS.get(ticket.status, frozenset())
            choices += [(value, label) for value, label in Status.choices if value in allowed]
        cast(forms.ChoiceField, self.fields["status"]).choices = choices


class CannedInsertForm(forms.Form):
    """Insert a canned response into the reply box (with or without JavaScript)."""

    canned = forms.ModelChoiceField(
        label=_("Canned response"),
        queryset=CannedResponse.objects.none(),
        error_messages={"required": MSG_CANNED_REQUIRED, "invalid_choice": MSG_CANNED_REQUIRED},
    )
    body = forms.CharField(required=False, max_length=BODY_MAX, strip=False, widget=forms.HiddenInput)

    def __init__(self, *args, user: User, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["canned"]).queryset = selectors.canned_for(user=user, ticket=ticket)
        cast(forms.ModelChoiceField, self.fields["canned"]).empty_label = _("Choose…")
        self.fields["canned"].widget.attrs["class"] = "form-select"


# --- working a ticket (staff) ---------------------------------------------------------------------------


MSG_STATUS_UNKNOWN = _("Choose one of the statuses in the list.")
MSG_ASSIGNEE_UNKNOWN = _("Choose an agent from the list (that one doesn't exist or no longer works here).")
MSG_CHOICE_UNKNOWN = _("Choose one of the items in the list.")


class _StatusField(forms.ChoiceField):
    """Offers the current status and the ones the transition table allows from it; accepts any status, so a
    forbidden step reaches the service and gets its message («A ticket can't go from … to …»)."""

    def valid_value(self, value) -> bool:
        return value in Status.values


def _same_minute(a: dt.datetime | None, b: dt.datetime | None) -> bool:
    """Due times are shown and typed to the minute: a value re-posted unchanged is not a change."""
    if a is None or b is None:
        return a is b
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


class TicketUpdateForm(forms.Form):
    """The staff ticket page's sidebar: status, priority, department, assignee, type, tags and due times in one
    form with one save. Every field starts at the ticket's current value; `changes()` gives only the fields that
    differ from it (a field missing from the POST, e.g. one the page did not offer, is left as it is). The view
    calls each changed field's own service, all in one transaction; the services check permissions again."""

    default_renderer = InputRenderer

    FIELDS = ("status", "priority", "department", "assignee", "type", "tags", "first_response_due", "resolution_due")

    status = _StatusField(label=_("Status"), error_messages={"invalid_choice": MSG_STATUS_UNKNOWN})
    priority = forms.ModelChoiceField(
        label=_("Priority"),
        queryset=Priority.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": MSG_CHOICE_UNKNOWN},
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": MSG_CHOICE_UNKNOWN, "required": MSG_DEPARTMENT_REQUIRED},
    )
    assignee = _ModelChoice(
        label=_("Assignee"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody"),
        error_messages={"invalid_choice": MSG_ASSIGNEE_UNKNOWN},
    )
    note = forms.CharField(
        label=_("Note for the new department"),
        help_text=_(
            "Only when the department changes. A transfer leaves the ticket unassigned unless you choose an agent."
        ),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    type = forms.ModelChoiceField(
        label=_("Type"),
        queryset=TicketType.objects.none(),
        required=False,
        empty_label=_("None"),
        error_messages={"invalid_choice": MSG_CHOICE_UNKNOWN},
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separate tags with commas."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    first_response_due = JalaliDateTimeField(label=_("First response due"), required=False)
    resolution_due = JalaliDateTimeField(label=_("Resolution due"), required=False)

    def __init__(self, *args, ticket: Ticket, **kwargs):
        self.ticket = ticket
        tags = ticket.tag_names
        self.current: dict[str, object] = {
            "status": ticket.status,
            "priority": ticket.priority,
            "department": ticket.department,
            "assignee": ticket.assignee,
            "type": ticket.type,
            "tags": tags,
            "first_response_due": ticket.first_response_due,
            "resolution_due": ticket.resolution_due,
        }
        initial = {name: getattr(value, "pk", value) for name, value in self.current.items()}
        kwargs["initial"] = {**initial, "tags": "، ".join(tags)}
        kwargs.setdefault("auto_id", "id_ticket_%s")  # the reply box on the same page has a `status` too
        super().__init__(*args, **kwargs)
        allowed = ALLOWED_TRANSITIONS.get(ticket.status, frozenset())
        status = cast(_StatusField, self.fields["status"])
        status.choices = [(v, label) for v, label in Status.choices if v == ticket.status or v in allowed]
        cast(forms.ModelChoiceField, self.fields["priority"]).queryset = selectors.active_priorities()
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = selectors.active_departments()
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = selectors.staff_users()
        cast(forms.ModelChoiceField, self.fields["type"]).queryset = selectors.active_types()
        for name in self.FIELDS:
            if self.is_bound and name not in self.data:
                self.fields[name].required = False  # not offered (no permission): left as it is

    def clean_tags(self):
        return clean_tags(self.cleaned_data["tags"])

    def changes(self) -> dict[str, object]:
        """The posted fields whose value differs from the ticket's: name → the new value."""
        found: dict[str, object] = {}
        for name in self.FIELDS:
            if name not in self.data:
                continue
            new, old = self.cleaned_data.get(name), self.current[name]
            if name == "tags":
                changed = {t.casefold() for t in cast(list, new)} != {t.casefold() for t in cast(list, old)}
            elif name in ("first_response_due", "resolution_due"):
                changed = not _same_minute(cast("dt.datetime | None", new), cast("dt.datetime | None", old))
            else:
                changed = getattr(new, "pk", new) != getattr(old, "pk", old)
            if changed:
                found[name] = new
        return found


class MergeForm(forms.Form):
    default_renderer = InputRenderer
    target = forms.CharField(
        label=_("Merge this ticket into ticket"),
        max_length=30,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}),
        error_messages={"required": MSG_REFERENCE_INVALID},
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["target"].widget.attrs["placeholder"] = digits("4830271")  # the page's digits

    def clean_target(self):
        from .permissions import visible_tickets

        reference = parse_reference(self.cleaned_data["target"])
        if reference is None:
            raise ValidationError(MSG_REFERENCE_INVALID, code="invalid_reference")
        try:
            return visible_tickets(self.user).get(reference=reference)
        except Ticket.DoesNotExist:
            raise ValidationError(
                MSG_REFERENCE_UNKNOWN, code="unknown_reference", params={"ref": digits(reference)}
            ) from None


# --- the queue ------------------------------------------------------------------------------------------


class SavedFilterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, error_messages={"required": MSG_FILTER_NAME})
    querystring = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(MSG_FILTER_NAME, code="required")
        return name


class IdListField(forms.Field):
    """The ids of the checked rows (checkboxes named `tickets`); the view scopes them to visible tickets."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": MSG_NO_TICKETS_SELECTED, "invalid": MSG_NO_TICKETS_SELECTED}

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        ids = []
        for item in values:
            text = to_latin_digits(item).strip()
            if not text.isdigit():
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            ids.append(int(text))
        return list(dict.fromkeys(ids))[:500]


BULK_CHOICES = [
    ("assign", _("Assign to")),
    ("transfer", _("Transfer to department")),
    ("status", _("Set status")),
    ("priority", _("Set priority")),
    ("add_tags", _("Add tag")),
    ("close", _("Close")),
]


class BulkActionForm(forms.Form):
    """Bulk actions on the tickets selected in the queue (each goes through its own service)."""

    action = forms.ChoiceField(label=_("Action"), choices=[c for c in BULK_CHOICES if c[0] in BULK_ACTIONS])
    tickets = IdListField()
    agent = _ModelChoice(label=_("Agent"), queryset=User.objects.none(), required=False, empty_label=_("Nobody"))
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False, empty_label="—"
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *Status.choices], required=False)
    priority = forms.ModelChoiceField(
        label=_("Priority"), queryset=Priority.objects.none(), required=False, empty_label="—"
    )
    tag = forms.CharField(label=_("Tag"), max_length=100, required=False)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = selectors.staff_users()
        self.fields["department"].queryset = selectors.active_departments()
        self.fields["priority"].queryset = selectors.active_priorities()

    def clean(self):
        data = super().clean()
        action = data.get("action")
        needed = {
            "transfer": ("department", _("department")),
            "status": ("status", _("status")),
            "priority": ("priority", _("priority")),
            "add_tags": ("tag", _("tag")),
        }.get(action)
        if needed and not data.get(needed[0]):
            self.add_error(
                needed[0], ValidationError(MSG_ACTION_PARAMETER, code="required", params={"what": needed[1]})
            )
        if action == "add_tags" and data.get("tag"):
            data["tag"] = clean_tags(data["tag"])
        return data

    def params(self) -> dict:
        """The keyword arguments `bulk_apply` takes for the chosen action."""
        data = self.cleaned_data
        return {
            "assign": lambda: {"agent": data.get("agent")},
            "transfer": lambda: {"department": data["department"], "agent": data.get("agent")},
            "status": lambda: {"status": data["status"]},
            "priority": lambda: {"priority": data["priority"]},
            "add_tags": lambda: {"tags": data["tag"]},
            "close": dict,
        }[data["action"]]()


# --- staff create tickets (F07) -------------------------------------------------------------------------


class StaffTicketCreateForm(forms.Form):
    """A ticket filed by staff: for a customer (found by search, or created on the spot), or internal —
    addressed to another department or agent and never shown to customers."""

    KIND_CUSTOMER = "customer"
    KIND_INTERNAL = "internal"

    kind = forms.ChoiceField(
        label=_("Ticket for"),
        choices=[(KIND_CUSTOMER, _("A customer")), (KIND_INTERNAL, _("Internal (staff only)"))],
        initial=KIND_CUSTOMER,
        widget=forms.RadioSelect,
    )
    requester = _ModelChoice(
        label=_("Customer"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": MSG_REQUESTER_REQUIRED},
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False, empty_label=_("Choose a department")
    )
    assignee = _ModelChoice(label=_("Agent"), queryset=User.objects.none(), required=False, empty_label=_("Nobody"))
    type = forms.ModelChoiceField(
        label=_("Type"), queryset=TicketType.objects.none(), required=False, empty_label=_("None")
    )
    priority = forms.ModelChoiceField(
        label=_("Priority"), queryset=Priority.objects.none(), required=False, empty_label=_("Default")
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=Ticket._meta.get_field("subject").max_length,
        error_messages={"required": MSG_SUBJECT_REQUIRED},
    )
    body = body_field(_("Text"), rows=8)
    tags = forms.CharField(label=_("Tags"), required=False, max_length=1000, help_text=_("Separate tags with commas."))
    attachments = attachments_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import Role

        self.fields["requester"].queryset = User.objects.filter(role=Role.CUSTOMER, is_active=True)
        self.fields["department"].queryset = selectors.active_departments()
        self.fields["assignee"].queryset = selectors.staff_users()
        self.fields["type"].queryset = selectors.active_types()
        self.fields["priority"].queryset = selectors.active_priorities()

    def clean_tags(self):
        return clean_tags(self.cleaned_data["tags"])

    def clean(self):
        data = super().clean()
        internal = data.get("kind") == self.KIND_INTERNAL
        ticket_type = data.get("type")
        if not internal and not data.get("requester") and "requester" not in self.errors:
            self.add_error("requester", ValidationError(MSG_REQUESTER_REQUIRED, code="requester_required"))
        department = data.get("department") or (ticket_type.default_department if ticket_type else None)
        if internal and not department and not data.get("assignee"):
            self.add_error("department", ValidationError(MSG_INTERNAL_TARGET, code="internal_target"))
        elif not department and not internal:
            self.add_error("department", ValidationError(MSG_DEPARTMENT_REQUIRED, code="department_required"))
        _require_attachment(self, ticket_type, data)
        return data


class CustomerSearchForm(forms.Form):
    q = forms.CharField(label=_("Find a customer"), max_length=100, required=False)


class CustomerQuickCreateForm(forms.Form):
    """A customer created on the spot while filing a ticket for them (accounts.services.customer_create)."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Email"), required=False)
    mobile = MobileField(label=_("Mobile"), required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False, empty_label=_("None")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")

    def clean(self):
        data = super().clean()
        if (
            not data.get("email")
            and not data.get("mobile")
            and not self.errors.get("email")
            and not self.errors.get("mobile")
        ):
            raise ValidationError(MSG_CONTACT_REQUIRED, code="contact_required")
        return data


MSG_RATING = _("Choose a rating from 1 to 5.")


class RatingForm(forms.Form):
    """The customer's satisfaction rating (CSAT): 1–5 (any digits) and an optional comment."""

    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the answer?"),
        choices=[(n, n) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": MSG_RATING, "invalid_choice": MSG_RATING},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "score" in data:
            data = data.copy()
            data["score"] = to_latin_digits(data["score"]).strip()
        super().__init__(data, *args, **kwargs)

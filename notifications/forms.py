"""The notification preferences form: one checkbox per (event group, channel), showing what the person gets today
(their own choice, else their access level's default); only the rows they change become their own choice."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from . import registry

if TYPE_CHECKING:
    from accounts.models import User

CHANNEL_LABELS = {"email": _("Email"), "sms": _("SMS"), "panel": _("Panel")}


def groups_for(user: User) -> list[tuple[str, str]]:
    """(code, label) of the groups that concern the user's side, as registered (e.g. customers never hear of
    internal notes, and staff never of a seller's sales ceilings)."""
    staff = bool(user.is_employee or user.is_superuser)
    return [(g.code, g.label) for g in registry.groups() if (g.staff if staff else g.customers)]


def field_name(group: str, channel: str) -> str:
    return f"{group}__{channel}"


class PreferencesForm(forms.Form):
    def __init__(self, *args, user: User, table: dict[str, dict[str, bool]], **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = groups_for(user)
        for group, label in self.groups:
            for channel, channel_label in CHANNEL_LABELS.items():
                self.fields[field_name(group, channel)] = forms.BooleanField(
                    label=_("%(events)s by %(channel)s") % {"events": label, "channel": channel_label},
                    required=False,
                    initial=table.get(group, {}).get(channel, False),
                )

    def rows(self):
        """[(group label, [bound field per channel])] for the table in the template."""
        return [
            (label, [self[field_name(group, channel)] for channel in CHANNEL_LABELS]) for group, label in self.groups
        ]

    def table(self) -> dict[str, dict[str, bool]]:
        """The person's own choice for each group whose row they changed (the others keep following the
        defaults, or the choice stored before)."""
        data, changed = self.cleaned_data, set(self.changed_data)
        return {
            group: {channel: bool(data.get(field_name(group, channel))) for channel in CHANNEL_LABELS}
            for group, _label in self.groups
            if any(field_name(group, channel) in changed for channel in CHANNEL_LABELS)
        }

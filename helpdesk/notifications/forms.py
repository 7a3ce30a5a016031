"""The notification preferences form: one checkbox per (event group, channel)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from helpdesk.models import NotificationGroup

CHANNEL_LABELS = {"email": _("Email"), "sms": _("SMS"), "panel": _("Panel")}

# The groups that concern each side (customers never hear of notes, assignments or deadlines).
CUSTOMER_GROUPS = (
    NotificationGroup.NEW_TICKET,
    NotificationGroup.REPLY,
    NotificationGroup.STATUS,
    NotificationGroup.LIMITS,
)
STAFF_GROUPS = tuple(g for g in NotificationGroup.values if g != NotificationGroup.LIMITS)


def groups_for(user) -> list[tuple[str, str]]:
    wanted = STAFF_GROUPS if (user.is_employee or user.is_superuser) else CUSTOMER_GROUPS
    return [(value, label) for value, label in NotificationGroup.choices if value in wanted]


def field_name(group: str, channel: str) -> str:
    return f"{group}__{channel}"


class PreferencesForm(forms.Form):
    def __init__(self, *args, user, table: dict[str, dict[str, bool]], **kwargs):
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
        data = self.cleaned_data
        return {
            group: {channel: bool(data.get(field_name(group, channel))) for channel in CHANNEL_LABELS}
            for group, _label in self.groups
        }

"""`helpdesk.widgets.InputRenderer` builds inputs and textareas in Python: the markup must be Django's own."""

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from helpdesk.forms import JalaliDateTimeField
from helpdesk.widgets import InputRenderer
from tickets.forms import MultipleFileField


class Everything(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr", "data-x": True}))
    off = forms.CharField(required=False, widget=forms.TextInput(attrs={"hidden": False, "title": 'a "b" <c>'}))
    hidden = forms.IntegerField(required=False, widget=forms.HiddenInput)
    flag = forms.BooleanField(required=False, widget=forms.HiddenInput)
    number = forms.IntegerField(required=False, min_value=0)
    email = forms.EmailField(required=False, help_text="help")
    password = forms.CharField(required=False, widget=forms.PasswordInput)
    area = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    files = MultipleFileField()
    when = JalaliDateTimeField(required=False)
    choice = forms.ChoiceField(required=False, choices=[("a", "A <1>"), ("b", "B")])
    check = forms.BooleanField(required=False)


INITIAL = {
    "text": "x & <y>",
    "hidden": 7,
    "flag": True,
    "number": 3,
    "area": 'line "one"\n<two> & three',
    "off": mark_safe("<b>safe</b>"),  # noqa: S308 - the test's own constant
    "when": dt.datetime(2025, 3, 20, 10, 30, tzinfo=dt.UTC),
    "choice": "b",
}
BOUND = {"text": "", "number": "-1", "email": "nope", "area": "", "hidden": "x", "when": "bad", "check": "on"}


def _widgets(form):
    return {name: (str(form[name]), form[name].as_widget(attrs={"class": "form-control"})) for name in form.fields}


@pytest.mark.parametrize(
    "kwargs", [{}, {"initial": INITIAL}, {"data": BOUND}, {"data": {**INITIAL, "area": "x"}}], ids=str
)
def test_same_markup_as_django_templates(kwargs):
    ours = Everything(renderer=InputRenderer(), auto_id="id_%s", **kwargs)
    django = Everything(renderer=DjangoTemplates(), auto_id="id_%s", **kwargs)
    ours.is_bound and ours.is_valid()
    django.is_bound and django.is_valid()
    assert _widgets(ours) == _widgets(django)


def test_the_ticket_pages_forms_use_it():
    from tickets.forms import MergeForm, ReplyForm, StaffReplyForm, TicketUpdateForm

    assert all(
        form.default_renderer is InputRenderer for form in (ReplyForm, StaffReplyForm, TicketUpdateForm, MergeForm)
    )

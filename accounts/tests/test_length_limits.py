"""Every length limit on the site (form fields and model fields) is written in the page's digits
(`helpdesk.forms.localize_length_limits`); a validator given its own message keeps it."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import translation

from accounts.forms import SignupNameForm
from accounts.models import User


def test_a_plain_form_field_in_persian_and_in_english():
    with translation.override("fa"):
        form = SignupNameForm(data={"full_name": "ن" * 151})
        assert form.errors["full_name"] == ["حداکثر ۱۵۰ نویسه وارد کنید (این ۱۵۱ نویسه دارد)."]
    with translation.override("en"):
        form = SignupNameForm(data={"full_name": "n" * 1500})
        assert form.errors["full_name"] == ["Enter at most 150 characters (this has 1500)."]


@pytest.mark.django_db
def test_a_model_field():
    with translation.override("fa"), pytest.raises(ValidationError) as caught:
        User(full_name="ن" * 151).full_clean()
    assert caught.value.message_dict["full_name"] == ["حداکثر ۱۵۰ نویسه وارد کنید (این ۱۵۱ نویسه دارد)."]


def test_a_message_of_its_own_is_kept():
    field = forms.CharField(validators=[MaxLengthValidator(3, message="at most %(limit_value)d, not %(show_value)d")])
    with translation.override("fa"), pytest.raises(ValidationError) as caught:
        field.clean("abcd")
    assert caught.value.messages == ["at most 3, not 4"]

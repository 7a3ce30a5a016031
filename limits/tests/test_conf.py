import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from limits import tasks
from limits.conf import parse_bool_setting, parse_exemption_year_setting, policies


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("1", True), ("On", True), ("false", False), ("0", False)])
def test_bool_words(raw, value):
    assert parse_bool_setting("X", raw) is value


@pytest.mark.parametrize("raw", ["maybe", "", "2", "yess"])
def test_bad_bool_is_a_configuration_error(raw):
    with pytest.raises(ImproperlyConfigured) as exc:
        parse_bool_setting("ARTICLE6_FLOOR_TESTS_PAID_SALES", raw)
    assert "ARTICLE6_FLOOR_TESTS_PAID_SALES" in str(exc.value)


def test_exemption_year_words():
    assert parse_exemption_year_setting("X", " Prior ") == "prior"
    with pytest.raises(ImproperlyConfigured):
        parse_exemption_year_setting("ARTICLE6_EXEMPTION_YEAR", "previous")


def test_defaults():
    assert settings.ARTICLE6_FLOOR_TESTS_PAID_SALES is True
    assert settings.ARTICLE6_EXEMPTION_YEAR == "period"
    assert policies().floor_tests_paid_sales is True


def test_beat_schedule_names_real_tasks():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["limits-compute-ceilings"]["task"] == tasks.compute_upcoming_ceilings.name
    assert schedule["limits-expire-requests"]["task"] == tasks.expire_requests.name

"""What people looked for, counted per Tehran day for the reports: searches with no result (by their normalised
words) and suggestion lists shown while filing a ticket (once per browser session and day)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from knowledgebase.models import SearchStat

pytestmark = pytest.mark.django_db

# 2025-03-20 21:00 UTC is already 1404/01/01 in Tehran: the day is Tehran's.
NOWRUZ = dt.datetime(2025, 3, 20, 21, 0, tzinfo=dt.UTC)


def stats(kind):
    return list(SearchStat.objects.filter(kind=kind).values_list("day", "query", "count"))


def test_a_search_with_no_result_is_counted_by_its_normalised_words(client, make_article):
    make_article("فراموشی رمز عبور")
    with time_machine.travel(NOWRUZ, tick=False):
        client.get(reverse("knowledgebase:search"), {"q": "كارت هوشمند"})  # Arabic kaf: folded
        client.get(reverse("knowledgebase:search"), {"q": "  کارت   هوشمند "})
        client.get(reverse("knowledgebase:search"), {"q": "رمز"})  # found: not counted
        client.get(reverse("knowledgebase:search"), {"q": ""})  # nothing asked: not counted
    assert stats(SearchStat.Kind.NO_RESULT) == [(dt.date(2025, 3, 21), "کارت هوشمند", 2)]


def test_suggestions_shown_count_once_per_session_and_day(client, customer, make_article):
    make_article("فراموشی رمز عبور")
    client.force_login(customer)
    url = reverse("knowledgebase:suggest")
    with time_machine.travel(NOWRUZ, tick=False):
        for typed in ("رمز", "رمز عبور", "رمز عبورم"):
            client.get(url, {"subject": typed})
        client.get(url, {"subject": "چیزی که نیست"})  # nothing shown
    with time_machine.travel(NOWRUZ + dt.timedelta(days=1), tick=False):
        client.get(url, {"subject": "رمز"})
    assert stats(SearchStat.Kind.SUGGESTED) == [(dt.date(2025, 3, 22), "", 1), (dt.date(2025, 3, 21), "", 1)]

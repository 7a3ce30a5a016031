"""Admin reports: the worst-rated articles and the self-service outcome rates."""

import pytest
import time_machine

from knowledgebase import services
from knowledgebase.selectors import article_ratings, suggestion_outcome_report

pytestmark = pytest.mark.django_db


def vote(article, helpful, n, prefix):
    for i in range(n):
        services.feedback_submit(article=article, user=None, session_key=f"{prefix}{i}", helpful=helpful)


def test_article_ratings_worst_ratio_first(make_article):
    good, bad, mixed, unrated = (make_article(t) for t in ("good", "bad", "mixed", "unrated"))
    vote(good, True, 3, "g")
    vote(bad, False, 2, "b")
    vote(bad, True, 1, "b+")
    vote(mixed, True, 1, "m")
    vote(mixed, False, 1, "m-")
    rows = [(a.title, a.helpful_votes, a.unhelpful_votes, round(a.helpful_ratio, 2)) for a in article_ratings()]
    assert rows == [("bad", 1, 2, 0.33), ("mixed", 1, 1, 0.5), ("good", 3, 0, 1.0)]


def test_suggestion_outcome_report(make_article):
    article = make_article("فراموشی رمز")
    other = make_article("تغییر موبایل")
    with time_machine.travel("2025-05-01 08:00Z", tick=False):
        services.suggestion_open_record(session_key="filed", article=article)
        services.suggestion_open_record(session_key="left-1", article=article)
        services.suggestion_open_record(session_key="left-2", article=other)
        services.suggestion_open_record(session_key="left-3", article=article)
    with time_machine.travel("2025-05-01 09:50Z", tick=False):
        services.suggestion_open_record(session_key="deciding", article=article)
        services.suggestion_outcome_ticket_filed("filed")
        services.suggestion_outcome_ticket_filed("no-such-session")
        report = suggestion_outcome_report()
    assert (report.sessions, report.filed, report.left, report.deciding) == (5, 1, 3, 1)
    assert report.left_rate == 0.75 and report.filed_rate == 0.25
    assert report.top_articles[0][0] == "فراموشی رمز" and report.top_articles[0][2] == 4


def test_empty_report_has_no_rates(db):
    report = suggestion_outcome_report()
    assert report.sessions == 0 and report.left_rate is None and report.filed_rate is None

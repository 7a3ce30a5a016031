"""Search and suggestions: Persian letter and digit variants, ranking, visibility. Runs on SQLite (fallback) and
PostgreSQL (full-text search over the GIN-indexed expression) alike."""

import pytest
from django.db import connection

from knowledgebase.models import Article, Visibility
from knowledgebase.selectors import search_articles, search_terms, suggest_articles

pytestmark = pytest.mark.django_db


def titles(qs):
    return [a.title for a in qs]


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("ثبت تیکت جدید", "تيكت"),  # Arabic yeh and kaf typed, Persian stored
        ("ثبت تيكت جديد", "تیکت"),  # Persian typed, Arabic stored
        ("راهنمای ۱۲ مرحله‌ای", "12"),  # Persian digits stored, Latin typed
        ("راهنمای 12 مرحله‌ای", "۱۲"),  # Latin stored, Persian typed
        ("راهنمای ١٢ مرحله", "۱۲"),  # Arabic-Indic digits stored
        ("چگونه می‌خواهم پاسخ بدهم", "می‌خواهم"),  # ZWNJ typed and stored
        ("چگونه می‌خواهم پاسخ بدهم", "می خواهم"),  # a space typed instead of the ZWNJ
        ("چگونه می‌خواهم پاسخ بدهم", "میخواهم"),  # typed solid
        ("چگونه میخواهم پاسخ بدهم", "میخواهم"),
        ("درخواست افزايش حد مجاز", "افزایش حد"),  # several words, all must match
        ("Reset your PASSWORD", "password"),  # Latin case
        ("مالیات بر ارزش افزوده", "مالیـــات"),  # tatweel typed
    ],
)
def test_letter_digit_and_zwnj_variants_match(make_article, anon, stored, typed):
    make_article(stored)
    make_article("مقاله‌ای دیگر دربارهٔ چیز دیگری")
    assert titles(search_articles(user=anon, query=typed)) == [stored]


def test_variants_in_tags_and_body_match_too(make_article, anon):
    make_article("الف", tags=["كارت ملي"])
    make_article("ب", body="شماره ۱۲۳۴ را وارد كنيد")
    assert titles(search_articles(user=anon, query="کارت ملی")) == ["الف"]
    assert titles(search_articles(user=anon, query="1234")) == ["ب"]


def test_all_words_must_match(make_article, anon):
    make_article("ارسال ایمیل")
    make_article("ارسال پیامک")
    assert titles(search_articles(user=anon, query="ارسال پیامک")) == ["ارسال پیامک"]


def test_prefix_of_a_word_being_typed_matches(make_article, anon):
    make_article("تیکت‌های باز")
    assert titles(search_articles(user=anon, query="تیک")) == ["تیکت‌های باز"]


def test_title_ranks_above_tags_above_body(make_article, anon):
    body = make_article("سوم", body="در این متن واژهٔ صورتحساب آمده است.")
    tags = make_article("دوم", tags=["صورتحساب"])
    title = make_article("صورتحساب الکترونیکی")
    # Popularity only breaks ties; it must not lift a body match above a title match.
    Article.objects.filter(pk=body.pk).update(view_count=1000)
    Article.objects.filter(pk=tags.pk).update(view_count=500)
    assert [a.pk for a in search_articles(user=anon, query="صورتحساب")] == [title.pk, tags.pk, body.pk]


@pytest.mark.parametrize("query", ["", "   ", "؟!...", "\u200c"])
def test_empty_or_punctuation_query_finds_nothing(make_article, anon, query):
    make_article("هر چیزی")
    assert search_terms(query) == []
    assert not search_articles(user=anon, query=query).exists()


def test_tsquery_syntax_in_the_query_is_harmless(make_article, anon):
    make_article("ثبت تیکت")
    assert titles(search_articles(user=anon, query="تیکت & | ! ( ) : * ' \\")) == ["ثبت تیکت"]


def test_very_long_query_is_cut(make_article, anon):
    make_article("ثبت تیکت")
    assert len(search_terms("تیکت " * 500)) == 1
    assert titles(search_articles(user=anon, query="تیکت " * 500)) == ["ثبت تیکت"]


def test_search_respects_visibility(make_category, make_article, anon, customer, agent):
    hidden_category = make_category("داخلی", visibility=Visibility.STAFF)
    make_article("تیکت عمومی", visibility=Visibility.PUBLIC)
    make_article("تیکت مشتریان", visibility=Visibility.CUSTOMERS)
    make_article("تیکت کارکنان", visibility=Visibility.STAFF)
    make_article("تیکت پیش‌نویس", status=Article.Status.DRAFT)
    make_article("تیکت در دستهٔ داخلی", category=hidden_category)
    assert set(titles(search_articles(user=anon, query="تیکت"))) == {"تیکت عمومی"}
    assert set(titles(search_articles(user=customer, query="تیکت"))) == {"تیکت عمومی", "تیکت مشتریان"}
    assert len(search_articles(user=agent, query="تیکت")) == 5
    assert "تیکت پیش‌نویس" not in titles(search_articles(user=agent, query="تیکت", published_only=True))


def test_suggestions_are_at_most_five_visible_published(make_article, anon, agent):
    for i in range(7):
        make_article(f"فراموشی رمز {i}")
    make_article("فراموشی رمز کارکنان", visibility=Visibility.STAFF)
    make_article("فراموشی رمز پیش‌نویس", status=Article.Status.DRAFT)
    suggestions = suggest_articles(user=anon, query="فراموشی رمز")
    assert len(suggestions) == 5
    assert all(a.visibility == Visibility.PUBLIC and a.is_published for a in suggestions)
    assert all(a.is_published for a in suggest_articles(user=agent, query="پیش‌نویس")) is True
    assert suggest_articles(user=anon, query="ر") == []  # one letter is too little to suggest anything


def test_postgresql_search_uses_the_gin_index(make_article, agent):
    """On PostgreSQL the query must match the indexed expression; on SQLite the migration creates no index."""
    make_article("صورتحساب الکترونیکی")
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("SELECT name FROM sqlite_master WHERE type='index' AND name='kb_article_search_gin'")
            assert cursor.fetchone() is None
            return
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = search_articles(user=agent, query="صورتحساب").explain()
    assert "kb_article_search_gin" in plan


def test_a_ticket_subject_sentence_gets_suggestions_ranked_by_matching_words(make_article, anon):
    password = make_article("فراموشی رمز عبور", tags=["ورود"])
    make_article("تغییر شماره موبایل")
    login = make_article("راهنمای ورود", body="اگر رمز را فراموش کردید به مقاله دیگر بروید.")
    suggestions = suggest_articles(user=anon, query="رمز عبورم را فراموش كرده‌ام و نمی‌توانم وارد شوم")
    assert [a.pk for a in suggestions] == [password.pk, login.pk]


def test_stop_words_alone_still_search(make_article, anon):
    make_article("این راهنما")
    assert search_terms("را در به") == ["را", "در", "به"]
    assert search_terms("تیکت را ثبت کنم") == ["تیکت", "ثبت"]


def test_search_page_falls_back_to_any_word(client, make_article):
    from django.urls import reverse

    make_article("بازیابی رمز عبور")
    response = client.get(reverse("knowledgebase:search"), {"q": "رمز کارت"})
    assert [a.title for a in response.context["page_obj"]] == ["بازیابی رمز عبور"]

import pytest
from django.conf import settings

from accounts.tests.factories import AgentFactory
from helpdesk.persian import to_persian_digits
from helpdesk.site import get_site_settings
from knowledgebase import demo
from knowledgebase.models import Article, ArticleRevision, Category, Visibility
from knowledgebase.permissions import visible_articles
from knowledgebase.selectors import search_page_results, suggest_articles

pytestmark = pytest.mark.django_db

PASSWORD_ARTICLE = "رمز عبور (گذرواژه) را فراموش کرده‌ام؛ چه کنم؟"


def test_demo_is_idempotent_and_has_a_staff_only_category(anon):
    author = AgentFactory()
    assert demo.load() == []
    assert demo.load() == []
    assert Category.objects.count() == 4
    assert Article.objects.count() == 14
    assert ArticleRevision.objects.count() == 14  # nothing re-saved the second time
    assert Category.objects.filter(visibility=Visibility.STAFF).count() == 1
    assert set(Article.objects.values_list("author", flat=True)) == {author.pk}
    public_titles = set(visible_articles(anon).values_list("title", flat=True))
    assert "درخواست افزایش حد مجاز فروش ماده ۶" in public_titles
    assert "راهنمای کارشناس: بررسی درخواست افزایش حد مجاز" not in public_titles
    assert len(public_titles) >= 12


def test_the_common_questions_are_answered(anon):
    AgentFactory()
    demo.load()
    titles = " ".join(visible_articles(anon).published().values_list("title", flat=True))
    for topic in (
        "رمز عبور",
        "موبایل",
        "ثبت کنم",
        "دنبال کردن",
        "پیوست",
        "صورتحساب",
        "حد مجاز",
        "پیامک",
        "ایمیل",
        "نظرسنجی",
        "سازمان",
        "ساعت کاری",
    ):
        assert topic in titles, topic


@pytest.mark.parametrize(
    "question",
    ["رمز عبورم را فراموش کرده‌ام", "رمز عبورم را فراموش کرده ام", "گذرواژه یادم رفته", "فراموشی رمز"],
)
def test_a_question_about_a_password_finds_the_password_article(anon, question):
    AgentFactory()
    demo.load()
    results = list(search_page_results(user=anon, query=question))
    assert results and results[0].title == PASSWORD_ARTICLE, [a.title for a in results]
    assert suggest_articles(user=anon, query=question)[0].title == PASSWORD_ARTICLE


def test_the_figures_are_the_sites_own(anon, django_capture_on_commit_callbacks):
    from helpdesk import services as site_services

    with django_capture_on_commit_callbacks(execute=True):
        site_services.site_settings_update(max_upload_mb=7, allowed_file_types="pdf,png")
    AgentFactory()
    demo.load()
    body = Article.objects.get(slug="پیوست-فایل").body
    assert f"{to_persian_digits(get_site_settings().max_upload_mb)} مگابایت" in body
    assert "pdf، png" in body and "docx" not in body
    login = Article.objects.get(slug="ورود-با-موبایل").body
    assert f"پس از {to_persian_digits(settings.AXES_FAILURE_LIMIT)} تلاش ناموفق" in login
    lost = Article.objects.get(slug="فراموشی-گذرواژه").body
    assert "«بازنشانی با پیامک»" in lost  # an account without an email resets by SMS
    assert f"تا {to_persian_digits(settings.PASSWORD_RESET_SMS_MINUTES)} دقیقه معتبر" in lost
    hours = Article.objects.get(slug="ساعت-کاری-و-زمان-پاسخ").body
    assert "| جمعه | تعطیل |" in hours
    assert "{" not in hours and "}" not in body  # every placeholder filled

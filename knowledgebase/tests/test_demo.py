import pytest

from accounts.tests.factories import AgentFactory
from knowledgebase import demo
from knowledgebase.models import Article, ArticleRevision, Category, Visibility
from knowledgebase.permissions import visible_articles

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_has_a_staff_only_category(anon):
    author = AgentFactory()
    assert demo.load() == []
    assert demo.load() == []
    assert Category.objects.count() == 3
    assert Article.objects.count() == 4
    assert ArticleRevision.objects.count() == 4  # nothing re-saved the second time
    assert Category.objects.filter(visibility=Visibility.STAFF).count() == 1
    assert set(Article.objects.values_list("author", flat=True)) == {author.pk}
    public_titles = set(visible_articles(anon).values_list("title", flat=True))
    assert "درخواست افزایش حد مجاز فروش ماده ۶" in public_titles
    assert "راهنمای کارشناس: بررسی درخواست افزایش حد مجاز" not in public_titles

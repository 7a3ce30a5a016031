"""Who sees which categories and articles (the one rule every page, search and suggestion uses)."""

import pytest

from knowledgebase.models import Article, Visibility
from knowledgebase.permissions import visible_articles, visible_categories

pytestmark = pytest.mark.django_db

PUBLIC, CUSTOMERS, STAFF = Visibility.PUBLIC, Visibility.CUSTOMERS, Visibility.STAFF


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anon", {"public"}),
        ("customer", {"public", "customers"}),
        ("agent", {"public", "customers", "staff", "draft"}),
    ],
)
def test_article_visibility_by_reader(request, make_article, who, expected):
    make_article("public", slug="public", visibility=PUBLIC)
    make_article("customers", slug="customers", visibility=CUSTOMERS)
    make_article("staff", slug="staff", visibility=STAFF)
    make_article("draft", slug="draft", visibility=PUBLIC, status=Article.Status.DRAFT)
    user = request.getfixturevalue(who)
    assert set(visible_articles(user).values_list("slug", flat=True)) == expected


def test_inactive_staff_is_treated_as_visitor(make_article, agent):
    make_article("staff", slug="staff", visibility=STAFF)
    agent.is_active = False
    assert not visible_articles(agent).exists()


def test_category_visibility_is_the_strictest_along_ancestors(make_category, anon, customer, agent):
    root = make_category("root", visibility=CUSTOMERS)
    child = make_category("child", parent=root, visibility=PUBLIC)
    grandchild = make_category("grandchild", parent=child, visibility=PUBLIC)
    assert grandchild.effective_visibility == CUSTOMERS
    assert not visible_categories(anon).exists()
    assert set(visible_categories(customer)) == {root, child, grandchild}
    assert set(visible_categories(agent)) == {root, child, grandchild}


def test_public_article_in_a_staff_category_is_hidden(make_category, make_article, anon, customer, agent):
    staff_only = make_category("internal", visibility=STAFF)
    inner = make_category("inner", parent=staff_only)
    article = make_article("hidden", category=inner, visibility=PUBLIC)
    assert article not in visible_articles(anon)
    assert article not in visible_articles(customer)
    assert article in visible_articles(agent)


def test_article_without_category_uses_its_own_visibility(make_article, anon):
    article = make_article("loose", category=None, visibility=PUBLIC)
    assert article in visible_articles(anon)

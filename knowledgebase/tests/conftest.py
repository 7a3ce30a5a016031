"""Fixtures for the knowledge-base tests: users of each kind and a small tree built through the services."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.tests.factories import AdminFactory, AgentFactory, CustomerFactory
from knowledgebase import services
from knowledgebase.models import Article, Visibility


@pytest.fixture
def anon():
    return AnonymousUser()


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def agent(db):
    return AgentFactory()


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def make_category(db):
    counter = iter(range(10_000))

    def make(name=None, **kwargs):
        return services.category_create(name=name or f"دسته {next(counter)}", **kwargs)

    return make


@pytest.fixture
def make_article(db, agent):
    counter = iter(range(10_000))

    def make(title=None, **kwargs):
        kwargs.setdefault("body", "متن مقاله")
        kwargs.setdefault("author", agent)
        kwargs.setdefault("status", Article.Status.PUBLISHED)
        return services.article_create(title=title or f"مقاله {next(counter)}", **kwargs)

    return make


@pytest.fixture
def public_category(make_category):
    return make_category("عمومی", visibility=Visibility.PUBLIC)

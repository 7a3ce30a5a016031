"""Who sees what in the knowledge base — the one place that decides it.

- Visitors see public categories and articles.
- Logged-in users who are not staff (customers) also see "logged-in users" ones.
- Staff (`user.is_employee`) see everything, drafts included.

A category's effective visibility is the strictest along its ancestors; an article is visible when its own
visibility and its category's effective visibility both allow it, and it is published (drafts: staff only).
Anything else is answered 404 by the views, also in search, suggestions and attachments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from .models import Article, ArticleQuerySet, Category, Visibility

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def is_kb_staff(user: User | AnonymousUser | None) -> bool:
    return bool(user and user.is_authenticated and user.is_active and getattr(user, "is_employee", False))


def allowed_visibilities(user: User | AnonymousUser | None) -> list[str]:
    if is_kb_staff(user):
        return list(Visibility.values)
    if user is not None and user.is_authenticated:
        return [Visibility.PUBLIC, Visibility.CUSTOMERS]
    return [Visibility.PUBLIC]


def visible_categories(user: User | AnonymousUser | None) -> QuerySet[Category]:
    qs = Category.objects.all()
    if is_kb_staff(user):
        return qs
    return qs.filter(effective_visibility__in=allowed_visibilities(user))


def visible_articles(user: User | AnonymousUser | None) -> ArticleQuerySet:
    qs = Article.objects.all()
    if is_kb_staff(user):
        return qs
    allowed = allowed_visibilities(user)
    return qs.filter(
        Q(category__isnull=True) | Q(category__effective_visibility__in=allowed),
        status=Article.Status.PUBLISHED,
        visibility__in=allowed,
    )


def can_author(user: User | AnonymousUser | None) -> bool:
    """Staff may use the agent tools (article picker, draft from a ticket)."""
    return is_kb_staff(user)

"""Reads for the knowledge-base pages, search, suggestions and admin reports.

Everything that depends on the reader starts from `permissions.visible_articles(user)` /
`visible_categories(user)`, so search, suggestions and the agent picker never show what a page would 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from django.db import connections
from django.db.models import Case, Count, F, FloatField, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from helpdesk.persian import normalize

from .models import Article, ArticleFeedback, Category, SuggestionOpen, SuggestionSession
from .permissions import allowed_visibilities, is_kb_staff, visible_articles, visible_categories

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Expression
    from django.db.models.expressions import CombinedExpression

    from accounts.models import User

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
SUGGESTION_LIMIT = 5
PICKER_LIMIT = 10
HOME_LIST_LIMIT = 5
# A session that opened a suggestion less than this long ago and filed nothing is still deciding.
SUGGESTION_DECISION_WINDOW = timedelta(hours=1)

_WORD = re.compile(r"\w+")
# Words too common to say anything about a question («را», «در», «چگونه» …); dropped unless nothing else is left.
STOPWORDS = frozenset(
    normalize(word)
    for line in (
        "و در به از که این آن با برای را است هست نیست می نمی تا یا هم ای ام اید ایم اند ها های یک بر اما اگر",
        "چه چرا چگونه چطور کجا کی آیا کنم کنیم کنید کند کنند شد شده شود بود باشد دارم دارد من ما شما او خود",
        "the a an of to in and or is are how what why i my",
    )
    for word in line.split(" ")
)


# ---------------------------------------------------------------------------------------------- pages


def _article_count_filter(user: User | AnonymousUser | None) -> Q:
    if is_kb_staff(user):
        return Q()
    allowed = allowed_visibilities(user)
    return Q(articles__status=Article.Status.PUBLISHED, articles__visibility__in=allowed)


def categories_with_counts(*, user: User | AnonymousUser | None) -> QuerySet[Category]:
    return visible_categories(user).annotate(article_count=Count("articles", filter=_article_count_filter(user)))


def home_categories(*, user: User | AnonymousUser | None) -> QuerySet[Category]:
    """Root categories with their visible sub-categories (two queries, however many there are)."""
    return (
        categories_with_counts(user=user)
        .filter(parent__isnull=True)
        .prefetch_related(Prefetch("children", queryset=visible_categories(user).order_by("order", "name")))
    )


def most_viewed_articles(*, user: User | AnonymousUser | None, limit: int = HOME_LIST_LIMIT) -> QuerySet[Article]:
    return visible_articles(user).published().order_by("-view_count", "-updated_at", "pk")[:limit]


def recently_updated_articles(*, user: User | AnonymousUser | None, limit: int = HOME_LIST_LIMIT) -> QuerySet[Article]:
    return visible_articles(user).published().order_by("-updated_at", "pk")[:limit]


def category_ancestors(category: Category) -> list[Category]:
    """From the root down to the parent of `category` (one query; visible whenever `category` is)."""
    ids = category.ancestor_ids
    if not ids:
        return []
    by_id = {c.pk: c for c in Category.objects.filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


def subcategories(*, user: User | AnonymousUser | None, category: Category) -> QuerySet[Category]:
    return categories_with_counts(user=user).filter(parent=category)


def category_articles(*, user: User | AnonymousUser | None, category: Category) -> QuerySet[Article]:
    return visible_articles(user).filter(category=category).order_by("title", "pk")


def article_for_page(*, user: User | AnonymousUser | None) -> QuerySet[Article]:
    """The article page's queryset: filter by slug; tags, attachments and visible related articles prefetched."""
    return (
        visible_articles(user)
        .select_related("category", "author")
        .prefetch_related(
            "tags",
            "attachments",
            Prefetch(
                "related",
                queryset=visible_articles(user).published().order_by("title"),
                to_attr="visible_related",
            ),
        )
    )


def has_voted(*, article: Article, user: User | AnonymousUser | None, session_key: str | None) -> bool:
    if user is not None and user.is_authenticated:
        return ArticleFeedback.objects.filter(article=article, user=user).exists()
    if not session_key:
        return False
    return ArticleFeedback.objects.filter(article=article, user__isnull=True, session_key=session_key).exists()


# ---------------------------------------------------------------------------------------------- search


def search_terms(query: str) -> list[str]:
    """The normalised words of a query («ي/ی», «ك/ک», ZWNJ, «۱۲/12» folded), without duplicates or stop words."""
    words = list(dict.fromkeys(_WORD.findall(normalize((query or "")[:MAX_QUERY_LENGTH]))))
    meaningful = [w for w in words if w not in STOPWORDS]
    return (meaningful or words)[:MAX_TERMS]


def search_articles(
    *, user: User | AnonymousUser | None, query: str, published_only: bool = False, match: Literal["all", "any"] = "all"
) -> QuerySet[Article]:
    """Visible articles matching the words of `query` (every word, or with `match="any"` at least one), best
    first: a match in the title counts above one in the tags, which counts above one in the body, and (for
    "any") more matching words count above fewer.

    PostgreSQL: full-text search over the normalised columns with weights A/B/C (served by the GIN index of
    migration 0002) and prefix matching, ranked by ts_rank. Elsewhere (SQLite): substring matching on the same
    normalised columns, ranked by a CASE WHEN score.
    """
    terms = search_terms(query)
    qs = visible_articles(user)
    if published_only:
        qs = qs.published()
    if not terms:
        return qs.none()
    if connections[qs.db].vendor == "postgresql":
        return _search_postgresql(qs, terms, match)
    return _search_fallback(qs, terms, match)


def search_vector() -> CombinedExpression:
    """The weighted document; the GIN index of migration 0002 is built on exactly this expression."""
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("search_title", weight="A", config="simple")
        + SearchVector("search_tags", weight="B", config="simple")
        + SearchVector("search_body", weight="C", config="simple")
    )


def _search_postgresql(qs: QuerySet[Article], terms: list[str], match: str) -> QuerySet[Article]:
    from django.contrib.postgres.search import SearchQuery, SearchRank

    # Terms are \w+ runs, so nothing in them is tsquery syntax; ":*" lets a word being typed match.
    operator = " & " if match == "all" else " | "
    query = SearchQuery(operator.join(f"{term}:*" for term in terms), search_type="raw", config="simple")
    return (
        qs.annotate(search=search_vector())
        .filter(search=query)
        .annotate(rank=SearchRank(search_vector(), query))
        .order_by("-rank", "-view_count", "pk")
    )


def _search_fallback(qs: QuerySet[Article], terms: list[str], match: str) -> QuerySet[Article]:
    score: Expression = Value(0, output_field=IntegerField())
    any_term = Q()
    for term in terms:
        term_q = Q(search_title__contains=term) | Q(search_tags__contains=term) | Q(search_body__contains=term)
        if match == "all":
            qs = qs.filter(term_q)
        else:
            any_term |= term_q
        score = (
            score
            + Case(When(search_title__contains=term, then=Value(100)), default=Value(0))
            + Case(When(search_tags__contains=term, then=Value(10)), default=Value(0))
            + Case(When(search_body__contains=term, then=Value(1)), default=Value(0))
        )
    if match == "any":
        qs = qs.filter(any_term)
    return qs.annotate(rank=score).order_by("-rank", "-view_count", "pk")


def search_page_results(*, user: User | AnonymousUser | None, query: str) -> QuerySet[Article]:
    """The search page: articles with every word; when none has them all, those with any of them."""
    results = search_articles(user=user, query=query)
    if not results.exists():
        results = search_articles(user=user, query=query, match="any")
    return results.select_related("category")


def suggest_articles(*, user: User | AnonymousUser | None, query: str, limit: int = SUGGESTION_LIMIT) -> list[Article]:
    """Up to `limit` published articles the user may read that match a ticket subject being typed (B6).

    A subject is a sentence, not a search: any of its words may match, and articles matching more of them
    (in the title above the tags above the body) come first.
    """
    if len("".join(search_terms(query))) < 2:
        return []
    results = search_articles(user=user, query=query, published_only=True, match="any")
    return list(results.select_related("category")[:limit])


def picker_articles(*, user: User, query: str, limit: int = PICKER_LIMIT) -> list[Article]:
    """Published articles an agent can link from a reply: search results, or the most viewed without a query."""
    if search_terms(query):
        qs = search_articles(user=user, query=query, published_only=True)
    else:
        qs = visible_articles(user).published().order_by("-view_count", "pk")
    return list(qs.select_related("category")[:limit])


# ---------------------------------------------------------------------------------------------- admin reports


def article_ratings(queryset: QuerySet[Article] | None = None) -> QuerySet[Article]:
    """Articles that received feedback, with vote counts and the helpful ratio; worst ratio first."""
    qs = Article.objects.all() if queryset is None else queryset
    return (
        qs.annotate(
            helpful_votes=Count("feedback", filter=Q(feedback__helpful=True)),
            unhelpful_votes=Count("feedback", filter=Q(feedback__helpful=False)),
            total_votes=Count("feedback"),
        )
        .filter(total_votes__gt=0)
        .annotate(helpful_ratio=Cast(F("helpful_votes"), FloatField()) / Cast(F("total_votes"), FloatField()))
        .order_by("helpful_ratio", "-unhelpful_votes", "pk")
    )


@dataclass(frozen=True)
class SuggestionOutcomeReport:
    """Sessions in which a customer opened at least one suggested article while filing a ticket."""

    sessions: int
    filed: int  # filed a ticket anyway
    left: int  # opened a suggestion and left without filing (the self-service success)
    deciding: int  # opened a suggestion recently and has not filed yet
    top_articles: list[tuple[str, str, int]] = field(default_factory=list)  # (title, url, opens)

    @property
    def decided(self) -> int:
        return self.filed + self.left

    @property
    def left_rate(self) -> float | None:
        return self.left / self.decided if self.decided else None

    @property
    def filed_rate(self) -> float | None:
        return self.filed / self.decided if self.decided else None


def suggestion_outcome_report(*, since: datetime | None = None, now: datetime | None = None) -> SuggestionOutcomeReport:
    now = now or timezone.now()
    sessions = SuggestionSession.objects.all()
    opens = SuggestionOpen.objects.all()
    if since is not None:
        sessions = sessions.filter(first_opened_at__gte=since)
        opens = opens.filter(session__first_opened_at__gte=since)
    cutoff = now - SUGGESTION_DECISION_WINDOW
    counts = sessions.aggregate(
        total=Count("pk"),
        filed=Count("pk", filter=Q(ticket_filed_at__isnull=False)),
        left=Count("pk", filter=Q(ticket_filed_at__isnull=True, last_opened_at__lt=cutoff)),
    )
    top = (
        opens.values("article_id", "article__title", "article__slug")
        .annotate(n=Count("pk"))
        .order_by("-n", "article_id")[:10]
    )
    return SuggestionOutcomeReport(
        sessions=counts["total"],
        filed=counts["filed"],
        left=counts["left"],
        deciding=counts["total"] - counts["filed"] - counts["left"],
        top_articles=[
            (row["article__title"], Article(slug=row["article__slug"]).get_absolute_url(), row["n"]) for row in top
        ],
    )

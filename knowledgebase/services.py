"""Writes to the knowledge base. Each function is one transaction: validate → write → record.

The admin, the demo data, the views and the ticket pages' hooks (`ticket_pages`) call these; nothing else writes
KB rows.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.models import STAFF_ROLES
from helpdesk import files
from helpdesk.l10n import digits
from helpdesk.markdown import render_markdown
from helpdesk.persian import normalize
from tickets.models import Message, Status, Ticket

from .models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleRevision,
    Category,
    SearchStat,
    SuggestionOpen,
    SuggestionSession,
    Visibility,
    strictest,
)
from .permissions import is_kb_staff
from .uploads import prepare_attachment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

COMMENT_MAX_LENGTH = 1000
# Shown in messages with the reader's digits («۱۰۰۰» in Persian); evaluated when the message is rendered.
COMMENT_MAX_LENGTH_DISPLAY = lazy(lambda: digits(COMMENT_MAX_LENGTH), str)()

MSG_ALREADY_RATED = _("You have already rated this article. Thank you!")
MSG_COMMENT_TOO_LONG = _("The comment can be at most %(limit_value)s characters long.")
MSG_NO_VOTER = _("Your vote could not be recorded: enable cookies and try again.")
MSG_NOT_STAFF = _("Only staff can turn a ticket into an article.")
MSG_TICKET_NOT_RESOLVED = _("Only the answer of a resolved or closed ticket can become an article.")
MSG_NO_ANSWER = _("This ticket has no public staff reply to turn into an article.")
MSG_WRONG_MESSAGE = _("Choose a public reply of this ticket (internal notes cannot become articles).")


# ---------------------------------------------------------------------------------------------- helpers


def _unique_slug(
    model: type[Article | Category], text: str, *, exclude_pk: int | None, max_length: int, fallback: str
) -> str:
    base = slugify(text, allow_unicode=True)[: max_length - 6].strip("-") or fallback
    slug, n = base, 2
    qs = model.objects.exclude(pk=exclude_pk) if exclude_pk else model.objects.all()
    while qs.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


_ZWNJ_WORD = re.compile(r"\w+(?:[\u200c\u200d]\w+)+")


def searchable(text: str) -> str:
    """`normalize(text)`, plus each ZWNJ-joined word also written solid («می‌خواهم» → «می خواهم میخواهم»),
    so a search typed with a space, with a ZWNJ or with neither finds the same word."""
    solid = [normalize(word.replace("\u200c", "").replace("\u200d", "")) for word in _ZWNJ_WORD.findall(text or "")]
    return " ".join([normalize(text), *dict.fromkeys(solid)]).strip()


def markdown_plain_text(body: str) -> str:
    """The words of a Markdown body, without markup (what search indexes and excerpts show)."""
    return html.unescape(strip_tags(render_markdown(body)))


# ---------------------------------------------------------------------------------------------- categories


@transaction.atomic
def category_save(*, category: Category) -> Category:
    """Create or update a category: fill the slug, validate, derive its place in the tree and effective
    visibility from the parent, then refresh the whole sub-tree (a move or a stricter visibility cascades)."""
    if not category.slug:
        category.slug = _unique_slug(
            Category, category.name, exclude_pk=category.pk, max_length=150, fallback="category"
        )
    category.full_clean()
    old_prefix = category.descendants_prefix if category.pk else None
    parent = category.parent
    if parent is None:
        category.ancestors_path = "/"
        category.effective_visibility = category.visibility
    else:
        category.ancestors_path = f"{parent.ancestors_path}{parent.pk}/"
        category.effective_visibility = strictest(category.visibility, parent.effective_visibility)
    category.save()
    if old_prefix:
        _refresh_subtree(category, old_prefix)
    return category


def _refresh_subtree(root: Category, old_prefix: str) -> None:
    descendants = list(
        Category.objects.select_for_update().filter(ancestors_path__startswith=old_prefix).order_by("pk")
    )
    if not descendants:
        return
    descendants.sort(key=lambda c: c.ancestors_path.count("/"))  # parents before children
    nodes: dict[int | None, Category] = {root.pk: root}
    for node in descendants:
        parent = nodes[node.parent_id]
        node.ancestors_path = f"{parent.ancestors_path}{parent.pk}/"
        node.effective_visibility = strictest(node.visibility, parent.effective_visibility)
        nodes[node.pk] = node
    Category.objects.bulk_update(descendants, ["ancestors_path", "effective_visibility"])


def category_create(
    *,
    name: str,
    parent: Category | None = None,
    slug: str = "",
    description: str = "",
    order: int = 0,
    visibility: str = Visibility.PUBLIC,
) -> Category:
    category = Category(
        name=name, parent=parent, slug=slug, description=description, order=order, visibility=visibility
    )
    return category_save(category=category)


# ---------------------------------------------------------------------------------------------- articles


@transaction.atomic
def article_save(
    *,
    article: Article,
    actor: User | None,
    tags: Iterable[str] | None = None,
    related: Iterable[Article] | None = None,
) -> Article:
    """Create or update an article and keep a revision of it (who, when, what).

    `tags`/`related` replace the current ones when given; None leaves them as they are.
    """
    creating = article.pk is None
    if creating and article.author_id is None and actor is not None and actor.is_authenticated:
        article.author = actor
    if not article.slug:
        article.slug = _unique_slug(Article, article.title, exclude_pk=article.pk, max_length=200, fallback="article")
    article.full_clean()
    if article.status == Article.Status.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()

    if tags is not None:
        tag_names = sorted({t.strip() for t in tags if t and t.strip()})
    else:
        tag_names = [] if creating else list(article.tags.names())
    article.search_title = searchable(article.title)
    article.search_tags = searchable(" ".join(tag_names))
    article.search_body = searchable(f"{article.summary} {markdown_plain_text(article.body)}")
    article.save()

    if tags is not None:
        article.tags.set(tag_names, clear=False)
    if related is not None:
        article.related.set([a for a in related if a.pk != article.pk])
    ArticleRevision.objects.create(
        article=article,
        editor=actor if actor is not None and actor.is_authenticated else None,
        title=article.title,
        summary=article.summary,
        body=article.body,
        status=article.status,
        visibility=article.visibility,
    )
    return article


def article_create(
    *,
    title: str,
    body: str,
    author: User | None,
    category: Category | None = None,
    slug: str = "",
    summary: str = "",
    status: str = Article.Status.DRAFT,
    visibility: str = Visibility.PUBLIC,
    tags: Iterable[str] = (),
    related: Iterable[Article] = (),
) -> Article:
    article = Article(
        title=title,
        body=body,
        author=author,
        category=category,
        slug=slug,
        summary=summary,
        status=status,
        visibility=visibility,
    )
    return article_save(article=article, actor=author, tags=list(tags), related=list(related))


def article_register_view(*, article: Article) -> None:
    """Count a page view with one UPDATE … SET view_count = view_count + 1 (no read-modify-write)."""
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


@files.atomic()
def attachment_add(*, article: Article, file: UploadedFile, actor: User | None, name: str = "") -> ArticleAttachment:
    """Attach a file (checked by its content against the site's limits; images re-encoded) to an article."""
    info, content = prepare_attachment(file)
    attachment = ArticleAttachment(
        article=article,
        name=(name or info.name)[:200],
        size=info.size,
        content_type=info.content_type,
        is_image=info.is_image,
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    files.save(attachment.file, info.name, content)
    attachment.save()
    return attachment


@files.atomic()
def attachment_update(*, attachment: ArticleAttachment, file: UploadedFile | None = None, name: str = "") -> None:
    """Rename an attachment, or replace its file (checked like a new one) keeping its address."""
    fields = ["name"]
    attachment.name = (name or attachment.name)[:200]
    if file is not None:
        info, content = prepare_attachment(file)
        old_storage, old_path = attachment.file.storage, attachment.file.name
        files.save(attachment.file, info.name, content)
        attachment.size, attachment.content_type, attachment.is_image = info.size, info.content_type, info.is_image
        if old_path:
            transaction.on_commit(lambda: old_storage.delete(old_path))
        fields += ["file", "size", "content_type", "is_image"]
    attachment.save(update_fields=fields)


def attachment_delete(*, attachment: ArticleAttachment) -> None:
    """Delete the row, then the stored file once the transaction has committed."""
    storage, path = attachment.file.storage, attachment.file.name
    attachment.delete()
    if path:
        transaction.on_commit(lambda: storage.delete(path))


def can_draft_from(ticket: Ticket) -> bool:
    """Only the answer of a resolved or closed ticket becomes a draft article."""
    return ticket.status in (Status.RESOLVED, Status.CLOSED)


@transaction.atomic
def article_draft_from_ticket(*, ticket: Ticket, message: Message | None = None, actor: User) -> Article:
    """Turn a resolved ticket's answer into a draft article (staff-only until someone publishes it).

    `message` is a public reply of `ticket`; None takes the latest public reply written by staff. The title is the
    ticket's subject and the body the reply; the editor trims personal details before publishing. The caller has
    already looked the ticket up through `tickets.permissions.visible_tickets(actor)`.
    """
    if not is_kb_staff(actor):
        raise ValidationError(MSG_NOT_STAFF, code="not_staff")
    if not can_draft_from(ticket):
        raise ValidationError(MSG_TICKET_NOT_RESOLVED, code="not_resolved")
    if message is None:
        message = (
            ticket.messages.filter(is_internal=False, author__role__in=STAFF_ROLES)
            .order_by("-created_at", "-pk")
            .first()
        )
        if message is None:
            raise ValidationError(MSG_NO_ANSWER, code="no_answer")
    elif message.ticket_id != ticket.pk or message.is_internal:
        raise ValidationError(MSG_WRONG_MESSAGE, code="wrong_message")
    return article_create(
        title=ticket.subject[:200],
        body=message.body,
        author=actor,
        status=Article.Status.DRAFT,
        visibility=Visibility.PUBLIC,
        tags=list(ticket.tags.names()),
    )


# ---------------------------------------------------------------------------------------------- feedback


@transaction.atomic
def feedback_submit(
    *, article: Article, user: User | AnonymousUser | None, session_key: str | None, helpful: bool, comment: str = ""
) -> ArticleFeedback:
    """Record one “was this helpful?” vote: one per user, or per session for visitors."""
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            MSG_COMMENT_TOO_LONG, code="comment_too_long", params={"limit_value": COMMENT_MAX_LENGTH_DISPLAY}
        )
    voter = user if user is not None and user.is_authenticated else None
    if voter is None and not session_key:
        raise ValidationError(MSG_NO_VOTER, code="no_voter")
    existing = ArticleFeedback.objects.filter(article=article)
    existing = existing.filter(user=voter) if voter else existing.filter(user__isnull=True, session_key=session_key)
    if existing.exists():
        raise ValidationError(MSG_ALREADY_RATED, code="already_rated")
    try:
        with transaction.atomic():  # the unique constraints settle a race between two submissions
            return ArticleFeedback.objects.create(
                article=article,
                user=voter,
                session_key="" if voter else (session_key or ""),
                helpful=bool(helpful),
                comment=comment,
            )
    except IntegrityError:
        raise ValidationError(MSG_ALREADY_RATED, code="already_rated") from None


# ---------------------------------------------------------------------------------------------- self-service (B6)


@transaction.atomic
def suggestion_open_record(
    *, session_key: str, article: Article, user: User | AnonymousUser | None = None
) -> SuggestionSession:
    """A customer opened a suggested article while filing a ticket."""
    now = timezone.now()
    voter = user if user is not None and user.is_authenticated else None
    session, _created = SuggestionSession.objects.get_or_create(
        session_key=session_key, defaults={"user": voter, "first_opened_at": now, "last_opened_at": now}
    )
    SuggestionSession.objects.filter(pk=session.pk).update(opened_count=F("opened_count") + 1, last_opened_at=now)
    SuggestionOpen.objects.create(session=session, article=article, opened_at=now)
    return session


def suggestion_outcome_ticket_filed(session_key: str | None) -> bool:
    """Call after a ticket was created from a browser session (the ticket creation view does).

    If that session opened a suggested article earlier, it counts as "filed anyway". Returns whether it did.
    Cheap when the session never opened a suggestion (one UPDATE that matches nothing).
    """
    if not session_key:
        return False
    return bool(
        SuggestionSession.objects.filter(session_key=session_key, ticket_filed_at__isnull=True).update(
            ticket_filed_at=timezone.now()
        )
    )


def search_stat_count(*, kind: str, query: str = "") -> None:
    """Count one search with no result (`query`: its normalised words) or one suggestion list shown, today
    (Tehran). An UPDATE of the day's row, or its INSERT; two requests racing to insert settle on the unique
    constraint and the loser counts by UPDATE."""
    from helpdesk.jalali import today

    day = today().togregorian()
    query = query[: SearchStat._meta.get_field("query").max_length]
    rows = SearchStat.objects.filter(day=day, kind=kind, query=query)
    if rows.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            SearchStat.objects.create(day=day, kind=kind, query=query, count=1)
    except IntegrityError:
        rows.update(count=F("count") + 1)

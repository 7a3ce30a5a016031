"""Knowledge base: a category tree, articles with revisions, attachments and feedback, and the
self-service tracking of suggestions shown while a customer files a ticket (F26, F27, B6).

Rows are written by `knowledgebase.services`; reads that depend on who is asking go through
`knowledgebase.permissions` (`visible_categories`, `visible_articles`).
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from helpdesk.l10n import format_datetime


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    CUSTOMERS = "customers", _("Logged-in users")
    STAFF = "staff", _("Staff only")


# Strictness order: the effective visibility of a category or article is the strictest along its ancestors.
VISIBILITY_RANK = {Visibility.PUBLIC: 0, Visibility.CUSTOMERS: 1, Visibility.STAFF: 2}


def strictest(*values: str) -> str:
    return max(values, key=lambda v: VISIBILITY_RANK[Visibility(v)])


CATEGORY_CYCLE_ERROR = _("A category cannot be placed inside itself or inside one of its sub-categories.")


class Category(models.Model):
    """A node of the category tree (any depth).

    `ancestors_path` ("/1/5/" for a category under 5 under 1, "/" for a root) and `effective_visibility`
    are derived from the parent chain by `services.category_save`, which also refreshes the sub-tree.
    """

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        related_name="children",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(
        _("slug"),
        max_length=150,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text=_(
            "The address of the category page; Persian letters are fine. Left empty, it is made from the name."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0, help_text=_("Smaller numbers come first."))
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    effective_visibility = models.CharField(
        _("effective visibility"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
        editable=False,
        db_index=True,
        help_text=_("The strictest visibility of this category and its parents."),
    )
    ancestors_path = models.CharField(max_length=2000, default="/", editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(visibility__in=Visibility.values), name="kb_category_visibility_valid"),
            models.CheckConstraint(
                condition=Q(effective_visibility__in=Visibility.values), name="kb_category_effective_visibility_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("knowledgebase:category", kwargs={"slug": self.slug})

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent (empty for a root category)."""
        return [int(part) for part in self.ancestors_path.strip("/").split("/") if part]

    @property
    def depth(self) -> int:
        return len(self.ancestor_ids)

    @property
    def descendants_prefix(self) -> str:
        return f"{self.ancestors_path}{self.pk}/"

    def clean(self):
        super().clean()
        if self.pk and self.parent_id:
            parent = self.parent
            if parent.pk == self.pk or self.pk in parent.ancestor_ids:
                raise ValidationError({"parent": ValidationError(CATEGORY_CYCLE_ERROR, code="cycle")})


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Article.Status.PUBLISHED)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        related_name="articles",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text=_("The address of the article; Persian letters are fine. Left empty, it is made from the title."),
    )
    summary = models.CharField(
        _("summary"), max_length=300, blank=True, help_text=_("One or two sentences shown in lists and suggestions.")
    )
    body = models.TextField(_("body"), help_text=_("Markdown. Links, lists, tables and images are allowed."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        related_name="kb_articles",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    related = models.ManyToManyField("self", verbose_name=_("related articles"), blank=True, symmetrical=True)
    tags = TaggableManager(verbose_name=_("tags"), blank=True)
    view_count = models.PositiveIntegerField(_("views"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)

    # Normalised copies (helpdesk.persian.normalize) that search compares; written by the services.
    search_title = models.TextField(blank=True, default="", editable=False)
    search_tags = models.TextField(blank=True, default="", editable=False)
    search_body = models.TextField(blank=True, default="", editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["status", "visibility"], name="kb_article_status_vis"),
            models.Index(fields=["-view_count"], name="kb_article_views"),
            models.Index(fields=["-updated_at"], name="kb_article_updated"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["draft", "published"]), name="kb_article_status_valid"),
            models.CheckConstraint(condition=Q(visibility__in=Visibility.values), name="kb_article_visibility_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledgebase:article", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def effective_visibility(self) -> str:
        """Needs `category` loaded (select_related) to avoid a query."""
        if self.category is None:
            return self.visibility
        return strictest(self.visibility, self.category.effective_visibility)


class ArticleRevision(models.Model):
    """A snapshot of an article after each edit: who changed it and when (written by the services)."""

    article = models.ForeignKey(Article, verbose_name=_("article"), related_name="revisions", on_delete=models.CASCADE)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("editor"), related_name="+", on_delete=models.SET_NULL, null=True
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=10, choices=Article.Status.choices)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices)

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({format_datetime(self.created_at)})"


def attachment_upload_to(instance: "ArticleAttachment", filename: str) -> str:
    # A random folder keeps names unguessable; files are served only through the permission-checked view.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"kb/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ArticleAttachment(models.Model):
    article = models.ForeignKey(
        Article, verbose_name=_("article"), related_name="attachments", on_delete=models.CASCADE
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=300)
    name = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0, editable=False)
    content_type = models.CharField(_("content type"), max_length=100, blank=True, editable=False)
    is_image = models.BooleanField(_("image"), default=False, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), related_name="+", on_delete=models.SET_NULL, null=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name or self.file.name

    def get_absolute_url(self) -> str:
        return reverse("knowledgebase:attachment", kwargs={"pk": self.pk, "name": self.download_name})

    @property
    def download_name(self) -> str:
        return (self.name or PurePath(self.file.name).name).replace("/", "_")

    @property
    def markdown(self) -> str:
        """What an author pastes into the body to show or link this file."""
        url = self.get_absolute_url()
        return f"![{self.download_name}]({url})" if self.is_image else f"[{self.download_name}]({url})"


class ArticleFeedback(models.Model):
    """“Was this helpful?” — one vote per user, or per session for visitors."""

    article = models.ForeignKey(Article, verbose_name=_("article"), related_name="feedback", on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        related_name="kb_feedback",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    session_key = models.CharField(_("session"), max_length=40, blank=True, default="")
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"], condition=Q(user__isnull=False), name="kb_feedback_once_per_user"
            ),
            models.UniqueConstraint(
                fields=["article", "session_key"], condition=Q(user__isnull=True), name="kb_feedback_once_per_session"
            ),
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(session_key=""), name="kb_feedback_has_voter"),
        ]

    def __str__(self) -> str:
        return f"{self.article}: {'+' if self.helpful else '-'}"


class ArticleRating(Article):
    """Admin view of the articles with feedback, worst ratio first."""

    class Meta:
        proxy = True
        verbose_name = _("article rating")
        verbose_name_plural = _("article ratings")


class SuggestionSession(models.Model):
    """A browser session in which a customer opened at least one suggested article while filing a ticket (B6).

    `ticket_filed_at` is set when a ticket is filed from the same session afterwards ("filed anyway");
    otherwise the customer found the answer and left.
    """

    session_key = models.CharField(_("session"), max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    first_opened_at = models.DateTimeField(_("first suggestion opened"), default=timezone.now)
    last_opened_at = models.DateTimeField(_("last suggestion opened"), default=timezone.now)
    opened_count = models.PositiveIntegerField(_("suggestions opened"), default=0)
    ticket_filed_at = models.DateTimeField(_("ticket filed"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("suggestion outcome")
        verbose_name_plural = _("suggestion outcomes")
        ordering = ["-first_opened_at"]

    def __str__(self) -> str:
        return self.session_key[:8]


class SuggestionOpen(models.Model):
    session = models.ForeignKey(SuggestionSession, related_name="opens", on_delete=models.CASCADE)
    article = models.ForeignKey(Article, related_name="suggestion_opens", on_delete=models.CASCADE)
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["opened_at"]
        verbose_name = _("suggested article opened")
        verbose_name_plural = _("suggested articles opened")

    def __str__(self) -> str:
        return f"{self.session} → {self.article_id}"


class SearchStat(models.Model):
    """Daily counts of what people looked for (B6), for the knowledge-base report: searches that found nothing
    (by their normalised words: what to write next) and suggestion lists shown while filing a ticket (once per
    browser session and day). Counted by `services.search_stat_count`."""

    class Kind(models.TextChoices):
        NO_RESULT = "no_result", _("Search with no result")
        SUGGESTED = "suggested", _("Suggestions shown while filing")

    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    query = models.CharField(_("search"), max_length=200, blank=True)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("search statistic")
        verbose_name_plural = _("search statistics")
        ordering = ["-day", "-count"]
        constraints = [
            models.UniqueConstraint(fields=["day", "kind", "query"], name="kb_searchstat_once_per_day"),
            models.CheckConstraint(condition=Q(kind__in=["no_result", "suggested"]), name="kb_searchstat_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.query}: {self.count}"

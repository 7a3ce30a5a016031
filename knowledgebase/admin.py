"""Authoring in Django admin. Every save goes through `knowledgebase.services`, so each article edit leaves an
`ArticleRevision` (who, when, what) and category moves refresh the tree."""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from helpdesk.admin_site import ReadOnlyAdmin
from helpdesk.l10n import format_percent
from helpdesk.markdown import render_markdown

from . import selectors, services
from .forms import ArticleAdminForm, AttachmentInlineForm, CategoryAdminForm
from .models import (
    Article,
    ArticleAttachment,
    ArticleFeedback,
    ArticleRating,
    ArticleRevision,
    Category,
    SuggestionSession,
)

ADMIN_MEDIA_CSS = {"all": ["css/knowledgebase.css"]}
ADMIN_MEDIA_JS = ["js/knowledgebase.js"]


def _percent(value) -> str:
    return "—" if value is None else format_percent(round(value * 100))


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryAdminForm
    list_display = ["indented_name", "slug", "parent", "visibility", "effective_visibility", "order", "articles"]
    list_editable = ["order"]
    list_filter = ["visibility", "effective_visibility"]
    search_fields = ["name", "slug", "description"]
    readonly_fields = ["effective_visibility"]
    list_select_related = ["parent"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=Count("articles"))

    @admin.display(description=_("name"), ordering="name")
    def indented_name(self, obj: Category) -> str:
        return format_html("{}{}", "— " * obj.depth, obj.name)

    @admin.display(description=_("articles"), ordering="n_articles")
    def articles(self, obj: Category) -> int:
        return obj.n_articles  # type: ignore[attr-defined]  # annotated by get_queryset

    def save_model(self, request, obj, form, change):
        services.category_save(category=obj)


class AttachmentInline(admin.TabularInline):
    model = ArticleAttachment
    form = AttachmentInlineForm
    extra = 1
    fields = ["file", "name", "size", "is_image", "snippet"]
    readonly_fields = ["size", "is_image", "snippet"]

    @admin.display(description=_("Markdown to paste into the body"))
    def snippet(self, obj: ArticleAttachment) -> str:
        return obj.markdown if obj.pk else "—"


class RevisionInline(admin.TabularInline):
    model = ArticleRevision
    extra = 0
    fields = ["created_at", "editor", "title", "status", "visibility"]
    readonly_fields = fields  # type: ignore[assignment]  # the same names; fields is typed as wider groups
    can_delete = False
    show_change_link = False
    ordering = ["-created_at", "-pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("editor")  # a column of each row

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["title", "category", "status", "visibility", "author", "updated_at", "view_count", "helpful"]
    list_filter = ["status", "visibility", "category"]
    search_fields = ["title", "search_title", "summary"]
    list_select_related = ["category", "author"]
    readonly_fields = ["rendered_preview", "author", "view_count", "created_at", "updated_at", "published_at"]
    filter_horizontal = ["related"]
    inlines = [AttachmentInline, RevisionInline]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "category", "summary", "body"]}),
        (_("Publishing"), {"fields": ["status", "visibility", "tags", "related"]}),
        (_("Preview (as last saved)"), {"fields": ["rendered_preview"]}),
        (_("History"), {"fields": ["author", "created_at", "updated_at", "published_at", "view_count"]}),
    ]

    class Media:
        css = ADMIN_MEDIA_CSS
        js = ADMIN_MEDIA_JS

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_votes=Count("feedback", distinct=True),
                n_helpful=Count("feedback", filter=Q(feedback__helpful=True), distinct=True),
            )
        )

    @admin.display(description=_("helpful"), ordering="n_helpful")
    def helpful(self, obj: Article) -> str:
        # n_votes and n_helpful are annotated by get_queryset
        if not obj.n_votes:  # type: ignore[attr-defined]
            return "—"
        return f"{_percent(obj.n_helpful / obj.n_votes)} ({obj.n_votes})"  # type: ignore[attr-defined]

    @admin.display(description=_("rendered preview"))
    def rendered_preview(self, obj: Article) -> str:
        if not obj.pk:
            return gettext("Save the article to see it here, or use the Preview button under the body.")
        return format_html('<div class="kb-preview">{}</div>', render_markdown(obj.body))

    def save_model(self, request, obj, form, change):
        services.article_save(
            article=obj,
            actor=request.user,
            tags=form.cleaned_data.get("tags", []),
            related=list(form.cleaned_data.get("related", [])),
        )

    def save_related(self, request, form, formsets, change):
        # Tags and related articles were set by the service in save_model; only the inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ArticleAttachment:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for attachment in formset.deleted_objects:
            services.attachment_delete(attachment=attachment)
        for attachment in instances:
            if attachment.pk is None:
                services.attachment_add(
                    article=form.instance, file=attachment.file, actor=request.user, name=attachment.name
                )
            else:
                changed = next((f.changed_data for f in formset.forms if f.instance is attachment), [])
                services.attachment_update(
                    attachment=attachment, file=attachment.file if "file" in changed else None, name=attachment.name
                )

    @admin.action(description=_("Publish the selected articles"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Article.Status.PUBLISHED)

    @admin.action(description=_("Return the selected articles to draft"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Article.Status.DRAFT)

    def _set_status(self, request, queryset, status):
        changed = 0
        for article in queryset.exclude(status=status):
            article.status = status
            services.article_save(article=article, actor=request.user)
            changed += 1
        self.message_user(
            request,
            ngettext("%(count)d article changed.", "%(count)d articles changed.", changed) % {"count": changed},
            messages.SUCCESS,
        )


class _ReadOnlyAdmin(ReadOnlyAdmin):
    """Reports: visible to whoever may view articles; nothing to add, change or delete here."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("knowledgebase.view_article") or request.user.has_perm(
            "knowledgebase.change_article"
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)


@admin.register(ArticleRating)
class ArticleRatingAdmin(_ReadOnlyAdmin):
    """The articles with the worst helpful ratio first."""

    list_display = ["title", "helpful_votes_col", "unhelpful_votes_col", "ratio_col", "comments"]
    list_select_related = ["category"]
    search_fields = ["title"]

    def get_queryset(self, request):
        # Not super(): it would order by the ratio before the selector has annotated it.
        return selectors.article_ratings(self.model._default_manager.all())

    def get_ordering(self, request):
        return ["helpful_ratio", "-unhelpful_votes", "pk"]

    @admin.display(description=_("helpful"), ordering="helpful_votes")
    def helpful_votes_col(self, obj):
        return obj.helpful_votes

    @admin.display(description=_("not helpful"), ordering="unhelpful_votes")
    def unhelpful_votes_col(self, obj):
        return obj.unhelpful_votes

    @admin.display(description=_("helpful ratio"), ordering="helpful_ratio")
    def ratio_col(self, obj):
        return _percent(obj.helpful_ratio)

    @admin.display(description=_("feedback"))
    def comments(self, obj):
        url = reverse("admin:knowledgebase_articlefeedback_changelist") + f"?article__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, gettext("Read the feedback"))


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(_ReadOnlyAdmin):
    list_display = ["article", "helpful", "comment", "user", "created_at"]
    list_filter = ["helpful", "created_at"]
    list_select_related = ["article", "user"]
    search_fields = ["article__title", "comment"]

    def has_delete_permission(self, request, obj=None):
        # Spam in comments may be removed by whoever may delete feedback.
        return request.user.has_perm("knowledgebase.delete_articlefeedback")


class FiledFilter(admin.SimpleListFilter):
    title = _("outcome")
    parameter_name = "filed"

    def lookups(self, request, model_admin):
        return [("yes", _("Filed a ticket anyway")), ("no", _("Did not file a ticket"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(ticket_filed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(ticket_filed_at__isnull=True)
        return queryset


@admin.register(SuggestionSession)
class SuggestionSessionAdmin(_ReadOnlyAdmin):
    """B6: how often a customer opened a suggested article and left without filing, against filing anyway."""

    change_list_template = "knowledgebase/admin/suggestion_outcomes.html"
    list_display = ["session_short", "user", "first_opened_at", "opened_count", "ticket_filed_at"]
    list_filter = [FiledFilter]
    list_select_related = ["user"]

    @admin.display(description=_("session"))
    def session_short(self, obj):
        return obj.session_key[:8]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "report": selectors.suggestion_outcome_report()}
        return super().changelist_view(request, extra_context=extra_context)

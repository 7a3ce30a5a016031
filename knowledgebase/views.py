"""Knowledge-base pages and htmx partials. Thin: parse → selector/service → render.

Every lookup goes through `permissions.visible_articles(user)` / `visible_categories(user)`: what a reader may not
see is a 404, exactly like what does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from helpdesk.downloads import file_response
from helpdesk.markdown import render_markdown
from helpdesk.site import get_site_settings
from tickets.permissions import visible_tickets

from . import selectors, services
from .forms import FeedbackForm, SearchForm
from .models import ArticleAttachment, SearchStat
from .permissions import can_author, visible_articles, visible_categories

SESSION_MARK = "kb_visitor"


def _session_key(request, *, create: bool) -> str | None:
    """The visitor's session key; with `create`, start a session (and its cookie) when there is none."""
    if request.session.session_key is None and create:
        request.session[SESSION_MARK] = True  # a non-empty, modified session gets its cookie
        request.session.save()
    return request.session.session_key


def _paginate(request, queryset):
    paginator = Paginator(queryset, get_site_settings().records_per_page)
    return paginator.get_page(request.GET.get("page"))


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@require_GET
def home(request):
    user = request.user
    return render(
        request,
        "knowledgebase/home.html",
        {
            "categories": selectors.home_categories(user=user),
            "most_viewed": selectors.most_viewed_articles(user=user),
            "recently_updated": selectors.recently_updated_articles(user=user),
            "search_form": SearchForm(),
        },
    )


@require_GET
def category_detail(request, slug: str):
    category = get_object_or_404(visible_categories(request.user), slug=slug)
    return render(
        request,
        "knowledgebase/category.html",
        {
            "category": category,
            "ancestors": selectors.category_ancestors(category),
            "subcategories": selectors.subcategories(user=request.user, category=category),
            "page_obj": _paginate(request, selectors.category_articles(user=request.user, category=category)),
        },
    )


@require_GET
def article_detail(request, slug: str):
    article = get_object_or_404(selectors.article_for_page(user=request.user), slug=slug)
    if article.is_published:
        services.article_register_view(article=article)
        article.view_count += 1  # the page counts the visit it is showing
    return render(request, "knowledgebase/article.html", _article_context(request, article, FeedbackForm()))


def _article_context(request, article, form, *, voted: bool | None = None) -> dict:
    if voted is None:
        voted = selectors.has_voted(article=article, user=request.user, session_key=_session_key(request, create=False))
    ancestors = []
    if article.category_id:
        ancestors = [*selectors.category_ancestors(article.category), article.category]
    return {
        "article": article,
        "ancestors": ancestors,
        "body_html": render_markdown(article.body),
        "feedback_form": form,
        "has_voted": voted,
    }


@require_POST
def article_feedback(request, slug: str):
    article = get_object_or_404(visible_articles(request.user).published(), slug=slug)
    form = FeedbackForm(request.POST)
    saved = form.is_valid() and _submit_feedback(request, article, form)
    voted = saved or form.has_error(NON_FIELD_ERRORS, code="already_rated")
    if _is_htmx(request):  # htmx swaps only 2xx answers, so errors come back with 200 inside the partial
        context = {"article": article, "feedback_form": form, "has_voted": voted, "just_voted": saved}
        return render(request, "knowledgebase/_feedback.html", context)
    if saved:
        messages.success(request, gettext("Thank you for your feedback."))
        return redirect(article)
    detail = get_object_or_404(selectors.article_for_page(user=request.user), pk=article.pk)
    context = _article_context(request, detail, form, voted=voted)
    return render(request, "knowledgebase/article.html", context, status=400)


def _submit_feedback(request, article, form: FeedbackForm) -> bool:
    try:
        services.feedback_submit(
            article=article,
            user=request.user,
            session_key=_session_key(request, create=True),
            helpful=form.cleaned_data["helpful"],
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    return True


@require_GET
def search(request):
    form = SearchForm(request.GET or None)
    query = ""
    page_obj = None
    if form.is_valid():
        query = form.cleaned_data["q"]
        if query:
            page_obj = _paginate(request, selectors.search_page_results(user=request.user, query=query))
            if not page_obj.paginator.count and (words := " ".join(selectors.search_terms(query))):
                services.search_stat_count(kind=SearchStat.Kind.NO_RESULT, query=words)
    return render(request, "knowledgebase/search.html", {"form": form, "query": query, "page_obj": page_obj})


@require_GET
def suggest(request):
    """htmx partial for the new-ticket form: up to five visible articles matching `q` (or `subject`)."""
    query = (request.GET.get("q") or request.GET.get("subject") or "")[: selectors.MAX_QUERY_LENGTH]
    articles = selectors.suggest_articles(user=request.user, query=query)
    if not articles:
        return HttpResponse("")  # an empty target collapses (CSS :empty)
    _count_suggestions_shown(request)
    return render(request, "knowledgebase/_suggestions.html", {"articles": articles, "query": query})


SUGGESTED_MARK = "kb_suggested_on"


def _count_suggestions_shown(request) -> None:
    """Suggestions appear as the subject is typed: count them once per browser session and day."""
    from helpdesk.jalali import today

    day = today().isoformat()
    if request.session.get(SUGGESTED_MARK) != day:
        request.session[SUGGESTED_MARK] = day
        services.search_stat_count(kind=SearchStat.Kind.SUGGESTED)


@require_GET
def suggestion_open(request, pk: int):
    """The link behind each suggestion: count the open for this session, then show the article."""
    article = get_object_or_404(visible_articles(request.user).published(), pk=pk)
    # With create=True the session has been saved, so it has a key.
    services.suggestion_open_record(session_key=_session_key(request, create=True), article=article, user=request.user)  # type: ignore[arg-type]
    return redirect(article)


@require_GET
def attachment_download(request, pk: int, name: str):
    attachment = get_object_or_404(
        ArticleAttachment.objects.select_related("article"), pk=pk, article__in=visible_articles(request.user)
    )
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    # Articles may be public, so a reader's browser may keep the file for an hour (never a shared cache).
    return file_response(
        handle,
        filename=attachment.download_name,
        content_type=attachment.content_type,
        inline=attachment.is_image,
        cache_control="private, max-age=3600",
    )


@require_GET
def picker(request):
    """Agents: articles to link from a reply (htmx partial). Anyone else: 404."""
    if not can_author(request.user):
        raise Http404
    query = (request.GET.get("q") or "")[: selectors.MAX_QUERY_LENGTH]
    articles = selectors.picker_articles(user=request.user, query=query)
    items = [(a, f"[{_md_escape(a.title)}]({request.build_absolute_uri(a.get_absolute_url())})") for a in articles]
    return render(request, "knowledgebase/_picker.html", {"items": items, "query": query})


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


@require_POST
def draft_from_ticket(request, ticket_pk: int):
    """Agents: turn a resolved ticket's answer (POST `message`, optional) into a draft article, then edit it."""
    if not can_author(request.user):
        raise Http404
    ticket = get_object_or_404(visible_tickets(request.user), pk=ticket_pk)
    message = None
    if request.POST.get("message"):
        message = get_object_or_404(ticket.messages.all(), pk=_int_or_404(request.POST["message"]))
    try:
        article = services.article_draft_from_ticket(ticket=ticket, message=message, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("tickets:detail", reference=ticket.reference)
    messages.success(request, gettext("A draft article was created from the ticket. Edit it and publish it."))
    if request.user.has_perm("knowledgebase.change_article"):
        return redirect("admin:knowledgebase_article_change", article.pk)
    return redirect(article)


def _int_or_404(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


@require_POST
def markdown_preview(request):
    """Staff: the sanitised HTML of a Markdown text (the admin's live preview)."""
    if not can_author(request.user):
        raise Http404
    return HttpResponse(render_markdown(request.POST.get("body", "")[:200_000]))

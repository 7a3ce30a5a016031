"""Pinned query counts (#9) of the knowledge-base pages not pinned in `test_views.py` (home, category, article,
search, suggestions, picker), and of its admin pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from helpdesk.tests.pins import AdminPins, Denied, admin_names, admin_pins, pinned_get
from knowledgebase import services
from knowledgebase.models import Article, ArticleFeedback, ArticleRating, Category, SuggestionSession

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"


@pytest.mark.pins("knowledgebase:attachment")
def test_an_attachment_download(client, make_article, agent):
    article = make_article("فرم‌ها")
    attachment = services.attachment_add(article=article, file=SimpleUploadedFile("فرم.pdf", PDF), actor=agent)
    response = pinned_get(client, attachment.get_absolute_url(), 1)
    response.close()


@pytest.mark.pins("knowledgebase:suggestion_open")
def test_opening_a_suggestion_is_recorded_then_redirects(client, customer, make_article):
    client.force_login(customer)
    url = reverse("knowledgebase:suggestion_open", kwargs={"pk": make_article("رمز عبور").pk})
    pinned_get(client, url, 8, status=302)


# --- the admin ------------------------------------------------------------------------------------------------

ADMIN = {
    Category: AdminPins(changelist=6, add=4, change=5, history=5, delete=6),
    Article: AdminPins(changelist=7, add=5, change=11, history=5, delete=13),
    ArticleRating: AdminPins(changelist=6, add=Denied(2), change=7, history=5, delete=Denied(3)),
    ArticleFeedback: AdminPins(changelist=6, add=Denied(2), change=6, history=6, delete=5),
    SuggestionSession: AdminPins(changelist=8, add=Denied(2), change=4, history=5, delete=Denied(3)),
}


@pytest.fixture
def makers(make_category, make_article, customer):
    def categories(n):
        return [make_category() for _ in range(n)][-1]

    def articles(n):
        category = make_category()
        return [make_article(category=category, tags=["رمز"]) for _ in range(n)][-1]

    def feedback(n):
        rows = []
        for _ in range(n):
            article = make_article()
            rows.append(
                services.feedback_submit(article=article, user=customer, session_key=None, helpful=False, comment="؟")
            )
        return rows[-1]

    def sessions(n):
        article = make_article()
        return [
            services.suggestion_open_record(session_key=f"session-{SuggestionSession.objects.count()}", article=article)
            for _ in range(n)
        ][-1]

    return {
        Category: categories,
        Article: articles,
        ArticleRating: lambda n: ArticleRating.objects.get(pk=feedback(n).article_id),
        ArticleFeedback: feedback,
        SuggestionSession: sessions,
    }


@pytest.mark.pins(*admin_names(ADMIN))
@pytest.mark.parametrize("model", ADMIN, ids=lambda m: m.__name__)
def test_the_admin_pages(client, admin_user, makers, model):
    client.force_login(admin_user)
    admin_pins(client, model, ADMIN[model], makers[model])


@pytest.mark.pins("admin:knowledgebase_article_change")
@pytest.mark.parametrize("edits", [1, 30])
def test_an_article_admin_page_with_1_and_30_revisions_and_files(client, admin_user, agent, make_article, edits):
    article = make_article("راهنما")
    for i in range(edits):
        article.body = f"متن {i}"
        services.article_save(article=article, actor=agent)
        services.attachment_add(article=article, file=SimpleUploadedFile(f"{i}.pdf", PDF), actor=agent)
    client.force_login(admin_user)
    pinned_get(client, reverse("admin:knowledgebase_article_change", args=[article.pk]), 11)

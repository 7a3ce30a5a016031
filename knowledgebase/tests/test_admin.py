"""Authoring in the admin: saves go through the services (revisions, tree), uploads are checked, reports render."""

import io

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from knowledgebase import services
from knowledgebase.models import Article, ArticleAttachment, ArticleRevision, Category, Visibility

pytestmark = pytest.mark.django_db


def form_data(response) -> dict:
    """The values a browser would submit from the admin change form on the page."""
    soup = BeautifulSoup(response.content, "html.parser")
    form = soup.select_one("form#article_form, form#category_form")
    data: dict = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        name = field["name"]
        if field.name == "input" and field.get("type") in ("submit", "file", "button"):
            continue
        if field.name == "input" and field.get("type") == "checkbox":
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
            continue
        if field.name == "textarea":
            data[name] = field.text.lstrip("\n")
        elif field.name == "select":
            chosen = [o["value"] for o in field.select("option[selected]")]
            if field.has_attr("multiple"):
                data[name] = chosen
            elif chosen:
                data[name] = chosen[0]
        else:
            data[name] = field.get("value", "")
    return data


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(out, format="PNG")
    return out.getvalue()


def test_add_article_in_admin_writes_a_revision_with_the_editor(admin_client, admin_user, public_category):
    url = reverse("admin:knowledgebase_article_add")
    data = form_data(admin_client.get(url))
    data.update(
        title="ارسال صورتحساب",
        body="## گام اول\n\nوارد كارپوشه شوید.",
        category=public_category.pk,
        status="published",
        visibility="public",
        tags="صورتحساب, کارپوشه",
        **{"attachments-0-file": SimpleUploadedFile("step.png", _png()), "attachments-0-name": "گام اول.png"},
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    article = Article.objects.get()
    assert article.slug == "ارسال-صورتحساب"
    assert article.author == admin_user
    assert article.search_body.endswith("وارد کارپوشه شوید.")  # normalised by the service
    assert sorted(article.tags.names()) == ["صورتحساب", "کارپوشه"] and article.search_tags
    revision = ArticleRevision.objects.get()
    assert (revision.editor, revision.title) == (admin_user, "ارسال صورتحساب")
    attachment = article.attachments.get()
    assert attachment.is_image and attachment.name == "گام اول.png" and attachment.size > 0


def test_edit_in_admin_adds_a_revision_and_shows_the_rendered_preview(admin_client, admin_user, make_article):
    article = make_article("قدیمی", body="**پررنگ** <script>alert(1)</script>", tags=["الف"])
    url = reverse("admin:knowledgebase_article_change", args=[article.pk])
    page = admin_client.get(url)
    html = page.content.decode()
    assert '<div class="kb-preview"><p><strong>پررنگ</strong>' in html
    assert "<script>alert(1)</script>" not in html.split('class="kb-preview"')[1].split("</div>")[0]
    assert 'data-preview-url="/kb/preview/"' in html
    data = form_data(page)
    data["title"] = "تازه"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    revisions = list(article.revisions.order_by("created_at", "pk").values_list("title", "editor"))
    assert revisions[-1] == ("تازه", admin_user.pk) and len(revisions) == 2
    assert list(Article.objects.get(pk=article.pk).tags.names()) == ["الف"]


def test_disguised_upload_in_admin_is_refused_and_nothing_is_saved(admin_client, make_article, settings):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    article = make_article("با پیوست")
    url = reverse("admin:knowledgebase_article_change", args=[article.pk])
    data = form_data(admin_client.get(url))
    data["title"] = "نباید ذخیره شود"
    data["attachments-0-file"] = SimpleUploadedFile("photo.png", b"<html><script>x</script></html>")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert (
        '<ul class="errorlist" id="id_attachments-0-file_error"><li>«\u2068photo.png\u2069» حاوی صفحه وب'
        " یا تصویر SVG است و به دلایل امنیتی پیوست نمی\u200cشود.</li></ul>"
    ) in response.content.decode()
    assert not ArticleAttachment.objects.exists()
    assert Article.objects.get(pk=article.pk).title == "با پیوست"
    assert article.revisions.count() == 1


def test_publish_action_goes_through_the_service(admin_client, make_article):
    draft = make_article("پیش‌نویس", status=Article.Status.DRAFT)
    response = admin_client.post(
        reverse("admin:knowledgebase_article_changelist"), {"action": "publish", "_selected_action": [draft.pk]}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published and draft.published_at is not None
    assert draft.revisions.count() == 2


def test_category_admin_computes_the_tree_and_refuses_cycles(admin_client):
    add = reverse("admin:knowledgebase_category_add")
    admin_client.post(add, {"name": "ریشه", "slug": "", "description": "", "order": 1, "visibility": "staff"})
    root = Category.objects.get(name="ریشه")
    admin_client.post(
        add, {"name": "فرزند", "slug": "", "parent": root.pk, "description": "", "order": 1, "visibility": "public"}
    )
    child = Category.objects.get(name="فرزند")
    assert child.effective_visibility == Visibility.STAFF and child.ancestors_path == f"/{root.pk}/"
    change = reverse("admin:knowledgebase_category_change", args=[root.pk])
    response = admin_client.post(
        change,
        {"name": "ریشه", "slug": root.slug, "parent": child.pk, "description": "", "order": 1, "visibility": "staff"},
    )
    assert response.status_code == 200
    assert "یک دسته را نمی‌توان درون خودش" in response.content.decode()
    root.refresh_from_db()
    assert root.parent_id is None


def test_ratings_and_suggestion_reports_render(admin_client, make_article):
    bad, good = make_article("بد"), make_article("خوب")
    services.feedback_submit(article=bad, user=None, session_key="a", helpful=False)
    services.feedback_submit(article=good, user=None, session_key="a", helpful=True)
    services.suggestion_open_record(session_key="s", article=good)
    ratings = admin_client.get(reverse("admin:knowledgebase_articlerating_changelist"))
    rows = [
        r.select_one("th, td.field-title").get_text(strip=True)
        for r in BeautifulSoup(ratings.content, "html.parser").select("#result_list tbody tr")
    ]
    assert rows == ["بد", "خوب"]
    outcomes = admin_client.get(reverse("admin:knowledgebase_suggestionsession_changelist"))
    assert outcomes.status_code == 200
    assert "نشست‌هایی که مقالهٔ پیشنهادی را باز کردند" in outcomes.content.decode()
    services.suggestion_open_record(session_key="t", article=good)
    services.suggestion_outcome_ticket_filed("t")
    filed = admin_client.get(reverse("admin:knowledgebase_suggestionsession_changelist"), {"filed": "yes"})
    assert [s.session_key for s in filed.context["cl"].result_list] == ["t"]
    assert "(۱۰۰٪)" in admin_client.get(reverse("admin:knowledgebase_suggestionsession_changelist")).content.decode()
    admin_client.cookies["django_language"] = "en"
    assert "(100%)" in admin_client.get(reverse("admin:knowledgebase_suggestionsession_changelist")).content.decode()
    assert admin_client.get(reverse("admin:knowledgebase_articlerating_add")).status_code == 403


def test_supervisors_author_articles_in_the_admin(client, make_article):
    """The role groups (accounts.roles + knowledgebase.roles): supervisors write articles and shape the tree,
    but only managers delete."""
    from accounts.roles import sync_group_permissions
    from accounts.services import user_set_role
    from accounts.tests.factories import SupervisorFactory

    sync_group_permissions()
    supervisor = SupervisorFactory()
    user_set_role(user=supervisor, role=supervisor.role)
    supervisor.refresh_from_db()
    assert supervisor.has_perm("knowledgebase.add_article") and supervisor.has_perm("knowledgebase.add_category")
    assert not supervisor.has_perm("knowledgebase.delete_article")
    client.force_login(supervisor)
    article = make_article("قابل ویرایش")
    assert client.get(reverse("admin:knowledgebase_article_change", args=[article.pk])).status_code == 200
    assert client.get(reverse("admin:knowledgebase_articlerating_changelist")).status_code == 200
    assert client.get(reverse("admin:knowledgebase_article_delete", args=[article.pk])).status_code == 403

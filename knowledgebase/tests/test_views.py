"""Pages and partials: visibility (404, never 403) on every URL, fixed query counts, feedback input handling."""

import io

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from helpdesk.models import SiteSettings
from helpdesk.tests.pins import pinned_get
from knowledgebase import services
from knowledgebase.models import Article, ArticleFeedback, SuggestionOpen, SuggestionSession, Visibility

pytestmark = pytest.mark.django_db


def article_url(article):
    return reverse("knowledgebase:article", kwargs={"slug": article.slug})


def category_url(category):
    return reverse("knowledgebase:category", kwargs={"slug": category.slug})


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(out, format="PNG")
    return out.getvalue()


# ---------------------------------------------------------------------------------------------- visibility


@pytest.fixture
def tree(make_category, make_article):
    """One of each: a public, a logged-in, a staff-only category, each with an article, plus a draft."""
    public = make_category("عمومی")
    members = make_category("اعضا", visibility=Visibility.CUSTOMERS)
    staff = make_category("داخلی", visibility=Visibility.STAFF)
    return {
        "public_category": public,
        "customers_category": members,
        "staff_category": staff,
        "public": make_article("راهنمای عمومی", category=public),
        "customers": make_article("راهنمای اعضا", category=members),
        "staff": make_article("راهنمای داخلی", category=staff),
        "staff_flag": make_article("راهنمای ویژه کارکنان", category=public, visibility=Visibility.STAFF),
        "draft": make_article("راهنمای پیش‌نویس", category=public, status=Article.Status.DRAFT),
    }


SEES = {
    "anon": {"public", "public_category"},
    "customer": {"public", "public_category", "customers", "customers_category"},
    "agent": {
        "public",
        "public_category",
        "customers",
        "customers_category",
        "staff",
        "staff_category",
        "staff_flag",
        "draft",
    },
}


@pytest.mark.parametrize("who", ["anon", "customer", "agent"])
def test_every_url_answers_404_for_what_the_reader_may_not_see(request, client, tree, who):
    user = request.getfixturevalue(who)
    if who != "anon":
        client.force_login(user)
    for key, obj in tree.items():
        url = category_url(obj) if key.endswith("category") else article_url(obj)
        expected = 200 if key in SEES[who] else 404
        assert client.get(url).status_code == expected, (who, key)
        if not key.endswith("category"):
            open_url = reverse("knowledgebase:suggestion_open", kwargs={"pk": obj.pk})
            published_visible = key in SEES[who] and key != "draft"
            assert client.get(open_url).status_code == (302 if published_visible else 404), (who, key)
            feedback = client.post(reverse("knowledgebase:feedback", kwargs={"slug": obj.slug}), {"helpful": "yes"})
            assert feedback.status_code == (302 if published_visible else 404), (who, key)


@pytest.mark.parametrize("who", ["anon", "customer", "agent"])
def test_home_search_and_suggestions_list_only_visible_articles(request, client, tree, who):
    user = request.getfixturevalue(who)
    if who != "anon":
        client.force_login(user)
    expected_titles = {tree[k].title for k in SEES[who] if not k.endswith("category")}
    hidden_titles = {a.title for k, a in tree.items() if not k.endswith("category")} - expected_titles

    home = client.get(reverse("knowledgebase:home")).content.decode()
    search = client.get(reverse("knowledgebase:search"), {"q": "راهنمای"}).content.decode()
    suggest = client.get(reverse("knowledgebase:suggest"), {"q": "راهنمای"}).content.decode()
    for hidden in hidden_titles:
        assert hidden not in home and hidden not in search and hidden not in suggest
    for title in expected_titles:
        assert title in search
        if title != tree["draft"].title:  # suggestions and the home lists show published articles only
            assert title in suggest
    for key in ("customers_category", "staff_category"):
        assert (tree[key].name in home) == (key in SEES[who])


def test_attachment_download_follows_the_article(client, customer, make_article, agent):
    public = make_article("عمومی")
    staff = make_article("داخلی", visibility=Visibility.STAFF)
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
    open_file = services.attachment_add(article=public, file=SimpleUploadedFile("فرم.pdf", pdf), actor=agent)
    secret = services.attachment_add(article=staff, file=SimpleUploadedFile("s.pdf", pdf), actor=agent)
    image = services.attachment_add(article=public, file=SimpleUploadedFile("a.png", _png()), actor=agent)

    response = client.get(open_file.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    inline = client.get(image.get_absolute_url())
    assert inline["Content-Type"] == "image/png" and inline["Content-Disposition"].startswith("inline")
    assert client.get(secret.get_absolute_url()).status_code == 404
    client.force_login(customer)
    assert client.get(secret.get_absolute_url()).status_code == 404
    client.force_login(agent)
    assert client.get(secret.get_absolute_url()).status_code == 200


def test_an_article_file_is_never_a_page(client, make_article, agent):
    """The headers of ticket downloads (#14.7): the sandbox CSP, nosniff, and a download unless it is an image."""
    article = make_article("عمومی")
    pdf = services.attachment_add(article=article, file=SimpleUploadedFile("فرم.pdf", b"%PDF-1.4\n"), actor=agent)
    image = services.attachment_add(article=article, file=SimpleUploadedFile("a.png", _png()), actor=agent)
    responses = [client.get(attachment.get_absolute_url()) for attachment in (pdf, image)]
    for response in responses:
        assert response.status_code == 200
        assert (
            response["Content-Security-Policy"]
            == "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cross-Origin-Resource-Policy"] == "same-origin"
        assert response["Cache-Control"] == "private, max-age=3600"
        b"".join(response.streaming_content)  # read, not closed: closing ends the test's database connection
    assert responses[0]["Content-Disposition"].startswith("attachment;")
    assert responses[1]["Content-Disposition"].startswith("inline;")


# ---------------------------------------------------------------------------------------------- pages


def test_article_page_breadcrumbs_body_tags_related_and_jalali_date(client, make_category, make_article, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    root = make_category("سامانه مودیان")
    child = make_category("حد مجاز", parent=root)
    other = make_article("مقالهٔ مرتبط")
    hidden = make_article("مرتبط پنهان", visibility=Visibility.STAFF)
    with time_machine.travel("2025-03-25 08:00Z", tick=False):  # 1404/01/05
        article = make_article(
            "افزایش حد مجاز",
            category=child,
            body="## مراحل\n\n1. ثبت تیکت\n\n<script>alert(1)</script>",
            tags=["ماده ۶"],
            related=[other, hidden],
        )
    response = client.get(article_url(article))
    html = response.content.decode()
    soup = BeautifulSoup(html, "html.parser")
    crumbs = [li.get_text(strip=True) for li in soup.select(".breadcrumb li")]
    assert crumbs == ["پایگاه دانش", "سامانه مودیان", "حد مجاز", "افزایش حد مجاز"]
    assert soup.select_one(".kb-body h2").get_text() == "مراحل"
    assert "<script>alert(1)" not in html
    assert "#ماده ۶" in html
    assert "مقالهٔ مرتبط" in html and "مرتبط پنهان" not in html
    assert "۱۴۰۴" in html  # Jalali year in Persian digits
    article.refresh_from_db()
    assert article.view_count == 1
    assert "۱ بازدید" in html  # the visit being shown is counted on the page too


def test_a_persian_article_reads_right_to_left_on_an_english_page(client, make_article, settings):
    """#13: on an English (left-to-right) page the title, body and related titles take their own direction."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    other = make_article("مقالهٔ مرتبط")
    article = make_article("رمز عبورم را فراموش کرده‌ام؛ چه کنم؟", body="پیوند «فراموشی رمز» را بزنید.", related=[other])
    soup = BeautifulSoup(client.get(article_url(article)).content, "html.parser")
    assert soup.html["dir"] == "ltr"
    assert soup.select_one("h1 bdi")["dir"] == "auto" and soup.select_one(".kb-body")["dir"] == "auto"
    assert soup.find("a", string="مقالهٔ مرتبط")["dir"] == "auto"


def test_persian_slug_urls_round_trip(client, make_article):
    article = make_article("چگونه تیکت ثبت کنم؟")
    assert article.slug == "چگونه-تیکت-ثبت-کنم"
    url = article_url(article)
    assert url == "/kb/a/%DA%86%DA%AF%D9%88%D9%86%D9%87-%D8%AA%DB%8C%DA%A9%D8%AA-%D8%AB%D8%A8%D8%AA-%DA%A9%D9%86%D9%85/"
    assert client.get(url).status_code == 200


def test_category_page_paginates_with_the_site_setting(client, public_category, make_article):
    SiteSettings.objects.update_or_create(pk=1, defaults={"records_per_page": 5})
    for i in range(7):
        make_article(f"مقاله {i:02d}", category=public_category)
    first = client.get(category_url(public_category))
    assert len(first.context["page_obj"].object_list) == 5
    second = client.get(category_url(public_category), {"page": 2})
    assert len(second.context["page_obj"].object_list) == 2
    assert client.get(category_url(public_category), {"page": "x"}).status_code == 200


def test_draft_is_shown_to_staff_without_counting_a_view(client, agent, make_article):
    draft = make_article("پیش‌نویس", status=Article.Status.DRAFT)
    client.force_login(agent)
    assert client.get(article_url(draft)).status_code == 200
    draft.refresh_from_db()
    assert draft.view_count == 0


# ---------------------------------------------------------------------------------------------- query counts


@pytest.mark.pins("knowledgebase:home")
@pytest.mark.parametrize(("who", "queries"), [("anon", 4), ("agent", 6)])
def test_home_query_count_is_fixed(request, client, make_category, make_article, who, queries):
    if who != "anon":
        client.force_login(request.getfixturevalue(who))
    url = reverse("knowledgebase:home")
    root = make_category("ریشه")
    make_category(parent=root)
    make_article(category=root)
    pinned_get(client, url, queries)
    for _ in range(29):
        parent = make_category()
        make_category(parent=parent)
        make_article(category=parent, tags=["الف", "ب"])
    pinned_get(client, url, queries)


@pytest.mark.pins("knowledgebase:category")
def test_category_page_query_count_is_fixed(client, customer, make_category, make_article):
    client.force_login(customer)
    category = make_category("ریشه")
    make_category(parent=category)
    make_article(category=category)
    url = category_url(category)
    pinned_get(client, url, 6)
    for _ in range(29):
        make_category(parent=category)
        make_article(category=category)
    pinned_get(client, url, 6)


@pytest.mark.pins("knowledgebase:article")
def test_article_page_query_count_is_fixed(client, customer, agent, public_category, make_article):
    client.force_login(customer)
    article = make_article("اصلی", category=public_category, tags=["t0"], related=[make_article()])
    services.attachment_add(article=article, file=SimpleUploadedFile("a.png", _png()), actor=agent)
    url = article_url(article)
    pinned_get(client, url, 10)
    related = [make_article(category=public_category) for _ in range(29)]
    services.article_save(article=article, actor=agent, tags=[f"t{i}" for i in range(30)], related=related)
    for i in range(29):
        services.attachment_add(article=article, file=SimpleUploadedFile(f"{i}.png", _png()), actor=agent)
    pinned_get(client, url, 10)


@pytest.mark.pins("knowledgebase:search", "knowledgebase:suggest", "knowledgebase:picker")
@pytest.mark.parametrize(
    ("name", "queries"), [("knowledgebase:search", 5), ("knowledgebase:suggest", 3), ("knowledgebase:picker", 3)]
)
def test_search_suggest_and_picker_query_counts_are_fixed(client, agent, public_category, make_article, name, queries):
    client.force_login(agent)
    url = reverse(name) + "?q=رمز"
    make_article("راهنمای رمز", category=public_category)
    pinned_get(client, url, queries)
    for i in range(29):
        make_article(f"راهنمای رمز {i}", category=public_category)
    pinned_get(client, url, queries)


# ---------------------------------------------------------------------------------------------- search page


def test_search_page_bad_input(client, make_article, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    make_article("ثبت تیکت")
    too_long = client.get(reverse("knowledgebase:search"), {"q": "ت" * 201})
    assert too_long.status_code == 200
    assert too_long.context["page_obj"] is None
    assert (
        '<div class="invalid-feedback d-block">متن جست\u200cوجو حداکثر می\u200cتواند ۲۰۰ نویسه باشد.</div>'
        in too_long.content.decode()
    )
    empty = client.get(reverse("knowledgebase:search"), {"q": ""})
    assert empty.context["page_obj"] is None
    found = client.get(reverse("knowledgebase:search"), {"q": "تيكت"})
    assert [a.title for a in found.context["page_obj"]] == ["ثبت تیکت"]


# ---------------------------------------------------------------------------------------------- feedback


@pytest.fixture
def article(make_article):
    return make_article("مقالهٔ نظرسنجی")


def feedback_url(article):
    return reverse("knowledgebase:feedback", kwargs={"slug": article.slug})


def test_feedback_once_per_user(client, customer, article):
    client.force_login(customer)
    first = client.post(feedback_url(article), {"helpful": "yes", "comment": "عالی بود"})
    assert first.status_code == 302
    second = client.post(feedback_url(article), {"helpful": "no"}, follow=True)
    assert second.status_code == 400
    assert "شما پیش‌تر به این مقاله رأی داده‌اید. سپاس!" in second.content.decode()
    vote = ArticleFeedback.objects.get()
    assert (vote.user, vote.helpful, vote.comment) == (customer, True, "عالی بود")
    page = client.get(article_url(article))
    assert page.context["has_voted"] is True
    assert b'name="helpful"' not in page.content


def test_feedback_once_per_visitor_session(client, article):
    assert client.post(feedback_url(article), {"helpful": "no"}).status_code == 302
    assert client.post(feedback_url(article), {"helpful": "yes"}).status_code == 400
    vote = ArticleFeedback.objects.get()
    assert vote.user is None and vote.session_key and vote.helpful is False
    client.cookies.clear()  # another visitor (a new session) may vote
    assert client.post(feedback_url(article), {"helpful": "yes"}).status_code == 302
    assert ArticleFeedback.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "helpful"),  # empty form
        ({"comment": "بدون رأی"}, "helpful"),  # a comment without a vote
        ({"helpful": "maybe"}, "helpful"),  # a bad vote
        ({"helpful": "yes", "comment": "x" * 1001}, "comment"),  # too long
    ],
)
def test_feedback_bad_input_saves_nothing(client, customer, article, data, field):
    client.force_login(customer)
    response = client.post(feedback_url(article), data)
    assert response.status_code == 400
    assert field in response.context["feedback_form"].errors
    assert not ArticleFeedback.objects.exists()
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select(".invalid-feedback")  # the reason is shown next to the field


def test_feedback_error_messages_are_clear_persian(client, customer, article):
    client.force_login(customer)
    response = client.post(feedback_url(article), {"helpful": "maybe", "comment": "x" * 1001})
    errors = response.context["feedback_form"].errors
    assert errors["helpful"] == ["«بله» یا «خیر» را انتخاب کنید."]
    assert errors["comment"] == ["نظر حداکثر می‌تواند ۱۰۰۰ نویسه باشد."]


def test_feedback_with_htmx_swaps_the_box(client, customer, article):
    client.force_login(customer)
    bad = client.post(feedback_url(article), {"helpful": ""}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and b'id="kb-feedback"' in bad.content and b"invalid-feedback" in bad.content
    assert not ArticleFeedback.objects.exists()
    good = client.post(feedback_url(article), {"helpful": "yes"}, HTTP_HX_REQUEST="true")
    assert good.status_code == 200 and b'name="helpful"' not in good.content
    assert ArticleFeedback.objects.count() == 1


def test_feedback_get_is_not_allowed(client, article):
    assert client.get(feedback_url(article)).status_code == 405


# ---------------------------------------------------------------------------------------------- suggestions (B6)


def test_suggest_partial_links_through_the_tracking_redirect(client, customer, make_article):
    article = make_article("فراموشی رمز عبور", summary="بازیابی رمز با پیامک")
    client.force_login(customer)
    response = client.get(reverse("knowledgebase:suggest"), {"subject": "رمز عبورم را فراموش كرده‌ام"})
    soup = BeautifulSoup(response.content, "html.parser")
    links = [a["href"] for a in soup.select("a")]
    assert links == [reverse("knowledgebase:suggestion_open", kwargs={"pk": article.pk})]
    assert "<html" not in response.content.decode()  # a partial, not a page
    empty = client.get(reverse("knowledgebase:suggest"), {"q": "چیزی که نیست"})
    assert empty.status_code == 200 and empty.content == b""


def test_opening_a_suggestion_is_recorded_for_the_session(client, make_article):
    article = make_article("فراموشی رمز")
    response = client.get(reverse("knowledgebase:suggestion_open", kwargs={"pk": article.pk}))
    assert response.status_code == 302 and response["Location"] == article_url(article)
    session = SuggestionSession.objects.get()
    assert session.session_key == client.session.session_key
    assert SuggestionOpen.objects.get().article == article
    assert services.suggestion_outcome_ticket_filed(client.session.session_key) is True


# ---------------------------------------------------------------------------------------------- agent tools


@pytest.mark.parametrize("who", ["anon", "customer"])
def test_picker_and_preview_are_404_for_non_staff(request, client, make_article, who):
    make_article("رمز")
    if who != "anon":
        client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("knowledgebase:picker"), {"q": "رمز"}).status_code == 404
    assert client.post(reverse("knowledgebase:markdown_preview"), {"body": "# x"}).status_code == 404


def test_picker_returns_markdown_links_of_published_articles(client, agent, make_article):
    article = make_article("رمز [عبور]")
    make_article("رمز پیش‌نویس", status=Article.Status.DRAFT)
    client.force_login(agent)
    response = client.get(reverse("knowledgebase:picker"), {"q": "رمز"})
    soup = BeautifulSoup(response.content, "html.parser")
    inserts = [b["data-kb-insert"] for b in soup.select("[data-kb-insert]")]
    assert inserts == [f"[رمز \\[عبور\\]](http://testserver{article_url(article)})"]
    most_viewed = client.get(reverse("knowledgebase:picker"))  # no query: the most viewed published ones
    assert len(BeautifulSoup(most_viewed.content, "html.parser").select("[data-kb-insert]")) == 1


def test_markdown_preview_is_sanitised(client, agent):
    client.force_login(agent)
    response = client.post(reverse("knowledgebase:markdown_preview"), {"body": "**پررنگ** <script>x()</script>"})
    assert response.status_code == 200
    assert b"<strong>" in response.content and b"<script>" not in response.content

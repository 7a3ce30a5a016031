"""Writes: the category tree, article saves with revisions, views, feedback, suggestions, drafts from tickets."""

import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from helpdesk.tests.errors import error_codes
from knowledgebase import services
from knowledgebase.models import (
    Article,
    ArticleFeedback,
    ArticleRevision,
    Category,
    SuggestionOpen,
    SuggestionSession,
    Visibility,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------- categories


def test_category_slug_is_made_from_a_persian_name(make_category):
    category = make_category("سامانه مودیان")
    assert category.slug == "سامانه-مودیان"
    assert make_category("سامانه مودیان").slug == "سامانه-مودیان-2"


def test_category_path_and_depth(make_category):
    a = make_category("a")
    b = make_category("b", parent=a)
    c = make_category("c", parent=b)
    assert c.ancestors_path == f"/{a.pk}/{b.pk}/"
    assert c.ancestor_ids == [a.pk, b.pk]
    assert (a.depth, b.depth, c.depth) == (0, 1, 2)


def test_stricter_parent_visibility_cascades_to_the_subtree(make_category):
    a = make_category("a")
    b = make_category("b", parent=a)
    c = make_category("c", parent=b)
    a.visibility = Visibility.STAFF
    services.category_save(category=a)
    c.refresh_from_db()
    b.refresh_from_db()
    assert (b.effective_visibility, c.effective_visibility) == (Visibility.STAFF, Visibility.STAFF)
    a.visibility = Visibility.PUBLIC
    services.category_save(category=a)
    c.refresh_from_db()
    assert c.effective_visibility == Visibility.PUBLIC


def test_moving_a_category_moves_its_subtree(make_category):
    a = make_category("a")
    x = make_category("x", visibility=Visibility.CUSTOMERS)
    b = make_category("b", parent=a)
    c = make_category("c", parent=b)
    b.parent = x
    services.category_save(category=b)
    c.refresh_from_db()
    assert c.ancestors_path == f"/{x.pk}/{b.pk}/"
    assert c.effective_visibility == Visibility.CUSTOMERS


def test_a_category_cannot_move_under_its_own_descendant(make_category):
    a = make_category("a")
    b = make_category("b", parent=a)
    c = make_category("c", parent=b)
    a.parent = c
    with pytest.raises(ValidationError) as exc:
        services.category_save(category=a)
    assert error_codes(exc.value) == {"parent": ["cycle"]}
    a.refresh_from_db()
    assert a.parent_id is None and a.ancestors_path == "/"


def test_category_visibility_must_be_a_known_value(make_category):
    with pytest.raises(ValidationError) as exc:
        make_category("bad", visibility="secret")
    assert error_codes(exc.value) == {"visibility": ["invalid_choice"]}
    assert not Category.objects.filter(name="bad").exists()


# ---------------------------------------------------------------------------------------------- articles


def test_article_create_fills_slug_search_columns_and_first_revision(make_article, agent):
    article = make_article("راهنمای ثبت تيكت", body="برای **ثبت** درخواست، فرم را پر كنید.", tags=["ایمیل", "پیامک"])
    assert article.slug == "راهنمای-ثبت-تيكت"
    assert article.search_title == "راهنمای ثبت تیکت"
    assert "**" not in article.search_body and "فرم را پر کنید" in article.search_body
    assert article.search_tags == "ایمیل پیامک"
    assert sorted(article.tags.names()) == ["ایمیل", "پیامک"]
    assert article.author == agent
    assert article.published_at is not None
    revision = article.revisions.get()
    assert (revision.editor, revision.title, revision.status) == (agent, article.title, "published")


def test_every_edit_keeps_who_and_when(make_article, agent, admin_user):
    with time_machine.travel("2025-01-01 10:00Z", tick=False):
        article = make_article("نسخه یک")
    with time_machine.travel("2025-01-02 10:00Z", tick=False):
        article.title = "نسخه دو"
        services.article_save(article=article, actor=admin_user)
    revisions = list(ArticleRevision.objects.filter(article=article).order_by("created_at"))
    assert [(r.title, r.editor, r.created_at.day) for r in revisions] == [
        ("نسخه یک", agent, 1),
        ("نسخه دو", admin_user, 2),
    ]
    article.refresh_from_db()
    assert article.author == agent  # the author stays the creator


def test_article_save_without_tags_keeps_them(make_article, agent):
    article = make_article("با برچسب", tags=["الف"])
    article.body = "متن تازه"
    services.article_save(article=article, actor=agent)
    article.refresh_from_db()
    assert list(article.tags.names()) == ["الف"]
    assert article.search_tags == "الف"


def test_invalid_article_is_not_saved(agent):
    with pytest.raises(ValidationError) as exc:
        services.article_create(title="", body="", author=agent)
    assert error_codes(exc.value) == {"title": ["blank"], "body": ["blank"]}
    assert not Article.objects.exists()
    assert not ArticleRevision.objects.exists()


def test_related_articles_are_symmetric_and_never_self(make_article, agent):
    a = make_article("a")
    b = make_article("b")
    services.article_save(article=a, actor=agent, related=[a, b])
    assert list(a.related.all()) == [b]
    assert list(b.related.all()) == [a]


def test_view_count_is_incremented_in_the_database(make_article):
    article = make_article("پربازدید")
    stale = Article.objects.get(pk=article.pk)
    services.article_register_view(article=article)
    services.article_register_view(article=stale)  # a stale copy does not overwrite the first increment
    article.refresh_from_db()
    assert article.view_count == 2


# ---------------------------------------------------------------------------------------------- attachments


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue()


def test_image_attachment_is_accepted_by_content(make_article, agent):
    article = make_article("با تصویر")
    attachment = services.attachment_add(
        article=article, file=SimpleUploadedFile("shot.png", _png(), "image/png"), actor=agent
    )
    assert attachment.is_image and attachment.content_type == "image/png" and attachment.size > 0
    assert attachment.markdown.startswith("![shot.png](/kb/files/")


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("fake.png", b"<html><script>alert(1)</script></html>", "markup"),  # not an image
        ("page.pdf", b"MZ\x90\x00" + b"\x00" * 100, "executable"),  # an executable named .pdf
        ("tool.exe", b"MZ\x90\x00" + b"\x00" * 100, "dangerous_type"),  # extension not allowed
        ("empty.txt", b"", "empty"),
    ],
)
def test_disguised_or_disallowed_files_are_refused(make_article, agent, name, content, code):
    article = make_article("بدون پیوست")
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(article=article, file=SimpleUploadedFile(name, content), actor=agent)
    assert exc.value.code == code
    assert not article.attachments.exists()


def test_pdf_and_text_attachments(make_article, agent):
    article = make_article("با پیوست")
    pdf = services.attachment_add(
        article=article, file=SimpleUploadedFile("form.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), actor=agent
    )
    txt = services.attachment_add(article=article, file=SimpleUploadedFile("notes.txt", "سلام".encode()), actor=agent)
    assert (pdf.content_type, pdf.is_image) == ("application/pdf", False)
    assert txt.content_type == "text/plain"


# ---------------------------------------------------------------------------------------------- feedback


def test_feedback_once_per_user(make_article, customer):
    article = make_article("a")
    services.feedback_submit(article=article, user=customer, session_key="s1", helpful=True)
    with pytest.raises(ValidationError) as exc:
        services.feedback_submit(article=article, user=customer, session_key="s2", helpful=False)
    assert exc.value.code == "already_rated"
    assert ArticleFeedback.objects.count() == 1


def test_feedback_once_per_visitor_session(make_article, anon):
    article = make_article("a")
    services.feedback_submit(article=article, user=anon, session_key="s1", helpful=False, comment="  ناقص  ")
    with pytest.raises(ValidationError) as exc:
        services.feedback_submit(article=article, user=anon, session_key="s1", helpful=True)
    assert exc.value.code == "already_rated"
    services.feedback_submit(article=article, user=anon, session_key="s2", helpful=True)
    assert ArticleFeedback.objects.filter(article=article).count() == 2
    assert ArticleFeedback.objects.get(session_key="s1").comment == "ناقص"


def test_feedback_needs_a_voter(make_article, anon):
    with pytest.raises(ValidationError) as exc:
        services.feedback_submit(article=make_article("a"), user=anon, session_key=None, helpful=True)
    assert exc.value.code == "no_voter"
    assert not ArticleFeedback.objects.exists()


def test_feedback_comment_too_long(make_article, customer):
    with pytest.raises(ValidationError) as exc:
        services.feedback_submit(
            article=make_article("a"), user=customer, session_key="s", helpful=False, comment="x" * 1001
        )
    assert exc.value.code == "comment_too_long"
    assert not ArticleFeedback.objects.exists()


def test_database_refuses_a_second_vote_even_past_the_service(make_article, customer):
    from django.db import IntegrityError, transaction

    article = make_article("a")
    ArticleFeedback.objects.create(article=article, user=customer, helpful=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFeedback.objects.create(article=article, user=customer, helpful=False)


# ---------------------------------------------------------------------------------------------- suggestions (B6)


def test_suggestion_open_then_ticket_filed(make_article, customer):
    article = make_article("a")
    services.suggestion_open_record(session_key="k1", article=article, user=customer)
    services.suggestion_open_record(session_key="k1", article=article, user=customer)
    session = SuggestionSession.objects.get(session_key="k1")
    assert session.opened_count == 2 and session.user == customer
    assert SuggestionOpen.objects.filter(session=session).count() == 2
    assert services.suggestion_outcome_ticket_filed("k1") is True
    assert services.suggestion_outcome_ticket_filed("k1") is False  # counted once
    session.refresh_from_db()
    assert session.ticket_filed_at is not None


def test_ticket_filed_without_opening_a_suggestion_is_not_counted(db):
    assert services.suggestion_outcome_ticket_filed("never-opened") is False
    assert services.suggestion_outcome_ticket_filed(None) is False
    assert not SuggestionSession.objects.exists()

"""Article files: nothing stays behind a rollback (#10.10)."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from knowledgebase import services
from knowledgebase.models import ArticleAttachment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def stored(media: Path) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def _png(name="shot.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), "image/png")


def _failing_save(monkeypatch):
    def failing_save(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ArticleAttachment, "save", failing_save)


def test_a_failed_attachment_add_leaves_no_file(make_article, agent, media, monkeypatch):
    article = make_article("با تصویر")
    _failing_save(monkeypatch)
    with pytest.raises(RuntimeError):
        services.attachment_add(article=article, file=_png(), actor=agent)
    assert stored(media) == []


def test_a_failed_replacement_leaves_the_old_file_and_not_the_new_one(
    make_article, agent, media, monkeypatch, django_capture_on_commit_callbacks
):
    article = make_article("با تصویر")
    with django_capture_on_commit_callbacks(execute=True):
        attachment = services.attachment_add(article=article, file=_png(), actor=agent)
    old = attachment.file.name
    _failing_save(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        services.attachment_update(attachment=attachment, file=_png("new.png"))
    assert stored(media) == [old]

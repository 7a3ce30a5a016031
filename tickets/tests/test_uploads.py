"""Where ticket attachments are stored (the checks are `helpdesk.uploads`, tested in helpdesk/tests)."""

from tickets import uploads


def test_upload_to_is_random_and_dated():
    first = uploads.attachment_upload_to(None, "upload.pdf")
    second = uploads.attachment_upload_to(None, "upload.pdf")
    assert first != second
    assert first.startswith("attachments/") and first.endswith(".pdf")
    assert len(first.rsplit("/", 1)[-1]) == 32 + 4
    assert uploads.attachment_upload_to(None, "x.p/hp").endswith(".bin")

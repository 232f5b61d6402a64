"""Proposal attachments against path tricks in file names, content-type lies and oversize files:
each refused with the service's message or stored under a generated name inside MEDIA_ROOT,
and served back only as a PDF download (attachment, nosniff) to those allowed."""

import hashlib
import html
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.services import proposals
from tests.support.proposals import FULL, PDF, edit_url, start

pytestmark = pytest.mark.django_db

TRICKY_NAMES = [
    "../../etc/passwd.pdf",
    "/etc/passwd.pdf",
    "..\\..\\windows\\win.ini.pdf",
    "plan.pdf\x00.html",
    "x" * 300 + ".pdf",
    "épreuve ☃ 計画.pdf",
    "plan.pdf.exe",
    ".htaccess",
    "<script>alert(1)</script>.pdf",
]
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40
# Lies about the content: each is refused whatever its name and declared type.
NOT_PDF = [
    ("page.pdf", HTML, "application/pdf"),
    ("script.pdf", b"alert(1)//", "application/pdf"),
    ("archive.pdf", ZIP, "application/pdf"),
    ("image.pdf", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "image/svg+xml"),
    ("empty.pdf", b"", "application/pdf"),
    ("bom.pdf", b"\xef\xbb\xbf%PDF-1.4", "application/pdf"),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(client, proposal, name, data, content_type="application/pdf"):
    return client.post(
        edit_url(proposal),
        {
            **FULL,
            "action": "save",
            "attachment": SimpleUploadedFile(name, data, content_type),
        },
    )


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_a_tricky_name_is_stored_under_a_generated_one_inside_media_root(
    open_cast,
    client,
    media,
    tmp_path,
    name,
):
    client.force_login(open_cast.contributor)
    proposal = start(client, open_cast)
    response = upload(client, proposal, name, PDF)
    if response.status_code == 400:
        # Refused is fine too, with a message and nothing stored.
        assert "attachment" in html.unescape(response.content.decode()).lower()
        assert stored_files(media) == []
        return
    assert response.status_code == 302
    proposal.refresh_from_db()
    stored = Path(proposal.attachment.path).resolve()
    assert stored.is_relative_to(media.resolve())
    # The stored name is ours: a hex id under proposals/<program>/<proposal>/, never the upload's.
    relative = stored.relative_to(media.resolve()).as_posix()
    assert relative.startswith(f"proposals/{open_cast.program.pk}/{proposal.pk}/")
    assert len(stored.stem) == 32 and stored.suffix == ".pdf", relative
    assert [path.resolve() for path in stored_files(tmp_path)] == [stored]
    assert stored.read_bytes() == PDF


@pytest.mark.parametrize(("name", "data", "content_type"), NOT_PDF, ids=[n for n, *_ in NOT_PDF])
def test_content_that_is_not_a_pdf_is_refused_whatever_it_claims(
    open_cast,
    client,
    media,
    name,
    data,
    content_type,
):
    client.force_login(open_cast.contributor)
    proposal = start(client, open_cast)
    response = upload(client, proposal, name, data, content_type)
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert proposals.ATTACHMENT_NOT_PDF in page or "The submitted file is empty." in page
    proposal.refresh_from_db()
    assert not proposal.attachment and proposal.attachment_sha256 == ""
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("plan.html", "text/html"), ("plan.exe", "application/octet-stream"), ("plan", "")],
)
def test_a_real_pdf_under_a_wrong_name_is_kept_as_a_pdf_and_served_as_a_download(
    open_cast,
    client,
    name,
    content_type,
):
    client.force_login(open_cast.contributor)
    proposal = start(client, open_cast)
    # A PDF that also carries HTML: a browser must never be allowed to render it as a page.
    polyglot = PDF + HTML
    assert upload(client, proposal, name, polyglot, content_type).status_code == 302
    proposal.refresh_from_db()
    assert proposal.attachment.name.endswith(".pdf")
    assert proposal.attachment_sha256 == hashlib.sha256(polyglot).hexdigest()
    response = client.get(reverse("proposal_attachment", args=[proposal.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == polyglot


def test_the_download_name_comes_from_the_title_never_from_the_upload(
    open_cast,
    client,
):
    client.force_login(open_cast.contributor)
    proposal = start(client, open_cast)
    title = 'x"; filename="evil.html\r\nSet-Cookie: a=b'
    response = client.post(
        edit_url(proposal),
        {
            **FULL,
            "title": title,
            "action": "save",
            "attachment": SimpleUploadedFile("../evil.html", PDF, "text/html"),
        },
    )
    assert response.status_code == 302
    response = client.get(reverse("proposal_attachment", args=[proposal.pk]))
    disposition = response["Content-Disposition"]
    assert disposition == 'attachment; filename="x-filenameevilhtml-set-cookie-ab.pdf"'
    assert "Set-Cookie" not in response


def test_an_oversize_file_is_refused_with_the_limit_and_nothing_stored(
    open_cast,
    client,
    media,
):
    open_cast.program.attachment_max_mb = 1
    open_cast.program.save()
    client.force_login(open_cast.contributor)
    proposal = start(client, open_cast)
    response = upload(client, proposal, "big.pdf", PDF + b"0" * (1024 * 1024))
    assert response.status_code == 400
    assert "the limit is 1 MB" in html.unescape(response.content.decode())
    proposal.refresh_from_db()
    assert not proposal.attachment
    assert stored_files(media) == []


def test_the_download_is_refused_to_those_not_allowed(open_cast, client):
    client.force_login(open_cast.contributor)
    proposal = start(client, open_cast)
    assert upload(client, proposal, "plan.pdf", PDF).status_code == 302
    url = reverse("proposal_attachment", args=[proposal.pk])
    # A draft: not even the organization's mentors see it yet.
    for person in (open_cast.mentor, open_cast.other_mentor, open_cast.outsider):
        client.force_login(person)
        assert client.get(url).status_code == 404

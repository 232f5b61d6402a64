"""The contributor writes, autosaves, submits and withdraws proposals through the pages."""

import hashlib
import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Idea, Proposal, ProposalStatus, Registration
from applications.services import proposals as proposals_services
from programs.models import ProjectSize
from tests.factories import UserFactory
from tests.support.cast import DEADLINE
from tests.support.proposals import FULL, PDF, edit_url, start, text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def autosave_url(proposal):
    return reverse("proposal_autosave", args=[proposal.pk])


def draft_in_closed_program(cast, **fields) -> Proposal:
    """A draft in the cast's program, whose window closed at DEADLINE (2023)."""
    Registration.objects.create(user=cast.contributor, program=cast.program, registered_at=DEADLINE)
    return Proposal.objects.create(
        program=cast.program,
        contributor=cast.contributor,
        participation=cast.participation,
        length_weeks=12,
        **fields,
    )


def test_create_edit_save_submit_gives_a_receipt_and_an_email(
    open_cast, client, django_capture_on_commit_callbacks
):
    client.force_login(open_cast.contributor)
    page = client.get(reverse("my_proposals", args=[open_cast.program.slug]))
    assert page.status_code == 200
    assert "data-countdown" in page.text and "Start a draft" in page.text

    proposal = start(client, open_cast)
    assert client.get(edit_url(proposal)).status_code == 200

    response = client.post(edit_url(proposal), {**FULL, "action": "save"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.title == "Faster builds" and proposal.status == ProposalStatus.DRAFT
    assert proposal.revision == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url(proposal), {**FULL, "action": "submit"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED
    receipt = proposal.receipts.get()
    canonical = json.dumps(
        proposals_services.content_of(proposal),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    assert receipt.digest == hashlib.sha256(canonical.encode()).hexdigest()
    assert receipt.digest == proposals_services.digest_of(proposals_services.content_of(proposal))
    assert receipt.digest == proposal.content_digest

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [open_cast.contributor.email]
    assert receipt.digest in mail.outbox[0].body and receipt.number in mail.outbox[0].subject

    page = text(client.get(edit_url(proposal)))
    assert receipt.number in page and receipt.digest in page
    assert receipt.submitted_at.strftime("%Y-%m-%d %H:%M:%S.%f") + " UTC" in page
    assert "Submit proposal" not in page

    listing = text(client.get(reverse("my_proposals", args=[open_cast.program.slug])))
    assert receipt.digest in listing and "Submitted" in listing


def test_new_with_an_idea_preselects_it_and_creates_on_it(open_cast, client):
    idea = Idea.objects.create(
        participation=open_cast.participation,
        title="Rewrite the parser",
        description="…",
        size=ProjectSize.LARGE,
    )
    client.force_login(open_cast.contributor)
    page = client.get(reverse("proposal_new", args=[open_cast.program.slug]), {"idea": idea.pk})
    assert page.status_code == 200
    assert f'<option value="{idea.pk}" selected>' in page.text
    assert f'<option value="{open_cast.participation.pk}" selected>' in page.text
    response = client.post(
        reverse("proposal_new", args=[open_cast.program.slug]),
        {"participation": open_cast.participation.pk, "idea": idea.pk},
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get(contributor=open_cast.contributor)
    assert proposal.idea == idea and proposal.title == "Rewrite the parser"


def test_new_refused_with_400_unless_registered_or_idea_of_other_org(open_cast, client):
    idea = Idea.objects.create(
        participation=open_cast.other_participation, title="X", description=".", size=90
    )
    client.force_login(open_cast.contributor)
    new = reverse("proposal_new", args=[open_cast.program.slug])
    response = client.post(new, {"participation": open_cast.participation.pk, "idea": idea.pk})
    assert response.status_code == 400
    assert proposals_services.IDEA_OF_OTHER_ORG in text(response)

    client.force_login(open_cast.outsider)
    response = client.post(new, {"participation": open_cast.participation.pk})
    assert response.status_code == 400
    assert proposals_services.NOT_REGISTERED in text(response)
    assert not Proposal.objects.exists()


def test_submit_with_missing_fields_saves_the_draft_and_marks_them(open_cast, client):
    client.force_login(open_cast.contributor)
    proposal = start(client, open_cast)
    response = client.post(
        edit_url(proposal), {**FULL, "abstract": "", "body": "Typed text", "action": "submit"}
    )
    assert response.status_code == 400
    page = text(response)
    assert proposals_services.REQUIRED in page
    assert "Typed text" in page
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT and proposal.body == "Typed text"
    # The page carries the new revision, so the next autosave is not refused as stale.
    assert f'data-revision="{proposal.revision}"' in page


def test_length_not_allowed_for_the_size_is_a_field_error(open_cast, client):
    client.force_login(open_cast.contributor)
    proposal = start(client, open_cast)
    response = client.post(
        edit_url(proposal),
        {**FULL, "size": str(ProjectSize.SMALL), "length_weeks": "14", "action": "save"},
    )
    assert response.status_code == 400
    assert proposals_services.LENGTH_NOT_ALLOWED.format(size=90, weeks="8, 10, 12") in text(
        response
    )
    # Nothing was saved: proposal.js keeps the echoed text in the browser rather than dropping it.
    assert 'data-in-sync="false"' in response.text
    # Every allowed length is in the page for proposal.js to narrow down by size.
    assert 'id="proposal-length-options"' in response.text


def test_late_submit_keeps_the_draft_and_says_when_the_window_closed(cast, client):
    proposal = draft_in_closed_program(cast)
    client.force_login(cast.contributor)
    response = client.post(edit_url(proposal), {**FULL, "action": "submit"})
    assert response.status_code == 400
    page = text(response)
    assert "closed at 2023-04-04 18:00:00 UTC" in page
    assert '<time datetime="2023-04-04T18:00:00Z"' in page  # UTC and local time via `when`
    assert "Week 1: *measure*." in page
    assert 'data-in-sync="true"' in page  # the draft was saved before the refusal
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT
    assert proposal.title == FULL["title"] and proposal.body == FULL["body"]
    assert not proposal.receipts.exists()


def test_submitted_proposal_is_read_only_after_the_deadline(cast, client):
    proposal = draft_in_closed_program(
        cast,
        title="Before",
        status=ProposalStatus.SUBMITTED,
        submission_slot=1,
        submitted_at=DEADLINE - timedelta(hours=1),
    )
    client.force_login(cast.contributor)
    page = client.get(edit_url(proposal))
    assert page.status_code == 200
    assert "disabled" in page.text and "Submit proposal" not in page.text
    assert "data-autosave-url" not in page.text

    response = client.post(edit_url(proposal), {**FULL, "title": "After", "action": "save"})
    assert response.status_code == 400
    page = text(response)
    assert proposals_services.READ_ONLY.format(deadline="2023-04-04 18:00:00") in page
    assert 'value="After"' in page  # what was typed is echoed back
    assert 'data-in-sync="false"' in page
    proposal.refresh_from_db()
    assert proposal.title == "Before"

    response = client.post(autosave_url(proposal), {"title": "After", "revision": "0"})
    assert response.status_code == 400
    assert proposals_services.READ_ONLY.format(deadline="2023-04-04 18:00:00") in str(
        response.json()
    )


def test_fourth_submission_is_refused_with_the_cap_message(open_cast, client):
    client.force_login(open_cast.contributor)
    proposals = [start(client, open_cast) for _ in range(4)]
    for proposal in proposals[:3]:
        assert client.post(edit_url(proposal), {**FULL, "action": "submit"}).status_code == 302
    response = client.post(edit_url(proposals[3]), {**FULL, "action": "submit"})
    assert response.status_code == 400
    assert proposals_services.CAP_REACHED.format(cap=3) in text(response)
    proposals[3].refresh_from_db()
    assert proposals[3].status == ProposalStatus.DRAFT
    assert proposals[3].body == FULL["body"]


def test_autosave_answers_in_json(open_cast, client):
    client.force_login(open_cast.contributor)
    proposal = start(client, open_cast)
    response = client.post(autosave_url(proposal), {"body": "Typing…", "revision": "0"})
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True and data["revision"] == 1 and data["saved_at"]
    proposal.refresh_from_db()
    assert proposal.body == "Typing…" and proposal.title == ""  # unsent fields stay as they were

    stale = client.post(autosave_url(proposal), {"body": "Other tab", "revision": "0"})
    assert stale.status_code == 409
    assert stale.json()["error"] == "stale"
    proposal.refresh_from_db()
    assert proposal.body == "Typing…"

    invalid = client.post(
        autosave_url(proposal), {"size": "90", "length_weeks": "22", "revision": "1"}
    )
    assert invalid.status_code == 400
    assert invalid.json()["errors"]["length_weeks"]

    assert client.get(autosave_url(proposal)).status_code == 405

    client.logout()
    signed_out = client.post(autosave_url(proposal), {"body": "x", "revision": "1"})
    assert signed_out.status_code == 401
    assert signed_out.json() == {
        "ok": False,
        "error": "signed_out",
        "login_url": f"/accounts/login/?next=/proposals/{proposal.pk}/",
    }


@pytest.mark.parametrize(
    "role", ["other_contributor", "mentor", "org_admin", "manager", "outsider", "writer"]
)
def test_nobody_else_can_edit_or_autosave(open_cast, client, role):
    client.force_login(open_cast.contributor)
    proposal = start(client, open_cast)
    intruder = UserFactory() if role == "other_contributor" else getattr(open_cast, role)
    client.force_login(intruder)
    assert client.get(edit_url(proposal)).status_code == 404
    assert client.post(edit_url(proposal), {**FULL, "action": "save"}).status_code == 404
    response = client.post(autosave_url(proposal), {"body": "x", "revision": "0"})
    assert response.status_code == 404
    assert client.post(reverse("proposal_withdraw", args=[proposal.pk])).status_code == 404
    proposal.refresh_from_db()
    assert proposal.body == "" and proposal.status == ProposalStatus.DRAFT


def test_edit_page_sends_the_signed_out_to_sign_in_and_back(open_cast, client):
    client.force_login(open_cast.contributor)
    proposal = start(client, open_cast)
    client.logout()
    response = client.get(edit_url(proposal))
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next=/proposals/{proposal.pk}/"


def test_markdown_preview_has_no_script_handlers_or_javascript_links(open_cast, client):
    client.force_login(open_cast.contributor)
    proposal = start(client, open_cast)
    body = (
        "Hello **world**\n\n<script>alert(1)</script>\n\n[click](javascript:alert(2))\n\n"
        '<img src="x.png" onerror="alert(3)">'
    )
    client.post(edit_url(proposal), {**FULL, "body": body, "action": "save"})
    page = client.get(edit_url(proposal)).content.decode()
    preview = re.search(r"<!-- preview -->(.*?)<!-- /preview -->", page, re.S).group(1)
    assert "<strong>world</strong>" in preview
    assert "<script" not in preview.lower()
    assert "javascript:" not in preview.lower()
    assert "onerror" not in preview.lower()
    assert "<script>alert(1)" not in page  # the textarea escapes the raw text


def test_attachment_must_be_a_pdf_by_content_and_within_the_size_cap(open_cast, client):
    client.force_login(open_cast.contributor)
    proposal = start(client, open_cast)

    def upload(name, data):
        return client.post(
            edit_url(proposal),
            {
                **FULL,
                "action": "save",
                "attachment": SimpleUploadedFile(name, data, "application/pdf"),
            },
        )

    assert upload("plan.pdf", PDF).status_code == 302
    proposal.refresh_from_db()
    assert proposal.attachment_sha256 == hashlib.sha256(PDF).hexdigest()
    with proposal.attachment.open("rb") as stored:
        assert stored.read() == PDF

    response = upload("notes.pdf", b"just some text, not a PDF")
    assert response.status_code == 400
    assert proposals_services.ATTACHMENT_NOT_PDF in text(response)

    open_cast.program.attachment_max_mb = 1
    open_cast.program.save()
    response = upload("big.pdf", PDF + b"0" * (1024 * 1024))
    assert response.status_code == 400
    assert "the limit is 1 MB" in text(response)
    proposal.refresh_from_db()
    assert proposal.attachment_sha256 == hashlib.sha256(PDF).hexdigest()


def test_attachment_download_for_the_owner_and_the_org_only(open_cast, client):
    client.force_login(open_cast.contributor)
    proposal = start(client, open_cast)
    client.post(
        edit_url(proposal),
        {**FULL, "action": "submit", "attachment": SimpleUploadedFile("p.pdf", PDF)},
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED and proposal.attachment
    url = reverse("proposal_attachment", args=[proposal.pk])

    for person in (open_cast.contributor, open_cast.mentor, open_cast.manager):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF

    for person in (open_cast.other_mentor, open_cast.outsider, UserFactory()):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_withdraw_frees_the_proposal(open_cast, client):
    client.force_login(open_cast.contributor)
    proposal = start(client, open_cast)
    client.post(edit_url(proposal), {**FULL, "action": "submit"})
    response = client.post(reverse("proposal_withdraw", args=[proposal.pk]))
    assert response.status_code == 302
    assert response.url == reverse("my_proposals", args=[open_cast.program.slug])
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN and proposal.submission_slot is None
    page = client.get(edit_url(proposal))
    assert "disabled" in page.text and "Withdraw</button>" not in page.text


def test_my_proposals_links_to_registration_when_not_registered(cast, client):
    client.force_login(cast.outsider)
    page = client.get(reverse("my_proposals", args=[cast.program.slug]))
    assert page.status_code == 200
    assert reverse("program_register", args=[cast.program.slug]) in page.text
    assert "Start a draft" not in page.text
    assert client.get(reverse("my_proposals", args=[cast.docs_program.slug])).status_code == 404

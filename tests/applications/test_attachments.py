"""Attachment files live exactly as long as the proposal version that holds them: a replaced
one and a withdrawn proposal's are deleted once the change commits, and a change that rolls back
deletes nothing."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from applications.services import proposals

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%fake but starts like a PDF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def files(root) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


def attach(cast, proposal, data=PDF):
    upload = SimpleUploadedFile("plan.pdf", data, "application/pdf")
    return proposals.proposal_attach(
        proposal=proposal, by=cast.contributor, upload=upload, now=cast.program.created_at
    )


@pytest.fixture
def draft(open_cast):
    return proposals.proposal_create(
        contributor=open_cast.contributor,
        program=open_cast.program,
        participation=open_cast.participation,
        idea=None,
        now=open_cast.program.created_at,
    )


def test_a_replaced_attachment_is_deleted_after_the_commit(
    cast, draft, media, django_capture_on_commit_callbacks
):
    first = attach(cast, draft)
    (kept,) = files(media)
    with django_capture_on_commit_callbacks(execute=True):
        second = attach(cast, first, PDF + b"second version\n")
        assert kept.exists()  # still there until the commit
    assert files(media) == [Path(media) / second.attachment.name]
    assert not kept.exists()


def test_a_replacement_that_rolls_back_deletes_nothing(
    cast, draft, media, django_capture_on_commit_callbacks
):
    attach(cast, draft)
    (kept,) = files(media)

    class Abandoned(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Abandoned),
        transaction.atomic(),
    ):
        attach(cast, draft, PDF + b"never stored\n")
        raise Abandoned
    assert callbacks == [] and kept.exists()


def test_withdrawing_deletes_the_attachment(cast, draft, media, django_capture_on_commit_callbacks):
    attach(cast, draft)
    assert files(media)
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = proposals.proposal_withdraw(
            proposal=draft, by=cast.contributor, now=cast.program.created_at
        )
    assert files(media) == []
    assert (withdrawn.attachment.name, withdrawn.attachment_sha256) == ("", "")

"""Business rules of proposals: drafting, deadline-safe submission, receipts and withdrawal.

Every deadline is decided here, at request time, against the `now` the caller passes in.
"""

import hashlib
import json
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from applications.models import (
    Idea,
    Proposal,
    ProposalStatus,
    Receipt,
    Registration,
)
from audit.services import audit_record
from programs.models import (
    Milestone,
    MilestoneKind,
    Participation,
    ParticipationStatus,
    Program,
)
from programs.outbox import outbox_add
from programs.windows import milestone_error, milestone_of

WINDOW_CLOSED = (
    "The application window closed at {deadline} UTC. Your draft is saved, but it can no longer "
    "be submitted."
)
WINDOW_NOT_OPEN = "Applications open at {opens} UTC. Your draft is saved until then."
NO_WINDOW = "This program has no contributor application window yet."
READ_ONLY = (
    "The application window closed at {deadline} UTC: submitted proposals can no longer be "
    "changed. Your text was not saved."
)
NOT_EDITABLE = "This proposal is {status} and can no longer be changed."
CAP_REACHED = (
    "You have already submitted {cap} proposals, the most this program allows. Withdraw one "
    "to submit this one; your draft is saved."
)
NOT_REGISTERED = "Register for this program (eligibility check) before writing a proposal."
ORG_NOT_ACCEPTED = "{org} is not an accepted organization of this program."
IDEA_OF_OTHER_ORG = "That idea belongs to another organization."
STALE_REVISION = (
    "This proposal was saved from another tab or device since you opened it. Reload to see the "
    "newer text; what you typed here is kept in this browser."
)
SIZE_NOT_OFFERED = "Choose one of the sizes this program offers: {sizes} hours."
LENGTH_NOT_ALLOWED = "For a {size}-hour project choose a length of {weeks} weeks."
BODY_TOO_LONG = "The proposal is {length} characters long; the limit is {limit}."
REQUIRED = "Fill this in before submitting."
ATTACHMENT_NOT_PDF = "The attachment must be a PDF file (its content is not a PDF)."
ATTACHMENT_TOO_LARGE = "The attachment is {size:.1f} MB; the limit is {limit} MB."
NOT_CONTRIBUTOR = "Only the contributor who wrote this proposal can change it."
DRAFT_FIELDS = ("title", "abstract", "body", "size", "length_weeks", "preference", "idea")
# Drafts keep whatever was typed, within a hard ceiling that protects the database.
DRAFT_BODY_CEILING = 200_000


def application_window(program: Program) -> Milestone | None:
    return milestone_of(program, MilestoneKind.CONTRIBUTOR_APPLICATIONS)


def window_error(program: Program, now: datetime) -> str | None:
    """Why a submission at `now` is refused, or None when the window is open (ends inclusive)."""
    return milestone_error(
        application_window(program),
        now,
        not_open=WINDOW_NOT_OPEN,
        closed=WINDOW_CLOSED,
        missing=NO_WINDOW,
    )


def content_of(proposal: Proposal) -> dict:
    """The canonical content a receipt's digest covers."""
    return {
        "program": proposal.program.slug,
        "organization": proposal.participation.organization.slug,
        "idea": proposal.idea_id,
        "title": proposal.title,
        "abstract": proposal.abstract,
        "body": proposal.body,
        "size": proposal.size,
        "length_weeks": proposal.length_weeks,
        "attachment_sha256": proposal.attachment_sha256,
    }


def digest_of(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check_contributor(proposal: Proposal, by) -> None:
    if proposal.contributor_id != by.pk:
        raise PermissionDenied(NOT_CONTRIBUTOR)


def proposal_create(
    *, contributor, program: Program, participation: Participation, idea: Idea | None, now
) -> Proposal:
    """Start a draft proposal to an accepted organization."""
    if not Registration.objects.filter(user=contributor, program=program).exists():
        raise ValidationError(NOT_REGISTERED)
    if participation.program_id != program.pk or (
        participation.status != ParticipationStatus.ACCEPTED
    ):
        raise ValidationError(ORG_NOT_ACCEPTED.format(org=participation.organization))
    if idea is not None and idea.participation_id != participation.pk:
        raise ValidationError(IDEA_OF_OTHER_ORG)
    if error := milestone_error(application_window(program), now, closed=WINDOW_CLOSED):
        raise ValidationError(error)
    return Proposal.objects.create(
        program=program,
        contributor=contributor,
        participation=participation,
        idea=idea,
        title=idea.title if idea else "",
        size=idea.size if idea and idea.size in program.sizes_offered else None,
        length_weeks=program.default_length_weeks,
    )


def _field_errors(proposal: Proposal, *, complete: bool) -> dict[str, list[str]]:
    """Rule violations of the proposal's fields; `complete` also requires every field."""
    program = proposal.program
    errors: dict[str, list[str]] = {}
    if proposal.size is not None and proposal.size not in program.sizes_offered:
        errors["size"] = [SIZE_NOT_OFFERED.format(sizes=", ".join(map(str, program.sizes_offered)))]
    elif proposal.size is not None and proposal.length_weeks is not None:
        weeks = program.length_options.get(str(proposal.size), [])
        if proposal.length_weeks not in weeks:
            errors["length_weeks"] = [
                LENGTH_NOT_ALLOWED.format(size=proposal.size, weeks=", ".join(map(str, weeks)))
            ]
    if len(proposal.body) > DRAFT_BODY_CEILING or (
        complete and len(proposal.body) > program.proposal_body_max_chars
    ):
        errors["body"] = [
            BODY_TOO_LONG.format(length=len(proposal.body), limit=program.proposal_body_max_chars)
        ]
    if complete:
        for name in ("title", "abstract", "body", "size", "length_weeks"):
            if getattr(proposal, name) in (None, "") and name not in errors:
                errors[name] = [REQUIRED]
    return errors


def _check_still_editable(proposal: Proposal, now: datetime) -> None:
    """Drafts always take edits; submitted proposals only until the deadline."""
    if not proposal.is_editable_status:
        raise ValidationError(NOT_EDITABLE.format(status=proposal.get_status_display().lower()))
    if proposal.status != ProposalStatus.SUBMITTED:
        return
    if error := milestone_error(application_window(proposal.program), now, closed=READ_ONLY):
        raise ValidationError(error, code="closed")


def proposal_is_read_only(*, proposal: Proposal, now: datetime) -> bool:
    """Whether the contributor can no longer change the proposal at `now`."""
    try:
        _check_still_editable(proposal, now)
    except ValidationError:
        return True
    return False


def proposal_save(
    *, proposal: Proposal, by, data: dict, now: datetime, base_revision: int | None = None
) -> Proposal:
    """Save typed content (autosave and every submit attempt).

    Drafts are saved whatever the time, so a late submit keeps its text. A submitted proposal may
    be edited until the deadline; each edit is re-checked and gets a new receipt.
    """
    _check_contributor(proposal, by)
    _check_still_editable(proposal, now)
    with transaction.atomic():
        locked = (
            Proposal.objects.select_related("program", "participation__organization")
            .select_for_update(of=("self",))
            .get(pk=proposal.pk)
        )
        if base_revision is not None and base_revision != locked.revision:
            raise ValidationError(STALE_REVISION, code="stale")
        idea = data.get("idea")
        if idea is not None and idea.participation_id != locked.participation_id:
            raise ValidationError({"idea": IDEA_OF_OTHER_ORG})
        for name in DRAFT_FIELDS:
            if name in data:
                setattr(locked, name, data[name])
        errors = _field_errors(locked, complete=locked.status == ProposalStatus.SUBMITTED)
        if errors:
            raise ValidationError(errors)
        locked.revision += 1
        locked.save()
        if locked.status == ProposalStatus.SUBMITTED:
            _issue_receipt(locked, now)
    return locked


def proposal_attach(*, proposal: Proposal, by, upload, now: datetime) -> Proposal:
    """Attach a PDF, checked by its content and size, not its name or declared type."""
    _check_contributor(proposal, by)
    limit = proposal.program.attachment_max_mb
    if upload.size > limit * 1024 * 1024:
        raise ValidationError(
            {"attachment": ATTACHMENT_TOO_LARGE.format(size=upload.size / 1024 / 1024, limit=limit)}
        )
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise ValidationError({"attachment": ATTACHMENT_NOT_PDF})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    _check_still_editable(proposal, now)
    with transaction.atomic():
        # Under the row lock, and only the attachment's columns: a concurrent save of the text
        # is neither overwritten nor given a receipt out of order.
        locked = (
            Proposal.objects.select_related("program", "participation__organization")
            .select_for_update(of=("self",))
            .get(pk=proposal.pk)
        )
        replaced = locked.attachment.name
        locked.attachment_sha256 = digest.hexdigest()
        locked.attachment.save("attachment.pdf", upload, save=False)
        if replaced != locked.attachment.name:
            attachments_delete_on_commit([replaced])
        locked.revision += 1
        locked.save(update_fields=["attachment", "attachment_sha256", "revision", "updated_at"])
        if locked.status == ProposalStatus.SUBMITTED:
            _issue_receipt(locked, now)
    return locked


def _issue_receipt(proposal: Proposal, now: datetime) -> Receipt:
    """A receipt of the stored text; the caller holds the proposal's row lock, so receipts are
    numbered in the order their texts were stored."""
    content = content_of(proposal)
    digest = digest_of(content)
    latest = proposal.receipts.first()
    if proposal.content_digest == digest and latest:
        return latest  # nothing changed since the last receipt: no new one, no new mail
    sequence = proposal.receipts.count() + 1
    # A request that read the clock earlier may get the lock later: its receipt still comes
    # after the one before it, in time as in number.
    at = max(now, latest.submitted_at) if latest else now
    receipt = Receipt.objects.create(
        proposal=proposal,
        number=f"{proposal.program.slug.upper()}-{proposal.pk}-{sequence}",
        submitted_at=at,
        digest=digest,
        content=content,
    )
    Proposal.objects.filter(pk=proposal.pk).update(content_digest=digest)
    proposal.content_digest = digest
    # The mail is stored with the receipt and sent after the commit (programs/outbox.py): a
    # broker outage does not fail the submission, and a lost task is enqueued again.
    context = {
        "receipt": receipt,
        "proposal": proposal,
        "url": settings.SITE_URL + reverse("proposal_edit", args=[proposal.pk]),
    }
    outbox_add(
        key=f"receipt:{receipt.pk}",
        recipients=[proposal.contributor.email],
        subject=f"[Seasons] Receipt {receipt.number}: {proposal.title}",
        body=render_to_string("emails/receipt.txt", context),
        now=now,
    )
    return receipt


def attachments_delete_on_commit(names: list[str]) -> None:
    """Delete these stored attachment files once the transaction commits: a rollback still
    finds them, and no file outlives the proposal version that held it."""
    names = [name for name in names if name]
    if names:
        storage = Proposal._meta.get_field("attachment").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in names])


def _free_slot(proposal: Proposal) -> int | None:
    taken = set(
        Proposal.objects.filter(
            program_id=proposal.program_id,
            contributor_id=proposal.contributor_id,
            submission_slot__isnull=False,
        ).values_list("submission_slot", flat=True)
    )
    free = [n for n in range(1, proposal.program.proposal_cap + 1) if n not in taken]
    return free[0] if free else None


_OWN_FIELDS = [f.name for f in Proposal._meta.concrete_fields if not f.is_relation]


def proposal_submit(*, proposal: Proposal, by, now: datetime) -> Receipt:
    """Submit a draft inside the application window, within the per-contributor cap."""
    _check_contributor(proposal, by)
    # Judge what is stored, not a copy the caller may hold from before the last save. Only the
    # proposal's own columns: its program and organization never change, so those the caller
    # already holds are kept.
    proposal.refresh_from_db(fields=_OWN_FIELDS)
    if proposal.status == ProposalStatus.SUBMITTED:
        return proposal.receipts.first()
    if proposal.status != ProposalStatus.DRAFT:
        raise ValidationError(NOT_EDITABLE.format(status=proposal.get_status_display().lower()))
    if error := window_error(proposal.program, now):
        raise ValidationError(error, code="window")
    if not Registration.objects.filter(user=by, program=proposal.program).exists():
        raise ValidationError(NOT_REGISTERED)
    errors = _field_errors(proposal, complete=True)
    if errors:
        raise ValidationError(errors)
    cap_error = ValidationError(CAP_REACHED.format(cap=proposal.program.proposal_cap), code="cap")
    # Two tries: a concurrent submit that took the same slot makes the first fail on the
    # unique constraint; the second sees that slot taken.
    for _ in range(2):
        slot = _free_slot(proposal)
        if slot is None:
            raise cap_error
        try:
            with transaction.atomic():
                claimed = Proposal.objects.filter(
                    pk=proposal.pk, status=ProposalStatus.DRAFT
                ).update(status=ProposalStatus.SUBMITTED, submission_slot=slot, submitted_at=now)
                if not claimed:  # submitted by a concurrent request of the same tab
                    proposal.refresh_from_db()
                    return proposal.receipts.first()
                # What the claim wrote, without reading the row back.
                proposal.status = ProposalStatus.SUBMITTED
                proposal.submission_slot = slot
                proposal.submitted_at = now
                audit_record(
                    actor=by,
                    action="proposal.submit",
                    obj=proposal,
                    before={"status": ProposalStatus.DRAFT},
                    after={"status": proposal.status, "submission_slot": slot},
                    at=now,
                )
                return _issue_receipt(proposal, now)
        except IntegrityError:
            continue
    raise cap_error


def proposal_withdraw(*, proposal: Proposal, by, now: datetime) -> Proposal:
    """Withdraw a submitted proposal; its slot is freed for another."""
    _check_contributor(proposal, by)
    if proposal.status not in {ProposalStatus.SUBMITTED, ProposalStatus.DRAFT}:
        raise ValidationError(NOT_EDITABLE.format(status=proposal.get_status_display().lower()))
    withdrawn = {"status": ProposalStatus.WITHDRAWN, "submission_slot": None, "rank": None}
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().filter(pk=proposal.pk)
        before = locked.values(*withdrawn, "attachment").get()
        attachments_delete_on_commit([before.pop("attachment")])
        Proposal.objects.filter(pk=proposal.pk).update(
            **withdrawn, attachment="", attachment_sha256=""
        )
        audit_record(
            actor=by,
            action="proposal.withdraw",
            obj=proposal,
            before=before,
            after=withdrawn,
            at=now,
        )
    proposal.refresh_from_db()
    return proposal

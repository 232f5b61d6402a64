"""Business rules of organization applications to a docs program: the application with its
budgeted doc-project proposal, its submission and the manager's decision.

Every deadline is decided here at request time against the `now` the caller passes in.
"""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from audit.services import audit_record
from docs_season.models import BudgetItem, DocProposal, DocProposalStatus
from docs_season.services.budget import BudgetProblem, budget_problems
from programs.guards import require_manager, require_org_admin
from programs.models import (
    Membership,
    MilestoneKind,
    Organization,
    Participation,
    ParticipationStatus,
    Program,
    Role,
)
from programs.services import membership_add
from programs.windows import milestone_error, milestone_of

NOT_DOCS = "This is not a docs program."
APPLICATIONS_NOT_OPEN = "Organization applications open at {opens} UTC."
APPLICATIONS_CLOSED = "Organization applications closed at {deadline} UTC."
ALREADY_APPLIED = "{org} has already applied to this program."
NOT_YOUR_ORG = "You are not an org admin of {org}; ask one of its org admins to apply."
NOT_EDITABLE = "The proposal was submitted and the application window has closed: it is read-only."
REQUIRED = "Fill this in before submitting."


def applications_error(program: Program, now: datetime) -> str | None:
    """Why an organization cannot apply or submit at `now`, or None while the window is open."""
    return milestone_error(
        milestone_of(program, MilestoneKind.ORG_APPLICATIONS),
        now,
        not_open=APPLICATIONS_NOT_OPEN,
        closed=APPLICATIONS_CLOSED,
    )


def org_apply(
    *,
    program: Program,
    by,
    now: datetime,
    organization: Organization | None = None,
    name: str = "",
    website: str = "",
    description: str = "",
) -> Participation:
    """Apply for an organization (an existing one the user administers, or a new one); a docs
    program's application carries a draft doc-project proposal."""
    if error := applications_error(program, now):
        raise ValidationError(error)
    with transaction.atomic():
        if organization is None:
            organization = Organization(
                name=name.strip(),
                slug=_free_slug(name),
                website=website,
                description=description,
            )
            organization.full_clean()
            organization.save()
        elif not Membership.objects.filter(
            user=by, role=Role.ORG_ADMIN, participation__organization=organization
        ).exists():
            raise PermissionDenied(NOT_YOUR_ORG.format(org=organization))
        try:
            with transaction.atomic():
                participation = Participation.objects.create(
                    organization=organization, program=program, applied_at=now
                )
        except IntegrityError:
            raise ValidationError(ALREADY_APPLIED.format(org=organization)) from None
        membership_add(participation=participation, user=by, role=Role.ORG_ADMIN, by=by)
        if program.is_docs:
            DocProposal.objects.create(participation=participation, title="")
    return participation


def _free_slug(name: str) -> str:
    base = slugify(name)[:90] or "organization"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def doc_proposal_save(
    *, proposal: DocProposal, by, data: dict, items: list[dict], now: datetime
) -> list[BudgetProblem]:
    """Save the proposal and its budget as typed, and return the budget rules it breaks.

    A draft is always saved, even with problems or after the window closed, so nothing typed is
    lost; a submitted proposal may change only while applications are open.
    """
    participation = proposal.participation
    require_org_admin(participation, by)
    if proposal.status == DocProposalStatus.SUBMITTED and applications_error(
        participation.program, now
    ):
        raise ValidationError(NOT_EDITABLE)
    with transaction.atomic():
        for name, value in data.items():
            setattr(proposal, name, value)
        proposal.full_clean()
        proposal.save()
        proposal.budget_items.all().delete()
        BudgetItem.objects.bulk_create(
            BudgetItem(
                proposal=proposal,
                position=n,
                kind=item["kind"],
                description=(item.get("description") or "")[:300],
                amount=item["amount"],
            )
            for n, item in enumerate(items, start=1)
            if item["amount"] > 0  # the database refuses non-positive lines; the problem is shown
        )
        if proposal.status == DocProposalStatus.SUBMITTED:
            participation.budget_requested = sum((i["amount"] for i in items), Decimal(0))
            participation.save(update_fields=["budget_requested"])
    return budget_problems(
        program=participation.program, items=items, justification=proposal.budget_justification
    )


REQUIRED_PROPOSAL_FIELDS = ("title", "about_organization", "problem", "scope", "success_metrics")


def doc_proposal_submit(*, proposal: DocProposal, by, now: datetime) -> DocProposal:
    """Submit the stored proposal inside the application window, with every rule met."""
    participation = proposal.participation
    require_org_admin(participation, by)
    proposal.refresh_from_db()
    if error := applications_error(participation.program, now):
        raise ValidationError(error, code="window")
    missing = {name: [REQUIRED] for name in REQUIRED_PROPOSAL_FIELDS if not getattr(proposal, name)}
    if missing:
        raise ValidationError(missing)
    items = [
        {"kind": i.kind, "description": i.description, "amount": i.amount}
        for i in proposal.budget_items.all()
    ]
    problems = budget_problems(
        program=participation.program, items=items, justification=proposal.budget_justification
    )
    if problems:
        raise ValidationError([p.message for p in problems], code="budget")
    with transaction.atomic():
        before = {"status": proposal.status, "budget_requested": participation.budget_requested}
        proposal.status = DocProposalStatus.SUBMITTED
        proposal.submitted_at = now
        proposal.save(update_fields=["status", "submitted_at"])
        participation.budget_requested = sum((i["amount"] for i in items), Decimal(0))
        participation.save(update_fields=["budget_requested"])
        audit_record(
            actor=by,
            action="doc_proposal.submit",
            obj=proposal,
            before=before,
            after={"status": proposal.status, "budget_requested": participation.budget_requested},
            program=participation.program_id,
            at=now,
        )
    return proposal


def participation_decide(*, participation: Participation, by, accept: bool, now: datetime):
    """A manager accepts or rejects an organization's application."""
    require_manager(participation.program, by)
    before = {"status": participation.status}
    participation.status = ParticipationStatus.ACCEPTED if accept else ParticipationStatus.REJECTED
    participation.decided_at = now
    participation.decided_by = by
    with transaction.atomic():
        participation.save(update_fields=["status", "decided_at", "decided_by"])
        audit_record(
            actor=by,
            action="participation.decide",
            obj=participation,
            before=before,
            after={"status": participation.status},
            at=now,
        )
    return participation

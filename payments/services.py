"""Business rules of payouts: what each milestone pays, the records the scheduler creates once per
milestone, and the status workflow with its history."""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q

from applications.models import Project
from audit.services import audit_record
from docs_season.models import CaseStudy, CaseStudyStatus, Hire
from evaluations.models import Evaluation, EvaluationKind, Side
from payments.models import (
    CountryFactor,
    ExpenseType,
    Milestone,
    Payout,
    PayoutStatus,
    PayoutStatusChange,
)
from payments.money import clamp, split, to_cents
from programs.models import Membership, Participation, ParticipationStatus, Program, Role
from programs.services import is_program_manager

NOT_ALLOWED = "Only {who} can move this payout from {from_} to {to}."
BAD_TRANSITION = "A payout that is {from_} cannot become {to}."

# Which status may follow which; terminal statuses have no successor.
TRANSITIONS = {
    PayoutStatus.DRAFT: {PayoutStatus.PENDING, PayoutStatus.CANCELED},
    PayoutStatus.PENDING: {PayoutStatus.APPROVED, PayoutStatus.REJECTED, PayoutStatus.CANCELED,
                           PayoutStatus.ERROR},
    # A fiscal host may still reject an expense the collective approved.
    PayoutStatus.APPROVED: {PayoutStatus.PAID, PayoutStatus.REJECTED, PayoutStatus.CANCELED,
                            PayoutStatus.ERROR},
    PayoutStatus.ERROR: {PayoutStatus.PENDING, PayoutStatus.CANCELED},
    PayoutStatus.PAID: set(),
    PayoutStatus.REJECTED: set(),
    PayoutStatus.CANCELED: set(),
}  # fmt: skip


# Amounts ----------------------------------------------------------------------------------


def coding_stipend(
    *, program: Program, size: int, country: str, factors: dict[str, Decimal] | None = None
) -> Decimal:
    """Base stipend for the size times the country's factor, clamped to the program's floor and
    ceiling (as multiples of the base), in whole cents. `factors` (country → factor of this
    program) spares a query per call when many stipends are computed."""
    base = Decimal(program.stipend_base[str(size)])
    if factors is not None:
        factor = factors.get(country)
    else:
        factor = (
            CountryFactor.objects.filter(program=program, country=country)
            .values_list("factor", flat=True)
            .first()
        )
    factor = clamp(
        Decimal(factor) if factor is not None else Decimal(1),
        program.stipend_factor_floor,
        program.stipend_factor_ceiling,
    )
    return to_cents(base * factor)


def coding_parts(*, program: Program, total: Decimal) -> dict[str, Decimal]:
    midterm, final = split(total, [program.midterm_payout_percent, program.final_payout_percent])
    return {Milestone.CODING_MIDTERM: midterm, Milestone.CODING_FINAL: final}


def grant_parts(*, program: Program, total: Decimal) -> dict[str, Decimal]:
    hire, final = split(total, [program.hire_payout_percent, program.final_grant_payout_percent])
    return {Milestone.GRANT_HIRE: hire, Milestone.GRANT_FINAL: final}


def _reference(program: Program, milestone: str, subject: str) -> str:
    return f"SEASONS-{program.slug}-{milestone}-{subject}".upper()


# Records created by the scheduler ---------------------------------------------------------


def _audit_created(payout: Payout, *, by, now: datetime) -> None:
    audit_record(
        actor=by,
        action="payout.create",
        obj=payout,
        before={},
        after={
            "status": payout.status,
            "milestone": payout.milestone,
            "amount": payout.amount,
            "currency": payout.currency,
            "reference": payout.reference,
        },
        at=now,
    )


def _create(*, now: datetime, payee_slug: str = "", **fields) -> Payout | None:
    """Create the payout unless its (project or grant, milestone) already has one, or its share
    is nothing (a program may set a 0% part)."""
    if fields["amount"] <= 0:
        return None
    program = fields["program"]
    payout = Payout(
        created_at=now,
        status=PayoutStatus.DRAFT,
        collective_slug=program.opencollective_collective,
        host_slug=program.opencollective_host,
        payee_slug=payee_slug or fields["participation"].organization.opencollective_slug,
        payout_method_type="OTHER" if not payee_slug else "BANK_ACCOUNT",
        **fields,
    )
    try:
        with transaction.atomic():
            payout.save()
            PayoutStatusChange.objects.create(
                payout=payout, to_status=PayoutStatus.DRAFT, at=now, reason="milestone reached"
            )
            _audit_created(payout, by=None, now=now)
    except IntegrityError:
        return None  # already recorded, by an earlier or a concurrent run
    return payout


def _coding_country(project: Project) -> str:
    profile = getattr(project.contributor, "contributor_profile", None)
    return profile.country_of_residence if profile else ""


def payouts_create_due(*, now: datetime) -> list[Payout]:
    """Create every payout whose milestone has been reached and that has none yet (idempotent)."""
    created = []
    passed_midterm = Evaluation.objects.filter(
        period__project=OuterRef("pk"),
        period__kind=EvaluationKind.MIDTERM,
        period__side=Side.MENTOR,
        passed=True,
    )
    contributor_midterm = Evaluation.objects.filter(
        period__project=OuterRef("pk"),
        period__kind=EvaluationKind.MIDTERM,
        period__side=Side.CONTRIBUTOR,
    )
    projects = (
        Project.objects.select_related(
            "participation__program", "contributor__contributor_profile"
        )
        .annotate(midterm_ok=Exists(passed_midterm) & Exists(contributor_midterm))
        .annotate(
            has_midterm=Exists(Payout.objects.filter(project=OuterRef("pk"),
                                                     milestone=Milestone.CODING_MIDTERM)),
            has_final=Exists(Payout.objects.filter(project=OuterRef("pk"),
                                                   milestone=Milestone.CODING_FINAL)),
        )
        .filter(
            Q(midterm_ok=True, has_midterm=False) | Q(status="passed", has_final=False)
        )
    )  # fmt: skip
    factors = {}  # program id → {country: factor}, read once per program
    for project in projects:
        program = project.participation.program
        if program.pk not in factors:
            factors[program.pk] = dict(
                CountryFactor.objects.filter(program=program).values_list("country", "factor")
            )
        total = coding_stipend(
            program=program,
            size=project.size,
            country=_coding_country(project),
            factors=factors[program.pk],
        )
        parts = coding_parts(program=program, total=total)
        due = []
        if project.midterm_ok and not project.has_midterm:
            due.append(Milestone.CODING_MIDTERM)
        # A failed or missed evaluation ends the project as failed: it never passes, so no final.
        if project.status == "passed" and not project.has_final:
            due.append(Milestone.CODING_FINAL)
        for milestone in due:
            payout = _create(
                now=now,
                reference=_reference(program, milestone, f"P{project.pk}"),
                program=program,
                participation=project.participation,
                project=project,
                payee=project.contributor,
                payee_slug=getattr(
                    getattr(project.contributor, "contributor_profile", None),
                    "opencollective_slug",
                    "",
                ),
                milestone=milestone,
                amount=parts[milestone],
                currency=program.currency,
                expense_type=ExpenseType.INVOICE,
                description=f"{Milestone(milestone).label}: {project.title}",
            )
            if payout:
                created.append(payout)
    created += _org_stipends(now)
    created += _grants(now)
    return created


def _org_stipends(now: datetime) -> list[Payout]:
    """Per passed contributor, once every project of the organization has ended."""
    created = []
    participations = (
        Participation.objects.filter(program__kind="coding")
        .annotate(
            active=Count("projects", filter=Q(projects__status="active")),
            passed=Count("projects", filter=Q(projects__status="passed")),
        )
        .filter(active=0, passed__gt=0)
        .exclude(payouts__milestone=Milestone.ORG_STIPEND)
        .select_related("program", "organization")
    )
    for participation in participations:
        program = participation.program
        payout = _create(
            now=now,
            reference=_reference(program, Milestone.ORG_STIPEND, f"O{participation.pk}"),
            program=program,
            participation=participation,
            milestone=Milestone.ORG_STIPEND,
            amount=to_cents(program.org_stipend_per_contributor * participation.passed),
            currency=program.currency,
            expense_type=ExpenseType.INVOICE,
            description=f"Organization stipend: {participation.passed} contributor(s)",
        )
        if payout:
            created.append(payout)
    return created


def _grant_payout(milestone: str):
    return Payout.objects.filter(
        participation=OuterRef("pk"), project__isnull=True, milestone=milestone
    )


def _grants(now: datetime) -> list[Payout]:
    """Docs grants: the first part once a writer is hired, the rest once the case study (with
    the final project evaluation) is accepted."""
    created = []
    participations = (
        Participation.objects.filter(
            program__kind="docs",
            status=ParticipationStatus.ACCEPTED,
            budget_requested__gt=0,
        )
        .annotate(
            hired=Exists(Hire.objects.filter(participation=OuterRef("pk"))),
            case_study_accepted=Exists(
                CaseStudy.objects.filter(
                    participation=OuterRef("pk"), status=CaseStudyStatus.ACCEPTED
                )
            ),
            # Grants already recorded are skipped here, not by a failing insert per grant.
            has_hire=Exists(_grant_payout(Milestone.GRANT_HIRE)),
            has_final=Exists(_grant_payout(Milestone.GRANT_FINAL)),
        )
        .filter(Q(hired=True, has_hire=False) | Q(case_study_accepted=True, has_final=False))
        .select_related("program", "organization")
    )
    for participation in participations:
        program = participation.program
        parts = grant_parts(program=program, total=participation.budget_requested)
        due = [Milestone.GRANT_HIRE] if participation.hired and not participation.has_hire else []
        if participation.case_study_accepted and not participation.has_final:
            due.append(Milestone.GRANT_FINAL)
        for milestone in due:
            payout = _create(
                now=now,
                reference=_reference(program, milestone, f"O{participation.pk}"),
                program=program,
                participation=participation,
                milestone=milestone,
                amount=parts[milestone],
                currency=program.currency,
                expense_type=ExpenseType.GRANT,
                description=f"{Milestone(milestone).label}: {participation.organization}",
            )
            if payout:
                created.append(payout)
    return created


# Workflow ---------------------------------------------------------------------------------


def may_move_payout(payout: Payout, by) -> bool:
    """Managers move stipends and grants; org admins record their own payments to writers."""
    if by is None:  # the scheduler or the OpenCollective sync
        return True
    if payout.milestone == Milestone.WRITER_PAYMENT:
        return Membership.objects.filter(
            user=by, participation_id=payout.participation_id, role=Role.ORG_ADMIN
        ).exists()
    return is_program_manager(user=by, program=payout.program)


def payout_transition(
    *, payout: Payout, to: str, by, now: datetime, reason: str = "", **fields
) -> Payout:
    """Move the payout to `to` if the workflow and the actor allow it; logs who, when and why.

    The change is claimed atomically on the current status, so two concurrent moves (a manager
    and the sync) cannot both apply.
    """
    current = payout.status
    if to not in TRANSITIONS[current]:
        raise ValidationError(
            BAD_TRANSITION.format(
                from_=PayoutStatus(current).label.lower(), to=PayoutStatus(to).label.lower()
            )
        )
    if not may_move_payout(payout, by):
        who = (
            "an org admin of this organization"
            if payout.milestone == Milestone.WRITER_PAYMENT
            else "a manager of this program"
        )
        raise PermissionDenied(
            NOT_ALLOWED.format(
                who=who,
                from_=PayoutStatus(current).label.lower(),
                to=PayoutStatus(to).label.lower(),
            )
        )
    if to == PayoutStatus.PAID:
        fields.setdefault("paid_at", now)
    with transaction.atomic():
        changed = Payout.objects.filter(pk=payout.pk, status=current).update(status=to, **fields)
        if not changed:
            payout.refresh_from_db()
            raise ValidationError(
                f"The payout changed meanwhile (it is now {payout.get_status_display().lower()})."
            )
        PayoutStatusChange.objects.create(
            payout=payout, from_status=current, to_status=to, by=by, at=now, reason=reason[:300]
        )
        audit_record(
            actor=by,
            action="payout.transition",
            obj=payout,
            before={"status": current},
            after={"status": to, **fields, **({"reason": reason[:300]} if reason else {})},
            at=now,
        )
    payout.refresh_from_db()
    if to == PayoutStatus.APPROVED:
        # Mirror it on OpenCollective now rather than at the next sync (a no-op without a token).
        from payments.tasks import push_payout

        # Robust: with the broker unreachable the approval stands (the error is logged) and the
        # next sync, every 15 minutes, pushes it.
        transaction.on_commit(lambda: push_payout.delay(payout.pk), robust=True)
    return payout


def writer_payment_record(
    *, participation: Participation, by, hire: Hire, amount: Decimal, now: datetime, note: str = ""
) -> Payout:
    """An org admin records a payment to one of its hired writers."""
    if not Membership.objects.filter(
        user=by, participation=participation, role=Role.ORG_ADMIN
    ).exists():
        raise PermissionDenied("Only org admins of this organization record writer payments.")
    if hire.participation_id != participation.pk:
        raise ValidationError("That writer is not hired by this organization.")
    program = participation.program
    count = Payout.objects.filter(participation=participation, payee=hire.writer).count() + 1
    payout = Payout(
        reference=_reference(
            program, Milestone.WRITER_PAYMENT, f"O{participation.pk}-W{hire.writer_id}-{count}"
        ),
        program=program,
        participation=participation,
        payee=hire.writer,
        milestone=Milestone.WRITER_PAYMENT,
        amount=to_cents(amount),
        currency=program.currency,
        expense_type=ExpenseType.INVOICE,
        description=note or f"Payment to {hire.writer}",
        created_at=now,
        collective_slug=participation.organization.opencollective_slug,
        host_slug=program.opencollective_host,
        payee_slug=getattr(getattr(hire.writer, "writer_profile", None), "opencollective_slug", ""),
        payout_method_type="BANK_ACCOUNT",
    )
    payout.full_clean()
    with transaction.atomic():
        payout.save()
        PayoutStatusChange.objects.create(
            payout=payout, to_status=PayoutStatus.DRAFT, by=by, at=now, reason="recorded"
        )
        _audit_created(payout, by=by, now=now)
    return payout

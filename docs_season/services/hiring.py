"""Statements of interest from technical writers and their hiring, up to the hiring deadline."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from audit.services import audit_record
from docs_season.models import (
    BudgetItem,
    BudgetKind,
    Hire,
    StatementOfInterest,
    WriterProfile,
)
from docs_season.services.budget import money_text
from docs_season.services.organizations import NOT_DOCS
from programs.guards import require_org_admin
from programs.models import (
    Milestone,
    MilestoneKind,
    Participation,
    ParticipationStatus,
    Program,
)
from programs.windows import milestone_error, milestone_of

NOT_A_WRITER = "Create your technical writer profile before sending a statement of interest."
ORG_NOT_ACCEPTED = "{org} is not an accepted organization of this program."
HIRING_CLOSED = "The technical writer hiring deadline passed at {deadline} UTC; hiring is closed."
HOURS_OUT_OF_RANGE = "Writers commit {low} to {high} hours a week in this program."
ALREADY_HIRED = "{writer} is already hired by this organization."
HOURS_BELOW_A_WEEK = "The hours agreed ({hours}) are fewer than one week's {per_week} hours."
OVER_WRITER_BUDGET = (
    "US${amount} is more than the US${left} left of the project's technical writer budget "
    "(US${budget}, of which US${committed} is committed to earlier hires)."
)
OVER_PROGRAM_MAXIMUM = "US${amount} is above the program's US${maximum} maximum for a project."


@dataclass(frozen=True)
class WriterBudget:
    """The technical writer lines of the organization's proposal and what hires took of them."""

    budget: Decimal
    committed: Decimal

    @property
    def left(self) -> Decimal:
        return max(self.budget - self.committed, Decimal("0"))


def writer_budget(participation: Participation, hires: list[Hire] | None = None) -> WriterBudget:
    """What the organization may still offer writers: its proposal's technical writer lines
    less the compensation of the writers already hired (`hires`, when the caller holds them)."""
    lines = BudgetItem.objects.filter(
        proposal__participation=participation, kind=BudgetKind.TECHNICAL_WRITER
    ).aggregate(total=Sum("amount"))["total"]
    if hires is None:
        hired = participation.hires.aggregate(total=Sum("compensation"))["total"]
    else:
        hired = sum((hire.compensation for hire in hires), Decimal("0"))
    return WriterBudget(budget=lines or Decimal("0"), committed=hired or Decimal("0"))


def _hire_problems(
    *, participation: Participation, agreed_hours: int, hours_per_week: int, compensation: Decimal
) -> dict[str, list[str]]:
    """Every rule a hire breaks, by field, all at once."""
    program = participation.program
    problems: dict[str, list[str]] = {}
    if not (program.writer_hours_min <= hours_per_week <= program.writer_hours_max):
        problems.setdefault("hours_per_week", []).append(
            HOURS_OUT_OF_RANGE.format(low=program.writer_hours_min, high=program.writer_hours_max)
        )
    if agreed_hours < hours_per_week:
        problems.setdefault("agreed_hours", []).append(
            HOURS_BELOW_A_WEEK.format(hours=agreed_hours, per_week=hours_per_week)
        )
    budget = writer_budget(participation)
    if compensation > budget.left:
        problems.setdefault("compensation", []).append(
            OVER_WRITER_BUDGET.format(
                amount=money_text(compensation),
                left=money_text(budget.left),
                budget=money_text(budget.budget),
                committed=money_text(budget.committed),
            )
        )
    if program.budget_max and compensation > program.budget_max:
        problems.setdefault("compensation", []).append(
            OVER_PROGRAM_MAXIMUM.format(
                amount=money_text(compensation), maximum=money_text(program.budget_max)
            )
        )
    return problems


def _hiring_deadline(program: Program) -> Milestone | None:
    return milestone_of(program, MilestoneKind.HIRING_DEADLINE)


def hiring_error(program: Program, now: datetime) -> str | None:
    """Why a writer cannot be hired at `now`, or None until the hiring deadline has passed."""
    return milestone_error(_hiring_deadline(program), now, closed=HIRING_CLOSED)


def require_accepted_docs(participation: Participation) -> None:
    """Refused unless the organization is accepted into a docs program."""
    if not participation.program.is_docs:
        raise ValidationError(NOT_DOCS)
    if participation.status != ParticipationStatus.ACCEPTED:
        raise ValidationError(ORG_NOT_ACCEPTED.format(org=participation.organization))


def statement_send(
    *, participation: Participation, writer, message: str, now: datetime
) -> StatementOfInterest:
    """A writer's statement of interest to an accepted organization, until hiring closes.
    Sending again replaces the earlier message."""
    if not WriterProfile.objects.filter(user=writer).exists():
        raise ValidationError(NOT_A_WRITER)
    require_accepted_docs(participation)
    if error := hiring_error(participation.program, now):
        raise ValidationError(error)
    statement, _ = StatementOfInterest.objects.update_or_create(
        participation=participation,
        writer=writer,
        defaults={"message": message.strip(), "sent_at": now},
    )
    statement.full_clean()
    return statement


def writer_hire(
    *,
    participation: Participation,
    by,
    writer,
    agreed_hours: int,
    hours_per_week: int,
    compensation: Decimal,
    now: datetime,
) -> Hire:
    """Hire a writer for the organization's project, up to and including the hiring deadline."""
    require_org_admin(participation, by)
    require_accepted_docs(participation)
    program = participation.program
    if error := hiring_error(program, now):
        raise ValidationError(error, code="hiring_closed")
    if not WriterProfile.objects.filter(user=writer).exists():
        raise ValidationError(NOT_A_WRITER)
    if participation.hires.filter(writer=writer).exists():
        raise ValidationError(ALREADY_HIRED.format(writer=writer))
    if problems := _hire_problems(
        participation=participation,
        agreed_hours=agreed_hours,
        hours_per_week=hours_per_week,
        compensation=compensation,
    ):
        raise ValidationError(problems)
    hire = Hire(
        participation=participation,
        writer=writer,
        agreed_hours=agreed_hours,
        hours_per_week=hours_per_week,
        compensation=compensation,
        currency=program.currency,
        hired_at=now,
        hired_by=by,
    )
    try:
        hire.full_clean(validate_constraints=False)
        with transaction.atomic():
            hire.save()
            audit_record(
                actor=by,
                action="hire.create",
                obj=hire,
                before={},
                after={
                    "writer": writer.pk,
                    "agreed_hours": agreed_hours,
                    "hours_per_week": hours_per_week,
                    "compensation": compensation,
                    "currency": hire.currency,
                },
                program=program,
                at=now,
            )
    except IntegrityError:
        raise ValidationError(ALREADY_HIRED.format(writer=writer)) from None
    return hire

"""Business rules of the docs season: organization applications with a budgeted doc-project
proposal, statements of interest, hiring, case studies and follow-up surveys.

Every deadline is decided here at request time against the `now` the caller passes in.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from applications.models import (
    BudgetItem,
    BudgetKind,
    CaseStudy,
    CaseStudyStatus,
    Deliverable,
    DocProposal,
    DocProposalStatus,
    Hire,
    Lesson,
    StatementOfInterest,
    Survey,
    SurveyResponse,
    WriterProfile,
)
from audit.services import audit_record
from programs.models import (
    Membership,
    Milestone,
    MilestoneKind,
    Organization,
    Participation,
    ParticipationStatus,
    Program,
    Role,
)
from programs.services import is_program_manager, membership_add

NOT_DOCS = "This is not a docs program."
APPLICATIONS_NOT_OPEN = "Organization applications open at {opens} UTC."
APPLICATIONS_CLOSED = "Organization applications closed at {deadline} UTC."
ALREADY_APPLIED = "{org} has already applied to this program."
NOT_YOUR_ORG = "You are not an org admin of {org}; ask one of its org admins to apply."
NOT_ORG_ADMIN = "Only org admins of this organization can do this."
NOT_EDITABLE = "The proposal was submitted and the application window has closed: it is read-only."
REQUIRED = "Fill this in before submitting."

TOTAL_OUT_OF_RANGE = (
    "The budget total is US${total}; the program expects US${low} to {high}. Bring it into range, "
    "or explain why in the budget justification."
)
WRITER_SHARE_TOO_LOW = (
    "Technical writers get {share}% of the budget (US${writers} of US${total}); at least "
    "{minimum}% is required."
)
SWAG_TOO_HIGH = "Swag totals US${swag}; it must stay under US${cap}."
STIPEND_TOO_HIGH = "Line {line}: a volunteer stipend of US${amount} is above the US${cap} cap."
DONATIONS_TOO_HIGH = (
    "Donations total US${donations}, {share}% of the budget; at most {maximum}% is allowed."
)
AMOUNT_NOT_POSITIVE = "Line {line}: the amount must be more than zero."
DESCRIPTION_MISSING = "Line {line}: describe what this amount pays for."
NO_ITEMS = "Add the budget's lines (at least the technical writer)."

NOT_A_WRITER = "Create your technical writer profile before sending a statement of interest."
ORG_NOT_ACCEPTED = "{org} is not an accepted organization of this program."
HIRING_CLOSED = "The technical writer hiring deadline passed at {deadline} UTC; hiring is closed."
HOURS_OUT_OF_RANGE = "Writers commit {low} to {high} hours a week in this program."
ALREADY_HIRED = "{writer} is already hired by this organization."
CASE_STUDY_NOT_OPEN = "Case studies can be submitted from {opens} UTC until {closes} UTC."
CASE_STUDY_LOCKED = "The case study is {status} and can no longer be changed."
NOT_MANAGER = "Only a manager of this program can do this."
SURVEY_NOT_OPEN = "This survey is open from {opens} UTC until {closes} UTC."
SURVEY_ANSWERED = "Your organization has already answered this survey."


def _fmt(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%d %H:%M:%S")


def _milestone(program: Program, kind: str, sequence: int = 1) -> Milestone | None:
    return program.milestones.filter(kind=kind, sequence=sequence).first()


def _check_org_admin(participation: Participation, by) -> None:
    if not participation.memberships.filter(user=by, role=Role.ORG_ADMIN).exists():
        raise PermissionDenied(NOT_ORG_ADMIN)


def _check_manager(program: Program, by) -> None:
    if not is_program_manager(user=by, program=program):
        raise PermissionDenied(NOT_MANAGER)


def applications_error(program: Program, now: datetime) -> str | None:
    """Why an organization cannot apply or submit at `now`, or None while the window is open."""
    window = _milestone(program, MilestoneKind.ORG_APPLICATIONS)
    if window is None:
        return None
    if window.starts_at and now < window.starts_at:
        return APPLICATIONS_NOT_OPEN.format(opens=_fmt(window.starts_at))
    if now > window.ends_at:
        return APPLICATIONS_CLOSED.format(deadline=_fmt(window.ends_at))
    return None


# Organization applications ----------------------------------------------------------------


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


# Budgets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetProblem:
    rule: str
    message: str
    line: int | None = None  # 1-based line of the budget, when the rule is about one line


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _plain(value: Decimal) -> str:
    """60.00 -> "60", 12.50 -> "12.5": a setting as people write it."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else Decimal(0)


def budget_problems(
    *, program: Program, items: list[dict], justification: str = ""
) -> list[BudgetProblem]:
    """Every budget rule the lines break. `items`: dicts with kind, description, amount."""
    problems = []
    if not items:
        return [BudgetProblem("items", NO_ITEMS)]
    for line, item in enumerate(items, start=1):
        if not (item.get("description") or "").strip():
            problems.append(
                BudgetProblem("description", DESCRIPTION_MISSING.format(line=line), line)
            )
        if item["amount"] <= 0:
            problems.append(BudgetProblem("amount", AMOUNT_NOT_POSITIVE.format(line=line), line))
        if (
            item["kind"] == BudgetKind.VOLUNTEER_STIPEND
            and item["amount"] > program.volunteer_stipend_max
        ):
            problems.append(
                BudgetProblem(
                    "volunteer_stipend",
                    STIPEND_TOO_HIGH.format(
                        line=line,
                        amount=_money(item["amount"]),
                        cap=_money(program.volunteer_stipend_max),
                    ),
                    line,
                )
            )
    total = sum((i["amount"] for i in items), Decimal(0))

    def of_kind(kind):
        return sum((i["amount"] for i in items if i["kind"] == kind), Decimal(0))

    if not (program.budget_min <= total <= program.budget_max) and not justification.strip():
        problems.append(
            BudgetProblem(
                "total",
                TOTAL_OUT_OF_RANGE.format(
                    total=_money(total),
                    low=_money(program.budget_min),
                    high=_money(program.budget_max),
                ),
            )
        )
    writers = of_kind(BudgetKind.TECHNICAL_WRITER)
    if total > 0 and writers * 100 < program.writer_budget_min_percent * total:
        problems.append(
            BudgetProblem(
                "writer_share",
                WRITER_SHARE_TOO_LOW.format(
                    share=_percent(writers, total),
                    writers=_money(writers),
                    total=_money(total),
                    minimum=_plain(program.writer_budget_min_percent),
                ),
            )
        )
    swag = of_kind(BudgetKind.SWAG)
    if swag >= program.swag_max:
        problems.append(
            BudgetProblem(
                "swag", SWAG_TOO_HIGH.format(swag=_money(swag), cap=_money(program.swag_max))
            )
        )
    donations = of_kind(BudgetKind.DONATION)
    if total > 0 and donations * 100 > program.donation_max_percent * total:
        problems.append(
            BudgetProblem(
                "donations",
                DONATIONS_TOO_HIGH.format(
                    donations=_money(donations),
                    share=_percent(donations, total),
                    maximum=_plain(program.donation_max_percent),
                ),
            )
        )
    return problems


def doc_proposal_save(
    *, proposal: DocProposal, by, data: dict, items: list[dict], now: datetime
) -> list[BudgetProblem]:
    """Save the proposal and its budget as typed, and return the budget rules it breaks.

    A draft is always saved, even with problems or after the window closed, so nothing typed is
    lost; a submitted proposal may change only while applications are open.
    """
    participation = proposal.participation
    _check_org_admin(participation, by)
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
    _check_org_admin(participation, by)
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
    _check_manager(participation.program, by)
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


# Writers: statements of interest and hiring ------------------------------------------------


def _hiring_deadline(program: Program) -> Milestone | None:
    return _milestone(program, MilestoneKind.HIRING_DEADLINE)


def hiring_error(program: Program, now: datetime) -> str | None:
    deadline = _hiring_deadline(program)
    if deadline is not None and now > deadline.ends_at:
        return HIRING_CLOSED.format(deadline=_fmt(deadline.ends_at))
    return None


def _check_accepted_docs(participation: Participation) -> None:
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
    _check_accepted_docs(participation)
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
    _check_org_admin(participation, by)
    _check_accepted_docs(participation)
    program = participation.program
    if error := hiring_error(program, now):
        raise ValidationError(error, code="hiring_closed")
    if not WriterProfile.objects.filter(user=writer).exists():
        raise ValidationError(NOT_A_WRITER)
    if not (program.writer_hours_min <= hours_per_week <= program.writer_hours_max):
        raise ValidationError(
            {
                "hours_per_week": HOURS_OUT_OF_RANGE.format(
                    low=program.writer_hours_min, high=program.writer_hours_max
                )
            }
        )
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


# Case studies -----------------------------------------------------------------------------


def case_study_for(*, participation: Participation, by) -> CaseStudy:
    _check_org_admin(participation, by)
    _check_accepted_docs(participation)
    case_study, _ = CaseStudy.objects.get_or_create(participation=participation)
    return case_study


def case_study_save(
    *,
    case_study: CaseStudy,
    by,
    data: dict,
    deliverables: list[dict],
    lessons: list[dict],
    now: datetime,
) -> CaseStudy:
    """Save the draft (or a returned case study) as typed."""
    _check_org_admin(case_study.participation, by)
    if case_study.status not in {CaseStudyStatus.DRAFT, CaseStudyStatus.RETURNED}:
        raise ValidationError(
            CASE_STUDY_LOCKED.format(status=case_study.get_status_display().lower())
        )
    with transaction.atomic():
        for name, value in data.items():
            setattr(case_study, name, value)
        case_study.full_clean()
        case_study.save()
        case_study.deliverables.all().delete()
        for n, row in enumerate(deliverables, start=1):
            item = Deliverable(case_study=case_study, position=n, **row)
            item.full_clean()
            item.save()
        case_study.lessons.all().delete()
        for row in lessons:
            lesson = Lesson(case_study=case_study, **row)
            lesson.full_clean()
            lesson.save()
    return case_study


CASE_STUDY_REQUIRED = (
    "writers_count", "project_hours", "budget_amount", "percent_complete", "problem",
    "outcomes", "went_well", "advice", "recruitment", "metrics", "analysis",
)  # fmt: skip


def case_study_window_error(program: Program, now: datetime) -> str | None:
    window = _milestone(program, MilestoneKind.CASE_STUDY)
    if window is None:
        return None
    if (window.starts_at and now < window.starts_at) or now > window.ends_at:
        return CASE_STUDY_NOT_OPEN.format(
            opens=_fmt(window.starts_at or window.ends_at), closes=_fmt(window.ends_at)
        )
    return None


def case_study_submit(*, case_study: CaseStudy, by, now: datetime) -> CaseStudy:
    """Submit the stored case study for review, inside its window."""
    _check_org_admin(case_study.participation, by)
    case_study.refresh_from_db()
    if case_study.status not in {CaseStudyStatus.DRAFT, CaseStudyStatus.RETURNED}:
        raise ValidationError(
            CASE_STUDY_LOCKED.format(status=case_study.get_status_display().lower())
        )
    if error := case_study_window_error(case_study.participation.program, now):
        raise ValidationError(error, code="window")
    missing = {
        name: [REQUIRED] for name in CASE_STUDY_REQUIRED if getattr(case_study, name) in (None, "")
    }
    if not case_study.deliverables.exists():
        missing["deliverables"] = ["List at least one deliverable with its % complete."]
    if missing:
        raise ValidationError(missing)
    before = {"status": case_study.status}
    case_study.status = CaseStudyStatus.SUBMITTED
    case_study.submitted_at = now
    with transaction.atomic():
        case_study.save(update_fields=["status", "submitted_at"])
        audit_record(
            actor=by,
            action="case_study.submit",
            obj=case_study,
            before=before,
            after={"status": case_study.status},
            program=case_study.participation.program_id,
            at=now,
        )
    return case_study


def case_study_review(
    *, case_study: CaseStudy, by, accept: bool, note: str, now: datetime
) -> CaseStudy:
    """A manager accepts a submitted case study (to be published on the results date) or
    returns it for changes."""
    _check_manager(case_study.participation.program, by)
    if case_study.status != CaseStudyStatus.SUBMITTED:
        raise ValidationError(
            CASE_STUDY_LOCKED.format(status=case_study.get_status_display().lower())
        )
    case_study.status = CaseStudyStatus.ACCEPTED if accept else CaseStudyStatus.RETURNED
    case_study.review_note = note
    case_study.reviewed_at = now
    case_study.reviewed_by = by
    with transaction.atomic():
        case_study.save(update_fields=["status", "review_note", "reviewed_at", "reviewed_by"])
        audit_record(
            actor=by,
            action="case_study.review",
            obj=case_study,
            before={"status": CaseStudyStatus.SUBMITTED},
            after={"status": case_study.status, "review_note": note},
            program=case_study.participation.program_id,
            at=now,
        )
    return case_study


# Follow-up surveys ------------------------------------------------------------------------


def survey_window(survey: Survey) -> Milestone | None:
    return _milestone(survey.program, MilestoneKind.FOLLOW_UP_SURVEY, survey.sequence)


def survey_answer(
    *, survey: Survey, participation: Participation, by, answers: dict, now: datetime
) -> SurveyResponse:
    """An org admin answers a follow-up survey for the organization, once, inside its window."""
    _check_org_admin(participation, by)
    _check_accepted_docs(participation)
    window = survey_window(survey)
    if window is None or (window.starts_at and now < window.starts_at) or now > window.ends_at:
        opens = window.starts_at or window.ends_at if window else now
        raise ValidationError(
            SURVEY_NOT_OPEN.format(
                opens=_fmt(opens), closes=_fmt(window.ends_at if window else now)
            )
        )
    errors, clean = {}, {}
    for question in survey.questions:
        key, kind = question["key"], question.get("type", "text")
        value = (answers.get(key) or "").strip()
        if not value:
            errors[key] = [REQUIRED]
        elif kind == "number":
            try:
                clean[key] = float(value)
            except ValueError:
                errors[key] = ["Give a number."]
        elif kind == "yes_no":
            if value not in {"yes", "no"}:
                errors[key] = ["Answer yes or no."]
            clean[key] = value
        else:
            clean[key] = value[:5000]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return SurveyResponse.objects.create(
                survey=survey,
                participation=participation,
                answers=clean,
                submitted_at=now,
                submitted_by=by,
            )
    except IntegrityError:
        raise ValidationError(SURVEY_ANSWERED) from None

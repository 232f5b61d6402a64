"""Case studies that close a docs season: drafted by org admins, submitted in their window, reviewed
by managers."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import audit_record
from docs_season.models import (
    CaseStudy,
    CaseStudyStatus,
    Deliverable,
    Lesson,
)
from docs_season.services.hiring import require_accepted_docs
from docs_season.services.organizations import (
    REQUIRED,
)
from programs.guards import require_manager, require_org_admin
from programs.models import (
    MilestoneKind,
    Participation,
    Program,
)
from programs.windows import milestone_error, milestone_of

CASE_STUDY_REQUIRED = (
    "writers_count", "project_hours", "budget_amount", "percent_complete", "problem",
    "outcomes", "went_well", "advice", "recruitment", "metrics", "analysis",
)  # fmt: skip
CASE_STUDY_NOT_OPEN = "Case studies can be submitted from {opens} UTC until {closes} UTC."
CASE_STUDY_LOCKED = "The case study is {status} and can no longer be changed."


def case_study_for(*, participation: Participation, by) -> CaseStudy:
    require_org_admin(participation, by)
    require_accepted_docs(participation)
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
    require_org_admin(case_study.participation, by)
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


def case_study_window_error(program: Program, now: datetime) -> str | None:
    """Why a case study cannot be submitted at `now`, or None inside the case-study window."""
    return milestone_error(
        milestone_of(program, MilestoneKind.CASE_STUDY),
        now,
        not_open=CASE_STUDY_NOT_OPEN,
        closed=CASE_STUDY_NOT_OPEN,
    )


def case_study_submit(*, case_study: CaseStudy, by, now: datetime) -> CaseStudy:
    """Submit the stored case study for review, inside its window."""
    require_org_admin(case_study.participation, by)
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
    require_manager(case_study.participation.program, by)
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

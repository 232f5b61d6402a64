"""Follow-up surveys of a docs season, answered once per organization inside their window."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from docs_season.models import (
    Survey,
    SurveyResponse,
)
from docs_season.services.hiring import require_accepted_docs
from docs_season.services.organizations import REQUIRED
from programs.guards import require_org_admin
from programs.models import (
    Milestone,
    MilestoneKind,
    Participation,
)
from programs.windows import milestone_error, milestone_of, utc_text

SURVEY_NOT_OPEN = "This survey is open from {opens} UTC until {closes} UTC."
SURVEY_ANSWERED = "Your organization has already answered this survey."


def survey_window(survey: Survey) -> Milestone | None:
    return milestone_of(survey.program, MilestoneKind.FOLLOW_UP_SURVEY, survey.sequence)


def survey_answer(
    *, survey: Survey, participation: Participation, by, answers: dict, now: datetime
) -> SurveyResponse:
    """An org admin answers a follow-up survey for the organization, once, inside its window."""
    require_org_admin(participation, by)
    require_accepted_docs(participation)
    window = survey_window(survey)
    if window is None:
        raise ValidationError(SURVEY_NOT_OPEN.format(opens=utc_text(now), closes=utc_text(now)))
    if error := milestone_error(window, now, not_open=SURVEY_NOT_OPEN, closed=SURVEY_NOT_OPEN):
        raise ValidationError(error)
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

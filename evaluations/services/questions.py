"""The questions of each kind and side of evaluation: the defaults every program starts with,
and the current version of a program's form (managers edit forms in the admin)."""

from evaluations.models import EvaluationForm, EvaluationKind, Side
from programs.models import Program

_MENTOR = [
    {"key": "grade", "label": "Should the contributor pass?", "type": "pass_fail",
     "required": True},
    {"key": "progress", "label": "How is the work going?", "type": "text", "required": True},
    {"key": "private_notes", "label": "Notes for org admins and program managers only",
     "type": "text", "required": False, "private": True},
]  # fmt: skip
_CONTRIBUTOR = [
    {"key": "mentor_rating", "label": "How helpful is your mentor?", "type": "rating",
     "required": True},
    {"key": "feedback", "label": "What would make the mentoring better?", "type": "text",
     "required": True},
]  # fmt: skip
DEFAULT_QUESTIONS = {
    (EvaluationKind.MIDTERM, Side.MENTOR): _MENTOR,
    (EvaluationKind.MIDTERM, Side.CONTRIBUTOR): _CONTRIBUTOR,
    (EvaluationKind.FINAL, Side.MENTOR): _MENTOR,
    (EvaluationKind.FINAL, Side.CONTRIBUTOR): [
        {"key": "work_url", "label": "Link to your final work product", "type": "url",
         "required": True},
        *_CONTRIBUTOR,
    ],
    (EvaluationKind.MONTHLY, Side.ORG_ADMIN): [
        {"key": "status", "label": "Is the project on track?", "type": "status", "required": True},
        {"key": "summary", "label": "What happened this month?", "type": "text", "required": True},
        {"key": "private_notes", "label": "Notes for program managers only", "type": "text",
         "required": False, "private": True},
    ],
}  # fmt: skip


def evaluation_form_for(*, program: Program, kind: str, side: str) -> EvaluationForm:
    """The newest form version a manager defined, or version 1 with the default questions."""
    form = EvaluationForm.objects.filter(program=program, kind=kind, side=side).first()
    if form is None:
        form, _ = EvaluationForm.objects.get_or_create(
            program=program,
            kind=kind,
            side=side,
            version=1,
            defaults={"questions": DEFAULT_QUESTIONS[(kind, side)]},
        )
    return form

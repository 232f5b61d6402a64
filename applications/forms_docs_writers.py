"""Forms of the docs season's second half: the writer directory, statements of interest, hiring,
case studies and follow-up surveys.

Forms only parse what was typed; the rules (deadlines, weekly hours, required answers) are
checked by the services in applications/docs.py that they feed.
"""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.models import fields_for_model, model_to_dict

from applications.models import CaseStudy, Lesson, LessonKind


class WriterFilterForm(forms.Form):
    """The GET filters of the writer directory; both optional and kept in the page."""

    skill = forms.CharField(required=False, max_length=60)
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search",
        help_text="Name, headline or bio.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class StatementForm(forms.Form):
    message = forms.CharField(
        label="Your statement of interest",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=(
            "Why this project, what you have written before (links), and how many hours a week "
            "you can give. Sending again replaces your earlier message."
        ),
    )


class HireForm(forms.Form):
    """One writer's hiring terms; the weekly-hours range is the program's, checked on save."""

    agreed_hours = forms.IntegerField(
        label="Total hours agreed", min_value=1, help_text="For the whole project."
    )
    hours_per_week = forms.IntegerField(label="Hours per week", min_value=1, max_value=80)
    compensation = forms.DecimalField(
        label="Compensation", min_value=0.01, max_digits=10, decimal_places=2
    )


# Case study ----------------------------------------------------------------------------------

# The sections of Season of Docs' case-study template, with our own guidance for each.
CASE_STUDY_SECTIONS = [
    (
        "summary",
        "Summary",
        "Write the detailed sections first, then come back and sum them up here: the four "
        "figures, the problem, what came out of it, and what you would tell the next project.",
        ["writers_count", "project_hours", "budget_amount", "percent_complete"],
        ["problem", "outcomes", "went_well", "advice"],
    ),
    (
        "description",
        "Project description",
        "What you proposed (link the proposal page on your site) and how the idea was chosen: "
        "who took part, how feedback was gathered and how long it took.",
        [],
        ["proposal_summary", "proposal_process"],
    ),
    (
        "budget",
        "Budget",
        "Compare the estimate with what happened. Misestimates are useful to others: say what "
        "you would budget next time.",
        ["budget_requested", "hours_budgeted", "hours_actual"],
        ["budget_estimate_method", "other_expenses", "budget_surprises"],
    ),
    (
        "people",
        "Recruitment, participants and timeline",
        "How you found and hired your writers and whether they stayed; who else worked on the "
        "project and in what role; whether the original timeline held.",
        [],
        ["recruitment", "other_participants", "timeline_changes"],
    ),
]
CASE_STUDY_LATER_SECTIONS = [
    (
        "unplanned",
        "Unplanned deliverables",
        "Anything created that was not planned at the start, and why.",
        [],
        ["unplanned_deliverables"],
    ),
    (
        "metrics",
        "Metrics",
        "Which metrics you chose, whether you could collect them, what changed, and how often "
        "you will collect them from now on.",
        [],
        ["metrics"],
    ),
    (
        "analysis",
        "Analysis",
        "An honest narrative: was the project a success, why or why not (or when you will "
        "know), the hurdles you met, and any new process it left behind.",
        [],
        ["analysis"],
    ),
]
CASE_STUDY_FIELDS = [
    name
    for sections in (CASE_STUDY_SECTIONS, CASE_STUDY_LATER_SECTIONS)
    for *_, figures, texts in sections
    for name in figures + texts
]
_SHORT_TEXTS = {"budget_estimate_method", "other_expenses", "budget_surprises"}


class CaseStudyForm(forms.Form):
    """The case study's own fields, built from the model so limits stay in one place.

    A plain form (not a ModelForm) so that validating does not touch the instance: only
    docs.case_study_save changes it.
    """

    def __init__(self, *args, case_study: CaseStudy, **kwargs):
        kwargs.setdefault("initial", model_to_dict(case_study, fields=CASE_STUDY_FIELDS))
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(CaseStudy, fields=CASE_STUDY_FIELDS))
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 4 if name in _SHORT_TEXTS else 6
            field.label = field.label[:1].upper() + field.label[1:]
        self.fields["writers_count"].label = "Technical writers"
        self.fields["project_hours"].label = "Writers' project hours"
        self.fields["budget_amount"].label = "Budget (US$)"
        self.fields["percent_complete"].label = "% of the project completed"
        self.fields["budget_requested"].label = "Money asked for (US$)"
        self.fields["hours_budgeted"].label = "Hours of work budgeted"
        self.fields["hours_actual"].label = "Hours of work actually needed"

    def sections(self, which=CASE_STUDY_SECTIONS):
        """(key, title, guidance, figure fields, text fields) with bound fields, for templates."""
        return [
            (key, title, guidance, [self[n] for n in figures], [self[n] for n in texts])
            for key, title, guidance, figures, texts in which
        ]

    def later_sections(self):
        return self.sections(CASE_STUDY_LATER_SECTIONS)


class DeliverableForm(forms.Form):
    title = forms.CharField(label="Deliverable", max_length=200)
    planned = forms.BooleanField(label="Planned at the start", required=False, initial=True)
    percent_complete = forms.IntegerField(
        label="% complete", validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    links = forms.CharField(
        label="Relevant links",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Published docs, pull requests: one URL per line.",
    )
    notes = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class LessonForm(forms.Form):
    # Blank first choices let an untouched spare row stay unchanged (and be skipped).
    kind = forms.ChoiceField(choices=[("", "—"), *LessonKind.choices])
    topic = forms.ChoiceField(choices=[("", "—")] + [(t, t) for t in Lesson.TOPICS])
    what_we_did = forms.CharField(
        label="What we did", max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )
    lesson = forms.CharField(
        label="Lesson learned",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For things to improve, say what you would do differently.",
    )


DeliverableFormSet = forms.formset_factory(DeliverableForm, extra=2, can_delete=True)
LessonFormSet = forms.formset_factory(LessonForm, extra=3, can_delete=True)


def formset_rows(formset) -> list[dict]:
    """The rows kept: filled in and not marked for removal."""
    return [
        {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


# Follow-up surveys ---------------------------------------------------------------------------

YES_NO = [("yes", "Yes"), ("no", "No")]


class SurveyForm(forms.Form):
    """One field per question of the survey (its questions are data). Answers stay strings:
    docs.survey_answer parses and checks them."""

    def __init__(self, *args, questions: list[dict], disabled: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            kind = question.get("type", "text")
            if kind == "number":
                field = forms.CharField(widget=forms.NumberInput(attrs={"step": "any"}))
            elif kind == "yes_no":
                field = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect)
            else:
                field = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
            field.label = question.get("label") or question["key"]
            field.disabled = disabled
            self.fields[question["key"]] = field

    def answers(self) -> dict[str, str]:
        return {key: str(value) for key, value in self.cleaned_data.items()}

"""Forms of the docs season: organization applications with their budget, the writer profile,
statements of interest, hiring, case studies and surveys."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.models import fields_for_model, model_to_dict

from docs_season.models import (
    BudgetItem,
    BudgetKind,
    CaseStudy,
    DocProposal,
    Lesson,
    LessonKind,
    WriterProfile,
)
from programs.models import Organization


class WriterProfileForm(forms.ModelForm):
    skills = forms.CharField(
        required=False, help_text="Comma-separated, e.g. API reference, tutorials, Sphinx."
    )
    portfolio_links = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One URL per line.",
    )

    class Meta:
        model = WriterProfile
        fields = [
            "display_name",
            "headline",
            "bio",
            "country_of_residence",
            "timezone",
            "skills",
            "portfolio_links",
            "hours_per_week_min",
            "hours_per_week_max",
            "is_public",
            "opencollective_slug",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["skills"] = ", ".join(self.instance.skills)
            self.initial["portfolio_links"] = "\n".join(self.instance.portfolio_links)

    def clean_skills(self):
        return [s.strip() for s in self.cleaned_data["skills"].split(",") if s.strip()]

    def clean_portfolio_links(self):
        validator = forms.URLField()
        links = [line.strip() for line in self.cleaned_data["portfolio_links"].splitlines()]
        return [validator.clean(link) for link in links if link]

    def clean(self):
        data = super().clean()
        low, high = data.get("hours_per_week_min"), data.get("hours_per_week_max")
        if low and high and low > high:
            self.add_error("hours_per_week_max", "The maximum must not be below the minimum.")
        return data


PROPOSAL_FIELDS = (
    "title",
    "about_organization",
    "problem",
    "scope",
    "success_metrics",
    "timeline",
    "participants",
    "additional_information",
    "budget_justification",
)
BUDGET_PREFIX = "budget"
KIND_MISSING = "Choose what this line pays for."
ORG_NAME_TAKEN = (
    "An organization named “{name}” already exists. If you are one of its org admins, choose it "
    "above; otherwise ask its org admins to apply."
)
ORG_MISSING = "Choose one of your organizations, or give the new organization's name."


class OrgApplyForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        label="One of your organizations",
        empty_label="A new organization…",
        help_text="Organizations you were an org admin of in earlier programs.",
    )
    name = forms.CharField(
        max_length=Organization._meta.get_field("name").max_length,
        required=False,
        label="Name of the new organization",
    )
    website = forms.URLField(required=False, assume_scheme="https")
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the project does and who uses it, in a few sentences.",
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        if not organizations.exists():
            del self.fields["organization"]

    def clean(self):
        data = super().clean()
        if data.get("organization"):
            return data
        name = (data.get("name") or "").strip()
        if not name:
            self.add_error("name", ORG_MISSING)
        # The database refuses the name too (case-insensitive); this says what to do instead.
        elif Organization.objects.filter(name__iexact=name).exists():
            self.add_error("name", ORG_NAME_TAKEN.format(name=name))
        return data


class DocProposalForm(forms.ModelForm):
    """Every field is optional: a draft keeps whatever was typed; submitting requires more."""

    class Meta:
        model = DocProposal
        fields = PROPOSAL_FIELDS
        labels = {
            "title": "Proposal title",
            "about_organization": "About your organization",
            "problem": "Your project's problem",
            "scope": "Your project's scope",
            "success_metrics": "Measuring your project's success",
            "timeline": "Timeline",
            "participants": "Participants",
            "additional_information": "Additional information",
            "budget_justification": "Budget justification",
        }
        help_texts = {
            "title": "Short and specific: “Rewrite the Contributor Guide and add an FAQ”, not "
            "“Documentation improvements”.",
            "about_organization": "What your project does, who uses it and contributes to it, "
            "how long it has existed, and why this grant would make a difference.",
            "problem": "The documentation problem this project solves, and why it matters to "
            "your users and contributors.",
            "scope": "What documentation will be written, updated or improved, and what is "
            "deliberately left out. Estimate the time it takes, and say whether you already "
            "have volunteers and a technical writer in mind.",
            "success_metrics": "How you will know the new documentation helped: the metrics "
            "you will use and how you will track them.",
            "timeline": "The main steps, month by month (e.g. orientation, audit, writing, "
            "review, publication).",
            "participants": "Who works on the project: the technical writer(s) you plan to "
            "hire, and the volunteers who will guide and review.",
            "additional_information": "Earlier work with technical writers, and earlier "
            "participation in Season of Docs, Summer of Code or similar programs.",
            "budget_justification": "Explain any line that needs it — and why, if the total "
            "lies outside the program's range.",
        }
        widgets = {
            name: forms.Textarea(attrs={"rows": 3 if name == "timeline" else 5})
            for name in PROPOSAL_FIELDS
            if name != "title"
        }

    def __init__(self, *args, read_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            if read_only:
                field.disabled = True


class BudgetItemForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "—"), *BudgetKind.choices], required=False)
    description = forms.CharField(
        max_length=BudgetItem._meta.get_field("description").max_length, required=False
    )
    amount = forms.DecimalField(
        label="Amount (USD)",
        max_digits=10,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("description") or "").strip() and data.get("amount") is None

    def clean(self):
        data = super().clean()
        if not self.is_blank() and not data.get("kind"):
            self.add_error("kind", KIND_MISSING)
        return data

    def item(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "description": (data.get("description") or "").strip(),
            "amount": data["amount"] if data.get("amount") is not None else Decimal(0),
        }


BudgetFormSet = forms.formset_factory(BudgetItemForm, extra=3, max_num=100, validate_max=True)


def budget_formset(data=None, *, items=(), read_only=False):
    """The budget lines as a formset: the lines (BudgetItems or item dicts), then three blank
    ones to type into."""
    initial = [
        item
        if isinstance(item, dict)
        else {"kind": item.kind, "description": item.description, "amount": item.amount}
        for item in items
    ]
    formset = BudgetFormSet(data, initial=initial or None, prefix=BUDGET_PREFIX)
    if read_only:
        for form in formset.forms:
            for field in form.fields.values():
                field.disabled = True
    return formset


def budget_items(formset) -> tuple[list[dict], list[int]]:
    """The typed lines, skipping blank rows, and the formset row each line came from (the
    services number lines from 1 in the order given)."""
    items, rows = [], []
    for index, form in enumerate(formset.forms):
        if form.is_blank():
            continue
        items.append(form.item())
        rows.append(index)
    return items, rows


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

"""Forms of a docs program's organization side: applying, and the doc-project proposal with its
budget lines.

They only turn typed text into Python values; every rule (the window, one application per
organization, the budget rules) is decided by applications.docs.
"""

from decimal import Decimal

from django import forms

from applications.models import BudgetItem, BudgetKind, DocProposal
from programs.models import Organization

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

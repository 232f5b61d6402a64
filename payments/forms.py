"""Forms of the payout pages: the ledger's filters, a status move, a payment to a writer."""

from decimal import Decimal

from django import forms

from payments.models import Milestone, PayoutStatus
from payments.selectors import MANUAL_TARGETS


class LedgerFilterForm(forms.Form):
    milestone = forms.ChoiceField(
        required=False, choices=[("", "Any milestone"), *Milestone.choices]
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *PayoutStatus.choices])
    currency = forms.ChoiceField(required=False)

    def __init__(self, *args, currencies: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [("", "Any currency")] + [(c, c) for c in currencies]


class TransitionForm(forms.Form):
    payout = forms.IntegerField(widget=forms.HiddenInput)
    to = forms.ChoiceField(choices=[(s.value, s.label) for s in MANUAL_TARGETS])
    reason = forms.CharField(max_length=300, required=False)


class WriterPaymentForm(forms.Form):
    hire = forms.ModelChoiceField(queryset=None, label="Writer", empty_label=None)
    amount = forms.DecimalField(
        min_value=Decimal("0.01"), max_digits=12, decimal_places=2, help_text="In {currency}."
    )
    note = forms.CharField(max_length=250, required=False, label="Description")

    def __init__(self, *args, participation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hire"].queryset = participation.hires.select_related("writer")
        self.fields["hire"].label_from_instance = lambda hire: str(hire.writer)
        self.fields["amount"].help_text = f"In {participation.program.currency}."


class ExpenseImportForm(forms.Form):
    export = forms.FileField(
        label="OpenCollective expense export (CSV)",
        help_text="Download it from the collective's expenses page; at most 5 MB.",
    )

    def clean_export(self):
        upload = self.cleaned_data["export"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 5 MB.")
        return upload

"""Forms of the contributor's side: starting and editing a proposal.

They only turn typed text into Python values; every rule (sizes, lengths, deadlines, the cap)
is decided by applications.services, which the views call with the cleaned data.
"""

from django import forms

from applications.models import Idea, Proposal
from programs.models import Participation, ProjectSize


class IdeaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, idea):
        return f"{idea.participation.organization.name}: {idea.title}"


class ProposalStartForm(forms.Form):
    participation = forms.ModelChoiceField(
        queryset=Participation.objects.none(), label="Organization", empty_label="Choose…"
    )
    idea = IdeaChoiceField(
        queryset=Idea.objects.none(),
        required=False,
        label="Project idea (optional)",
        empty_label="My own idea",
        help_text="One of the organization's published ideas, or leave it for your own.",
    )

    def __init__(self, *args, participations, ideas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participation"].queryset = participations
        self.fields["idea"].queryset = ideas


def _size_label(size):
    try:
        return ProjectSize(size).label
    except ValueError:
        return f"{size} hours"


class ProposalForm(forms.Form):
    """Every field is optional here: a draft keeps whatever was typed; submitting requires more."""

    title = forms.CharField(max_length=Proposal._meta.get_field("title").max_length, required=False)
    idea = forms.ModelChoiceField(
        queryset=Idea.objects.none(),
        required=False,
        label="Project idea",
        empty_label="My own idea",
    )
    abstract = forms.CharField(
        max_length=Proposal._meta.get_field("abstract").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A short summary that reviewers read first.",
    )
    body = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true"}),
        label="Proposal",
        help_text="Markdown: # headings, **bold**, lists, [links](https://…), ``` code ```.",
    )
    size = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label="Size")
    length_weeks = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label="Length in weeks"
    )
    preference = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label="Your preference",
        help_text="Your own order among your proposals: 1 is the one you want most.",
    )
    attachment = forms.FileField(
        required=False,
        label="Attachment (PDF)",
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, proposal: Proposal, read_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        program = proposal.program
        self.fields["idea"].queryset = proposal.participation.ideas.all()
        self.fields["size"].choices = [("", "Choose…")] + [
            (size, _size_label(size)) for size in program.sizes_offered
        ]
        # Every length any offered size allows; proposal.js narrows the list to the chosen size
        # and the service checks the pair.
        weeks = sorted(
            {w for size in program.sizes_offered for w in program.length_options.get(str(size), [])}
        )
        self.fields["length_weeks"].choices = [("", "Choose…")] + [(w, f"{w} weeks") for w in weeks]
        self.fields["preference"].choices = [("", "Not ranked")] + [
            (n, str(n)) for n in range(1, program.proposal_cap + 1)
        ]
        limit = program.attachment_max_mb
        self.fields["attachment"].help_text = f"Optional. A PDF of at most {limit} MB."
        self.fields["body"].help_text += f" At most {program.proposal_body_max_chars:,} characters."
        if read_only:
            # The widget, not the field, is disabled: a refused POST still shows what was typed.
            for field in self.fields.values():
                field.widget.attrs["disabled"] = True

    @staticmethod
    def initial_for(proposal: Proposal) -> dict:
        return {
            "title": proposal.title,
            "idea": proposal.idea_id,
            "abstract": proposal.abstract,
            "body": proposal.body,
            "size": proposal.size,
            "length_weeks": proposal.length_weeks or proposal.program.default_length_weeks,
            "preference": proposal.preference,
        }

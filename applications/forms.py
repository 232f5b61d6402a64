"""Forms of the coding season: the contributor profile, proposals, review and ranking."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from applications.models import ContributorProfile, Idea, Proposal
from programs.models import Participation, ProjectSize


class ContributorProfileForm(forms.ModelForm):
    class Meta:
        model = ContributorProfile
        fields = [
            "country_of_residence",
            "timezone",
            "date_of_birth",
            "attests_minimum_age",
            "is_student",
            "is_beginner",
            "opencollective_slug",
        ]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "country_of_residence": "Two-letter code, e.g. DE, IN, BR.",
            "date_of_birth": "Or leave empty and attest below that you meet the minimum age.",
        }

    def clean(self):
        data = super().clean()
        if not data.get("date_of_birth") and not data.get("attests_minimum_age"):
            self.add_error(
                "date_of_birth", "Give your date of birth or attest that you meet the minimum age."
            )
        return data


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


RANK_TWICE = "Ranks {ranks} are given to more than one proposal: give each a different number."
DUPLICATE_OF_ITSELF = "A proposal cannot duplicate itself: give another proposal's number."
DUPLICATE_UNKNOWN = "#{number} is not one of this organization's proposals in this list."
RANKED_DUPLICATE = "“{title}” is marked as a duplicate: clear its rank or the duplicate mark."


def _size_choices(program):
    labels = dict(ProjectSize.choices)
    return [(size, labels.get(size, f"{size} hours")) for size in program.sizes_offered]


class IdeaForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=20000,
        help_text="Markdown: what the project is about, expected outcome, difficulty, links.",
    )
    size = forms.TypedChoiceField(coerce=int, label="Expected size")
    skills = forms.CharField(
        max_length=300, required=False, help_text="Comma-separated, e.g. Python, Django, SQL."
    )
    mentors = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, program, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["size"].choices = _size_choices(program)
        self.fields["mentors"].queryset = team
        self.fields["mentors"].label_from_instance = lambda user: user.name or user.email


class IdeaFilterForm(forms.Form):
    """The GET filters of the idea list; every field is optional and kept in the page."""

    organization = forms.ChoiceField(required=False)
    size = forms.ChoiceField(required=False)
    skill = forms.CharField(required=False, max_length=60)
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args, program, participations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", "All organizations")] + [
            (p.organization.slug, p.organization.name) for p in participations
        ]
        self.fields["size"].choices = [("", "Any size"), *_size_choices(program)]

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "organization": data.get("organization", ""),
            "size": str(data.get("size", "")),
            "skill": data.get("skill", "").strip(),
            "query": data.get("q", "").strip(),
        }


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Private comment",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Seen only by this organization's mentors and org admins, never the contributor.",
    )


class ScoreForm(forms.Form):
    value = forms.TypedChoiceField(
        label="Your score",
        coerce=int,
        choices=[(n, f"{n} — {label}") for n, label in enumerate(
            ["poor", "weak", "fair", "good", "excellent"], start=1
        )],
        widget=forms.RadioSelect,
    )  # fmt: skip


class AssignMentorForm(forms.Form):
    mentor = forms.ModelChoiceField(queryset=None, label="Assign a mentor")

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = team
        self.fields["mentor"].label_from_instance = lambda user: user.name or user.email


class ReadOnlyMixin:
    def show_read_only(self):
        """Render every input disabled. Unlike `Field.disabled`, what is posted anyway still
        reaches the services, which then say why they refuse it."""
        for field in self.fields.values():
            field.widget.attrs["disabled"] = True


class RankingForm(ReadOnlyMixin, forms.Form):
    """One rank box and one "duplicate of" select per proposal, posted together.

    Ranks are any whole numbers: only their order matters, blank leaves a proposal unranked.
    """

    def __init__(self, *args, proposals, read_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposals = list(proposals)
        for proposal in self.proposals:
            self.fields[f"rank_{proposal.pk}"] = forms.IntegerField(
                required=False,
                min_value=1,
                max_value=999,
                initial=proposal.rank,
                label=f"Rank of “{proposal}”",
                widget=forms.NumberInput(
                    attrs={"class": "rank-input", "aria-describedby": "rank-help"}
                ),
            )
            # A proposal number, suggested from one list shared by every row
            # (`proposal_choices`): a select per row listing every proposal made the page grow
            # with the square of the number of proposals.
            self.fields[f"duplicate_{proposal.pk}"] = forms.IntegerField(
                required=False,
                min_value=1,
                initial=proposal.duplicate_of_id,
                label=f"“{proposal}” duplicates proposal number",
                widget=forms.TextInput(
                    attrs={
                        "class": "duplicate-input",
                        "inputmode": "numeric",
                        "list": "proposal-numbers",
                        "placeholder": "#",
                        "size": 7,
                    }
                ),
            )

        if read_only:
            self.show_read_only()

    def proposal_choices(self) -> list[tuple[int, str]]:
        """(number, label) of every proposal, for the one list the duplicate boxes suggest from."""
        return [
            (p.pk, f"#{p.pk} {p} ({p.contributor.name or p.contributor.email})")
            for p in self.proposals
        ]

    def rows(self):
        """(proposal, rank field, duplicate field) for each proposal, in the page's order."""
        return [(p, self[f"rank_{p.pk}"], self[f"duplicate_{p.pk}"]) for p in self.proposals]

    def clean(self):
        data = super().clean()
        numbers = {p.pk for p in self.proposals}
        for proposal in self.proposals:
            of = data.get(f"duplicate_{proposal.pk}")
            if of == proposal.pk:
                self.add_error(f"duplicate_{proposal.pk}", DUPLICATE_OF_ITSELF)
            elif of is not None and of not in numbers:
                self.add_error(f"duplicate_{proposal.pk}", DUPLICATE_UNKNOWN.format(number=of))
        typed = {}
        for proposal in self.proposals:
            rank = data.get(f"rank_{proposal.pk}")
            if rank is None:
                continue
            typed.setdefault(rank, []).append(proposal)
            if data.get(f"duplicate_{proposal.pk}"):
                self.add_error(f"rank_{proposal.pk}", RANKED_DUPLICATE.format(title=proposal))
        twice = sorted(rank for rank, same in typed.items() if len(same) > 1)
        if twice:
            raise forms.ValidationError(RANK_TWICE.format(ranks=", ".join(map(str, twice))))
        return data

    def ordering(self) -> list[int]:
        """Proposal ids, best first, sorted by the numbers typed."""
        ranked = [
            (self.cleaned_data[f"rank_{p.pk}"], p.pk)
            for p in self.proposals
            if self.cleaned_data.get(f"rank_{p.pk}") is not None
        ]
        return [pk for _, pk in sorted(ranked)]

    def duplicate_changes(self) -> list[tuple[Proposal, Proposal | None]]:
        """(proposal, id of the proposal it duplicates or None) where the select changed."""
        by_pk = {p.pk: p for p in self.proposals}
        changes = []
        for proposal in self.proposals:
            of = self.cleaned_data.get(f"duplicate_{proposal.pk}")
            if of != proposal.duplicate_of_id:
                changes.append((proposal, by_pk.get(of) if of else None))
        return changes


class SlotRequestForm(ReadOnlyMixin, forms.Form):
    slots = forms.IntegerField(
        label="Slots requested",
        validators=[MinValueValidator(1), MaxValueValidator(999)],
        help_text="How many contributors your organization can mentor well.",
    )


class TotalSlotsForm(forms.Form):
    total = forms.IntegerField(
        label="Total slots",
        validators=[MinValueValidator(1), MaxValueValidator(100000)],
        help_text="Contributor slots the program can fund this season.",
    )

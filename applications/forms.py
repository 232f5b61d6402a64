from django import forms

from applications.models import ContributorProfile, WriterProfile


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

"""Forms of evaluations: one built from an evaluation form's questions (data, not code), and the
project length change.

Forms only parse what was typed; evaluations.evaluation_submit checks the answers again.
"""

from django import forms
from django.template.defaultfilters import linebreaks_filter
from django.utils.html import format_html

from evaluations.models import QuestionType

PASS_FAIL = [("pass", "Pass"), ("fail", "Fail")]
RATING = [(str(n), f"{n} / 5") for n in range(1, 6)]
STATUS = [("on_track", "On track"), ("concerns", "Concerns"), ("failing", "Failing")]
CHOICES = {
    QuestionType.PASS_FAIL: PASS_FAIL,
    QuestionType.RATING: RATING,
    QuestionType.STATUS: STATUS,
}
TEXT_MAX = 10000  # evaluation_submit keeps at most this many characters of an answer


def _field(question: dict) -> forms.Field:
    kind = question["type"]
    common = {"label": question["label"], "required": question.get("required", True)}
    if question.get("private"):
        common["help_text"] = "Seen only by org admins and program managers."
    if kind in CHOICES:
        return forms.ChoiceField(choices=CHOICES[kind], widget=forms.RadioSelect, **common)
    if kind == QuestionType.URL:
        return forms.URLField(assume_scheme="https", max_length=2000, **common)
    return forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=TEXT_MAX, **common)


class EvaluationAnswerForm(forms.Form):
    """The questions of one EvaluationForm version, each a field named by its key."""

    def __init__(self, *args, questions: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[question["key"]] = _field(question)

    def answers(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if value not in ("", None)}


def answer_rows(*, questions: list[dict], answers: dict) -> list[tuple[str, str, bool]]:
    """(label, value as safe HTML, private) for each visible answer, in the questions' order;
    answers to questions no longer in the form are shown under their key."""
    labels = {}
    for question in questions:
        labels[question["key"]] = question
    rows = []
    for key in [q["key"] for q in questions] + [k for k in answers if k not in labels]:
        if key not in answers or answers[key] in ("", None):
            continue
        question = labels.get(key, {"label": key, "type": QuestionType.TEXT})
        value = str(answers[key])
        kind = question["type"]
        if kind in CHOICES:
            shown = format_html("<strong>{}</strong>", dict(CHOICES[kind]).get(value, value))
        elif kind == QuestionType.URL:
            shown = format_html('<a href="{}" rel="nofollow noopener">{}</a>', value, value)
        else:
            shown = linebreaks_filter(value, autoescape=True)
        rows.append((question["label"], shown, bool(question.get("private"))))
    return rows


class LengthForm(forms.Form):
    """A project's new length, among those its program allows for the project's size."""

    weeks = forms.TypedChoiceField(coerce=int, label="Length in weeks")

    def __init__(self, *args, allowed: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weeks"].choices = [(w, f"{w} weeks") for w in allowed]

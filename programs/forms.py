from django import forms
from django.core.exceptions import ValidationError

from programs.models import Role


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MENTOR)


def add_service_errors(form, error: ValidationError) -> None:
    """A service's refusal onto the form: messages naming a field go on it, the rest above."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)

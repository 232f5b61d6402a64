"""Validators shared by the profiles of both seasons."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

country_code = RegexValidator(r"^[A-Z]{2}$", "Use the two-letter ISO 3166-1 code, e.g. DE or IN.")


def validate_timezone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (use e.g. Europe/Berlin).")

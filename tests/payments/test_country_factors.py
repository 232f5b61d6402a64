"""`manage.py load_country_factors FILE --program SLUG [--dry-run]`."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from payments.models import CountryFactor

pytestmark = pytest.mark.django_db


def factors(program):
    return dict(CountryFactor.objects.filter(program=program).values_list("country", "factor"))


def load(path, program, *extra):
    call_command("load_country_factors", str(path), "--program", program.slug, *extra)


@pytest.fixture
def csv_file(tmp_path):
    def write(text):
        path = tmp_path / "factors.csv"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def test_adds_and_updates_factors(cast, csv_file, capsys):
    CountryFactor.objects.create(program=cast.program, country="IN", factor=Decimal("0.5"))
    CountryFactor.objects.create(program=cast.program, country="DE", factor=Decimal("1.05"))
    load(csv_file("country,factor\nin,0.777\nKE,0.6\n\nDE,1.050\n"), cast.program)
    assert factors(cast.program) == {
        "DE": Decimal("1.050"),
        "IN": Decimal("0.777"),
        "KE": Decimal("0.600"),
    }
    assert "Added 1 and updated 1 country factor(s)" in capsys.readouterr().out
    assert factors(cast.docs_program) == {}


def test_dry_run_changes_nothing(cast, csv_file, capsys):
    load(csv_file("factor,country\n0.8,BR\n"), cast.program, "--dry-run")
    assert factors(cast.program) == {}
    out = capsys.readouterr().out
    assert "Would add 1" in out and "nothing was changed" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("country,factor\nIN,0.7\nXYZ,0.5\n", "line 3: 'XYZ' is not a two-letter country code"),
        ("country,factor\nIN,abc\n", "line 2: 'abc' is not a number"),
        ("country,factor\nIN,0\n", "line 2: the factor 0 must be above 0"),
        ("country,factor\nIN,0.12345\n", "with at most three decimals"),
        ("country,factor\nIN,0.7\nin,0.8\n", "line 3: IN is already on line 2"),
        ("country,factor\nIN\n", "line 2: expected a country and a factor"),
        ("code,value\nIN,0.7\n", "line 1: expected the columns country,factor"),
    ],
)
def test_a_bad_line_is_named_and_nothing_is_loaded(cast, csv_file, text, message):
    with pytest.raises(CommandError, match=r"factors\.csv, ") as raised:
        load(csv_file(text), cast.program)
    assert message in str(raised.value)
    assert factors(cast.program) == {}


def test_an_unknown_program_or_file_is_an_error(cast, csv_file, tmp_path):
    with pytest.raises(CommandError, match="no program with the slug 'nope'"):
        call_command("load_country_factors", str(csv_file("country,factor\n")), "--program", "nope")
    with pytest.raises(CommandError, match="Cannot read"):
        load(tmp_path / "missing.csv", cast.program)

"""Load a program's per-country purchasing-power factors from a CSV file (country,factor)."""

import csv
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from payments.models import CountryFactor
from programs.models import Program

COUNTRY = re.compile(r"^[A-Z]{2}$")
# CountryFactor.factor is DecimalField(max_digits=5, decimal_places=3).
MAX_FACTOR = Decimal("99.999")


def read_factors(path: Path) -> dict[str, Decimal]:
    """Country → factor from the file; a CommandError names the first bad line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"Cannot read {path}: {error}") from None
    reader = csv.reader(text.splitlines())
    header = [cell.strip().lower() for cell in next(reader, [])]
    if "country" not in header or "factor" not in header:
        raise CommandError(f"{path}, line 1: expected the columns country,factor; found {header}.")
    country_at, factor_at = header.index("country"), header.index("factor")
    factors, seen = {}, {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if len(row) <= max(country_at, factor_at):
            raise CommandError(f"{path}, line {line}: expected a country and a factor: {row}.")
        country, raw = row[country_at].strip().upper(), row[factor_at].strip()
        if not COUNTRY.match(country):
            raise CommandError(
                f"{path}, line {line}: {row[country_at]!r} is not a two-letter country code."
            )
        try:
            factor = Decimal(raw)
        except InvalidOperation:
            raise CommandError(f"{path}, line {line}: {raw!r} is not a number.") from None
        if not (0 < factor <= MAX_FACTOR) or factor.as_tuple().exponent < -3:
            raise CommandError(
                f"{path}, line {line}: the factor {raw} must be above 0, at most {MAX_FACTOR}, "
                "with at most three decimals."
            )
        if country in seen:
            raise CommandError(
                f"{path}, line {line}: {country} is already on line {seen[country]}."
            )
        seen[country] = line
        factors[country] = factor
    return factors


class Command(BaseCommand):
    help = (
        "Load a program's purchasing-power factors from a CSV file with the columns "
        "country,factor (ISO 3166-1 alpha-2 codes). Existing countries are updated, others "
        "added; countries missing from the file are kept. The file is checked whole first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV file with the columns country,factor.")
        parser.add_argument("--program", required=True, help="Slug of the program.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change, change nothing."
        )

    def handle(self, *args, file, program, dry_run=False, **options):
        target = Program.objects.filter(slug=program).first()
        if target is None:
            raise CommandError(f"There is no program with the slug {program!r}.")
        factors = read_factors(file)
        current = dict(
            CountryFactor.objects.filter(program=target).values_list("country", "factor")
        )
        added = [c for c in factors if c not in current]
        changed = [c for c in factors if c in current and current[c] != factors[c]]
        if not dry_run:
            with transaction.atomic():
                for country in added + changed:
                    CountryFactor.objects.update_or_create(
                        program=target, country=country, defaults={"factor": factors[country]}
                    )
        verb = "Would add" if dry_run else "Added"
        self.stdout.write(
            f"{verb} {len(added)} and {'update' if dry_run else 'updated'} {len(changed)} "
            f"country factor(s) of {target.slug}; {len(factors) - len(added) - len(changed)} "
            "unchanged."
        )
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")

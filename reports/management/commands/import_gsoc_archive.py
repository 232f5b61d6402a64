"""Import a public GSoC archive file (organizations and passed projects) into a program."""

import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from programs.models import Program
from reports.archive import archive_import, archive_load


class Command(BaseCommand):
    help = (
        "Create or update a program's organizations, tags, accepted participations and passed "
        "projects from a public GSoC archive file (JSON). The file is checked whole first and "
        "written in one transaction; importing it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="Archive JSON file, e.g. gsoc-archive-2022.json."
        )
        parser.add_argument("--program", required=True, help="Slug of the program to import into.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and count, write nothing."
        )

    def handle(self, *args, file, program, dry_run=False, verbosity=1, **options):
        target = Program.objects.filter(slug=program).first()
        if target is None:
            raise CommandError(
                f"There is no program with the slug {program!r}; create it first "
                "(e.g. in the admin)."
            )
        started = time.monotonic()

        def progress(done, total):
            if verbosity >= 1:
                self.stderr.write(f"Checked {done}/{total} organizations", ending="\n")

        try:
            data = archive_load(path=file)
            result = archive_import(program=target, data=data, dry_run=dry_run, progress=progress)
        except ValidationError as error:
            problems = "\n  ".join(error.messages)
            raise CommandError(
                f"{file} was not imported, nothing was written:\n  {problems}"
            ) from None
        elapsed = time.monotonic() - started
        if dry_run:
            heading = (
                f"Dry run, nothing written: the {result.year} archive would give {target.slug}"
            )
        else:
            heading = f"Imported the {result.year} archive into {target.slug} in {elapsed:.1f} s"
        self.stdout.write(self.style.SUCCESS(f"{heading}:"))
        for line in result.summary_lines():
            self.stdout.write(f"  {line}")

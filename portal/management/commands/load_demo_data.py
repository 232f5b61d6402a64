from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from portal.demo.accounts import ACCOUNTS, DEMO_PASSWORD
from portal.demo.load import load_demo


class DryRun(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Load the demo programs (GSoC 2023, Season of Docs 2023 and two live seasons), "
        "organizations and one account per role. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be loaded, change nothing."
        )
        parser.add_argument(
            "--quiet-accounts", action="store_true", help="Do not print the demo accounts."
        )

    def handle(self, *args, dry_run=False, quiet_accounts=False, **options):
        try:
            with transaction.atomic():
                load_demo(now=timezone.now())
                if dry_run:
                    raise DryRun
        except DryRun:
            self.stdout.write("Dry run: the demo data would load cleanly; nothing was changed.")
            return
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        if quiet_accounts:
            return
        self.stdout.write("")
        self.stdout.write(f"  Seasons is at {settings.SITE_URL}/")
        self.stdout.write(f"  Demo accounts (password: {DEMO_PASSWORD}):")
        for account in ACCOUNTS:
            self.stdout.write(f"    {account.role:<18} {account.email}")
        self.stdout.write("")

"""Check a downloaded statistics file against its Ed25519 signature."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.publishing import publication_key_for, verify


class Command(BaseCommand):
    help = (
        "Verify a published statistics JSON file against its signature (the X-Signature-Ed25519 "
        "header of the download). Without --public-key, the key stored with the matching "
        "publication is used, else the site's current key."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON file exactly as downloaded.")
        parser.add_argument("--signature", required=True, help="The signature, base64.")
        parser.add_argument("--public-key", help="The raw Ed25519 public key, base64.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data_bytes = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        key = options["public_key"] or publication_key_for(data_bytes)
        if not verify(
            data_bytes=data_bytes, signature_b64=options["signature"], public_key_b64=key
        ):
            raise CommandError("invalid: the signature does not match this file and key.")
        self.stdout.write("valid")

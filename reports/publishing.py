"""Publishing statistics: preview, publish as a signed snapshot, and verify signatures.

Signatures are Ed25519 over the canonical JSON bytes of the published data. The private key
comes from STATISTICS_SIGNING_KEY (base64 of the 32 raw bytes); in development, when that is
empty, one is generated on first use and kept in VAR_DIR/statistics-signing.key.
"""

import base64
import binascii
import hashlib
import os
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction

from audit.services import audit_record
from programs.models import Program
from programs.services import is_program_manager
from reports.disclosure import public_view
from reports.models import Publication, canonical_json
from reports.statistics import program_statistics

PUBLISH_NOT_MANAGER = "Only a manager of this program can publish its statistics."
KEY_FILE_NAME = "statistics-signing.key"


def _key_file() -> Path:
    return Path(settings.VAR_DIR) / KEY_FILE_NAME


def _generated_key_b64() -> str:
    """The development key in VAR_DIR, created (readable by its owner only) on first use."""
    path = _key_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: of two processes starting at once, one writes the key and the other reads it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    encoded = base64.b64encode(raw).decode()
    with os.fdopen(fd, "w") as file:
        file.write(encoded + "\n")
    return encoded


def signing_key() -> Ed25519PrivateKey:
    """The site's statistics signing key."""
    encoded = settings.STATISTICS_SIGNING_KEY or _generated_key_b64()
    try:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(
            "STATISTICS_SIGNING_KEY is not the base64 of a raw 32-byte Ed25519 private key."
        ) from None


def public_key_b64(key: Ed25519PrivateKey | None = None) -> str:
    """The raw public key of the signing key, base64."""
    public = (key or signing_key()).public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def public_key_pem(public_key_b64_value: str) -> str:
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64_value))
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def sign(data_bytes: bytes, key: Ed25519PrivateKey | None = None) -> str:
    return base64.b64encode((key or signing_key()).sign(data_bytes)).decode()


def verify(*, data_bytes: bytes, signature_b64: str, public_key_b64: str) -> bool:
    """Whether the signature is the key's Ed25519 signature of exactly these bytes."""
    try:
        signature = base64.b64decode(signature_b64.strip(), validate=True)
        public = Ed25519PublicKey.from_public_bytes(
            base64.b64decode(public_key_b64.strip(), validate=True)
        )
        public.verify(signature, data_bytes)
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return True


def publication_key_for(data_bytes: bytes) -> str:
    """The key to verify bytes with: that of the publication they match, else the current one."""
    digest = hashlib.sha256(data_bytes).hexdigest()
    publication = Publication.objects.filter(sha256=digest).order_by("-published_at", "-pk").first()
    return publication.public_key if publication else public_key_b64()


def statistics_preview(program: Program) -> dict:
    """What publishing the program's statistics now would publish (without the time)."""
    return public_view(program_statistics(program=program))


def statistics_publish(*, program: Program, by, now: datetime) -> Publication:
    """Publish a signed snapshot of the program's statistics; it supersedes the previous one."""
    if not is_program_manager(user=by, program=program):
        raise PermissionDenied(PUBLISH_NOT_MANAGER)
    key = signing_key()
    with transaction.atomic():
        # One publish per program at a time, so exactly one publication stays current.
        Program.objects.select_for_update().filter(pk=program.pk).first()
        data = {**statistics_preview(program), "published_at": now.isoformat()}
        data_bytes = canonical_json(data)
        publication = Publication(
            program=program,
            published_at=now,
            published_by=by,
            data=data,
            sha256=hashlib.sha256(data_bytes).hexdigest(),
            signature=sign(data_bytes, key),
            public_key=public_key_b64(key),
        )
        publication.full_clean()
        publication.save()
        superseded = Publication.objects.filter(
            program=program, superseded_by__isnull=True
        ).exclude(pk=publication.pk)
        previous = list(superseded.values_list("pk", flat=True))
        superseded.filter(pk__in=previous).update(superseded_by=publication)
        audit_record(
            actor=by,
            action="publication.publish",
            obj=publication,
            before={"current": previous},
            after={"current": [publication.pk], "sha256": publication.sha256},
            at=now,
        )
    return publication


def publication_current(publication: Publication) -> Publication:
    """The program's newest publication (the one that superseded this, directly or not)."""
    if publication.is_current:
        return publication
    newest = Publication.objects.filter(
        program_id=publication.program_id, superseded_by__isnull=True
    ).first()
    return newest or publication

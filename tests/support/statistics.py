"""Contributors and proposals behind a program's statistics, and keys to sign publications."""

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from applications.models import ContributorProfile, Proposal
from tests.factories import UserFactory
from tests.support.cast import DEADLINE


def contributor(country):
    user = UserFactory()
    ContributorProfile.objects.create(
        user=user, country_of_residence=country, attests_minimum_age=True
    )
    return user


def submit(program, participation, user, *, size=175, slot=1, status="submitted"):
    return Proposal.objects.create(
        program=program,
        contributor=user,
        participation=participation,
        title="A proposal",
        size=size,
        length_weeks=12,
        status=status,
        submitted_at=None if status in ("draft",) else DEADLINE,
        submission_slot=None if status in ("draft",) else slot,
    )


def raw_key() -> str:
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode()


def new_signing_key(settings):
    """Publications from now on are signed with a new key."""
    settings.STATISTICS_SIGNING_KEY = raw_key()

"""The world the API matrix and the security tests run against (the `world` fixture of
tests/conftest.py)."""

from django.utils import timezone

from accounts import tokens
from applications.models import ContributorProfile
from docs_season.models import DocProposal
from evaluations.models import EvaluationKind, Side
from evaluations.services import filing
from payments.models import Milestone
from tests.factories import UserFactory
from tests.support.cast import DEADLINE
from tests.support.evaluations import MENTOR_ANSWERS, make_project, period_of
from tests.support.payouts import ORGANIZATION, make_hire, make_payout
from tests.support.proposals import add_ideas, submitted


def api_world(cast):
    """Proposals, a project with a filed midterm, payouts, ideas and a doc project around the
    cast, and three tokens of the contributor."""
    other = UserFactory(email="other-contributor@example.org")
    ContributorProfile.objects.create(
        user=other, country_of_residence="BR", attests_minimum_age=True
    )
    mine = submitted(cast.participation, cast.contributor, title="Mine", mentors=[cast.mentor])
    draft = type(mine).objects.create(
        program=cast.program,
        contributor=cast.contributor,
        participation=cast.participation,
        title="A draft",
    )
    theirs = submitted(cast.other_participation, other, title="Theirs")
    project = make_project(cast)
    midterm = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    filing.evaluation_submit(
        period=midterm, by=cast.mentor, answers=MENTOR_ANSWERS, now=midterm.opens_at
    )
    make_hire(cast)
    make_payout(cast, project=project)
    make_payout(cast, milestone=Milestone.ORG_STIPEND, payee=ORGANIZATION)
    make_payout(cast, milestone=Milestone.WRITER_PAYMENT)
    make_payout(
        cast,
        participation=cast.other_participation,
        milestone=Milestone.ORG_STIPEND,
        payee=ORGANIZATION,
    )
    add_ideas(cast, 2)
    DocProposal.objects.create(
        participation=cast.docs_participation,
        title="Better tutorials",
        status="submitted",
        submitted_at=DEADLINE,
    )
    keys = {}
    for role, scope in [("read_token", "read"), ("write_token", "write"), ("revoked", "read")]:
        token, keys[role] = tokens.token_create(user=cast.contributor, name=role, scope=scope)
    tokens.token_revoke(token=token, now=timezone.now())
    keys["revoked_token"] = keys.pop("revoked")
    return {
        "cast": cast,
        "other_contributor": other,
        "mine": mine,
        "draft": draft,
        "theirs": theirs,
        "project": project,
        "keys": keys,
    }

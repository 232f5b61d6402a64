"""A contributor's whole coding season, with the evaluations and payouts it leaves: what the
privacy tests export and delete, and what the backup tests restore."""

from decimal import Decimal
from itertools import count

from accounts import tokens
from applications.models import Comment, Proposal, Receipt, Registration, Score
from evaluations.models import Evaluation, EvaluationKind, Side
from evaluations.services import questions
from payments.models import Milestone, Payout, PayoutStatus, PayoutStatusChange
from tests.support.cast import DEADLINE
from tests.support.evaluations import make_project, period_of
from tests.support.proposals import submitted

_references = count(1)


def evaluate(period, *, by, answers, passed=None):
    form = questions.evaluation_form_for(
        program=period.participation.program, kind=period.kind, side=period.side
    )
    return Evaluation.objects.create(
        period=period, form=form, filed_by=by, submitted_at=DEADLINE, answers=answers, passed=passed
    )


def payout(cast, *, payee, milestone=Milestone.CODING_MIDTERM, project=None, participation=None):
    """A payout with a status history of two changes, the second made by a manager."""
    participation = participation or cast.participation
    made = Payout.objects.create(
        reference=f"PRIV-{next(_references)}",
        program=participation.program,
        participation=participation,
        project=project,
        payee=payee,
        milestone=milestone,
        amount=Decimal("1350.00"),
        currency="USD",
        status=PayoutStatus.APPROVED,
        description=f"Payment to {payee}",
        payee_slug="their-oc-slug",
        created_at=DEADLINE,
    )
    PayoutStatusChange.objects.create(
        payout=made, to_status=PayoutStatus.PENDING, at=DEADLINE, reason="recorded"
    )
    PayoutStatusChange.objects.create(
        payout=made,
        from_status=PayoutStatus.PENDING,
        to_status=PayoutStatus.APPROVED,
        by=cast.manager,
        at=DEADLINE,
        reason="ok",
    )
    return made


def coding_season(cast):
    """The contributor's season: a registration, a draft, a submitted proposal with a receipt and
    a comment, an accepted project with both midterm evaluations filed, and a paid stipend."""
    contributor = cast.contributor
    Registration.objects.create(program=cast.program, user=contributor, registered_at=DEADLINE)
    project = make_project(cast)
    other = submitted(cast.other_participation, contributor, title="Second idea")
    Receipt.objects.create(
        proposal=other,
        number="R-CONTRIB-1",
        submitted_at=DEADLINE,
        digest="d" * 64,
        content={"body": "my submitted plan"},
    )
    Proposal.objects.create(
        program=cast.program,
        contributor=contributor,
        participation=cast.participation,
        title="Half-written draft",
        body="unfinished",
    )
    Comment.objects.create(proposal=other, author=cast.other_mentor, body="weak on testing")
    Score.objects.create(proposal=other, reviewer=cast.other_mentor, value=2)
    evaluate(
        period_of(project, EvaluationKind.MIDTERM, Side.MENTOR),
        by=cast.mentor,
        answers={"grade": "pass", "progress": "steady", "private_notes": "mentor-only secret"},
        passed=True,
    )
    evaluate(
        period_of(project, EvaluationKind.MIDTERM, Side.CONTRIBUTOR),
        by=contributor,
        answers={"mentor_rating": 4, "feedback": "more reviews please"},
    )
    stipend = payout(cast, payee=contributor, project=project)
    token, _key = tokens.token_create(user=contributor, name="stats script", scope="read")
    return project, stipend, token

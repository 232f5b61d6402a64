"""The people and objects the authorization matrix (test_authorization_matrix.py) tries every URL
with: the conftest cast, another contributor, one object of each private kind owned by them, and
for the admin a row of every registered model on each side of the manager's programs.

Built once per module inside a transaction that is rolled back at the end; each test then runs
in its own savepoint, so a POST that changes something changes it for that cell only.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts import tokens
from applications.models import ContributorProfile, Idea
from docs_season.models import (
    CaseStudy,
    CaseStudyStatus,
    DocProposal,
    StatementOfInterest,
    Survey,
    WriterProfile,
)
from evaluations.models import EvaluationKind, EvaluationPeriod, Side
from evaluations.services import periods, questions, reminders
from payments.models import Milestone as PayoutMilestone
from programs import services as program_services
from programs.models import MilestoneKind, ParticipationStatus, Role
from programs.services import manager_grant
from reports import publishing
from tests.factories import (
    ParticipationFactory,
    ProgramFactory,
    UserFactory,
    coding_timeline,
)
from tests.support.admin_world import admin_rows, our_side, their_side
from tests.support.cast import DEADLINE, Cast, build_cast
from tests.support.evaluations import make_project, period_of
from tests.support.payouts import ORGANIZATION, make_payout
from tests.support.proposals import submitted

ROLES = [
    "anonymous", "contributor", "other_contributor", "writer", "mentor", "other_mentor",
    "org_admin", "other_org_admin", "manager",
]  # fmt: skip

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    cast: Cast
    other_contributor: object
    mine: object  # the contributor's submitted proposal, with a PDF, reviewed by the mentor
    draft: object  # the contributor's draft
    theirs: object  # the other contributor's submitted proposal to the other organization
    project: object  # the contributor's project, mentored by the mentor
    period: object  # its midterm evaluation by the mentor
    payout: object  # the contributor's midterm stipend
    idea: object
    invitation: object  # pending, to a newcomer, from the org admin
    invitation_token: str
    writer_invitation: object  # pending, to the writer's verified address
    doc_proposal: object
    statement: object
    case_study: object  # accepted, published (the docs program's results are past)
    survey: object
    publication: object
    token: object  # the contributor's API token
    unsubscribe_token: str  # the contributor's
    # Objects of other owners, to check that the cast's roles do not reach across:
    their_project: object  # the other contributor's, in the other organization
    their_period: object  # its midterm evaluation by the other mentor
    their_payout: object  # the other organization's stipend (no person as payee)
    their_invitation: object  # pending, from the other organization
    hidden_program: object  # not public, managed by nobody in the cast's roles
    hidden_publication: object  # its statistics
    applied: object  # a docs organization that applied and is not (yet) accepted
    draft_case_study: object  # of another docs organization: not published
    their_doc_proposal: object  # that organization's
    their_idea: object  # the other coding organization's
    writer_payout: object  # the cast's docs organization pays the writer
    docs_period: object  # the cast's docs organization's first monthly evaluation
    # {"ours": {model: row}, "theirs": {model: row}}: a row of every model the admin registers,
    # in the cast's programs and in two hidden ones the cast's manager does not run.
    admin: dict = field(default_factory=dict)

    def user(self, role):
        if role == "anonymous":
            return None
        if role == "other_contributor":
            return self.other_contributor
        return getattr(self.cast, role)


def build_world() -> World:
    cast = build_cast()
    now = timezone.now()
    other = UserFactory(email="other-contributor@example.org")
    ContributorProfile.objects.create(
        user=other, country_of_residence="BR", attests_minimum_age=True
    )
    mine = submitted(cast.participation, cast.contributor, title="Mine", mentors=[cast.mentor])
    mine.attachment.save("mine.pdf", ContentFile(PDF), save=True)
    draft = type(mine).objects.create(
        program=cast.program,
        contributor=cast.contributor,
        participation=cast.participation,
        title="A draft",
    )
    theirs = submitted(cast.other_participation, other, title="Theirs")
    theirs.attachment.save("theirs.pdf", ContentFile(PDF), save=True)
    project = make_project(cast)
    # Evaluation forms are created on first read of a period; here they exist already, as in
    # any season under way, so that a refused POST is seen to write nothing.
    for kind, side in questions.DEFAULT_QUESTIONS:
        for program in (cast.program, cast.docs_program):
            questions.evaluation_form_for(program=program, kind=kind, side=side)
    idea = Idea.objects.create(
        participation=cast.participation, title="An idea", description="d", size=175
    )
    idea.mentors.set([cast.mentor])
    invitation, invitation_token = program_services.invitation_create(
        participation=cast.participation,
        email="newcomer@example.org",
        role=Role.MENTOR,
        by=cast.org_admin,
        now=now,
    )
    EmailAddress.objects.update_or_create(
        user=cast.writer, email=cast.writer.email, defaults={"verified": True}
    )
    writer_invitation, _ = program_services.invitation_create(
        participation=cast.participation,
        email=cast.writer.email,
        role=Role.MENTOR,
        by=cast.org_admin,
        now=now,
    )
    # The writer's profile is hidden: only they may see it.
    WriterProfile.objects.filter(user=cast.writer).update(is_public=False)
    doc_proposal = DocProposal.objects.create(
        participation=cast.docs_participation, title="Better tutorials"
    )
    statement = StatementOfInterest.objects.create(
        participation=cast.docs_participation,
        writer=cast.writer,
        message="I would like to help.",
        sent_at=DEADLINE - timedelta(days=1),
    )
    case_study = CaseStudy.objects.create(
        participation=cast.docs_participation,
        status=CaseStudyStatus.ACCEPTED,
        submitted_at=DEADLINE,
        reviewed_at=DEADLINE,
        problem="The problem.",
    )
    survey = Survey.objects.create(program=cast.docs_program, sequence=1, title="Follow-up")
    token, _key = tokens.token_create(user=cast.contributor, name="script", scope="read")
    their_project = make_project(
        SimpleNamespace(contributor=other, participation=cast.other_participation),
        participation=cast.other_participation,
        mentors=[cast.other_mentor],
    )
    their_invitation, _ = program_services.invitation_create(
        participation=cast.other_participation,
        email="their-newcomer@example.org",
        role=Role.MENTOR,
        by=cast.other_org_admin,
        now=now,
    )
    hidden_program = ProgramFactory(is_public=False)
    coding_timeline(hidden_program, around=MilestoneKind.CONTRIBUTOR_APPLICATIONS, at=DEADLINE)
    # The outsider (not one of the matrix's roles) runs it.
    manager_grant(program=hidden_program, user=cast.outsider)
    applied = ParticipationFactory(program=cast.docs_program, status=ParticipationStatus.APPLIED)
    draft_case_study = CaseStudy.objects.create(
        participation=ParticipationFactory(program=cast.docs_program)
    )
    their_idea = Idea.objects.create(
        participation=cast.other_participation, title="Their idea", description="d", size=175
    )
    their_idea.mentors.set([cast.other_mentor])
    periods.periods_ensure_for_docs(cast.docs_participation)
    world = World(
        cast=cast,
        other_contributor=other,
        mine=mine,
        draft=draft,
        theirs=theirs,
        project=project,
        period=period_of(project, EvaluationKind.MIDTERM, Side.MENTOR),
        payout=make_payout(cast, project=project),
        idea=idea,
        invitation=invitation,
        invitation_token=invitation_token,
        writer_invitation=writer_invitation,
        doc_proposal=doc_proposal,
        statement=statement,
        case_study=case_study,
        survey=survey,
        publication=publishing.statistics_publish(
            program=cast.program, by=cast.manager, now=DEADLINE
        ),
        token=token,
        unsubscribe_token=reminders.unsubscribe_token(cast.contributor),
        their_project=their_project,
        their_period=period_of(their_project, EvaluationKind.MIDTERM, Side.MENTOR),
        their_payout=make_payout(
            cast,
            milestone=PayoutMilestone.ORG_STIPEND,
            participation=cast.other_participation,
            payee=ORGANIZATION,
        ),
        their_invitation=their_invitation,
        hidden_program=hidden_program,
        hidden_publication=publishing.statistics_publish(
            program=hidden_program, by=cast.outsider, now=DEADLINE
        ),
        applied=applied,
        draft_case_study=draft_case_study,
        their_doc_proposal=DocProposal.objects.create(
            participation=draft_case_study.participation, title="Their docs"
        ),
        their_idea=their_idea,
        writer_payout=make_payout(cast, milestone=PayoutMilestone.WRITER_PAYMENT),
        docs_period=EvaluationPeriod.objects.filter(participation=cast.docs_participation)
        .order_by("opens_at")
        .first(),
    )
    # Last, with organizations and people of their own: nothing above changes for the roles.
    world.admin = {"ours": admin_rows(our_side(cast)), "theirs": admin_rows(their_side(cast))}
    return world

"""Every page that lists rows runs the same number of queries with 3 rows as with 23, and no more
than its recorded ceiling; and no URL escapes this table: a new pattern must be listed in PAGES or
in NOT_A_LIST (with a reason), or test_every_url_is_covered fails.

Each case builds a few rows, counts the queries of a GET as someone who sees them, builds many
more (with what each row shows: tags, mentors, scores, comments, evaluations, payouts, history),
counts again, and checks the new rows are on the page, so that an empty list cannot pass.
"""

import base64
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts import tokens
from applications.models import (
    Comment,
    Idea,
    Project,
    Proposal,
    ProposalMentor,
    Registration,
    Score,
)
from docs_season.models import (
    BudgetItem,
    CaseStudy,
    CaseStudyStatus,
    Deliverable,
    DocProposal,
    Hire,
    Lesson,
    StatementOfInterest,
    WriterProfile,
)
from evaluations.services import filing, periods
from payments.models import Milestone as PayoutMilestone
from payments.models import PayoutStatus, PayoutStatusChange
from programs.models import (
    Invitation,
    MilestoneKind,
    ParticipationStatus,
    Role,
    Tag,
)
from programs.services import manager_grant
from reports import publishing
from tests.applications.test_evaluations import make_project
from tests.applications.test_query_counts import add_ideas, add_projects
from tests.applications.test_review import submitted
from tests.applications.test_selection_views import allocate
from tests.conftest import DEADLINE
from tests.factories import (
    DocsProgramFactory,
    MembershipFactory,
    MilestoneFactory,
    ParticipationFactory,
    ProgramFactory,
    UserFactory,
    coding_timeline,
    docs_timeline,
)
from tests.payments.test_payout_rules import ORGANIZATION, make_payout

pytestmark = pytest.mark.django_db

FEW, MANY = 3, 23


@dataclass
class Page:
    """A list page: its URL for the cast, who reads it, and how to add rows numbered
    [start, stop) — the grower returns a text each new row shows on the page."""

    url: Callable
    viewer: str | None
    grow: Callable
    # Capped pages (home: 6 programs) show only the first rows.
    capped: bool = False
    # Pages that create what they show on a first visit (monthly evaluation periods) are
    # counted from the second: the first costs an insert per new row, once.
    warm: bool = False
    setup: Callable = field(default=lambda cast: None)


def _now():
    return timezone.now()


def _program(name, *, docs=False, **kwargs):
    """A program whose season runs now: applications close in five days."""
    factory = DocsProgramFactory if docs else ProgramFactory
    program = factory(name=name, **kwargs)
    if docs:
        docs_timeline(program, around=MilestoneKind.HIRING_DEADLINE, at=_now() + timedelta(days=5))
    else:
        coding_timeline(
            program, around=MilestoneKind.CONTRIBUTOR_APPLICATIONS, at=_now() + timedelta(days=5)
        )
    return program


# Growers: (cast, start, stop) -> [texts the new rows show] ---------------------------------


def grow_programs(cast, start, stop):
    return [_program(f"Listed program {n:03}", year=2030).name for n in range(start, stop)]


def grow_organizations(cast, start, stop):
    names = []
    for n in range(start, stop):
        participation = ParticipationFactory(
            program=cast.program, organization__name=f"Listed org {n:03}"
        )
        tag = Tag.objects.create(name=f"tag-{n:03}", slug=f"tag-{n:03}")
        participation.organization.tags.add(tag)
        MembershipFactory(participation=participation)
        participation.slots_requested = 2
        participation.save()
        names.append(participation.organization.name)
    return names


def grow_org_programs(cast, start, stop):
    """The cast's organization takes part in more programs."""
    names = []
    for n in range(start, stop):
        program = ProgramFactory(name=f"Listed program {n:03}")
        ParticipationFactory(program=program, organization=cast.participation.organization)
        names.append(program.name)
    return names


def grow_milestones(cast, start, stop):
    return [
        MilestoneFactory(
            program=cast.program,
            title=f"Listed milestone {n:03}",
            sequence=n + 1,
            ends_at=DEADLINE + timedelta(days=n),
        ).title
        for n in range(start, stop)
    ]


def grow_team(cast, start, stop):
    emails = []
    for n in range(start, stop):
        member = MembershipFactory(
            participation=cast.participation, user__email=f"member{n:03}@example.org"
        )
        invitation = Invitation.objects.create(
            participation=cast.participation,
            email=f"invitee{n:03}@example.org",
            token_digest=f"{n:064}",
            invited_by=cast.org_admin,
            expires_at=_now() + timedelta(days=7),
        )
        emails += [member.user.email, invitation.email]
    return emails


def grow_tokens(cast, start, stop):
    return [
        tokens.token_create(user=cast.contributor, name=f"token {n:03}", scope="read")[0].name
        for n in range(start, stop)
    ]


def grow_drafts(cast, start, stop):
    """Drafts of the cast's contributor, on ideas of the cast's organizations (which the start
    form offers too) and to ever more other organizations."""
    titles = []
    Registration.objects.get_or_create(
        user=cast.contributor, program=cast.program, defaults={"registered_at": DEADLINE}
    )
    add_ideas(cast, stop - start, start)
    for n in range(start, stop):
        idea = Idea.objects.get(title=f"Idea {n}") if n % 2 else None
        elsewhere = None if idea else ParticipationFactory(program=cast.program)
        proposal = Proposal.objects.create(
            program=cast.program,
            contributor=cast.contributor,
            participation=idea.participation if idea else elsewhere,
            idea=idea,
            title=f"Draft {n:03}",
        )
        titles.append(proposal.title)
    return titles


def grow_ideas(cast, start, stop):
    add_ideas(cast, stop - start, start)
    return [f"Idea {n}" for n in range(start, stop)]


def grow_idea_choices(cast, start, stop):
    Registration.objects.get_or_create(
        user=cast.contributor, program=cast.program, defaults={"registered_at": DEADLINE}
    )
    add_ideas(cast, stop - start, start)
    return [f"Idea {n}" for n in range(start, stop)]


def grow_proposals(cast, start, stop):
    from tests.applications.test_query_counts import add_proposals

    add_proposals(cast, stop - start, start)
    return [f"Proposal {n}" for n in range(start, stop)]


def _reviewed(cast):
    return submitted(cast.participation, title="Under review", mentors=[cast.mentor])


def grow_review(cast, start, stop):
    """One proposal gets more mentors, scores and comments."""
    proposal = Proposal.objects.get(title="Under review")
    bodies = []
    for n in range(start, stop):
        mentor = MembershipFactory(participation=cast.participation).user
        ProposalMentor.objects.create(proposal=proposal, mentor=mentor)
        Score.objects.create(proposal=proposal, reviewer=mentor, value=n % 5 + 1)
        bodies.append(
            Comment.objects.create(proposal=proposal, author=mentor, body=f"c{n:03}").body
        )
    return bodies


def grow_announced(cast, start, stop):
    add_projects(cast, stop - start, start)
    return [f"Project {n}" for n in range(start, stop)]


def grow_selection(cast, start, stop):
    allocate(cast.participation, 30)
    for n in range(start, stop):
        mentor = MembershipFactory(participation=cast.participation).user
        proposal = submitted(
            cast.participation, title=f"Chosen {n:03}", rank=n + 1, mentors=[cast.mentor, mentor]
        )
        Score.objects.create(proposal=proposal, reviewer=mentor, value=3)
    return [f"Chosen {n:03}" for n in range(start, stop)]


def _docs_participation(name, program, status=ParticipationStatus.ACCEPTED):
    return ParticipationFactory(program=program, organization__name=name, status=status)


def _doc_proposal(participation, title, status="submitted"):
    proposal = DocProposal.objects.create(
        participation=participation,
        title=title,
        status=status,
        submitted_at=DEADLINE if status == "submitted" else None,
    )
    for position in (1, 2):
        BudgetItem.objects.create(
            proposal=proposal,
            position=position,
            kind="technical_writer",
            description="Writer",
            amount=Decimal("5000.00"),
        )
    return proposal


def grow_doc_projects(cast, start, stop):
    return [
        _doc_proposal(
            _docs_participation(f"Docs org {n:03}", cast.docs_program), f"Doc project {n:03}"
        ).title
        for n in range(start, stop)
    ]


def grow_doc_applications(cast, start, stop):
    names = []
    for n in range(start, stop):
        status = [ParticipationStatus.APPLIED, ParticipationStatus.ACCEPTED][n % 2]
        participation = _docs_participation(f"Docs org {n:03}", cast.docs_program, status)
        participation.budget_requested = Decimal("10000.00")
        participation.save()
        _doc_proposal(participation, f"Doc project {n:03}")
        names.append(participation.organization.name)
    return names


def _writer(n, **kwargs):
    user = UserFactory(email=f"writer{n:03}@example.org")
    return WriterProfile.objects.create(
        user=user, display_name=f"Writer {n:03}", country_of_residence="KE", **kwargs
    )


def grow_writers(cast, start, stop):
    return [_writer(n, is_public=True).display_name for n in range(start, stop)]


def grow_statements(cast, start, stop):
    names = []
    for n in range(start, stop):
        profile = _writer(n)
        StatementOfInterest.objects.create(
            participation=cast.docs_participation,
            writer=profile.user,
            message=f"Statement {n:03}",
            sent_at=DEADLINE - timedelta(hours=n),
        )
        if n % 3 == 0:
            Hire.objects.create(
                participation=cast.docs_participation,
                writer=profile.user,
                agreed_hours=120,
                hours_per_week=10,
                compensation=Decimal("6000.00"),
                hired_at=DEADLINE,
                hired_by=cast.org_admin,
            )
        names.append(profile.display_name)
    return names


def _case_study(participation, status, rows=2):
    study = CaseStudy.objects.create(
        participation=participation,
        status=status,
        submitted_at=DEADLINE,
        reviewed_at=DEADLINE if status == CaseStudyStatus.ACCEPTED else None,
        problem="The problem.",
    )
    for position in range(1, rows + 1):
        Deliverable.objects.create(
            case_study=study, position=position, title=f"d{position}", percent_complete=100
        )
        Lesson.objects.create(
            case_study=study, kind="went_well", topic="t", what_we_did="w", lesson="l"
        )
    return study


def grow_case_studies(cast, start, stop):
    names = []
    for n in range(start, stop):
        participation = _docs_participation(f"Docs org {n:03}", cast.docs_program)
        _case_study(participation, [CaseStudyStatus.SUBMITTED, CaseStudyStatus.ACCEPTED][n % 2])
        names.append(participation.organization.name)
    return names


def grow_published_case_studies(cast, start, stop):
    names = []
    for n in range(start, stop):
        participation = _docs_participation(f"Docs org {n:03}", cast.docs_program)
        _case_study(participation, CaseStudyStatus.ACCEPTED)
        names.append(participation.organization.name)
    return names


def _one_case_study(cast):
    _case_study(cast.docs_participation, CaseStudyStatus.ACCEPTED, rows=0)


def grow_case_study_rows(cast, start, stop):
    study = CaseStudy.objects.get(participation=cast.docs_participation)
    titles = []
    for n in range(start, stop):
        deliverable = Deliverable.objects.create(
            case_study=study, position=n + 1, title=f"d{n:03}", percent_complete=50
        )
        titles.append(deliverable.title)
        Lesson.objects.create(
            case_study=study, kind="went_well", topic=f"t{n:03}", what_we_did="w", lesson="l"
        )
    return titles


def grow_my_projects(cast, start, stop):
    """Projects the cast's mentor works on, their mentor midterms open now."""
    titles = []
    for n in range(start, stop):
        project = make_project(cast, starts_at=_now() - timedelta(days=42, hours=1))
        Project.objects.filter(pk=project.pk).update(title=f"Mentored {n:03}")
        titles.append(f"Mentored {n:03}")
    return titles


def grow_docs_administered(cast, start, stop):
    """The org admin administers ever more accepted docs organizations, each with its monthly
    evaluations (created by the page on first visit, as in a season)."""
    names = []
    for n in range(start, stop):
        program = _program(f"Docs season {n:03}", docs=True)
        participation = _docs_participation(f"Docs admin org {n:03}", program)
        MembershipFactory(participation=participation, user=cast.org_admin, role=Role.ORG_ADMIN)
        names.append(participation.organization.name)
    return names


def _docs_months(cast):
    cast.docs_program.milestones.filter(kind=MilestoneKind.MONTHLY_EVALUATION).delete()


def grow_docs_months(cast, start, stop):
    """More monthly-evaluation windows, the past ones filed."""
    from tests.applications.test_evaluations import MONTHLY_ANSWERS

    for n in range(start, stop):
        MilestoneFactory(
            program=cast.docs_program,
            kind=MilestoneKind.MONTHLY_EVALUATION,
            sequence=n + 1,
            starts_at=DEADLINE + timedelta(days=30 * n),
            ends_at=DEADLINE + timedelta(days=30 * n + 7),
        )
    periods.periods_ensure_for_docs(cast.docs_participation)
    for period in cast.docs_participation.evaluation_periods.filter(
        sequence__gte=start + 1, sequence__lte=stop
    ):
        filing.evaluation_submit(
            period=period, by=cast.org_admin, answers=MONTHLY_ANSWERS, now=period.opens_at
        )
    return [
        f"Monthly evaluation {n + 1}" if n else "Monthly evaluation" for n in range(start, stop)
    ]


def _history(payout, count=2):
    for n in range(count):
        PayoutStatusChange.objects.create(
            payout=payout,
            from_status=PayoutStatus.PENDING,
            to_status=PayoutStatus.APPROVED,
            by=payout.participation.memberships.first().user,
            at=DEADLINE + timedelta(minutes=n),
            reason=f"r{n}",
        )


def grow_payouts(cast, start, stop):
    """Stipends of the cast's organization, and (in the ledger) other organizations' stipends."""
    references = []
    for n in range(start, stop):
        status = [PayoutStatus.PENDING, PayoutStatus.APPROVED][n % 2]
        payout = make_payout(cast, milestone=PayoutMilestone.CODING_MIDTERM, status=status)
        _history(payout)
        references.append(payout.reference)
        other = ParticipationFactory(program=cast.program)
        MembershipFactory(participation=other, role=Role.ORG_ADMIN)
        payout = make_payout(
            cast, milestone=PayoutMilestone.ORG_STIPEND, payee=ORGANIZATION, participation=other
        )
        _history(payout)
    return references


def grow_my_payouts(cast, start, stop):
    references = []
    for _ in range(start, stop):
        payout = make_payout(cast)
        _history(payout)
        references.append(payout.reference)
    return references


def grow_writer_payments(cast, start, stop):
    references = []
    for _ in range(start, stop):
        payout = make_payout(cast, milestone=PayoutMilestone.WRITER_PAYMENT)
        _history(payout)
        references.append(payout.reference)
    return references


def grow_approved(cast, start, stop):
    return [make_payout(cast, status=PayoutStatus.APPROVED).reference for _ in range(start, stop)]


def _one_payout(cast):
    make_payout(cast)


def grow_payout_history(cast, start, stop):
    from payments.models import Payout

    payout = Payout.objects.get(payee=cast.contributor)
    reasons = []
    for n in range(start, stop):
        change = PayoutStatusChange.objects.create(
            payout=payout,
            from_status=PayoutStatus.PENDING,
            to_status=PayoutStatus.APPROVED,
            by=MembershipFactory(participation=cast.participation).user,
            at=DEADLINE + timedelta(minutes=n),
            reason=f"Reason {n:03}",
        )
        reasons.append(change.reason)
    return reasons


def _signing_key(settings):
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    settings.STATISTICS_SIGNING_KEY = base64.b64encode(raw).decode()


def grow_publications(cast, start, stop):
    """Publications of ever more programs, a few with a superseded predecessor."""
    from django.conf import settings

    slugs = []
    for n in range(start, stop):
        program = ProgramFactory(series="gsoc" if n % 2 else f"series-{n}", year=2000 + n)
        manager_grant(program=program, user=cast.manager)
        publishing.statistics_publish(program=program, by=cast.manager, now=DEADLINE)
        if n % 4 == 0:
            publishing.statistics_publish(program=program, by=cast.manager, now=DEADLINE)
        slugs.append(program.name)
        _signing_key(settings)  # the next one signs with a new key: the key page lists both
    return slugs


def grow_program_publications(cast, start, stop):
    from tests.reports.test_statistics import contributor, submit

    published = []
    for n in range(start, stop):
        submit(cast.program, cast.participation, contributor("IN"))
        published.append(
            publishing.statistics_publish(
                program=cast.program, by=cast.manager, now=DEADLINE + timedelta(minutes=n)
            )
        )
    return [f"statistics/{p.pk}/" for p in published]


def grow_key_rotations(cast, start, stop):
    from django.conf import settings

    keys = []
    for _ in range(start, stop):
        publication = publishing.statistics_publish(
            program=cast.program, by=cast.manager, now=DEADLINE
        )
        keys.append(publication.public_key)
        _signing_key(settings)
    return keys


def grow_audit(cast, start, stop):
    """Audit entries of the program, each by another actor (the page shows their snapshot)."""
    from audit.services import audit_record

    notes = []
    for n in range(start, stop):
        audit_record(
            actor=UserFactory(email=f"audited{n:03}@example.org"),
            action=f"test.action{n % 3}",
            obj=cast.participation,
            before={"note": None},
            after={"note": f"Audited {n:03}"},
            program=cast.program,
            at=DEADLINE + timedelta(minutes=n),
        )
        notes.append(f"Audited {n:03}")
    return notes


# Dashboard: one case per role, each growing what that role's sections list.


def grow_managed(cast, start, stop):
    names = []
    for n in range(start, stop):
        program = _program(f"Managed {n:03}")
        manager_grant(program=program, user=cast.manager)
        ParticipationFactory(program=program, status=ParticipationStatus.APPLIED)
        names.append(program.name)
    return names


def grow_administered(cast, start, stop):
    """The org admin administers organizations in ever more live programs, coding and docs."""
    from docs_season.models import Survey

    names = []
    for n in range(start, stop):
        docs = n % 2 == 1
        program = _program(f"Season {n:03}", docs=docs)
        status = ParticipationStatus.ACCEPTED if docs or n % 4 else ParticipationStatus.APPLIED
        participation = ParticipationFactory(
            program=program, organization__name=f"Admin org {n:03}", status=status
        )
        MembershipFactory(participation=participation, user=cast.org_admin, role=Role.ORG_ADMIN)
        Invitation.objects.create(
            participation=participation,
            email=f"pending{n:03}@example.org",
            token_digest=f"a{n:063}",
            expires_at=_now() + timedelta(days=7),
        )
        if docs:
            _doc_proposal(participation, f"Doc {n:03}", status="draft")
            StatementOfInterest.objects.create(
                participation=participation,
                writer=cast.writer,
                message="Hello",
                sent_at=DEADLINE,
            )
            MilestoneFactory(
                program=program,
                kind=MilestoneKind.FOLLOW_UP_SURVEY,
                starts_at=_now() - timedelta(days=1),
                ends_at=_now() + timedelta(days=30),
            )
            program.milestones.filter(kind=MilestoneKind.CASE_STUDY).update(
                starts_at=_now() - timedelta(days=1), ends_at=_now() + timedelta(days=30)
            )
            Survey.objects.create(program=program, title=f"Survey {n:03}")
            CaseStudy.objects.create(participation=participation)
        else:
            MembershipFactory(participation=participation)
        names.append(participation.organization.name)
    return names


def grow_mentored(cast, start, stop):
    names = []
    for n in range(start, stop):
        program = _program(f"Mentored season {n:03}")
        participation = ParticipationFactory(
            program=program, organization__name=f"Mentor org {n:03}"
        )
        MembershipFactory(participation=participation, user=cast.mentor)
        names.append(participation.organization.name)
    return grow_my_projects(cast, start, stop) + names


def grow_invitations(cast, start, stop):
    names = []
    for n in range(start, stop):
        participation = ParticipationFactory(
            program=cast.program, organization__name=f"Inviting org {n:03}"
        )
        Invitation.objects.create(
            participation=participation,
            email=cast.contributor.email,
            token_digest=f"b{n:063}",
            expires_at=_now() + timedelta(days=7),
        )
        names.append(participation.organization.name)
    # An open application window in more coding programs: the contributor's section lists them.
    names += grow_programs(cast, start, stop)
    return names


def _docs_args(cast):
    return [cast.docs_program.slug, cast.docs_participation.organization.slug]


def _org_args(cast):
    return [cast.program.slug, cast.participation.organization.slug]


def _review_url(cast):
    return reverse("proposal_review", args=[Proposal.objects.get(title="Under review").pk])


def _payout_url(cast):
    from payments.models import Payout

    return reverse("payout_detail", args=[Payout.objects.get(payee=cast.contributor).pk])


def _case_study_url(cast):
    return reverse(
        "case_study_detail", args=[CaseStudy.objects.get(participation=cast.docs_participation).pk]
    )


# name or "name[variant]" -> Page
PAGES = {
    "home": Page(lambda c: reverse("home"), None, grow_programs, capped=True),
    "program_list": Page(lambda c: reverse("program_list"), None, grow_programs),
    # The program page previews the first projects; the rest are on program_projects.
    "program_detail": Page(
        lambda c: reverse("program_detail", args=[c.program.slug]),
        None,
        grow_announced,
        capped=True,
    ),
    "program_organizations": Page(
        lambda c: reverse("program_organizations", args=[c.program.slug]),
        None,
        grow_organizations,
    ),
    "program_ics": Page(
        lambda c: reverse("program_ics", args=[c.program.slug]), None, grow_milestones
    ),
    "participation_team": Page(
        lambda c: reverse("participation_team", args=_org_args(c)), "org_admin", grow_team
    ),
    "organization_detail": Page(
        lambda c: reverse("organization_detail", args=[c.participation.organization.slug]),
        "outsider",
        grow_org_programs,
    ),
    "account_tokens": Page(lambda c: reverse("account_tokens"), "contributor", grow_tokens),
    "dashboard[manager]": Page(lambda c: reverse("dashboard"), "manager", grow_managed),
    "dashboard[org_admin]": Page(lambda c: reverse("dashboard"), "org_admin", grow_administered),
    "dashboard[mentor]": Page(lambda c: reverse("dashboard"), "mentor", grow_mentored),
    "dashboard[contributor]": Page(lambda c: reverse("dashboard"), "contributor", grow_invitations),
    "my_proposals": Page(
        lambda c: reverse("my_proposals", args=[c.program.slug]), "contributor", grow_drafts
    ),
    "proposal_new": Page(
        lambda c: reverse("proposal_new", args=[c.program.slug]),
        "contributor",
        grow_idea_choices,
    ),
    "idea_list": Page(lambda c: reverse("idea_list", args=[c.program.slug]), "mentor", grow_ideas),
    "org_proposals[org_admin]": Page(
        lambda c: reverse("org_proposals", args=_org_args(c)), "org_admin", grow_proposals
    ),
    "org_proposals[mentor]": Page(
        lambda c: reverse("org_proposals", args=_org_args(c)), "mentor", grow_proposals
    ),
    "org_proposals[manager]": Page(
        lambda c: reverse("org_proposals", args=_org_args(c)), "manager", grow_proposals
    ),
    "proposal_review": Page(_review_url, "mentor", grow_review, setup=_reviewed),
    "program_slots": Page(
        lambda c: reverse("program_slots", args=[c.program.slug]),
        "manager",
        grow_organizations,
    ),
    "program_selection[preview]": Page(
        lambda c: reverse("program_selection", args=[c.program.slug]),
        "manager",
        grow_selection,
    ),
    "program_selection[announced]": Page(
        lambda c: reverse("program_selection", args=[c.program.slug]),
        "manager",
        grow_announced,
    ),
    "program_projects": Page(
        lambda c: reverse("program_projects", args=[c.program.slug]), None, grow_announced
    ),
    "doc_projects": Page(
        lambda c: reverse("doc_projects", args=[c.docs_program.slug]),
        None,
        grow_doc_projects,
    ),
    "program_applications": Page(
        lambda c: reverse("program_applications", args=[c.docs_program.slug]),
        "manager",
        grow_doc_applications,
    ),
    "writer_directory": Page(lambda c: reverse("writer_directory"), None, grow_writers),
    "org_writers": Page(
        lambda c: reverse("org_writers", args=_docs_args(c)), "org_admin", grow_statements
    ),
    "program_case_studies": Page(
        lambda c: reverse("program_case_studies", args=[c.docs_program.slug]),
        "manager",
        grow_case_studies,
    ),
    "case_studies": Page(lambda c: reverse("case_studies"), None, grow_published_case_studies),
    "case_study_detail": Page(_case_study_url, None, grow_case_study_rows, setup=_one_case_study),
    "my_evaluations[mentor]": Page(lambda c: reverse("my_evaluations"), "mentor", grow_my_projects),
    "my_evaluations[org_admin]": Page(
        lambda c: reverse("my_evaluations"), "org_admin", grow_docs_administered, warm=True
    ),
    "docs_evaluations": Page(
        lambda c: reverse("docs_evaluations", args=_docs_args(c)),
        "org_admin",
        grow_docs_months,
        setup=_docs_months,
    ),
    "my_payouts": Page(lambda c: reverse("my_payouts"), "contributor", grow_my_payouts),
    "payout_detail": Page(_payout_url, "contributor", grow_payout_history, setup=_one_payout),
    "program_ledger": Page(
        lambda c: reverse("program_ledger", args=[c.program.slug]), "manager", grow_payouts
    ),
    "program_ledger[csv]": Page(
        lambda c: reverse("program_ledger", args=[c.program.slug]) + "?format=csv",
        "manager",
        grow_payouts,
    ),
    "program_opencollective[csv]": Page(
        lambda c: reverse("program_opencollective", args=[c.program.slug]) + "?format=csv",
        "manager",
        grow_approved,
    ),
    "org_payouts[coding]": Page(
        lambda c: reverse("org_payouts", args=_org_args(c)), "org_admin", grow_payouts
    ),
    "org_payouts[docs]": Page(
        lambda c: reverse("org_payouts", args=_docs_args(c)),
        "org_admin",
        grow_writer_payments,
    ),
    "statistics_index": Page(lambda c: reverse("statistics_index"), None, grow_publications),
    "statistics_key": Page(lambda c: reverse("statistics_key"), None, grow_key_rotations),
    "program_statistics_manage": Page(
        lambda c: reverse("program_statistics_manage", args=[c.program.slug]),
        "manager",
        grow_program_publications,
    ),
    "program_audit": Page(
        lambda c: reverse("program_audit", args=[c.program.slug]), "manager", grow_audit
    ),
}

# Queries of each with MANY rows, the same on SQLite and PostgreSQL today: a regression
# beyond fails even where the count stays flat. Lower them when a change saves queries.
CEILINGS = {
    "home": 3,
    "program_list": 2,
    "program_detail": 6,
    "program_organizations": 4,
    "program_ics": 2,
    "participation_team": 6,
    "organization_detail": 7,
    "account_tokens": 3,
    "dashboard[manager]": 10,
    "dashboard[org_admin]": 12,
    "dashboard[mentor]": 10,
    "dashboard[contributor]": 11,
    "my_proposals": 6,
    "proposal_new": 9,
    "idea_list": 10,
    "org_proposals[org_admin]": 9,
    "org_proposals[mentor]": 9,
    "org_proposals[manager]": 9,
    "proposal_review": 9,
    "program_slots": 7,
    "program_selection[preview]": 8,
    "program_selection[announced]": 9,
    "program_projects": 5,
    "doc_projects": 4,
    "program_applications": 8,
    "writer_directory": 1,
    "org_writers": 9,
    "program_case_studies": 9,
    "case_studies": 3,
    "case_study_detail": 3,
    "my_evaluations[mentor]": 6,
    "my_evaluations[org_admin]": 6,
    "docs_evaluations": 9,
    "my_payouts": 4,
    "payout_detail": 4,
    "program_ledger": 8,
    "program_ledger[csv]": 8,
    "program_opencollective[csv]": 6,
    "org_payouts[coding]": 6,
    "org_payouts[docs]": 6,
    "statistics_index": 1,
    "statistics_key": 1,
    "program_statistics_manage": 17,
    "program_audit": 9,
}

# URL names that list no unbounded rows, each with why.
NOT_A_LIST = {
    "favicon.ico": "a redirect to the static icon",
    "account_token_revoke": "POST only: revokes one token",
    "account_data": "the viewer's own links and refusals (bounded by their roles)",
    "account_data_export": "a fixed number of queries, tested in tests/portal/test_privacy.py",
    "account_delete": "a password form (bounded by the viewer's roles)",
    "invitation_revoke": "POST only: revokes one invitation",
    "invitation": "one invitation",
    "invitation_answer": "one invitation",
    "contributor_profile": "the viewer's own profile form",
    "writer_profile": "the viewer's own profile form",
    "program_register": "the viewer's registration form",
    "proposal_edit": "one proposal the contributor edits",
    "proposal_autosave": "POST only: saves one draft",
    "proposal_withdraw": "POST only: withdraws one proposal",
    "proposal_attachment": "one file",
    "idea_new": "a form; its mentor choices are one query",
    "idea_edit": "a form; its mentor choices are one query",
    "org_apply": "a form; the organizations the viewer administers are one query",
    "doc_proposal_edit": "one proposal and its budget form (bounded by the form's rows)",
    "doc_proposal_check": "POST only: checks one budget",
    "writer_detail": "one writer's profile",
    "statement_send": "a form to one organization",
    "case_study_edit": "a form for one organization's case study (bounded rows)",
    "survey_answer": "one survey form",
    "project_detail": "one project and its four fixed evaluation periods",
    "evaluation_file": "one evaluation form",
    "unsubscribe": "one signed link",
    "program_opencollective": "an upload form; its CSV export is covered as [csv]",
    "statistics_verify": "a form",
    "statistics_detail": "one publication: a stored JSON document, no rows behind it",
    "statistics_json": "one publication's stored bytes",
    "statistics_csv": "one publication's stored document, flattened",
}
# Third-party pages, by the module their views come from.
NOT_A_LIST_MODULES = {
    "allauth.": "sign-in, sign-up, e-mail and password pages about the viewer's own account",
}


def _viewer(cast, role):
    return None if role is None else getattr(cast, role)


def captured(client, url) -> list[str]:
    """The SQL of one GET (200 expected), the cache emptied first: a page cache would answer
    the second request without reading the new rows."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return [query["sql"] for query in queries.captured_queries]


def grown(few: list[str], many: list[str]) -> str:
    """The statements run more often with many rows than with few: the N+1 to look at."""
    shape = lambda sql: re.sub(r"\b\d+\b|'[^']*'", "?", sql)  # noqa: E731
    before, after = Counter(map(shape, few)), Counter(map(shape, many))
    return "\n".join(
        f"{after[sql] - before[sql]:+} x {sql[:300]}" for sql in after if after[sql] > before[sql]
    )


def assert_constant(name, few: list[str], many: list[str], ceiling: int):
    assert len(many) == len(few), (
        f"{name}: {len(few)} queries with {FEW} rows, {len(many)} with {MANY}; grown:\n"
        + grown(few, many)
    )
    assert len(many) <= ceiling, f"{name}: {len(many)} queries, more than its ceiling {ceiling}"


@pytest.mark.parametrize("name", list(PAGES))
def test_list_page_queries_do_not_grow(cast, client, settings, name):
    page = PAGES[name]
    _signing_key(settings)
    page.setup(cast)
    viewer = _viewer(cast, page.viewer)
    if viewer is not None:
        client.force_login(viewer)
    url = page.url(cast)
    shown = page.grow(cast, 0, FEW)
    if page.warm:
        client.get(url)
    few = captured(client, url)
    shown += page.grow(cast, FEW, MANY)
    if page.warm:
        client.get(url)
    many = captured(client, url)
    body = client.get(url).content.decode()
    for text in shown[:1] if page.capped else [shown[0], shown[-1]]:
        assert text in body, f"{name}: {text!r} is not on the page"
    assert_constant(name, few, many, CEILINGS[name])


# Completeness -------------------------------------------------------------------------------


def _patterns(entries=None):
    """(name, or route if unnamed, and view module) of every URL pattern; the admin's (Django's
    own changelists, paged by it) left out."""
    for entry in get_resolver().url_patterns if entries is None else entries:
        if isinstance(entry, URLResolver):
            if entry.app_name != "admin":
                yield from _patterns(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            callback = getattr(entry.callback, "view_class", entry.callback)
            yield entry.name or str(entry.pattern), callback.__module__


def test_every_url_is_covered():
    from tests.api.test_api_query_counts import API_LISTS, API_NOT_A_LIST

    covered = {name.split("[")[0] for name in [*PAGES, *API_LISTS]}
    declared = covered | set(NOT_A_LIST) | set(API_NOT_A_LIST)
    missing = sorted(
        name
        for name, module in _patterns()
        if name not in declared and not module.startswith(tuple(NOT_A_LIST_MODULES))
    )
    assert not missing, (
        f"URL patterns neither covered by a query-count test nor declared not a list: {missing}"
    )
    names = {name for name, _ in _patterns()}
    stale = sorted(declared - names)
    assert not stale, f"Declared but no longer routed: {stale}"
    # A variant (an export) may be covered while its page is not a list; the page itself not.
    whole = {name for name in [*PAGES, *API_LISTS] if "[" not in name}
    assert not whole & (set(NOT_A_LIST) | set(API_NOT_A_LIST))


def test_every_page_has_a_ceiling():
    assert set(CEILINGS) == set(PAGES)

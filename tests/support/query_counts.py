"""What the query-count tests of the pages (tests/portal/test_list_query_counts.py) and of the
API (tests/api/test_api_query_counts.py) share: the growers, which add rows numbered
[start, stop) around the cast and return a text each new row shows, and the check that the
queries of a GET stay constant as rows are added."""

import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
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
from tests.support.cast import DEADLINE
from tests.support.evaluations import MONTHLY_ANSWERS, make_project
from tests.support.payouts import ORGANIZATION, make_payout
from tests.support.proposals import add_ideas, add_projects, add_proposals, allocate, submitted
from tests.support.statistics import contributor, new_signing_key, submit

FEW, MANY = 3, 23


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
    add_proposals(cast, stop - start, start)
    return [f"Proposal {n}" for n in range(start, stop)]


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


def case_study(participation, status, rows=2):
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
        case_study(participation, [CaseStudyStatus.SUBMITTED, CaseStudyStatus.ACCEPTED][n % 2])
        names.append(participation.organization.name)
    return names


def grow_published_case_studies(cast, start, stop):
    names = []
    for n in range(start, stop):
        participation = _docs_participation(f"Docs org {n:03}", cast.docs_program)
        case_study(participation, CaseStudyStatus.ACCEPTED)
        names.append(participation.organization.name)
    return names


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


def grow_docs_months(cast, start, stop):
    """More monthly-evaluation windows, the past ones filed."""
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
        new_signing_key(settings)  # the next one signs with a new key: the key page lists both
    return slugs


def grow_program_publications(cast, start, stop):
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
        new_signing_key(settings)
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


# Counting ----------------------------------------------------------------------------------


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

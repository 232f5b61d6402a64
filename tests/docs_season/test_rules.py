"""Docs-season rules pinned at their boundaries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from docs_season.models import CaseStudy, DocProposal, Hire, StatementOfInterest, WriterProfile
from docs_season.services import budget, case_studies, hiring, organizations
from programs.models import MilestoneKind, Role
from tests.factories import MembershipFactory, ParticipationFactory, UserFactory
from tests.support.cast import DEADLINE
from tests.support.docs import fund_writers

pytestmark = pytest.mark.django_db
US = timedelta(microseconds=1)
D = Decimal


def items(writer="6000", **others):
    rows = [{"kind": "technical_writer", "description": "Writer", "amount": D(writer)}]
    for kind, amount in others.items():
        for value in amount if isinstance(amount, list) else [amount]:
            rows.append({"kind": kind, "description": kind, "amount": D(value)})
    return rows


def rules(cast, rows, justification=""):
    return {
        p.rule
        for p in budget.budget_problems(
            program=cast.docs_program, items=rows, justification=justification
        )
    }


def test_a_sound_budget_breaks_no_rule(cast):
    assert rules(cast, items("6000", swag="199.99", volunteer_stipend=["500", "500"])) == set()


@pytest.mark.parametrize(
    ("total", "broken"),
    [("4999.99", True), ("5000.00", False), ("15000.00", False), ("15000.01", True)],
)
def test_total_within_bounds_or_justified(cast, total, broken):
    assert ("total" in rules(cast, items(total))) is broken
    assert "total" not in rules(cast, items(total), justification="A two-writer project.")


@pytest.mark.parametrize(
    ("writer", "other", "broken"), [("6000", "4000", False), ("5999.99", "4000.01", True)]
)
def test_writers_get_at_least_sixty_percent(cast, writer, other, broken):
    assert ("writer_share" in rules(cast, items(writer, other=other))) is broken


def test_writer_share_message_names_the_figures(cast):
    (problem,) = [
        p
        for p in budget.budget_problems(
            program=cast.docs_program, items=items("5000", other="5000")
        )
        if p.rule == "writer_share"
    ]
    assert "50.0%" in problem.message and "at least 60%" in problem.message


@pytest.mark.parametrize(("swag", "broken"), [("199.99", False), ("200.00", True)])
def test_swag_stays_under_its_cap(cast, swag, broken):
    assert ("swag" in rules(cast, items("9000", swag=swag))) is broken


@pytest.mark.parametrize(("stipend", "broken"), [("500.00", False), ("500.01", True)])
def test_each_volunteer_stipend_is_capped_and_the_line_named(cast, stipend, broken):
    problems = budget.budget_problems(
        program=cast.docs_program, items=items("9000", volunteer_stipend=["100", stipend])
    )
    stipend_problems = [p for p in problems if p.rule == "volunteer_stipend"]
    assert bool(stipend_problems) is broken
    if broken:
        assert stipend_problems[0].line == 3 and "Line 3" in stipend_problems[0].message


@pytest.mark.parametrize(("donation", "broken"), [("1000.00", False), ("1000.01", True)])
def test_donations_at_most_ten_percent(cast, donation, broken):
    # 9,000 to the writer: a donation of 1,000 is exactly 10% of 10,000.
    assert ("donations" in rules(cast, items("9000", donation=donation))) is broken


def test_rules_are_program_settings(cast):
    cast.docs_program.swag_max = D("50")
    cast.docs_program.save()
    assert "swag" in rules(cast, items("9000", swag="60"))


def test_one_doc_proposal_per_org_per_program(cast):
    DocProposal.objects.create(participation=cast.docs_participation)
    with pytest.raises(IntegrityError), transaction.atomic():
        DocProposal.objects.create(participation=cast.docs_participation)


def test_saving_keeps_a_draft_that_breaks_rules_and_submit_refuses_it(cast):
    proposal = DocProposal.objects.create(participation=cast.docs_participation)
    problems = organizations.doc_proposal_save(
        proposal=proposal,
        by=cast.org_admin,
        now=DEADLINE,
        data={
            "title": "Docs",
            "about_organization": "a",
            "problem": "p",
            "scope": "s",
            "success_metrics": "m",
        },
        items=items("5000", other="5000"),
    )
    assert [p.rule for p in problems] == ["writer_share"]
    assert proposal.budget_items.count() == 2
    opens = cast.docs_program.milestone(MilestoneKind.ORG_APPLICATIONS).starts_at
    with pytest.raises(ValidationError) as error:
        organizations.doc_proposal_submit(proposal=proposal, by=cast.org_admin, now=opens)
    assert "at least 60%" in error.value.messages[0]


def _hire(cast, now, writer=None):
    if not DocProposal.objects.filter(participation=cast.docs_participation).exists():
        fund_writers(cast.docs_participation)
    return hiring.writer_hire(
        participation=cast.docs_participation,
        by=cast.org_admin,
        writer=writer or cast.writer,
        agreed_hours=200,
        hours_per_week=20,
        compensation=D("6000"),
        now=now,
    )


@pytest.mark.parametrize(
    ("moment", "allowed"), [(DEADLINE - US, True), (DEADLINE, True), (DEADLINE + US, False)]
)
def test_hiring_until_the_deadline_inclusive(cast, moment, allowed):
    if allowed:
        assert _hire(cast, moment).hired_at == moment
    else:
        with pytest.raises(ValidationError, match="hiring deadline passed at 2023-04-04 18:00:00"):
            _hire(cast, moment)
        assert not Hire.objects.exists()


@pytest.mark.parametrize(("hours", "allowed"), [(4, False), (5, True), (30, True), (31, False)])
def test_writer_hours_per_week_within_bounds(cast, hours, allowed):
    fund_writers(cast.docs_participation)
    call = lambda: hiring.writer_hire(  # noqa: E731
        participation=cast.docs_participation,
        by=cast.org_admin,
        writer=cast.writer,
        agreed_hours=100,
        hours_per_week=hours,
        compensation=D("5000"),
        now=DEADLINE,
    )
    if allowed:
        call()
    else:
        with pytest.raises(ValidationError, match="5 to 30 hours"):
            call()


def test_only_the_org_admin_hires_and_only_once(cast):
    fund_writers(cast.docs_participation)
    for person in (cast.mentor, cast.other_org_admin, cast.writer, cast.manager):
        with pytest.raises(PermissionDenied):
            hiring.writer_hire(
                participation=cast.docs_participation,
                by=person,
                writer=cast.writer,
                agreed_hours=100,
                hours_per_week=10,
                compensation=D("5000"),
                now=DEADLINE,
            )
    _hire(cast, DEADLINE)
    with pytest.raises(ValidationError, match="already hired"):
        _hire(cast, DEADLINE)


@pytest.mark.parametrize(("moment", "allowed"), [(DEADLINE, True), (DEADLINE + US, False)])
def test_statements_of_interest_close_with_hiring(cast, moment, allowed):
    send = lambda: hiring.statement_send(  # noqa: E731
        participation=cast.docs_participation, writer=cast.writer, message="Hello", now=moment
    )
    if allowed:
        send()
    else:
        with pytest.raises(ValidationError, match="hiring is closed"):
            send()


def test_statements_need_a_writer_profile_and_an_accepted_org(cast):
    with pytest.raises(ValidationError, match="writer profile"):
        hiring.statement_send(
            participation=cast.docs_participation, writer=cast.outsider, message="Hi", now=DEADLINE
        )
    pending = ParticipationFactory(program=cast.docs_program, status="applied")
    with pytest.raises(ValidationError, match="not an accepted organization"):
        hiring.statement_send(participation=pending, writer=cast.writer, message="Hi", now=DEADLINE)


def test_org_admins_see_only_statements_addressed_to_them(cast):
    from docs_season import selectors
    from docs_season.services import hiring

    other = ParticipationFactory(program=cast.docs_program)
    MembershipFactory(participation=other, role=Role.ORG_ADMIN, user=cast.other_org_admin)
    second_writer = UserFactory()
    from docs_season.models import WriterProfile

    WriterProfile.objects.create(user=second_writer, display_name="Two", country_of_residence="DE")
    hiring.statement_send(
        participation=cast.docs_participation, writer=cast.writer, message="To A", now=DEADLINE
    )
    hiring.statement_send(participation=other, writer=second_writer, message="To B", now=DEADLINE)
    mine = selectors.statements_for_org(participation=cast.docs_participation)
    assert [s.message for s in mine] == ["To A"]
    assert StatementOfInterest.objects.count() == 2


def test_case_study_drafts_are_never_public_and_accepted_ones_wait_for_results(cast):
    from docs_season import selectors
    from docs_season.services import case_studies

    study = case_studies.case_study_for(participation=cast.docs_participation, by=cast.org_admin)
    with pytest.raises(PermissionDenied):
        case_studies.case_study_for(participation=cast.docs_participation, by=cast.other_org_admin)
    results = cast.docs_program.milestone(MilestoneKind.RESULTS).ends_at
    assert not selectors.case_studies_published(now=results).exists()
    CaseStudy.objects.filter(pk=study.pk).update(status="accepted")
    assert not selectors.case_studies_published(now=results - US).exists()
    assert list(selectors.case_studies_published(now=results)) == [study]


def test_case_study_submission_inside_its_window(cast):
    study = case_studies.case_study_for(participation=cast.docs_participation, by=cast.org_admin)
    full = dict.fromkeys(("writers_count", "project_hours", "percent_complete"), 1)
    full |= {"budget_amount": D("9000")}
    full |= dict.fromkeys(
        ("problem", "outcomes", "went_well", "advice", "recruitment", "metrics", "analysis"), "text"
    )
    window = cast.docs_program.milestone(MilestoneKind.CASE_STUDY)
    case_studies.case_study_save(
        case_study=study,
        by=cast.org_admin,
        data=full,
        now=window.starts_at,
        deliverables=[{"title": "API guide", "planned": True, "percent_complete": 100}],
        lessons=[{"kind": "went_well", "topic": "Budget", "what_we_did": "x", "lesson": "y"}],
    )
    with pytest.raises(ValidationError, match="can be submitted from"):
        case_studies.case_study_submit(case_study=study, by=cast.org_admin, now=window.ends_at + US)
    case_studies.case_study_submit(case_study=study, by=cast.org_admin, now=window.ends_at)
    with pytest.raises(PermissionDenied):
        case_studies.case_study_review(
            case_study=study, by=cast.org_admin, accept=True, note="", now=window.ends_at
        )
    case_studies.case_study_review(
        case_study=study, by=cast.manager, accept=True, note="", now=window.ends_at
    )
    study.refresh_from_db()
    assert study.status == "accepted"


def _offer(cast, *, agreed_hours=200, hours_per_week=20, compensation="6000", writer=None):
    return hiring.writer_hire(
        participation=cast.docs_participation,
        by=cast.org_admin,
        writer=writer or cast.writer,
        agreed_hours=agreed_hours,
        hours_per_week=hours_per_week,
        compensation=D(compensation),
        now=DEADLINE,
    )


def test_a_hire_breaking_every_rule_names_each_one_at_once(cast):
    # The journey of the issue: 5 hours in all, 10 a week, US$90,000 for a US$9,650 project.
    fund_writers(cast.docs_participation, "9650")
    with pytest.raises(ValidationError) as refused:
        _offer(cast, agreed_hours=5, hours_per_week=10, compensation="90000")
    errors = refused.value.message_dict
    assert errors["agreed_hours"] == ["The hours agreed (5) are fewer than one week's 10 hours."]
    assert errors["compensation"] == [
        "US$90,000.00 is more than the US$9,650.00 left of the project's technical writer "
        "budget (US$9,650.00, of which US$0.00 is committed to earlier hires).",
        "US$90,000.00 is above the program's US$15,000.00 maximum for a project.",
    ]
    assert not Hire.objects.exists()


@pytest.mark.parametrize(("amount", "allowed"), [("3650.00", True), ("3650.01", False)])
def test_hires_share_the_writer_budget_to_the_cent(cast, amount, allowed):
    fund_writers(cast.docs_participation, "9650")
    _offer(cast, compensation="6000")
    second = UserFactory()
    WriterProfile.objects.create(user=second, display_name="Second", country_of_residence="IN")
    if allowed:
        assert _offer(cast, compensation=amount, writer=second).compensation == D(amount)
    else:
        with pytest.raises(
            ValidationError, match=r"US\$3,650.00 left .* US\$6,000.00 is committed"
        ):
            _offer(cast, compensation=amount, writer=second)


@pytest.mark.parametrize(("hours", "allowed"), [(19, False), (20, True)])
def test_the_hours_agreed_cover_at_least_one_week(cast, hours, allowed):
    fund_writers(cast.docs_participation)
    if allowed:
        _offer(cast, agreed_hours=hours, hours_per_week=20)
    else:
        with pytest.raises(ValidationError, match="fewer than one week"):
            _offer(cast, agreed_hours=hours, hours_per_week=20)


def test_without_a_writer_budget_nothing_can_be_offered(cast):
    with pytest.raises(ValidationError, match=r"left of the project's technical writer budget"):
        _offer(cast)

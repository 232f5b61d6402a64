"""Program statistics computed in SQL from a small built season, and their public view."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from applications.models import Project, Proposal
from docs_season.models import CaseStudy, Deliverable, DocProposal, Hire
from evaluations.models import Evaluation, EvaluationForm, EvaluationPeriod
from payments.models import Payout
from programs.models import ParticipationStatus, Role
from reports.disclosure import SMALL, SUPPRESSED, is_suppressed, protect, public_view
from reports.statistics import program_statistics
from tests.factories import MembershipFactory, ParticipationFactory, ProgramFactory
from tests.support.cast import DEADLINE
from tests.support.statistics import contributor, submit

pytestmark = pytest.mark.django_db


def accept(proposal, *, weeks=12, status="active"):
    Proposal.objects.filter(pk=proposal.pk).update(status="accepted")
    return Project.objects.create(
        proposal=proposal,
        participation=proposal.participation,
        contributor=proposal.contributor,
        title=proposal.title,
        size=proposal.size,
        length_weeks=weeks,
        coding_starts_at=DEADLINE,
        coding_ends_at=DEADLINE + timedelta(weeks=weeks),
        accepted_at=DEADLINE,
        status=status,
    )


def evaluate(project, kind, passed, *, side="mentor", by):
    form, _ = EvaluationForm.objects.get_or_create(
        program=project.participation.program, kind=kind, side=side
    )
    period = EvaluationPeriod.objects.create(
        project=project,
        participation=project.participation,
        kind=kind,
        side=side,
        opens_at=DEADLINE,
        closes_at=DEADLINE + timedelta(days=7),
    )
    return Evaluation.objects.create(
        period=period, form=form, filed_by=by, submitted_at=DEADLINE, passed=passed
    )


def pay(project, milestone, amount, *, status="paid", currency="USD"):
    return Payout.objects.create(
        reference=f"{milestone}-{project.pk}-{status}",
        program=project.participation.program,
        participation=project.participation,
        project=project,
        payee=project.contributor,
        milestone=milestone,
        amount=Decimal(amount),
        currency=currency,
        status=status,
        paid_at=DEADLINE if status == "paid" else None,
        created_at=DEADLINE,
    )


@pytest.fixture
def season(cast):
    """cast.program with 4 applying orgs (one returning), 9 proposals by 8 people, 3 projects."""
    program = cast.program
    earlier = ProgramFactory(series=program.series, year=program.year - 1)
    ParticipationFactory(program=earlier, organization=cast.participation.organization)
    ParticipationFactory(program=program, status=ParticipationStatus.APPLIED)
    rejected = ParticipationFactory(program=program, status=ParticipationStatus.REJECTED)
    MembershipFactory(participation=rejected, role=Role.MENTOR)  # not in an accepted org
    MembershipFactory(participation=cast.other_participation, user=cast.mentor)  # counted once

    people = [contributor(c) for c in ["IN", "IN", "IN", "IN", "DE", "DE", "BR", "BR"]]
    sizes = [175, 175, 175, 175, 175, 350]
    proposals = [
        submit(program, cast.participation, person, size=size)
        for person, size in zip(people[:6], sizes, strict=True)
    ]
    proposals += [submit(program, cast.other_participation, p, size=90) for p in people[6:]]
    submit(program, cast.other_participation, people[0], size=90, slot=2)
    submit(program, cast.participation, contributor("FR"), status="draft")
    submit(program, cast.participation, contributor("FR"), status="withdrawn")

    passed = accept(proposals[0], weeks=12, status="passed")
    failed = accept(proposals[1], weeks=12, status="failed")
    active = accept(proposals[6], weeks=10)
    evaluate(passed, "midterm", True, by=cast.mentor)
    evaluate(failed, "midterm", True, by=cast.mentor)
    evaluate(active, "midterm", False, by=cast.other_mentor)
    evaluate(passed, "final", True, by=cast.mentor)
    evaluate(failed, "final", False, by=cast.mentor)
    evaluate(passed, "midterm", True, side="contributor", by=passed.contributor)  # not counted
    pay(passed, "coding_midterm", "1350.00")
    pay(failed, "coding_midterm", "1350.00")
    pay(passed, "coding_final", "1650.50")
    pay(active, "coding_midterm", "900.00", status="pending")  # not paid: not counted
    return cast


def test_coding_statistics_are_computed_from_the_source_rows(season):
    stats = program_statistics(program=season.program)
    coding = stats["coding"]
    assert stats["program"]["slug"] == season.program.slug
    assert coding["organizations"] == {"applied": 4, "accepted": 2, "new": 1}
    assert coding["mentors"] == 2
    assert coding["applicants"] == 8
    assert coding["proposals"] == {
        "total": 9,
        "by_size": {"90": 3, "175": 5, "350": 1},
        "by_country": {"BR": 2, "DE": 2, "IN": 5},
    }
    org = season.participation.organization
    other = season.other_participation.organization
    assert coding["acceptance_by_org"] == {
        org.slug: {"name": org.name, "proposals": 6, "accepted": 2},
        other.slug: {"name": other.name, "proposals": 3, "accepted": 1},
    }
    assert coding["accepted_contributors"] == 3
    assert coding["countries"] == {"applicants": 3, "accepted": 2}
    assert coding["pass_rates"] == {
        "midterm": {"filed": 3, "passed": 2, "rate": "66.7"},
        "final": {"filed": 2, "passed": 1, "rate": "50.0"},
    }
    assert coding["completion_by_length"] == {
        "10": {"total": 1, "passed": 0, "rate": "0.0"},
        "12": {"total": 2, "passed": 1, "rate": "50.0"},
    }
    assert coding["payouts"] == {
        "USD": {
            "coding_final": {"count": 1, "sum": "1650.50"},
            "coding_midterm": {"count": 2, "sum": "2700.00"},
        }
    }


def test_docs_statistics_are_computed_from_the_source_rows(cast):
    program = cast.docs_program
    second = ParticipationFactory(program=program, budget_requested=Decimal("7000.00"))
    ParticipationFactory(program=program, status="rejected", budget_requested=Decimal("9000"))
    type(cast.docs_participation).objects.filter(pk=cast.docs_participation.pk).update(
        budget_requested=Decimal("5000.50")
    )
    DocProposal.objects.create(participation=second, title="Docs")
    Hire.objects.create(
        participation=cast.docs_participation,
        writer=cast.writer,
        agreed_hours=100,
        hours_per_week=10,
        compensation=Decimal("4000"),
        hired_at=DEADLINE,
    )
    Hire.objects.create(
        participation=second,
        writer=cast.writer,
        agreed_hours=50,
        hours_per_week=10,
        compensation=Decimal("2000"),
        hired_at=DEADLINE,
    )
    form = EvaluationForm.objects.create(program=program, kind="monthly", side="org_admin")
    for sequence, (participation, status) in enumerate(
        [(cast.docs_participation, "on_track"), (second, "on_track"), (second, "concerns")], 1
    ):
        period = EvaluationPeriod.objects.create(
            participation=participation,
            kind="monthly",
            side="org_admin",
            sequence=sequence,
            opens_at=DEADLINE,
            closes_at=DEADLINE + timedelta(days=7),
        )
        Evaluation.objects.create(
            period=period, form=form, filed_by=cast.org_admin, submitted_at=DEADLINE, status=status
        )
    study = CaseStudy.objects.create(
        participation=cast.docs_participation, status="accepted", submitted_at=DEADLINE
    )
    CaseStudy.objects.create(participation=second, status="draft")
    Deliverable.objects.create(case_study=study, title="Guide", percent_complete=100)
    Deliverable.objects.create(case_study=study, title="API", percent_complete=50)
    Payout.objects.create(
        reference="grant-1",
        program=program,
        participation=second,
        milestone="grant_hire",
        amount=Decimal("2800.00"),
        currency="USD",
        status="paid",
        paid_at=DEADLINE,
        created_at=DEADLINE,
    )

    docs = program_statistics(program=program)["docs"]
    assert docs["projects"] == 2
    assert docs["budgets"] == {
        "currency": "USD",
        "requested": "12000.50",
        "spent": {"USD": "2800.00"},
    }
    assert docs["writers_hired"] == 1
    assert docs["monthly_evaluations"] == {
        "total": 3,
        "by_status": {"on_track": 2, "concerns": 1, "failing": 0},
    }
    assert docs["case_studies"] == {"submitted": 1, "accepted": 1}
    assert docs["deliverables"] == {"count": 2, "average_percent_complete": "75.0"}


def _queries(program):
    with CaptureQueriesContext(connection) as queries:
        program_statistics(program=program)
    return len(queries)


def test_the_query_count_does_not_grow_with_the_data(cast):
    small = ProgramFactory()
    big = ProgramFactory()
    for program, count in ((small, 3), (big, 30)):
        orgs = [ParticipationFactory(program=program) for _ in range(3)]
        for index in range(count):
            proposal = submit(program, orgs[index % 3], contributor("IN"), size=175)
            project = accept(proposal, status="passed")
            evaluate(project, "midterm", True, by=cast.outsider)
            pay(project, "coding_midterm", "100")
    assert _queries(small) == _queries(big)


# ---------- suppression ----------


def test_cells_under_five_become_small_and_one_more_is_suppressed():
    cells, total = protect({"IN": 12, "DE": 3, "BR": 7, "FR": 9}, 31)
    assert cells == {"IN": 12, "DE": SMALL, "BR": SUPPRESSED, "FR": 9}
    assert total == 31


def test_two_small_cells_need_no_complement():
    cells, total = protect({"IN": 12, "DE": 3, "BR": 1}, 16)
    assert cells == {"IN": 12, "DE": SMALL, "BR": SMALL}
    assert total == 16


def test_a_lone_small_cell_hides_the_total_when_nothing_else_can():
    cells, total = protect({"IN": 3}, 3)
    assert (cells, total) == ({"IN": SMALL}, SMALL)


@given(st.dictionaries(st.sampled_from("ABCDEFGH"), st.integers(0, 40), min_size=1))
def test_no_suppressed_cell_can_be_recovered_from_the_total(raw):
    total = sum(raw.values())
    cells, total_out = protect(raw, total)
    suppressed = [key for key, value in cells.items() if is_suppressed(value)]
    for key, value in raw.items():
        if value < 5:
            assert cells[key] == SMALL
        elif not is_suppressed(cells[key]):
            assert cells[key] == value
    if not is_suppressed(total_out):
        # total - the published cells is the sum of at least two hidden cells, never one.
        assert len(suppressed) != 1


def test_the_public_view_suppresses_people_counts(season):
    view = public_view(program_statistics(program=season.program))
    coding = view["coding"]
    assert coding["organizations"] == {"applied": 4, "accepted": 2, "new": 1}  # not people
    assert coding["mentors"] == SMALL
    assert coding["applicants"] == 8
    # 9 proposals: 90 → 3 and 350 → 1 are small; two cells hidden, so 175 stays.
    assert coding["proposals"]["by_size"] == {"90": SMALL, "175": 5, "350": SMALL}
    # IN 5, DE 2, BR 2: two small cells; the total cannot single either out.
    assert coding["proposals"]["by_country"] == {"BR": SMALL, "DE": SMALL, "IN": 5}
    assert coding["proposals"]["total"] == 9
    assert coding["accepted_contributors"] == SMALL
    assert coding["pass_rates"]["midterm"] == {"filed": SMALL, "passed": SMALL, "rate": None}
    usd = coding["payouts"]["USD"]
    assert usd["coding_midterm"] == {"count": SMALL, "sum": None}


def test_a_single_small_country_takes_the_next_smallest_with_it(cast):
    program = cast.program
    for country, count in (("IN", 9), ("DE", 6), ("BR", 2)):
        for _ in range(count):
            submit(program, cast.participation, contributor(country))
    proposals = public_view(program_statistics(program=program))["coding"]["proposals"]
    assert proposals["total"] == 17
    assert proposals["by_country"] == {"BR": SMALL, "DE": SUPPRESSED, "IN": 9}


def test_a_pass_count_is_hidden_when_the_failures_are_few():
    stats = {
        "schema": 1,
        "program": {},
        "coding": {
            "organizations": {},
            "mentors": 9,
            "applicants": 40,
            "proposals": {"total": 40, "by_size": {"175": 40}, "by_country": {"IN": 40}},
            "acceptance_by_org": {"a": {"name": "A", "proposals": 40, "accepted": 12}},
            "accepted_contributors": 12,
            "countries": {"applicants": 1, "accepted": 1},
            "pass_rates": {
                "midterm": {"filed": 12, "passed": 10, "rate": "83.3"},
                "final": {"filed": 10, "passed": 5, "rate": "50.0"},
            },
            "completion_by_length": {"12": {"total": 12, "passed": 5, "rate": "41.7"}},
            "payouts": {},
        },
    }
    coding = public_view(stats)["coding"]
    # 2 failed midterms would be 12 - 10: the pass count goes, and the rate with it.
    assert coding["pass_rates"]["midterm"] == {"filed": 12, "passed": SUPPRESSED, "rate": None}
    assert coding["pass_rates"]["final"] == {"filed": 10, "passed": 5, "rate": "50.0"}
    assert coding["completion_by_length"]["12"] == {"total": 12, "passed": 5, "rate": "41.7"}

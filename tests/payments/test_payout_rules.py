"""The money rules through payments.money and payments.services: stipends and grants split without
losing a cent (property-based), records created once per milestone (also concurrently), payouts
following evaluations, and the status workflow with who may move what and its history."""

import threading
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docs_season.models import CaseStudy, CaseStudyStatus
from evaluations.models import EvaluationKind, Side
from evaluations.services import filing
from payments import money, services
from payments.models import CountryFactor, Milestone, Payout, PayoutStatus, PayoutStatusChange
from tests.support.cast import DEADLINE
from tests.support.evaluations import (
    CONTRIBUTOR_ANSWERS,
    FAIL_ANSWERS,
    FINAL_ANSWERS,
    MENTOR_ANSWERS,
    make_project,
    period_of,
)
from tests.support.payouts import ORGANIZATION, make_hire, make_payout

pytestmark = pytest.mark.django_db

SIZES = [90, 175, 350]
DB_EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
factors = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("5.000"), places=3)
currencies = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3)
countries = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)
percents = st.decimals(min_value=0, max_value=100, places=2)
totals = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2)


def has_cents(value: Decimal) -> bool:
    return value.as_tuple().exponent == -2


# Amounts, property-based -------------------------------------------------------------------


@DB_EXAMPLES
@given(size=st.sampled_from(SIZES), factor=factors, country=countries, currency=currencies,
       midterm=percents)  # fmt: skip
def test_coding_parts_always_add_up_to_the_clamped_stipend(
    cast, size, factor, country, currency, midterm
):
    program = cast.program
    program.currency = currency
    program.midterm_payout_percent = midterm
    program.final_payout_percent = 100 - midterm
    CountryFactor.objects.update_or_create(
        program=program, country=country, defaults={"factor": factor}
    )
    base = Decimal(program.stipend_base[str(size)])
    total = services.coding_stipend(program=program, size=size, country=country)
    assert has_cents(total)
    assert base * Decimal("0.5") <= total <= base * Decimal("1.1")
    assert total == money.to_cents(base * money.clamp(factor, Decimal("0.5"), Decimal("1.1")))
    parts = services.coding_parts(program=program, total=total)
    assert list(parts) == [Milestone.CODING_MIDTERM, Milestone.CODING_FINAL]
    assert sum(parts.values()) == total
    assert all(has_cents(part) and part >= 0 for part in parts.values())
    assert parts[Milestone.CODING_MIDTERM] == money.to_cents(total * midterm / 100)


@DB_EXAMPLES
@given(size=st.sampled_from(SIZES), factor=factors,
       floor=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1.00"), places=2),
       spread=st.decimals(min_value=0, max_value=Decimal("2.00"), places=2))  # fmt: skip
def test_a_programs_own_floor_and_ceiling_hold(cast, size, factor, floor, spread):
    program = cast.program
    program.stipend_factor_floor, program.stipend_factor_ceiling = floor, floor + spread
    CountryFactor.objects.update_or_create(
        program=program, country="ZZ", defaults={"factor": factor}
    )
    base = Decimal(program.stipend_base[str(size)])
    total = services.coding_stipend(program=program, size=size, country="ZZ")
    assert money.to_cents(base * floor) <= total <= money.to_cents(base * (floor + spread))


def test_a_country_without_a_factor_gets_the_base(cast):
    for size in SIZES:
        total = services.coding_stipend(program=cast.program, size=size, country="XX")
        assert total == Decimal(cast.program.stipend_base[str(size)])


@settings(max_examples=300, deadline=None)
@given(total=totals, hire=percents)
def test_grant_parts_always_add_up(total, hire):
    from programs.models import Program

    program = Program(hire_payout_percent=hire, final_grant_payout_percent=100 - hire)
    parts = services.grant_parts(program=program, total=total)
    assert list(parts) == [Milestone.GRANT_HIRE, Milestone.GRANT_FINAL]
    assert sum(parts.values()) == total
    assert all(has_cents(part) and part >= 0 for part in parts.values())


@settings(max_examples=300, deadline=None)
@given(total=st.decimals(min_value=0, max_value=Decimal("1e9"), places=4),
       cuts=st.lists(st.decimals(min_value=0, max_value=100, places=2), max_size=4))  # fmt: skip
def test_split_never_loses_a_cent(total, cuts):
    # Cut points on [0, 100] give shares that add up to exactly 100.
    points = [Decimal(0), *sorted(cuts), Decimal(100)]
    percents = [b - a for a, b in pairwise(points)]
    parts = money.split(total, percents)
    assert len(parts) == len(percents)
    assert sum(parts) == money.to_cents(total)
    assert all(has_cents(part) for part in parts)
    assert all(part >= 0 for part in parts)


def test_split_in_three_never_gives_a_negative_part():
    assert all(part >= 0 for part in money.split(Decimal("0.03"), [50, 50, 0]))


@given(value=st.decimals(allow_nan=False, allow_infinity=False, places=3),
       low=st.decimals(min_value=0, max_value=10, places=2),
       spread=st.decimals(min_value=0, max_value=10, places=2))  # fmt: skip
def test_clamp_stays_within_bounds(value, low, spread):
    clamped = money.clamp(value, low, low + spread)
    assert low <= clamped <= low + spread
    if low <= value <= low + spread:
        assert clamped == value


def test_to_cents_rounds_half_up():
    assert money.to_cents(Decimal("1.005")) == Decimal("1.01")
    assert money.to_cents(Decimal("1.004")) == Decimal("1.00")
    assert money.to_cents(Decimal("2.675")) == Decimal("2.68")


def test_split_refuses_shares_not_adding_up_to_100():
    with pytest.raises(ValueError, match="add up to 100"):
        money.split(Decimal("100"), [Decimal("45"), Decimal("50")])


# Records follow evaluations ----------------------------------------------------------------


def pass_midterm(cast, project):
    contributor_side = period_of(project, EvaluationKind.MIDTERM, Side.CONTRIBUTOR)
    filing.evaluation_submit(
        period=contributor_side,
        by=cast.contributor,
        answers=CONTRIBUTOR_ANSWERS,
        now=contributor_side.opens_at,
    )
    mentor_side = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    filing.evaluation_submit(
        period=mentor_side, by=cast.mentor, answers=MENTOR_ANSWERS, now=mentor_side.opens_at
    )
    return mentor_side.closes_at


def pass_final(cast, project):
    contributor_final = period_of(project, EvaluationKind.FINAL, Side.CONTRIBUTOR)
    filing.evaluation_submit(
        period=contributor_final,
        by=cast.contributor,
        answers=FINAL_ANSWERS,
        now=contributor_final.opens_at,
    )
    mentor_final = period_of(project, EvaluationKind.FINAL, Side.MENTOR)
    filing.evaluation_submit(
        period=mentor_final, by=cast.mentor, answers=MENTOR_ANSWERS, now=mentor_final.opens_at
    )
    project.refresh_from_db()
    assert project.status == "passed"
    return mentor_final.closes_at


def milestones_of(project):
    return sorted(Payout.objects.filter(project=project).values_list("milestone", flat=True))


def test_a_passed_midterm_pays_45_percent_and_a_passed_final_55(cast):
    CountryFactor.objects.create(program=cast.program, country="IN", factor=Decimal("0.777"))
    project = make_project(cast, size=175)
    assert services.payouts_create_due(now=DEADLINE) == []
    # The mentor's pass alone is not enough: the contributor's evaluation is part of it.
    mentor_side = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    filing.evaluation_submit(
        period=mentor_side, by=cast.mentor, answers=MENTOR_ANSWERS, now=mentor_side.opens_at
    )
    assert services.payouts_create_due(now=mentor_side.opens_at) == []
    contributor_side = period_of(project, EvaluationKind.MIDTERM, Side.CONTRIBUTOR)
    filing.evaluation_submit(
        period=contributor_side,
        by=cast.contributor,
        answers=CONTRIBUTOR_ANSWERS,
        now=contributor_side.opens_at,
    )
    now = mentor_side.closes_at
    (midterm,) = services.payouts_create_due(now=now)
    # 3,000 x 0.777 = 2,331.00; 45% of it.
    assert (midterm.milestone, midterm.amount) == (Milestone.CODING_MIDTERM, Decimal("1048.95"))
    assert (midterm.payee, midterm.currency, midterm.status) == (
        cast.contributor,
        "USD",
        PayoutStatus.DRAFT,
    )
    assert midterm.history.get().to_status == PayoutStatus.DRAFT
    now = pass_final(cast, project)
    (final,) = [p for p in services.payouts_create_due(now=now) if p.project_id == project.pk]
    assert (final.milestone, final.amount) == (Milestone.CODING_FINAL, Decimal("1282.05"))
    assert midterm.amount + final.amount == Decimal("2331.00")


@pytest.mark.parametrize("currency", ["USD", "EUR"])
def test_payouts_are_in_the_programs_currency(cast, currency):
    cast.program.currency = currency
    cast.program.save()
    project = make_project(cast, size=90)
    now = pass_midterm(cast, project)
    (payout,) = services.payouts_create_due(now=now)
    assert (payout.amount, payout.currency) == (Decimal("675.00"), currency)


def test_running_twice_makes_one_record_per_milestone(cast):
    project = make_project(cast)
    now = pass_midterm(cast, project)
    first = services.payouts_create_due(now=now)
    assert [p.milestone for p in first] == [Milestone.CODING_MIDTERM]
    assert services.payouts_create_due(now=now) == []
    assert milestones_of(project) == [Milestone.CODING_MIDTERM]
    assert PayoutStatusChange.objects.filter(payout__project=project).count() == 1


def test_a_record_exists_only_once_even_if_inserted_behind_the_selectors_back(cast):
    project = make_project(cast)
    now = pass_midterm(cast, project)
    (payout,) = services.payouts_create_due(now=now)
    # The database, not the query that looks for missing payouts, is what keeps it unique.
    assert (
        services._create(
            now=now,
            reference="ANOTHER-REFERENCE",
            program=cast.program,
            participation=cast.participation,
            project=project,
            payee=cast.contributor,
            milestone=Milestone.CODING_MIDTERM,
            amount=payout.amount,
            currency="USD",
        )
        is None
    )
    assert Payout.objects.filter(project=project).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_make_one_record(cast):
    from evaluations.services.filing import evaluation_submitted, project_ended
    from payments.receivers import _create_due_payouts

    project = make_project(cast)
    # Committed for real here, so the evaluations' signal would run the job at once (eagerly);
    # keep it out, so that the two threads below are the first to find the payout due.
    for signal in (evaluation_submitted, project_ended):
        signal.disconnect(_create_due_payouts)
    try:
        now = pass_midterm(cast, project)
    finally:
        for signal in (evaluation_submitted, project_ended):
            signal.connect(_create_due_payouts)
    assert not Payout.objects.filter(project=project).exists()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(services.payouts_create_due(now=now))
        except Exception as error:  # reported below, in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(len(created) for created in results) == [0, 1]
    assert milestones_of(project) == [Milestone.CODING_MIDTERM]
    assert PayoutStatusChange.objects.filter(payout__project=project).count() == 1


def test_a_failed_midterm_means_no_midterm_and_no_final_payout_ever(cast):
    project = make_project(cast)
    contributor_side = period_of(project, EvaluationKind.MIDTERM, Side.CONTRIBUTOR)
    filing.evaluation_submit(
        period=contributor_side,
        by=cast.contributor,
        answers=CONTRIBUTOR_ANSWERS,
        now=contributor_side.opens_at,
    )
    mentor_side = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    filing.evaluation_submit(
        period=mentor_side, by=cast.mentor, answers=FAIL_ANSWERS, now=mentor_side.opens_at
    )
    project.refresh_from_db()
    assert project.status == "failed"
    assert services.payouts_create_due(now=mentor_side.closes_at) == []
    final = period_of(project, EvaluationKind.FINAL, Side.CONTRIBUTOR)
    with pytest.raises(ValidationError):
        filing.evaluation_submit(
            period=final, by=cast.contributor, answers=FINAL_ANSWERS, now=final.opens_at
        )
    later = project.coding_ends_at + timedelta(days=60)
    assert services.payouts_create_due(now=later) == []
    assert milestones_of(project) == []
    # Nor does the organization get a stipend for a contributor who did not pass.
    assert not Payout.objects.filter(milestone=Milestone.ORG_STIPEND).exists()


def test_the_org_stipend_comes_once_all_its_projects_have_ended(cast):
    from tests.factories import UserFactory

    passing = make_project(cast)
    second = make_project(cast)
    second.contributor = UserFactory()
    second.save()
    now = pass_midterm(cast, passing)
    services.payouts_create_due(now=now)
    now = pass_final(cast, passing)
    created = services.payouts_create_due(now=now)
    assert Milestone.ORG_STIPEND not in [p.milestone for p in created]  # `second` is active
    filing.project_end(project=second, passed=False, reason="missed the midterm", now=now)
    (stipend,) = services.payouts_create_due(now=now)
    assert (stipend.milestone, stipend.amount, stipend.payee) == (
        Milestone.ORG_STIPEND,
        Decimal("500.00"),  # one passed contributor
        None,
    )
    assert stipend.participation == cast.participation
    assert services.payouts_create_due(now=now) == []


def test_a_hire_pays_40_percent_of_the_grant_and_the_case_study_60(cast):
    cast.docs_participation.budget_requested = Decimal("7777.77")
    cast.docs_participation.save()
    assert services.payouts_create_due(now=DEADLINE) == []
    make_hire(cast)
    (hire,) = services.payouts_create_due(now=DEADLINE)
    assert (hire.milestone, hire.amount, hire.payee) == (
        Milestone.GRANT_HIRE,
        Decimal("3111.11"),
        None,
    )
    case_study = CaseStudy.objects.create(participation=cast.docs_participation)
    assert services.payouts_create_due(now=DEADLINE) == []  # a draft case study pays nothing
    case_study.status = CaseStudyStatus.ACCEPTED
    case_study.save()
    (final,) = services.payouts_create_due(now=DEADLINE)
    assert (final.milestone, final.amount) == (Milestone.GRANT_FINAL, Decimal("4666.66"))
    assert hire.amount + final.amount == cast.docs_participation.budget_requested
    assert services.payouts_create_due(now=DEADLINE) == []


# Workflow ----------------------------------------------------------------------------------

ROLES = [
    "manager", "org_admin", "mentor", "other_org_admin", "other_mentor", "contributor", "writer",
    "outsider",
]  # fmt: skip


@pytest.mark.parametrize("source", list(PayoutStatus))
@pytest.mark.parametrize("target", list(PayoutStatus))
def test_every_transition_is_allowed_or_refused_by_the_workflow(cast, source, target):
    payout = make_payout(cast, status=source)
    if target in services.TRANSITIONS[source]:
        moved = services.payout_transition(
            payout=payout, to=target, by=cast.manager, now=DEADLINE, reason="checked"
        )
        assert moved.status == target
        change = moved.history.get()
        assert (change.from_status, change.to_status, change.by, change.reason) == (
            source,
            target,
            cast.manager,
            "checked",
        )
        assert (moved.paid_at is not None) == (target == PayoutStatus.PAID)
    else:
        with pytest.raises(ValidationError) as refused:
            services.payout_transition(payout=payout, to=target, by=cast.manager, now=DEADLINE)
        assert refused.value.messages == [
            services.BAD_TRANSITION.format(
                from_=PayoutStatus(source).label.lower(), to=PayoutStatus(target).label.lower()
            )
        ]
        payout.refresh_from_db()
        assert payout.status == source
        assert not payout.history.exists()


def test_the_whole_way_to_paid_is_logged(cast):
    payout = make_payout(cast, status=PayoutStatus.DRAFT)
    for step, to in enumerate([PayoutStatus.PENDING, PayoutStatus.APPROVED, PayoutStatus.PAID]):
        payout = services.payout_transition(
            payout=payout, to=to, by=cast.manager, now=DEADLINE + timedelta(hours=step)
        )
    assert payout.paid_at == DEADLINE + timedelta(hours=2)
    assert [(c.from_status, c.to_status) for c in payout.history.all()] == [
        ("draft", "pending"),
        ("pending", "approved"),
        ("approved", "paid"),
    ]


def test_a_stale_copy_cannot_move_a_payout_twice(cast):
    payout = make_payout(cast)
    stale = Payout.objects.get(pk=payout.pk)
    services.payout_transition(payout=payout, to=PayoutStatus.APPROVED, by=cast.manager,
                               now=DEADLINE)  # fmt: skip
    with pytest.raises(ValidationError, match="changed meanwhile"):
        services.payout_transition(
            payout=stale, to=PayoutStatus.REJECTED, by=cast.manager, now=DEADLINE
        )
    assert Payout.objects.get(pk=payout.pk).status == PayoutStatus.APPROVED


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "milestone",
    [Milestone.CODING_MIDTERM, Milestone.ORG_STIPEND, Milestone.GRANT_HIRE,
     Milestone.WRITER_PAYMENT],
)  # fmt: skip
def test_who_may_move_what(cast, role, milestone):
    docs = milestone in (Milestone.GRANT_HIRE, Milestone.WRITER_PAYMENT)
    payout = make_payout(
        cast,
        milestone=milestone,
        program=cast.docs_program if docs else None,
        participation=cast.docs_participation if docs else None,
        payee=ORGANIZATION if milestone in (Milestone.GRANT_HIRE, Milestone.ORG_STIPEND) else None,
    )
    # Managers move stipends and grants; an org admin only its own organization's writer payments.
    allowed = "org_admin" if milestone == Milestone.WRITER_PAYMENT else "manager"
    user = getattr(cast, role)
    if role == allowed:
        services.payout_transition(payout=payout, to=PayoutStatus.APPROVED, by=user, now=DEADLINE)
        assert Payout.objects.get(pk=payout.pk).status == PayoutStatus.APPROVED
    else:
        with pytest.raises(PermissionDenied):
            services.payout_transition(
                payout=payout, to=PayoutStatus.APPROVED, by=user, now=DEADLINE
            )
        assert Payout.objects.get(pk=payout.pk).status == PayoutStatus.PENDING
        assert not payout.history.exists()


def test_an_org_admin_records_payments_only_to_its_own_hired_writers(cast):
    from programs.models import Role
    from tests.factories import MembershipFactory, ParticipationFactory

    hire = make_hire(cast)
    payout = services.writer_payment_record(
        participation=cast.docs_participation,
        by=cast.org_admin,
        hire=hire,
        amount=Decimal("1000.005"),
        now=DEADLINE,
    )
    assert (payout.amount, payout.payee, payout.status) == (
        Decimal("1000.01"),
        cast.writer,
        PayoutStatus.DRAFT,
    )
    assert payout.history.get().by == cast.org_admin
    # Several payments to one writer are allowed, each with its own reference.
    second = services.writer_payment_record(
        participation=cast.docs_participation,
        by=cast.org_admin,
        hire=hire,
        amount=Decimal("1"),
        now=DEADLINE,
    )
    assert second.reference != payout.reference
    for role in ["manager", "mentor", "other_org_admin", "writer", "outsider"]:
        with pytest.raises(PermissionDenied):
            services.writer_payment_record(
                participation=cast.docs_participation,
                by=getattr(cast, role),
                hire=hire,
                amount=Decimal("1"),
                now=DEADLINE,
            )
    other = ParticipationFactory(program=cast.docs_program)
    MembershipFactory(participation=other, user=cast.org_admin, role=Role.ORG_ADMIN)
    with pytest.raises(ValidationError, match="not hired by this organization"):
        services.writer_payment_record(
            participation=other, by=cast.org_admin, hire=hire, amount=Decimal("1"), now=DEADLINE
        )


def test_history_cannot_be_edited_or_deleted(cast):
    payout = make_payout(cast)
    services.payout_transition(payout=payout, to=PayoutStatus.APPROVED, by=cast.manager,
                               now=DEADLINE, reason="ok")  # fmt: skip
    change = payout.history.get()
    change.reason = "rewritten"
    with pytest.raises(ValidationError, match="cannot be edited"):
        change.save()
    with pytest.raises(ValidationError, match="cannot be deleted"):
        change.delete()
    change.refresh_from_db()
    assert change.reason == "ok"

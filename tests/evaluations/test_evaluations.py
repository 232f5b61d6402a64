"""The rules of evaluations, through evaluations.services: the periods of every allowed
length, deadlines to the microsecond, immutability, failing grades, length changes, who files and
who reads what."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from applications.models import Project
from applications.services import review, selection
from evaluations.models import (
    Evaluation,
    EvaluationForm,
    EvaluationKind,
    EvaluationPeriod,
    PeriodStatus,
    Side,
)
from evaluations.selectors import period_state
from evaluations.services import filing, periods, questions
from programs.models import MilestoneKind, Role, default_length_options
from tests.factories import MembershipFactory, UserFactory
from tests.support.evaluations import (
    CONTRIBUTOR_ANSWERS,
    FAIL_ANSWERS,
    FINAL_ANSWERS,
    MENTOR_ANSWERS,
    MONTHLY_ANSWERS,
    START,
    make_project,
    period_of,
)

pytestmark = pytest.mark.django_db

US = timedelta(microseconds=1)
ALL_LENGTHS = [
    (int(size), weeks) for size, lengths in default_length_options().items() for weeks in lengths
]


def docs_period(cast):
    periods.periods_ensure_for_docs(cast.docs_participation)
    return EvaluationPeriod.objects.get(
        participation=cast.docs_participation, kind=EvaluationKind.MONTHLY, sequence=1
    )


# Periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "weeks"), ALL_LENGTHS)
def test_periods_of_every_allowed_length(cast, size, weeks):
    project = make_project(cast, size=size, weeks=weeks)
    window = timedelta(days=cast.program.evaluation_window_days)
    end = START + timedelta(weeks=weeks)
    midterm = START + timedelta(days=weeks * 7 / 2)
    assert project.midterm_at == midterm
    expected = {
        (EvaluationKind.MIDTERM, Side.MENTOR): (midterm, midterm + window),
        (EvaluationKind.MIDTERM, Side.CONTRIBUTOR): (midterm, midterm + window),
        (EvaluationKind.FINAL, Side.CONTRIBUTOR): (end - window, end),
        (EvaluationKind.FINAL, Side.MENTOR): (end, end + window),
    }
    got = {(p.kind, p.side): (p.opens_at, p.closes_at) for p in project.periods.all()}
    assert got == expected
    # The pure arithmetic agrees, and creating the periods again adds none.
    windows = periods.project_period_windows(starts_at=START, ends_at=end, window_days=7)
    assert {(k, s): (o, c) for k, s, o, c in windows} == expected
    assert periods.periods_ensure_for_project(project) == 0
    assert project.periods.count() == 4


def test_the_window_is_the_programs(cast):
    cast.program.evaluation_window_days = 4
    cast.program.save()
    project = make_project(cast, weeks=10)
    midterm = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    assert midterm.closes_at - midterm.opens_at == timedelta(days=4)
    assert midterm.opens_at == START + timedelta(days=35)


def test_announcing_creates_each_projects_periods_from_its_own_length(cast):
    from tests.support.selection import BEFORE_RANKING, submitted

    proposal = submitted(cast, cast.participation)  # 14 weeks
    review.proposals_rank(
        participation=cast.participation,
        by=cast.org_admin,
        ordering=[proposal.pk],
        now=BEFORE_RANKING,
    )
    review.participation_request_slots(
        participation=cast.participation, by=cast.org_admin, slots=1, now=BEFORE_RANKING
    )
    selection.slots_apply(program=cast.program, by=cast.manager, total=1, now=BEFORE_RANKING)
    (project,) = selection.program_announce(
        program=cast.program, by=cast.manager, now=BEFORE_RANKING
    )
    starts = cast.program.milestone(MilestoneKind.CODING).starts_at
    midterm = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    assert midterm.opens_at == starts + timedelta(weeks=7)
    assert period_of(project, EvaluationKind.FINAL, Side.MENTOR).opens_at == starts + timedelta(
        weeks=14
    )


def test_docs_periods_follow_the_monthly_milestones(cast):
    period = docs_period(cast)
    milestone = cast.docs_program.milestone(MilestoneKind.MONTHLY_EVALUATION)
    assert (period.opens_at, period.closes_at) == (milestone.starts_at, milestone.ends_at)
    assert period.side == Side.ORG_ADMIN
    assert periods.periods_ensure_for_docs(cast.docs_participation) == 0


# Deadlines --------------------------------------------------------------------------------


def test_a_midterm_is_refused_a_microsecond_before_it_opens_and_accepted_as_it_closes(cast):
    project = make_project(cast)
    period = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    with pytest.raises(ValidationError) as refused:
        filing.evaluation_submit(
            period=period, by=cast.mentor, answers=MENTOR_ANSWERS, now=period.opens_at - US
        )
    assert refused.value.messages == [
        filing.NOT_OPEN.format(opens=period.opens_at.strftime("%Y-%m-%d %H:%M:%S"))
    ]
    evaluation = filing.evaluation_submit(
        period=period, by=cast.mentor, answers=MENTOR_ANSWERS, now=period.closes_at
    )
    assert evaluation.submitted_at == period.closes_at
    assert evaluation.passed is True
    period.refresh_from_db()
    assert period.status == PeriodStatus.SUBMITTED


def test_opening_instant_is_accepted_and_a_microsecond_late_is_refused(cast):
    project = make_project(cast)
    contributor_side = period_of(project, EvaluationKind.MIDTERM, Side.CONTRIBUTOR)
    filing.evaluation_submit(
        period=contributor_side,
        by=cast.contributor,
        answers=CONTRIBUTOR_ANSWERS,
        now=contributor_side.opens_at,
    )
    mentor_side = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    late = mentor_side.closes_at + US
    with pytest.raises(ValidationError, match="closed at") as refused:
        filing.evaluation_submit(
            period=mentor_side, by=cast.mentor, answers=MENTOR_ANSWERS, now=late
        )
    assert refused.value.messages == [
        filing.CLOSED.format(closes=mentor_side.closes_at.strftime("%Y-%m-%d %H:%M:%S"))
    ]
    assert not Evaluation.objects.filter(period=mentor_side).exists()
    # A period whose close has passed reads as missed even before the scheduler marks it.
    mentor_side.refresh_from_db()
    assert mentor_side.status == PeriodStatus.UPCOMING
    assert period_state(mentor_side, now=late) == PeriodStatus.MISSED
    assert period_state(mentor_side, now=mentor_side.closes_at) == PeriodStatus.OPEN


def test_the_final_work_url_is_due_by_the_end_of_coding(cast):
    project = make_project(cast, weeks=10)
    final = period_of(project, EvaluationKind.FINAL, Side.CONTRIBUTOR)
    with pytest.raises(ValidationError) as refused:
        filing.evaluation_submit(
            period=final,
            by=cast.contributor,
            answers={**FINAL_ANSWERS, "work_url": "not a link"},
            now=final.closes_at,
        )
    assert "work_url" in refused.value.message_dict
    evaluation = filing.evaluation_submit(
        period=final, by=cast.contributor, answers=FINAL_ANSWERS, now=project.coding_ends_at
    )
    assert evaluation.work_url == "https://example.org/pulls/42"
    assert evaluation.passed is None


def test_required_answers_are_checked(cast):
    project = make_project(cast)
    period = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    with pytest.raises(ValidationError) as refused:
        filing.evaluation_submit(
            period=period,
            by=cast.mentor,
            answers={"grade": "maybe"},
            now=period.opens_at,
        )
    assert refused.value.message_dict == {
        "grade": ["Choose pass or fail."],
        "progress": [filing.REQUIRED],
    }


# Immutability and ending ------------------------------------------------------------------


def test_submitted_evaluations_are_immutable(cast):
    project = make_project(cast)
    period = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    evaluation = filing.evaluation_submit(
        period=period, by=cast.mentor, answers=MENTOR_ANSWERS, now=period.opens_at
    )
    with pytest.raises(ValidationError) as refused:
        filing.evaluation_submit(
            period=period,
            by=cast.org_admin,
            answers={**MENTOR_ANSWERS, "progress": "Changed my mind."},
            now=period.opens_at + US,
        )
    assert refused.value.messages == [filing.ALREADY]
    evaluation.answers = {"grade": "fail"}
    with pytest.raises(ValidationError, match="cannot be changed"):
        evaluation.save()
    with pytest.raises(ValidationError, match="cannot be deleted"):
        evaluation.delete()
    stored = Evaluation.objects.get(period=period)
    assert stored.answers == MENTOR_ANSWERS
    assert stored.filed_by == cast.mentor
    assert Evaluation.objects.count() == 1


def test_a_failing_grade_ends_the_project_once(cast, django_capture_on_commit_callbacks):
    ended = []

    def receiver(sender, project, passed, **kwargs):
        ended.append((project.pk, passed))

    filing.project_ended.connect(receiver)
    try:
        project = make_project(cast)
        mentor_side = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
        with django_capture_on_commit_callbacks(execute=True):
            filing.evaluation_submit(
                period=mentor_side, by=cast.mentor, answers=FAIL_ANSWERS, now=mentor_side.opens_at
            )
        project.refresh_from_db()
        assert (project.status, project.end_reason) == ("failed", "failed the midterm")
        assert project.ended_at == mentor_side.opens_at
        assert ended == [(project.pk, False)]
        # Ending it again changes nothing; no other evaluation is taken.
        assert not filing.project_end(
            project=project, passed=True, reason="again", now=mentor_side.closes_at
        )
        contributor_side = period_of(project, EvaluationKind.MIDTERM, Side.CONTRIBUTOR)
        with pytest.raises(ValidationError) as refused:
            filing.evaluation_submit(
                period=contributor_side,
                by=cast.contributor,
                answers=CONTRIBUTOR_ANSWERS,
                now=contributor_side.opens_at,
            )
        assert refused.value.messages == [filing.PROJECT_ENDED.format(reason="failed the midterm")]
        assert period_state(contributor_side, now=contributor_side.opens_at) == "ended"
        assert ended == [(project.pk, False)]
    finally:
        filing.project_ended.disconnect(receiver)


def test_a_period_missed_before_the_project_ended_stays_missed(cast):
    project = make_project(cast)
    mentor_side = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    final = period_of(project, EvaluationKind.FINAL, Side.CONTRIBUTOR)
    later = mentor_side.closes_at + timedelta(hours=1)
    # As the scheduler would: the missed midterm ends the project.
    filing.project_end(project=project, passed=False, reason="missed the midterm", now=later)
    assert period_state(mentor_side, now=later, project=project) == PeriodStatus.MISSED
    assert period_state(final, now=later, project=project) == "ended"


def test_a_passing_final_passes_the_project_once_both_finals_are_in(cast):
    project = make_project(cast, weeks=8, size=90)
    midterm = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    filing.evaluation_submit(
        period=midterm, by=cast.org_admin, answers=MENTOR_ANSWERS, now=midterm.opens_at
    )
    mentor_final = period_of(project, EvaluationKind.FINAL, Side.MENTOR)
    # At the instant the contributor's final closes, the mentor's opens: a pass then does not
    # pass the project while the contributor's final is still missing.
    filing.evaluation_submit(
        period=mentor_final, by=cast.org_admin, answers=MENTOR_ANSWERS, now=mentor_final.opens_at
    )
    project.refresh_from_db()
    assert project.status == "active"
    contributor_final = period_of(project, EvaluationKind.FINAL, Side.CONTRIBUTOR)
    filing.evaluation_submit(
        period=contributor_final,
        by=project.contributor,
        answers=FINAL_ANSWERS,
        now=contributor_final.closes_at,
    )
    project.refresh_from_db()
    assert (project.status, project.end_reason) == ("passed", "passed the final")


# Length changes ---------------------------------------------------------------------------


def test_the_length_changes_only_before_the_first_period_opens(cast):
    project = make_project(cast, weeks=12)
    first = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR).opens_at
    periods.project_change_length(project=project, by=cast.org_admin, weeks=16, now=first - US)
    project.refresh_from_db()
    assert project.coding_ends_at == START + timedelta(weeks=16)
    midterm = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    assert midterm.opens_at == START + timedelta(weeks=8)
    assert period_of(project, EvaluationKind.FINAL, Side.MENTOR).opens_at == START + timedelta(
        weeks=16
    )
    assert project.periods.count() == 4

    at = midterm.opens_at
    with pytest.raises(ValidationError) as refused:
        periods.project_change_length(project=project, by=cast.manager, weeks=10, now=at)
    assert refused.value.messages == [
        periods.LENGTH_LOCKED.format(opens=at.strftime("%Y-%m-%d %H:%M:%S"))
    ]
    project.refresh_from_db()
    assert project.length_weeks == 16


def test_only_allowed_lengths_and_only_admins_and_managers(cast):
    project = make_project(cast, size=90, weeks=8)
    early = START
    with pytest.raises(ValidationError, match="choose a length of 8, 10, 12 weeks"):
        periods.project_change_length(project=project, by=cast.org_admin, weeks=14, now=early)
    for person in (cast.mentor, cast.contributor, cast.other_org_admin, cast.outsider):
        with pytest.raises(PermissionDenied):
            periods.project_change_length(project=project, by=person, weeks=10, now=early)
    periods.project_change_length(project=project, by=cast.manager, weeks=12, now=early)
    assert Project.objects.get(pk=project.pk).length_weeks == 12


# Who files --------------------------------------------------------------------------------


def test_who_may_file_each_side(cast):
    unassigned = MembershipFactory(participation=cast.participation, role=Role.MENTOR).user
    project = make_project(cast)
    mentor_side = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    contributor_side = period_of(project, EvaluationKind.MIDTERM, Side.CONTRIBUTOR)
    monthly = docs_period(cast)
    people = {
        "mentor": cast.mentor,
        "org_admin": cast.org_admin,
        "unassigned": unassigned,
        "contributor": cast.contributor,
        "manager": cast.manager,
        "other_mentor": cast.other_mentor,
        "other_org_admin": cast.other_org_admin,
        "outsider": cast.outsider,
    }
    files = {
        name: [
            filing.may_file(period=p, user=user) for p in (mentor_side, contributor_side, monthly)
        ]
        for name, user in people.items()
    }
    assert files == {
        "mentor": [True, False, False],
        "org_admin": [True, False, True],  # on the mentor's behalf; the docs org's admin too
        "unassigned": [False, False, False],
        "contributor": [False, True, False],
        "manager": [False, False, False],
        "other_mentor": [False, False, False],
        "other_org_admin": [False, False, False],
        "outsider": [False, False, False],
    }
    with pytest.raises(PermissionDenied):
        filing.evaluation_submit(
            period=mentor_side, by=unassigned, answers=MENTOR_ANSWERS, now=mentor_side.opens_at
        )
    on_behalf = filing.evaluation_submit(
        period=mentor_side, by=cast.org_admin, answers=MENTOR_ANSWERS, now=mentor_side.opens_at
    )
    assert on_behalf.filed_by == cast.org_admin


def test_an_org_admin_files_the_monthly_evaluation(cast):
    period = docs_period(cast)
    with pytest.raises(PermissionDenied):
        filing.evaluation_submit(
            period=period, by=cast.manager, answers=MONTHLY_ANSWERS, now=period.opens_at
        )
    evaluation = filing.evaluation_submit(
        period=period, by=cast.org_admin, answers=MONTHLY_ANSWERS, now=period.closes_at
    )
    assert evaluation.status == "on_track"
    other = EvaluationPeriod.objects.create(
        participation=cast.docs_participation,
        kind=EvaluationKind.MONTHLY,
        side=Side.ORG_ADMIN,
        sequence=2,
        opens_at=period.opens_at,
        closes_at=period.closes_at,
    )
    with pytest.raises(ValidationError, match="closed at"):
        filing.evaluation_submit(
            period=other, by=cast.org_admin, answers=MONTHLY_ANSWERS, now=other.closes_at + US
        )


def test_a_new_form_version_is_used_without_code(cast):
    project = make_project(cast)
    period = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    assert (
        questions.evaluation_form_for(
            program=cast.program, kind=period.kind, side=period.side
        ).version
        == 1
    )
    asked = [
        {"key": "grade", "label": "Pass?", "type": "pass_fail", "required": True},
        {"key": "demo", "label": "Link to a demo", "type": "url", "required": True},
    ]
    v2 = EvaluationForm(
        program=cast.program, kind=period.kind, side=period.side, version=2, questions=asked
    )
    v2.full_clean()
    v2.save()
    with pytest.raises(ValidationError) as refused:
        filing.evaluation_submit(
            period=period, by=cast.mentor, answers=MENTOR_ANSWERS, now=period.opens_at
        )
    assert refused.value.message_dict == {"demo": [filing.REQUIRED]}
    evaluation = filing.evaluation_submit(
        period=period,
        by=cast.mentor,
        answers={"grade": "pass", "demo": "https://example.org/demo"},
        now=period.opens_at,
    )
    assert evaluation.form == v2
    bad = EvaluationForm(program=cast.program, kind=period.kind, side=period.side, version=3)
    bad.questions = [{"key": "x", "label": "X", "type": "essay"}]
    with pytest.raises(ValidationError, match="Unknown type"):
        bad.full_clean()


# Who reads what ---------------------------------------------------------------------------


def test_what_each_role_reads_of_a_mentor_evaluation(cast):
    unassigned = MembershipFactory(participation=cast.participation, role=Role.MENTOR).user
    project = make_project(cast)
    period = period_of(project, EvaluationKind.MIDTERM, Side.MENTOR)
    evaluation = filing.evaluation_submit(
        period=period, by=cast.mentor, answers=MENTOR_ANSWERS, now=period.opens_at
    )
    public = {"grade": "pass", "progress": "Steady work."}
    read = {
        person: filing.visible_answers(evaluation=evaluation, viewer=person)
        for person in (
            cast.contributor,
            cast.mentor,
            cast.org_admin,
            cast.manager,
            unassigned,
            cast.other_mentor,
            cast.other_org_admin,
            cast.outsider,
        )
    }
    assert read == {
        cast.contributor: {"grade": "pass"},
        cast.mentor: public,
        cast.org_admin: MENTOR_ANSWERS,
        cast.manager: MENTOR_ANSWERS,
        unassigned: None,
        cast.other_mentor: None,
        cast.other_org_admin: None,
        cast.outsider: None,
    }


def test_what_each_role_reads_of_a_contributor_and_a_monthly_evaluation(cast):
    project = make_project(cast)
    period = period_of(project, EvaluationKind.MIDTERM, Side.CONTRIBUTOR)
    evaluation = filing.evaluation_submit(
        period=period, by=cast.contributor, answers=CONTRIBUTOR_ANSWERS, now=period.opens_at
    )
    for person in (cast.contributor, cast.org_admin, cast.manager):
        assert filing.visible_answers(evaluation=evaluation, viewer=person) == (CONTRIBUTOR_ANSWERS)
    for person in (cast.mentor, cast.other_mentor, cast.other_org_admin, cast.outsider):
        assert filing.visible_answers(evaluation=evaluation, viewer=person) is None
    # A program may let mentors read it (never its private answers).
    cast.program.mentors_read_contributor_evaluations = True
    cast.program.save()
    evaluation.period.participation.program.refresh_from_db()
    assert filing.visible_answers(evaluation=evaluation, viewer=cast.mentor) == {
        key: value
        for key, value in CONTRIBUTOR_ANSWERS.items()
        if not any(q["key"] == key and q.get("private") for q in evaluation.form.questions)
    }
    assert filing.visible_answers(evaluation=evaluation, viewer=cast.other_mentor) is None

    monthly = docs_period(cast)
    evaluation = filing.evaluation_submit(
        period=monthly, by=cast.org_admin, answers=MONTHLY_ANSWERS, now=monthly.opens_at
    )
    for person in (cast.org_admin, cast.manager):
        assert filing.visible_answers(evaluation=evaluation, viewer=person) == (MONTHLY_ANSWERS)
    stranger = UserFactory()
    for person in (cast.mentor, cast.other_org_admin, cast.outsider, stranger):
        assert filing.visible_answers(evaluation=evaluation, viewer=person) is None

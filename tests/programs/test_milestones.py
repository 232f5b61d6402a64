"""What is open now and what comes next, decided to the microsecond around 18:00:00 UTC."""

from datetime import timedelta

import pytest

from programs import selectors
from programs.models import Milestone, MilestoneKind, MilestoneState
from tests.factories import ProgramFactory, coding_timeline
from tests.support.cast import DEADLINE

pytestmark = pytest.mark.django_db
US = timedelta(microseconds=1)


@pytest.fixture
def program():
    program = ProgramFactory()
    coding_timeline(program, around=MilestoneKind.CONTRIBUTOR_APPLICATIONS, at=DEADLINE)
    return program


def applications(program):
    return program.milestones.get(kind=MilestoneKind.CONTRIBUTOR_APPLICATIONS)


@pytest.mark.parametrize(
    ("moment", "state"),
    [
        (DEADLINE - US, MilestoneState.OPEN),
        (DEADLINE, MilestoneState.OPEN),  # the closing instant itself is still inside
        (DEADLINE + US, MilestoneState.PAST),
    ],
)
def test_window_closes_after_its_last_instant(program, moment, state):
    assert applications(program).state(moment) == state


def test_window_opens_at_its_first_instant(program):
    window = applications(program)
    assert window.starts_at == DEADLINE - timedelta(days=15)
    assert window.state(window.starts_at - US) == MilestoneState.UPCOMING
    assert window.state(window.starts_at) == MilestoneState.OPEN
    assert window.state(window.starts_at + US) == MilestoneState.OPEN


def test_an_instant_is_upcoming_then_now_then_past(program):
    ranking = program.milestones.get(kind=MilestoneKind.RANKING_DUE)
    assert not ranking.is_window
    assert ranking.state(ranking.ends_at - US) == MilestoneState.UPCOMING
    assert ranking.state(ranking.ends_at) == MilestoneState.OPEN
    assert ranking.state(ranking.ends_at + US) == MilestoneState.PAST


@pytest.mark.parametrize(
    ("moment", "open_kinds"),
    [
        (DEADLINE - US, {MilestoneKind.CONTRIBUTOR_APPLICATIONS}),
        (DEADLINE, {MilestoneKind.CONTRIBUTOR_APPLICATIONS}),
        (DEADLINE + US, set()),
    ],
)
def test_open_milestones_around_the_deadline(program, moment, open_kinds):
    program = selectors.program_get(slug=program.slug, viewer=None)
    assert {m.kind for m in selectors.program_open_milestones(program=program, now=moment)} == (
        open_kinds
    )


@pytest.mark.parametrize(
    ("moment", "expected"),
    [(DEADLINE - US, 1), (DEADLINE, 1), (DEADLINE + US, 0)],
)
def test_open_applications_query_agrees_with_python(program, moment, expected):
    """The SQL filter and Milestone.state() draw the same line at the same microsecond."""
    found = selectors.milestones_open(kind=MilestoneKind.CONTRIBUTOR_APPLICATIONS, now=moment)
    assert found.count() == expected


def test_next_milestone_is_the_next_to_begin(program):
    program = selectors.program_get(slug=program.slug, viewer=None)
    following = selectors.program_next_milestone(program=program, now=DEADLINE)
    assert following.kind == MilestoneKind.RANKING_DUE
    ranking_at = following.ends_at
    assert selectors.program_next_milestone(program=program, now=ranking_at - US) == following
    after = selectors.program_next_milestone(program=program, now=ranking_at)
    assert after.kind == MilestoneKind.CONTRIBUTORS_ANNOUNCED
    last = program.milestones.order_by("ends_at").last()
    assert selectors.program_next_milestone(program=program, now=last.ends_at) is None


def test_timeline_is_in_chronological_order(program):
    starts = [m.begins_at for m in Milestone.objects.filter(program=program)]
    assert starts == sorted(starts)
    entries = selectors.program_timeline(program=program, now=DEADLINE)
    assert [e.state for e in entries][:3] == ["past", "past", "open"]


def test_hidden_programs_are_invisible_to_outsiders(program):
    from django.http import Http404

    program.is_public = False
    program.save()
    with pytest.raises(Http404):
        selectors.program_get(slug=program.slug, viewer=None)

"""The organization's side through its pages: proposal list, review, comments, scores, mentors,
ranking, duplicates and slot requests, for every role of the cast."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from applications.forms import DUPLICATE_OF_ITSELF, DUPLICATE_UNKNOWN, RANK_TWICE
from applications.models import Comment, Proposal, ProposalMentor, Score
from applications.services import review as review_services
from tests.support.matrix import assert_matrix, roles_expect
from tests.support.proposals import open_ranking, org_url, submitted

pytestmark = pytest.mark.django_db


def test_org_proposals_is_for_the_team_and_managers_only(cast, client):
    submitted(cast.participation)
    expected = roles_expect(cast, manager=200, org_admin=200, mentor=200)
    assert_matrix(client, org_url(cast), expected)


def test_proposal_review_is_for_the_team_and_managers_only(cast, client):
    proposal = submitted(cast.participation)
    expected = roles_expect(cast, manager=200, org_admin=200, mentor=200)
    assert_matrix(client, reverse("proposal_review", args=[proposal.pk]), expected)


def test_a_mentor_is_refused_another_organizations_proposal_and_drafts(cast, client):
    theirs = submitted(cast.other_participation, title="Their project")
    draft = Proposal.objects.create(
        program=cast.program,
        contributor=cast.contributor,
        participation=cast.participation,
        title="Still a draft",
    )
    client.force_login(cast.mentor)
    assert client.get(reverse("proposal_review", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("proposal_review", args=[draft.pk])).status_code == 404
    page = client.get(org_url(cast))
    assert "Their project" not in page.text and "Still a draft" not in page.text
    assert client.get(org_url(cast, cast.other_participation)).status_code == 404


def test_the_list_shows_review_figures(cast, client):
    proposal = submitted(cast.participation, cast.contributor, title="Parser rewrite")
    ProposalMentor.objects.create(proposal=proposal, mentor=cast.mentor)
    Score.objects.create(proposal=proposal, reviewer=cast.mentor, value=4)
    Score.objects.create(proposal=proposal, reviewer=cast.org_admin, value=1)
    Comment.objects.create(proposal=proposal, author=cast.mentor, body="Looks good")
    client.force_login(cast.org_admin)
    page = client.get(org_url(cast))
    assert page.status_code == 200
    assert "Parser rewrite" in page.text
    assert cast.contributor.name in page.text
    assert "2.5" in page.text  # the average of 4 and 1
    assert cast.mentor.name in page.text
    assert "175 h, 12 weeks" in page.text


def test_comments_are_private_to_the_organization(cast, client):
    proposal = submitted(cast.participation, cast.contributor, title="Parser rewrite")
    review = reverse("proposal_review", args=[proposal.pk])
    client.force_login(cast.mentor)
    response = client.post(review, {"action": "comment", "body": "Secret: weak on testing"})
    assert response.status_code == 302
    assert Comment.objects.get().author == cast.mentor
    client.force_login(cast.org_admin)
    assert "Secret: weak on testing" in client.get(review).text

    client.force_login(cast.contributor)
    own_pages = [
        reverse("proposal_edit", args=[proposal.pk]),
        reverse("my_proposals", args=[cast.program.slug]),
    ]
    for url in own_pages:
        response = client.get(url)
        assert response.status_code in {200, 302}, url
        assert "Secret: weak on testing" not in response.text
    assert client.get(review).status_code == 404
    public = [
        reverse("program_detail", args=[cast.program.slug]),
        reverse("idea_list", args=[cast.program.slug]),
        reverse("program_projects", args=[cast.program.slug]),
        reverse("organization_detail", args=[cast.participation.organization.slug]),
    ]
    for url in public:
        assert "Secret" not in client.get(url).text


def test_scores_average_and_are_one_per_reviewer(cast, client):
    proposal = submitted(cast.participation)
    review = reverse("proposal_review", args=[proposal.pk])
    client.force_login(cast.mentor)
    assert client.post(review, {"action": "score", "value": "5"}).status_code == 302
    assert client.post(review, {"action": "score", "value": "3"}).status_code == 302
    client.force_login(cast.org_admin)
    assert client.post(review, {"action": "score", "value": "2"}).status_code == 302
    assert client.post(review, {"action": "score", "value": "9"}).status_code == 400
    assert sorted(Score.objects.values_list("value", flat=True)) == [2, 3]
    assert "2.5" in client.get(review).text


def test_mentors_assign_themselves_and_admins_assign_anyone(cast, client):
    proposal = submitted(cast.participation)
    review = reverse("proposal_review", args=[proposal.pk])
    client.force_login(cast.mentor)
    assert "Assign me as mentor" in client.get(review).text
    assert client.post(review, {"action": "assign_me"}).status_code == 302
    assert list(proposal.mentors.all()) == [cast.mentor]
    # A mentor cannot assign somebody else.
    response = client.post(review, {"action": "assign", "mentor": cast.org_admin.pk})
    assert response.status_code == 403

    client.force_login(cast.org_admin)
    assert client.post(review, {"action": "assign", "mentor": cast.org_admin.pk}).status_code == 302
    assert set(proposal.mentors.all()) == {cast.mentor, cast.org_admin}
    # Someone of another organization is not in the choice.
    response = client.post(review, {"action": "assign", "mentor": cast.other_mentor.pk})
    assert response.status_code == 400
    open_ranking(cast.program)
    response = client.post(review, {"action": "unassign", "mentor": cast.mentor.pk})
    assert response.status_code == 302
    assert list(proposal.mentors.all()) == [cast.org_admin]


def test_managers_read_but_do_not_review(cast, client):
    proposal = submitted(cast.participation)
    review = reverse("proposal_review", args=[proposal.pk])
    client.force_login(cast.manager)
    page = client.get(review)
    assert page.status_code == 200 and "Assign me as mentor" not in page.text
    assert client.post(review, {"action": "comment", "body": "hi"}).status_code == 403
    assert not Comment.objects.exists()


def test_org_admin_ranks_by_typed_numbers(cast, client):
    open_ranking(cast.program)
    first, second, third = (
        submitted(cast.participation, title=f"P{n}", mentors=[cast.mentor]) for n in range(3)
    )
    client.force_login(cast.org_admin)
    data = {
        "action": "rank",
        f"rank_{first.pk}": "20",
        f"rank_{second.pk}": "5",
        f"rank_{third.pk}": "",
    }
    response = client.post(org_url(cast), data)
    assert response.status_code == 302
    ranks = dict(Proposal.objects.values_list("pk", "rank"))
    assert ranks == {second.pk: 1, first.pk: 2, third.pk: None}
    page = client.get(org_url(cast))
    assert f'name="rank_{second.pk}" value="1"' in page.text


def test_ranking_requires_a_mentor(cast, client):
    open_ranking(cast.program)
    lonely = submitted(cast.participation, title="Nobody mentors me")
    client.force_login(cast.org_admin)
    response = client.post(org_url(cast), {"action": "rank", f"rank_{lonely.pk}": "1"})
    assert response.status_code == 400
    assert review_services.RANK_NEEDS_MENTOR.format(title="Nobody mentors me") in response.text
    # The typed value is kept.
    assert f'name="rank_{lonely.pk}" value="1"' in response.text
    lonely.refresh_from_db()
    assert lonely.rank is None


def test_the_same_rank_twice_is_refused(cast, client):
    open_ranking(cast.program)
    a, b = (submitted(cast.participation, mentors=[cast.mentor]) for _ in range(2))
    client.force_login(cast.org_admin)
    data = {"action": "rank", f"rank_{a.pk}": "1", f"rank_{b.pk}": "1"}
    response = client.post(org_url(cast), data)
    assert response.status_code == 400
    assert RANK_TWICE.format(ranks="1") in response.text


def test_duplicates_are_marked_and_leave_the_ranking(cast, client):
    open_ranking(cast.program)
    original = submitted(cast.participation, title="Original", rank=1, mentors=[cast.mentor])
    copy = submitted(cast.participation, title="Copy", mentors=[cast.mentor])
    client.force_login(cast.org_admin)
    data = {"action": "rank", f"rank_{original.pk}": "1", f"duplicate_{copy.pk}": original.pk}
    assert client.post(org_url(cast), data).status_code == 302
    copy.refresh_from_db()
    assert copy.duplicate_of == original and copy.rank is None
    # Ranking a proposal also marked as duplicate is refused.
    data[f"rank_{copy.pk}"] = "2"
    assert client.post(org_url(cast), data).status_code == 400
    # Clearing the mark.
    data = {"action": "rank", f"rank_{original.pk}": "1", f"duplicate_{copy.pk}": ""}
    assert client.post(org_url(cast), data).status_code == 302
    copy.refresh_from_db()
    assert copy.duplicate_of is None


def test_a_duplicate_mark_names_a_proposal_of_the_list(cast, client):
    open_ranking(cast.program)
    original = submitted(cast.participation, title="Original", mentors=[cast.mentor])
    elsewhere = submitted(cast.other_participation, title="Elsewhere")
    client.force_login(cast.org_admin)
    for number, message in [
        (original.pk, DUPLICATE_OF_ITSELF),
        (elsewhere.pk, DUPLICATE_UNKNOWN.format(number=elsewhere.pk)),
        ("abc", "Enter a whole number."),
    ]:
        data = {"action": "rank", f"rank_{original.pk}": "3", f"duplicate_{original.pk}": number}
        response = client.post(org_url(cast), data)
        assert response.status_code == 400
        assert escape(message) in response.text
        # What was typed stays in the boxes.
        assert f'value="{number}"' in response.text and 'value="3"' in response.text
    original.refresh_from_db()
    assert original.duplicate_of is None and original.rank is None


def test_the_ranking_page_grows_linearly_with_the_proposals(cast, client):
    """One shared list of proposal numbers, not a select of every proposal in every row."""
    open_ranking(cast.program)
    client.force_login(cast.org_admin)

    def options(count):
        for _ in range(count):
            submitted(cast.participation, mentors=[cast.mentor])
        return client.get(org_url(cast)).text.count("<option")

    ten = options(10)
    forty = options(30)
    assert forty - ten <= 30 * 2


def test_mentors_see_the_ranking_read_only_and_cannot_post_it(cast, client):
    open_ranking(cast.program)
    proposal = submitted(cast.participation, mentors=[cast.mentor])
    client.force_login(cast.mentor)
    page = client.get(org_url(cast))
    assert f'name="rank_{proposal.pk}"' not in page.text
    response = client.post(org_url(cast), {"action": "rank", f"rank_{proposal.pk}": "1"})
    assert response.status_code == 403
    response = client.post(org_url(cast), {"action": "slots", "slots-slots": "2"})
    assert response.status_code == 403


def test_ranking_and_slot_requests_are_read_only_after_the_deadline(cast, client):
    # The cast's timeline is GSoC 2023's: rankings were due on 27 April 2023.
    proposal = submitted(cast.participation, mentors=[cast.mentor])
    client.force_login(cast.org_admin)
    page = client.get(org_url(cast))
    assert "disabled" in page.text
    assert "2023-04-27T18:00:00Z" in page.text  # the deadline, via {% when %}
    response = client.post(org_url(cast), {"action": "rank", f"rank_{proposal.pk}": "1"})
    assert response.status_code == 400
    assert "they are now read-only" in response.text
    proposal.refresh_from_db()
    assert proposal.rank is None
    response = client.post(org_url(cast), {"action": "slots", "slots-slots": "2"})
    assert response.status_code == 400
    cast.participation.refresh_from_db()
    assert cast.participation.slots_requested is None


def test_org_admin_requests_slots(cast, client):
    open_ranking(cast.program)
    client.force_login(cast.org_admin)
    assert client.post(org_url(cast), {"action": "slots", "slots-slots": "0"}).status_code == 400
    assert client.post(org_url(cast), {"action": "slots", "slots-slots": "3"}).status_code == 302
    cast.participation.refresh_from_db()
    assert cast.participation.slots_requested == 3


def test_review_page_renders_markdown_safely_and_links_the_attachment(cast, client):
    proposal = submitted(cast.participation)
    Proposal.objects.filter(pk=proposal.pk).update(
        body="**bold** <script>alert(1)</script> [x](javascript:alert(1))",
        attachment="proposals/x/y.pdf",
    )
    client.force_login(cast.mentor)
    page = client.get(reverse("proposal_review", args=[proposal.pk]))
    assert "<strong>bold</strong>" in page.text
    assert "<script>alert" not in page.text and "javascript:" not in page.text
    assert reverse("proposal_attachment", args=[proposal.pk]) in page.text

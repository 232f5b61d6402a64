"""Project ideas: the team publishes and edits them, contributors browse and filter them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from applications.models import Idea
from applications.services import ideas
from programs.models import ParticipationStatus
from tests.factories import MembershipFactory, ParticipationFactory
from tests.support.matrix import assert_matrix, roles_expect
from tests.support.proposals import new_url

pytestmark = pytest.mark.django_db


def make_idea(participation, by, **fields):
    values = {"title": "An idea", "description": "Do it.", "size": 175, "skills": "Python"}
    values.update(fields)
    return ideas.idea_create(participation=participation, by=by, **values)


def test_only_the_organizations_team_publishes_ideas(cast, client):
    # Managers review proposals, but ideas come from the organization itself.
    expected = roles_expect(cast, org_admin=200, mentor=200)
    assert_matrix(client, new_url(cast), expected)


def test_a_mentor_publishes_an_idea_through_the_page(cast, client):
    client.force_login(cast.mentor)
    data = {
        "title": "Faster parser",
        "description": "Make the **parser** faster.",
        "size": "175",
        "skills": " Python,  C ,, Rust",
        "mentors": [cast.mentor.pk, cast.org_admin.pk],
    }
    response = client.post(new_url(cast), data)
    assert response.status_code == 302
    idea = Idea.objects.get()
    assert response.url.endswith(
        f"?organization={cast.participation.organization.slug}#idea-{idea.pk}"
    )
    assert idea.participation == cast.participation and idea.created_by == cast.mentor
    assert idea.skills == "Python, C, Rust"
    assert set(idea.mentors.all()) == {cast.mentor, cast.org_admin}


def test_refusals_keep_what_was_typed(cast, client):
    cast.program.sizes_offered = [175, 350]
    cast.program.save()
    client.force_login(cast.mentor)
    data = {
        "title": "Kept title",
        "description": "Kept text",
        "size": "90",
        "mentors": [cast.other_mentor.pk],
    }
    response = client.post(new_url(cast), data)
    assert response.status_code == 400
    assert 'value="Kept title"' in response.text and "Kept text" in response.text
    assert "errorlist" in response.text
    assert not Idea.objects.exists()


def test_the_service_checks_membership_size_and_mentors(cast):
    with pytest.raises(PermissionDenied):
        make_idea(cast.participation, cast.other_mentor)
    with pytest.raises(PermissionDenied):
        make_idea(cast.participation, cast.manager)
    cast.program.sizes_offered = [350]
    cast.program.save()
    with pytest.raises(ValidationError) as error:
        make_idea(cast.participation, cast.mentor, size=175, mentors=[cast.other_mentor])
    assert set(error.value.message_dict) == {"size", "mentors"}


def test_only_the_team_edits_an_idea(cast, client):
    idea = make_idea(cast.participation, cast.mentor, title="Old title")
    url = reverse("idea_edit", args=[idea.pk])
    expected = roles_expect(cast, org_admin=200, mentor=200)
    assert_matrix(client, url, expected)
    client.force_login(cast.org_admin)
    assert 'value="Old title"' in client.get(url).text
    data = {"title": "New title", "description": "Now this.", "size": "350", "skills": ""}
    assert client.post(url, data).status_code == 302
    idea.refresh_from_db()
    assert (idea.title, idea.size, idea.skills) == ("New title", 350, "")
    assert not idea.mentors.exists()


def test_contributors_browse_and_filter_ideas(cast, client):
    make_idea(
        cast.participation,
        cast.mentor,
        title="Faster parser",
        description="**bold** <script>alert(1)</script>",
        skills="Python, Rust",
        size=175,
        mentors=[cast.mentor],
    )
    make_idea(
        cast.other_participation, cast.other_mentor, title="Docs site", skills="Sphinx", size=350
    )
    applied = ParticipationFactory(program=cast.program, status=ParticipationStatus.APPLIED)
    hidden_admin = MembershipFactory(participation=applied).user
    make_idea(applied, hidden_admin, title="Not accepted yet")
    url = reverse("idea_list", args=[cast.program.slug])

    everything = client.get(url)
    assert everything.status_code == 200
    assert "Faster parser" in everything.text and "Docs site" in everything.text
    assert "Not accepted yet" not in everything.text
    assert "<strong>bold</strong>" in everything.text and "<script>alert" not in everything.text
    parser = Idea.objects.get(title="Faster parser")
    assert f"{reverse('proposal_new', args=[cast.program.slug])}?idea={parser.pk}" in (
        everything.text
    )
    assert cast.mentor.name in everything.text

    org = cast.participation.organization.slug
    for query, shown in [
        ({"organization": org}, "Faster parser"),
        ({"skill": "rust"}, "Faster parser"),
        ({"q": "docs"}, "Docs site"),
        ({"size": "175", "skill": "sphinx"}, None),
    ]:
        page = client.get(url, query)
        titles = {t for t in ("Faster parser", "Docs site") if t in page.text}
        assert titles == ({shown} if shown else set()), query
    kept = client.get(url, {"skill": "rust", "q": "fast"})
    assert 'value="rust"' in kept.text and 'value="fast"' in kept.text


def test_edit_links_only_for_the_team(cast, client):
    idea = make_idea(cast.participation, cast.mentor)
    url = reverse("idea_list", args=[cast.program.slug])
    edit = reverse("idea_edit", args=[idea.pk])
    assert edit not in client.get(url).text
    client.force_login(cast.other_mentor)
    assert edit not in client.get(url).text
    client.force_login(cast.mentor)
    assert edit in client.get(url).text


def test_the_organization_page_links_ideas_and_proposals(cast, client):
    org = cast.participation.organization
    page_url = reverse("organization_detail", args=[org.slug])
    ideas_url = f"{reverse('idea_list', args=[cast.program.slug])}?organization={org.slug}"
    proposals_url = reverse("org_proposals", args=[cast.program.slug, org.slug])
    text = client.get(page_url).text
    assert ideas_url in text and proposals_url not in text
    client.force_login(cast.mentor)
    text = client.get(page_url).text
    assert proposals_url in text and new_url(cast) in text
    client.force_login(cast.org_admin)
    team = reverse("participation_team", args=[cast.program.slug, org.slug])
    assert proposals_url in client.get(team).text


def test_the_idea_list_is_paged_and_keeps_its_filters(cast, client):
    from applications.services import ideas

    for n in range(30):
        ideas.idea_create(
            participation=cast.participation, by=cast.org_admin, title=f"Paged idea {n:02}",
            description="Text", size=175, skills="Rust", mentors=[],
        )  # fmt: skip
    url = reverse("idea_list", args=[cast.program.slug])
    first = client.get(url, {"skill": "Rust"})
    assert first.text.count('class="card idea"') == 25
    assert "30 ideas match" in first.text
    assert "skill=Rust&amp;page=2" in first.text
    second = client.get(url, {"skill": "Rust", "page": 2})
    assert second.text.count('class="card idea"') == 5

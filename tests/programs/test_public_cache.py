"""Anonymous public pages come from the shared cache, and never outlive a committed change."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Proposal
from portal.apps import PUBLIC_CACHE_IGNORES
from programs import public_cache
from programs.models import Milestone, MilestoneKind
from tests.factories import coding_timeline

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PUBLIC_CACHE_SECONDS = 60


def get(client, url, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return response, len(queries)


def test_second_anonymous_visit_is_served_without_a_query(cast, client):
    url = reverse("program_detail", args=[cast.program.slug])
    first, first_queries = get(client, url)
    second, second_queries = get(client, url)
    assert first_queries > 0 and "X-Public-Cache" not in first
    assert second["X-Public-Cache"] == "hit" and second_queries == 0
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert "Cookie" in second["Vary"] and not second.cookies


def test_a_committed_change_shows_at_once(cast, client, django_capture_on_commit_callbacks):
    url = reverse("program_detail", args=[cast.program.slug])
    get(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        cast.program.name = "Renamed Summer"
        cast.program.save()
    response, queries = get(client, url)
    assert "X-Public-Cache" not in response and queries > 0
    assert b"Renamed Summer" in response.content


def test_a_new_mentor_on_an_idea_invalidates_through_many_to_many(
    cast, client, django_capture_on_commit_callbacks
):
    from applications.models import Idea

    idea = Idea.objects.create(participation=cast.participation, title="Cache idea", size=175)
    url = reverse("idea_list", args=[cast.program.slug])
    get(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        cast.mentor.name = "Mentor Newname"
        cast.mentor.save(update_fields=["name"])
    with django_capture_on_commit_callbacks(execute=True):
        idea.mentors.add(cast.mentor)
    response, _ = get(client, url)
    assert b"Mentor Newname" in response.content


def test_private_writes_and_logins_keep_the_cache(cast, client, django_capture_on_commit_callbacks):
    url = reverse("program_detail", args=[cast.program.slug])
    get(client, url)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Proposal.objects.create(
            program=cast.program,
            contributor=cast.contributor,
            participation=cast.participation,
            title="Private",
        )
        cast.contributor.last_login = timezone.now()
        cast.contributor.save(update_fields=["last_login"])
    assert callbacks == []
    response, queries = get(client, url)
    assert response["X-Public-Cache"] == "hit" and queries == 0


def test_signed_in_visitors_and_token_holders_get_their_own_page(cast, client):
    url = reverse("program_detail", args=[cast.program.slug])
    get(client, url)
    get(client, url)
    client.force_login(cast.contributor)
    response, queries = get(client, url)
    assert "X-Public-Cache" not in response and queries > 0
    client.logout()
    api = reverse("api_programs")
    get(client, api)
    # A token goes to the API itself: a wrong one is refused, not answered from the cache.
    response = client.get(api, HTTP_AUTHORIZATION="Bearer not-a-token-at-all")
    assert response.status_code == 401
    response, _ = get(client, api)
    assert response["X-Public-Cache"] == "hit"


def test_api_lists_are_cached_per_format(cast, client):
    api = reverse("api_programs")
    json_first, _ = get(client, api)
    csv_first, _ = get(client, api, HTTP_ACCEPT="text/csv")
    json_again, _ = get(client, api)
    csv_again, _ = get(client, api, HTTP_ACCEPT="text/csv")
    assert json_again["X-Public-Cache"] == "hit" and csv_again["X-Public-Cache"] == "hit"
    assert json_again["Content-Type"].startswith("application/json")
    assert csv_again["Content-Type"].startswith("text/csv")
    assert json_again.content == json_first.content and csv_again.content == csv_first.content


def test_a_page_holding_a_csrf_token_is_never_stored(cast):
    calls = []

    @public_cache.public_cache
    def view(request):
        calls.append(1)
        return HttpResponse(get_token(request))

    factory = RequestFactory()
    for _ in range(2):
        request = factory.get("/with-a-token/")
        request.user = AnonymousUser()
        view(request)
    assert len(calls) == 2


def test_the_lifetime_stops_at_the_next_timeline_boundary(cast):
    now = timezone.now()
    Milestone.objects.all().delete()
    assert public_cache.seconds_to_boundary(now) is None
    coding_timeline(
        cast.program, around=MilestoneKind.CONTRIBUTOR_APPLICATIONS, at=now + timedelta(seconds=30)
    )
    assert 0 < public_cache.seconds_to_boundary(now) <= 30


def test_nothing_is_stored_a_second_before_a_deadline(cast, client):
    now = timezone.now()
    Milestone.objects.all().delete()
    coding_timeline(
        cast.program,
        around=MilestoneKind.CONTRIBUTOR_APPLICATIONS,
        at=now + timedelta(milliseconds=500),
    )
    url = reverse("program_detail", args=[cast.program.slug])
    get(client, url)
    response, queries = get(client, url)
    assert "X-Public-Cache" not in response and queries > 0


def test_ignored_models_exist():
    labels = {model._meta.label for model in apps.get_models()}
    assert labels >= PUBLIC_CACHE_IGNORES


def test_a_process_copy_yields_to_a_change_made_by_another_process(cast, client):
    """Pages kept in this process are checked against the shared version on every request."""
    from django.core.cache import cache

    url = reverse("program_detail", args=[cast.program.slug])
    get(client, url)
    response, _ = get(client, url)
    assert response["X-Public-Cache"] == "hit"
    # Another web process committed a change: it replaced the shared version.
    cache.set(public_cache.PUBLIC_VERSION_KEY, "changed-elsewhere", None)
    response, queries = get(client, url)
    assert "X-Public-Cache" not in response and queries > 0

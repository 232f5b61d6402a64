"""Every API endpoint that returns rows runs the same number of queries with 3 rows as with 23,
and no more than its recorded ceiling; tests/portal/test_list_query_counts.py's completeness test
fails for a route listed neither in API_LISTS nor in API_NOT_A_LIST (tests/support/api_lists.py)."""

import pytest
from django.urls import URLPattern, get_resolver
from rest_framework.mixins import ListModelMixin
from rest_framework.test import APIClient

from tests.support.api_lists import API_LISTS
from tests.support.query_counts import FEW, MANY, assert_constant, captured
from tests.support.statistics import new_signing_key

pytestmark = pytest.mark.django_db


# Queries of each with MANY rows, the same on SQLite and PostgreSQL today: a regression
# beyond fails even where the count stays flat. Lower them when a change saves queries.
# Paginated lists read the page's keys, then its rows (portal.renderers.LateRowPaginator).
CEILINGS = {
    "api_programs": 3,
    "api_organizations": 4,
    "api_organizations[program]": 6,
    "api_ideas": 6,
    "api_projects": 6,
    "api_doc_projects": 6,
    "api_me": 6,
    "api_my_projects": 5,
    "api_proposals": 7,
    "api_org_proposals": 9,
    "api_payouts[manager]": 5,
    "api_payouts[payee]": 5,
    "api_payouts[csv]": 5,
    "api_program": 2,
    "api_organization": 3,
    "api_program_statistics": 13,
    "api_publications": 1,
}


@pytest.mark.parametrize("name", list(API_LISTS))
def test_api_list_queries_do_not_grow(cast, settings, name):
    endpoint = API_LISTS[name]
    new_signing_key(settings)
    endpoint.setup(cast)
    client = APIClient()
    if endpoint.viewer is not None:
        client.force_login(getattr(cast, endpoint.viewer))
    url = endpoint.url(cast)
    shown = endpoint.grow(cast, 0, FEW)
    few = captured(client, url)
    shown += endpoint.grow(cast, FEW, MANY)
    many = captured(client, url)
    body = client.get(url).content.decode()
    for text in [shown[0], shown[-1]]:
        assert text in body, f"{name}: {text!r} is not in the answer"
    assert_constant(name, few, many, CEILINGS[name])


def test_every_list_view_is_in_the_table():
    """A route whose view lists (DRF's ListModelMixin) can never be declared not a list."""
    listing = set()
    for entry in get_resolver().url_patterns:
        for pattern in getattr(entry, "url_patterns", [entry]):
            view = getattr(getattr(pattern, "callback", None), "view_class", None)
            if isinstance(pattern, URLPattern) and view and issubclass(view, ListModelMixin):
                listing.add(pattern.name)
    assert {"api_programs", "api_payouts"} <= listing  # wrapped views (page caches) too
    assert listing <= {name.split("[")[0] for name in API_LISTS}

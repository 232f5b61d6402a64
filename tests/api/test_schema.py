"""The OpenAPI schema validates without a warning, its docs load their assets from this site,
and every GET path without parameters answers a manager without a server error."""

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.factories import ParticipationFactory

pytestmark = pytest.mark.django_db


def test_the_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    # --fail-on-warn turns any unresolved type or name collision into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["info"]["title"] == "Seasons API"
    assert "apiToken" in schema["components"]["securitySchemes"]
    assert "/api/v1/payouts/" in schema["paths"]


def test_the_schema_is_served_to_anyone():
    response = APIClient().get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/programs/" in response.content


@pytest.mark.parametrize(
    ("path", "asset"),
    [("/api/v1/docs/", "swagger-ui-dist"), ("/api/v1/redoc/", "redoc")],
)
def test_the_docs_use_the_sidecar_not_a_cdn(client, path, asset):
    html = client.get(path).content.decode()
    assert f"/static/drf_spectacular_sidecar/{asset}" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html


def test_every_plain_get_path_answers_a_manager(cast):
    """Drives the API from its own schema: each GET path without a path parameter."""
    ParticipationFactory(program=cast.program)
    client = APIClient()
    client.force_login(cast.manager)
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    driven = []
    for path, operations in schema["paths"].items():
        if "get" not in operations or "{" in path:
            continue
        required = [
            p["name"]
            for p in operations["get"].get("parameters", [])
            if p.get("in") == "query" and p.get("required")
        ]
        program = cast.docs_program if path == "/api/v1/doc-projects/" else cast.program
        query = dict.fromkeys(required, program.slug)
        response = client.get(path, query)
        assert response.status_code < 500, (path, response.content)
        assert response.status_code == 200, (path, response.content)
        driven.append(path)
    expected = {"/api/v1/programs/", "/api/v1/payouts/", "/api/v1/me/", "/api/v1/ideas/"}
    assert expected <= set(driven)

"""Schemathesis drives every API operation from the OpenAPI schema, as a token holder and
anonymously, with schema-valid and schema-invalid input and all its checks: no server error,
no status, header or body outside the schema, invalid input refused, and no operation that
declares auth answering the same without it."""

import copy

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup

from accounts import tokens
from portal.wsgi import application
from tests.support.schema_cases import CASES

pytestmark = pytest.mark.django_db

# Examples per operation, auth and mode: enough to find a crash, small enough for CI.
MAX_EXAMPLES = 6
# Collected from the generator (no database at collection); the cases use the served schema.
OPERATIONS = [
    result.ok().label
    for result in schemathesis.openapi.from_dict(
        SchemaGenerator().get_schema(request=None, public=True)
    ).get_all_operations()
]
_served = []


def served_schema():
    """The schema as /api/v1/schema/ serves it, with its post-processing, loaded once."""
    if not _served:
        _served.append(schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application))
    return _served[0]


def run_cases(operation, mode, headers, **fixed):
    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        key = f"{'bearer' if headers else 'anonymous'} {mode.value}"
        CASES[key] = CASES.get(key, 0) + 1
        case.call_and_validate(headers=headers)

    check()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django closes the database connection when a request ends; its test client stops that,
    but schemathesis calls the WSGI app itself, and on PostgreSQL the test's transaction (and
    its data) lives on that connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(world):
    # A manager sees the most: every list has rows, the org proposals answer.
    _token, key = tokens.token_create(user=world["cast"].manager, name="fuzz", scope="read")
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize("label", OPERATIONS)
def test_as_a_token_holder(world, bearer, label):
    for mode in GenerationMode:
        run_cases(served_schema().find_operation_by_label(label), mode, bearer)


def real_ids(world, label) -> dict:
    """Path parameters naming objects that exist, so that detail answers are 200s with bodies."""
    cast = world["cast"]
    values = {
        "program_slug": cast.program.slug,
        "org_slug": cast.participation.organization.slug,
        "id": world["project"].pk if "/projects/" in label else world["mine"].pk,
        "slug": (
            cast.participation.organization.slug
            if "/organizations/" in label
            else cast.program.slug
        ),
    }
    return {name: value for name, value in values.items() if "{" + name + "}" in label}


@pytest.mark.parametrize("label", [label for label in OPERATIONS if "{" in label])
def test_existing_objects_as_a_token_holder(world, bearer, label):
    ids = real_ids(world, label)
    run_cases(
        served_schema().find_operation_by_label(label),
        GenerationMode.POSITIVE,
        bearer,
        path_parameters=ids,
    )


@pytest.mark.parametrize("label", OPERATIONS)
def test_anonymously(world, label):
    for mode in GenerationMode:
        run_cases(served_schema().find_operation_by_label(label), mode, None)


def test_the_checks_bite(world, bearer):
    """The same run against a schema that wrongly claims the public program list needs a token:
    the authentication check must notice that it answers without one."""
    raw = served_schema().raw_schema
    doctored = copy.deepcopy(raw)
    operation = doctored["paths"]["/api/v1/programs/"]["get"]
    operation["security"] = [{"apiToken": []}]
    schema = schemathesis.openapi.from_dict(doctored)
    schema.app = application
    with pytest.raises(FailureGroup) as failures:
        run_cases(
            schema.find_operation_by_label("GET /api/v1/programs/"), GenerationMode.NEGATIVE, bearer
        )
    found = {type(failure).__name__ for failure in failures.value.exceptions}
    assert "IgnoredAuth" in found, found

"""The manager's audit log page: a program's entries only, for its managers only, filtered,
paged, in a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry
from audit.services import audit_record
from programs.services import manager_grant
from tests.factories import ProgramFactory, UserFactory
from tests.support.cast import DEADLINE
from tests.support.matrix import assert_matrix, roles_expect

pytestmark = pytest.mark.django_db


def record(program, n, *, actor, action="test.change", obj=None):
    return audit_record(
        actor=actor,
        action=action,
        obj=obj or program,
        before={"note": None},
        after={"note": f"Audited {n:03}"},
        program=program,
        at=DEADLINE + timedelta(minutes=n),
    )


def url(program):
    return reverse("program_audit", args=[program.slug])


def test_only_the_programs_managers_read_it(cast, client):
    assert_matrix(client, url(cast.program), roles_expect(cast, manager=200))


def test_it_only_reads(cast, client):
    client.force_login(cast.manager)
    assert client.post(url(cast.program)).status_code == 405


def test_a_manager_of_another_program_gets_404(cast, client):
    elsewhere = UserFactory()
    manager_grant(program=ProgramFactory(), user=elsewhere)
    client.force_login(elsewhere)
    assert client.get(url(cast.program)).status_code == 404


def test_it_lists_this_programs_entries_and_no_other(cast, client):
    record(cast.program, 1, actor=cast.org_admin)
    record(cast.docs_program, 2, actor=cast.org_admin)  # managed too, but another program
    unmanaged = ProgramFactory()
    record(unmanaged, 3, actor=cast.org_admin)
    client.force_login(cast.manager)
    page = client.get(url(cast.program)).text
    assert "Audited 001" in page and "&lt;admin@example.org&gt;" in page
    assert "Audited 002" not in page and "Audited 003" not in page
    # The cast's grant of the manager is this program's too.
    assert "manager.grant" in page


def test_filters_by_type_action_and_actor(cast, client):
    record(cast.program, 1, actor=cast.org_admin, action="test.one")
    record(cast.program, 2, actor=cast.mentor, action="test.two")
    record(cast.program, 3, actor=cast.mentor, action="test.two", obj=cast.participation)
    client.force_login(cast.manager)

    def shown(**query):
        response = client.get(url(cast.program), query)
        return {n for n in (1, 2, 3) if f"Audited {n:03}" in response.text}, response.status_code

    assert shown(action="test.two") == ({2, 3}, 200)
    assert shown(object_type="programs.participation") == ({3}, 200)
    assert shown(actor="ADMIN@example") == ({1}, 200)
    assert shown(actor=cast.mentor.name) == ({2, 3}, 200)
    assert shown(action="test.two", object_type="programs.program") == ({2}, 200)
    assert shown(action="no.such.action") == ({1, 2, 3}, 400)  # refused filter, shown as error


def test_pages_of_fifty_newest_first(cast, client):
    for n in range(1, 56):
        record(cast.program, n, actor=cast.mentor)
    client.force_login(cast.manager)
    first = client.get(url(cast.program), {"action": "test.change"}).text
    assert "Audited 055" in first and "Audited 006" in first and "Audited 005" not in first
    assert first.index("Audited 055") < first.index("Audited 054")
    second = client.get(url(cast.program), {"action": "test.change", "page": 2}).text
    assert "Audited 005" in second and "Audited 001" in second and "Audited 006" not in second
    assert "action=test.change&amp;page=1" in second  # the pager keeps the filter


def test_the_number_of_queries_does_not_grow_with_the_entries(cast, client):
    client.force_login(cast.manager)

    def queries(count, start):
        for n in range(start, start + count):
            actor = UserFactory(email=f"actor{n}@example.org")
            record(cast.program, n, actor=actor)
        with CaptureQueriesContext(connection) as context:
            response = client.get(url(cast.program))
        assert f"Audited {start + count - 1:03}" in response.text
        return len(context.captured_queries)

    few = queries(3, 1)
    many = queries(20, 4)
    assert few == many
    assert AuditEntry.objects.filter(program_id=cast.program.pk).count() > 20

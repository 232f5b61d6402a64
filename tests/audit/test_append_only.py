"""The audit log cannot be changed or deleted: not through the model, not through a queryset,
and on PostgreSQL not even in SQL; only a deleted account is forgotten."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from audit.models import DELETED_ACTOR, AppendOnlyError, AuditEntry
from audit.services import audit_actor_forget, audit_record
from tests.factories import UserFactory
from tests.support.cast import DEADLINE

pytestmark = pytest.mark.django_db


def _entry(cast, actor=None):
    return audit_record(
        actor=actor or cast.manager,
        action="test.change",
        obj=cast.program,
        before={"status": "old"},
        after={"status": "new"},
        program=cast.program,
        at=DEADLINE,
    )


def _stored(entry):
    return AuditEntry.objects.filter(pk=entry.pk).values("action", "before", "after").get()


def test_an_entry_is_written_with_who_what_and_when(cast):
    entry = _entry(cast)
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.actor, stored.actor_label, stored.action, stored.at) == (
        cast.manager,
        f"{cast.manager.name} <{cast.manager.email}>",
        "test.change",
        DEADLINE,
    )
    assert (stored.object_type, stored.object_id, stored.program_id) == (
        "programs.program",
        str(cast.program.pk),
        cast.program.pk,
    )
    assert (stored.before, stored.after) == ({"status": "old"}, {"status": "new"})


def test_the_model_refuses_to_save_again_or_delete(cast):
    entry = _entry(cast)
    entry.action = "test.rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert _stored(entry)["action"] == "test.change"


def test_querysets_refuse_update_delete_and_bulk_update(cast):
    entry = _entry(cast)
    entries = AuditEntry.objects.filter(pk=entry.pk)
    with pytest.raises(AppendOnlyError):
        entries.update(action="test.rewritten")
    with pytest.raises(AppendOnlyError):
        entries.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    entry.after = {"status": "forged"}
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_update([entry], ["after"])
    assert _stored(entry) == {
        "action": "test.change",
        "before": {"status": "old"},
        "after": {"status": "new"},
    }


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET action = 'test.rewritten' WHERE id = %s",
        'UPDATE audit_auditentry SET after = \'{"status": "forged"}\' WHERE id = %s',
        # Forgetting the actor is allowed only with nothing else changed.
        "UPDATE audit_auditentry SET actor_id = NULL, action = 'x' WHERE id = %s",
        "UPDATE audit_auditentry SET actor_label = 'someone else' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ],
)
def test_postgresql_refuses_changes_in_sql(cast, sql):
    entry = _entry(cast)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    assert _stored(entry)["action"] == "test.change"
    assert AuditEntry.objects.get(pk=entry.pk).actor == cast.manager


@pytest.mark.postgres
def test_postgresql_allows_only_forgetting_the_actor(cast):
    entry = _entry(cast)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET actor_id = NULL, actor_label = %s WHERE id = %s",
            [DELETED_ACTOR, entry.pk],
        )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.actor, stored.actor_label, stored.action) == (None, DELETED_ACTOR, "test.change")


def test_a_deleted_account_is_forgotten_and_its_entries_stay(cast):
    person = UserFactory(email="leaving@example.org", name="Lea Ving")
    mine, other = _entry(cast, actor=person), _entry(cast)
    person.delete()
    stored = AuditEntry.objects.get(pk=mine.pk)
    assert (stored.actor_id, stored.actor_label) == (None, DELETED_ACTOR)
    assert stored.after == {"status": "new"}
    assert AuditEntry.objects.get(pk=other.pk).actor_label.endswith("<manager@example.org>")


def test_forgetting_an_account_touches_only_its_entries(cast):
    mine, other = _entry(cast, actor=cast.org_admin), _entry(cast)
    assert audit_actor_forget(user=cast.org_admin) == 1
    assert AuditEntry.objects.get(pk=mine.pk).actor_label == DELETED_ACTOR
    assert AuditEntry.objects.get(pk=other.pk).actor == cast.manager


def test_an_entry_of_a_rolled_back_change_is_gone(cast):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        _entry(cast)
        raise Boom
    assert not AuditEntry.objects.filter(action="test.change").exists()

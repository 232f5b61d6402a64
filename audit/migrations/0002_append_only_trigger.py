"""On PostgreSQL, the database itself refuses to change or delete an audit entry, whatever the
client: a trigger rejects every UPDATE and DELETE except forgetting a deleted account (actor set
to NULL, its label to "(deleted account)", nothing else changed). SQLite relies on the model's
and the queryset's refusals alone. TRUNCATE (test flushes, a deliberate reset) is not a row
change and stays possible to the table's owner."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND NEW.actor_id IS NULL
        AND NEW.actor_label IN (OLD.actor_label, '(deleted account)')
        AND (NEW.id, NEW.at, NEW.action, NEW.object_type, NEW.object_id, NEW.program_id,
             NEW.before, NEW.after)
            IS NOT DISTINCT FROM
            (OLD.id, OLD.at, OLD.action, OLD.object_type, OLD.object_id, OLD.program_id,
             OLD.before, OLD.after)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_auditentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_entry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # the SQL holds "%" placeholders of RAISE

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]

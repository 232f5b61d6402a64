"""Writing the audit log. Callers record inside the transaction of the change they audit, so a
change rolled back leaves no entry."""

from collections.abc import Iterable
from datetime import datetime

from django.db import models

from audit.models import AuditEntry


def _label(actor) -> str:
    """The name and e-mail of the account as they read now: the entry says who, even later."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    name, login = actor.get_full_name(), actor.get_username()
    return (f"{name} <{login}>" if name else login)[:254]


def _program_id(obj, program) -> int | None:
    if program is not None:
        return program if isinstance(program, int) else program.pk
    return getattr(obj, "program_id", None)


def _entry(*, actor, action, object_type, object_id, before, after, program_id, at):
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry(
        at=at,
        actor=actor if authenticated else None,
        actor_label=_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        program_id=program_id,
        before=before or {},
        after=after or {},
    )


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model,
    before: dict,
    after: dict,
    program=None,
    at: datetime,
) -> AuditEntry:
    """Append one entry: `actor` (a user, or None for the system) did `action` to `obj` at
    `at`, changing the fields in `before` to `after`; `program` defaults to obj.program_id."""
    entry = _entry(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        before=before,
        after=after,
        program_id=_program_id(obj, program),
        at=at,
    )
    # The actor is a user the caller holds: checking it exists would cost a query per change.
    entry.full_clean(exclude=["actor"])
    entry.save()
    return entry


def audit_record_many(
    *,
    actor,
    action: str,
    model: type[models.Model],
    object_ids: Iterable,
    before: dict,
    after: dict,
    program,
    at: datetime,
) -> int:
    """Append the same change of many objects of one model in one insert (bulk state changes:
    an announcement, the expiry job); returns how many entries were written."""
    entries = [
        _entry(
            actor=actor,
            action=action,
            object_type=model._meta.label_lower,
            object_id=pk,
            before=before,
            after=after,
            program_id=_program_id(None, program),
            at=at,
        )
        for pk in object_ids
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)


def audit_actor_forget(*, user) -> int:
    """Unlink a deleted or anonymised account from its entries and replace its name with
    "(deleted account)": the only change the log accepts, also on PostgreSQL's trigger.
    Returns how many entries changed."""
    return AuditEntry.objects.filter(actor=user)._forget_actor()

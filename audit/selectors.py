"""Reads of the audit log. The log knows no roles: callers pass the programs the viewer may
read, decided by their own access helper (reports.views uses program_for_manager)."""

from django.db.models import QuerySet

from audit.models import AuditEntry


def audit_entry_list(
    *, program_ids: list[int], object_type: str = "", action: str = "", actor: str = ""
) -> QuerySet[AuditEntry]:
    """Entries of these programs, newest first, filtered by exact type and action and by a part
    of the actor's name or e-mail as recorded."""
    entries = AuditEntry.objects.filter(program_id__in=program_ids)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor_label__icontains=actor)
    return entries.order_by("-at", "-pk")


def audit_filter_choices(*, program_ids: list[int]) -> tuple[list[str], list[str]]:
    """The object types and actions that occur in these programs' entries (two queries)."""
    entries = AuditEntry.objects.filter(program_id__in=program_ids).order_by()
    types = entries.values_list("object_type", flat=True).distinct().order_by("object_type")
    actions = entries.values_list("action", flat=True).distinct().order_by("action")
    return list(types), list(actions)

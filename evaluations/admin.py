"""Evaluations in the admin, scoped to the programs the viewer runs (programs/admin/scopes.py)."""

from django.contrib import admin

from evaluations.models import Evaluation, EvaluationForm, EvaluationPeriod, ReminderLog
from programs.admin.scopes import ProgramScopedAdmin, SuperusersOnlyAdmin


@admin.register(EvaluationForm)
class EvaluationFormAdmin(ProgramScopedAdmin):
    """Managers define a program's evaluation questions here; saving a change under a new
    version number keeps earlier evaluations tied to the questions they answered."""

    list_display = ["program", "kind", "side", "version", "created_at"]
    list_filter = ["program", "kind", "side"]


@admin.register(EvaluationPeriod)
class EvaluationPeriodAdmin(ProgramScopedAdmin):
    program_path = "participation__program"
    list_display = ["__str__", "kind", "side", "opens_at", "closes_at", "status"]
    list_filter = ["participation__program", "kind", "side", "status"]
    readonly_fields = ["project", "participation", "kind", "side", "sequence", "status"]


@admin.register(Evaluation)
class EvaluationAdmin(ProgramScopedAdmin):
    program_path = "period__participation__program"
    list_display = ["period", "filed_by", "submitted_at", "passed", "status"]
    list_filter = ["period__participation__program", "period__kind", "passed"]

    # Submitted evaluations are immutable: the admin shows them and nothing more.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ReminderLog)
class ReminderLogAdmin(SuperusersOnlyAdmin):
    """Who was mailed about what, across programs: superusers only."""

    list_display = ["subject", "kind", "email", "created_at", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["email", "subject"]

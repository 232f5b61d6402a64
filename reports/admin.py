"""Archived projects and publications in the admin, scoped to the programs the viewer runs
(programs/admin/scopes.py)."""

from django.contrib import admin

from programs.admin.scopes import ProgramScopedAdmin
from reports.models import ArchivedProject, Publication


@admin.register(ArchivedProject)
class ArchivedProjectAdmin(ProgramScopedAdmin):
    program_path = "participation__program"
    list_display = ["title", "contributor_display_name", "participation", "status", "archived_at"]
    list_filter = ["status", "participation__program"]
    search_fields = ["title", "contributor_display_name", "external_key"]
    raw_id_fields = ["participation"]
    readonly_fields = ["external_key", "created_at", "updated_at"]


# Published statistics are read-only: publications are immutable snapshots.
@admin.register(Publication)
class PublicationAdmin(ProgramScopedAdmin):
    list_display = ["program", "published_at", "published_by", "sha256", "superseded_by"]
    list_filter = ["program"]
    readonly_fields = [
        "program",
        "published_at",
        "published_by",
        "data",
        "sha256",
        "signature",
        "public_key",
        "superseded_by",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

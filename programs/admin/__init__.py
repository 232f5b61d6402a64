"""Programs, organizations and roles in the admin, scoped to the programs the viewer runs
(programs/admin/scopes.py); roles change only through the services, which audit them."""

from django.contrib import admin

from programs import services
from programs.admin.scopes import ProgramScopedAdmin, ProgramScopedInline
from programs.models import (
    Invitation,
    Membership,
    Milestone,
    Organization,
    Participation,
    Program,
    ProgramManager,
    Tag,
)
from programs.selectors import programs_managed


class MilestoneInline(ProgramScopedInline):
    model = Milestone
    extra = 0
    fields = ["kind", "sequence", "title", "starts_at", "ends_at"]


class RoleInline(ProgramScopedInline):
    """People's roles: superusers add and remove them here, and the parent's save_formset hands
    each change to the service that audits it; nobody edits a role in place (remove and add).
    Managers only read them: their teams grow through invitations on the team page."""

    extra = 0
    autocomplete_fields = ["user"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class ManagerInline(RoleInline):
    model = ProgramManager
    fields = ["user"]


@admin.register(Program)
class ProgramAdmin(ProgramScopedAdmin):
    """Managers change the rules and timeline of the programs they run; creating and deleting
    a program, and appointing its managers, is for superusers."""

    program_path = "pk"
    list_display = ["name", "kind", "year", "series", "is_public"]
    list_filter = ["kind", "year", "is_public"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MilestoneInline, ManagerInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "kind",
                    "name",
                    "slug",
                    "series",
                    "year",
                    "tagline",
                    "description",
                    "is_public",
                    "currency",
                ]
            },
        ),
        (
            "Coding rules",
            {
                "classes": ["collapse"],
                "fields": [
                    "sizes_offered",
                    "length_options",
                    "default_length_weeks",
                    "proposal_cap",
                    "accepted_proposal_cap",
                    "minimum_age",
                    "max_series_acceptances",
                    "excluded_countries",
                    "stipend_base",
                    "stipend_factor_floor",
                    "stipend_factor_ceiling",
                    "midterm_payout_percent",
                    "final_payout_percent",
                    "org_stipend_per_contributor",
                    "mentors_read_contributor_evaluations",
                ],
            },
        ),
        (
            "Docs rules",
            {
                "classes": ["collapse"],
                "fields": [
                    "funding_total",
                    "budget_min",
                    "budget_max",
                    "writer_budget_min_percent",
                    "swag_max",
                    "volunteer_stipend_max",
                    "writer_hours_min",
                    "writer_hours_max",
                    "hire_payout_percent",
                    "final_grant_payout_percent",
                ],
            },
        ),
    ]

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ProgramManager:
            return super().save_formset(request, form, formset, change)
        appointed = formset.save(commit=False)  # new rows only: RoleInline changes none
        for manager in formset.deleted_objects:
            services.manager_revoke(program=form.instance, user=manager.user, by=request.user)
        for manager in appointed:
            services.manager_grant(program=form.instance, user=manager.user, by=request.user)

    def delete_model(self, request, obj):
        self.delete_queryset(request, Program.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        # Through the service first, so that managers left without a program lose the admin.
        for manager in ProgramManager.objects.filter(program__in=queryset).select_related(
            "program", "user"
        ):
            services.manager_revoke(program=manager.program, user=manager.user, by=request.user)
        super().delete_queryset(request, queryset)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Organizations are shared by programs and public on the site: managers read them all, add
    new ones and change those taking part in a program they run; deleting one, and with it its
    part in every program, is for superusers."""

    list_display = ["name", "slug", "website"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["tags"]

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.is_superuser:
            return True
        managed = programs_managed(viewer=request.user)
        return obj.participations.filter(program__in=managed).exists()

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Tags are one vocabulary for every program: managers read and add them; renaming or
    deleting one, which changes organizations of other programs, is for superusers."""

    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class MembershipInline(RoleInline):
    model = Membership
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Participation)
class ParticipationAdmin(ProgramScopedAdmin):
    list_display = ["organization", "program", "status", "slots_requested", "slots_allocated"]
    list_filter = ["program", "status"]
    search_fields = ["organization__name"]
    list_select_related = ["organization", "program"]
    autocomplete_fields = ["organization"]
    # Decisions move the state through the services (participation_decide, the selection's
    # announcement), which check the timeline and write the audit log: the admin only shows it.
    readonly_fields = ["status", "decided_at", "decided_by"]
    inlines = [MembershipInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        added = formset.save(commit=False)  # new rows only: RoleInline changes none
        for membership in formset.deleted_objects:
            services.membership_remove(membership=membership, by=request.user)
        for membership in added:
            services.membership_add(
                participation=form.instance,
                user=membership.user,
                role=membership.role,
                by=request.user,
            )


@admin.register(Invitation)
class InvitationAdmin(ProgramScopedAdmin):
    """Read-only: invitations are sent, revoked and answered on the team pages, which mail the
    link and audit each step; one edited here could hand a role to another address."""

    program_path = "participation__program"
    list_display = ["email", "role", "participation", "status", "expires_at"]
    list_filter = ["status", "role"]
    search_fields = ["email"]
    list_select_related = ["participation__organization", "participation__program"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

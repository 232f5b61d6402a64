from django.contrib import admin

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


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["kind", "sequence", "title", "starts_at", "ends_at"]


class ManagerInline(admin.TabularInline):
    model = ProgramManager
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
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


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "website"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["tags"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ["organization", "program", "status", "slots_requested", "slots_allocated"]
    list_filter = ["program", "status"]
    search_fields = ["organization__name"]
    list_select_related = ["organization", "program"]
    autocomplete_fields = ["organization"]
    # Decisions move the state through the services (participation_decide, the selection's
    # announcement), which check the timeline and write the audit log: the admin only shows it.
    readonly_fields = ["status", "decided_at", "decided_by"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "participation", "status", "expires_at"]
    list_filter = ["status", "role"]
    search_fields = ["email"]
    readonly_fields = ["token_digest", "created_at", "responded_at", "accepted_by", "invited_by"]
    list_select_related = ["participation__organization", "participation__program"]

from django.contrib import admin

from applications.models import (
    Comment,
    ContributorProfile,
    Idea,
    Project,
    Proposal,
    Receipt,
    Registration,
    Score,
)


@admin.register(ContributorProfile)
class ContributorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "country_of_residence", "is_student", "is_beginner"]
    list_filter = ["country_of_residence", "is_student", "is_beginner"]
    search_fields = ["user__email"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["user", "program", "registered_at"]
    list_filter = ["program"]
    search_fields = ["user__email"]


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = ["title", "participation", "size"]
    list_filter = ["participation__program", "size"]
    search_fields = ["title"]


class ReceiptInline(admin.TabularInline):
    model = Receipt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "submitted_at", "digest"]
    exclude = ["content"]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["__str__", "contributor", "participation", "status", "rank", "submitted_at"]
    list_filter = ["program", "status"]
    search_fields = ["title", "contributor__email"]
    list_select_related = ["contributor", "participation__organization", "participation__program"]
    # Content is the contributor's: managers read it here but change state through the pages.
    readonly_fields = [
        "program", "contributor", "participation", "title", "abstract", "body", "size",
        "length_weeks", "attachment", "attachment_sha256", "status", "submission_slot",
        "submitted_at", "content_digest", "revision",
    ]  # fmt: skip
    inlines = [ReceiptInline]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "contributor", "participation", "size", "length_weeks"]
    list_filter = ["participation__program"]
    search_fields = ["title", "contributor__email"]


admin.site.register(Comment)


admin.site.register(Score)

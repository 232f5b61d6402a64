"""The coding season in the admin, scoped to the programs the viewer runs
(programs/admin/scopes.py)."""

from django.contrib import admin

from applications.models import (
    Comment,
    ContributorProfile,
    Idea,
    Project,
    Proposal,
    ProposalStatus,
    Receipt,
    Registration,
    Score,
)
from programs.admin.scopes import ProgramScopedAdmin, ProgramScopedInline, SuperusersOnlyAdmin


@admin.register(ContributorProfile)
class ContributorProfileAdmin(SuperusersOnlyAdmin):
    """Dates of birth and residences: superusers only; managers see eligibility on the pages."""

    list_display = ["user", "country_of_residence", "is_student", "is_beginner"]
    list_filter = ["country_of_residence", "is_student", "is_beginner"]
    search_fields = ["user__email"]


@admin.register(Registration)
class RegistrationAdmin(ProgramScopedAdmin):
    list_display = ["user", "program", "registered_at"]
    list_filter = ["program"]
    search_fields = ["user__email"]


@admin.register(Idea)
class IdeaAdmin(ProgramScopedAdmin):
    program_path = "participation__program"
    list_display = ["title", "participation", "size"]
    list_filter = ["participation__program", "size"]
    search_fields = ["title"]


class ReceiptInline(ProgramScopedInline):
    model = Receipt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "submitted_at", "digest"]
    exclude = ["content"]


@admin.register(Proposal)
class ProposalAdmin(ProgramScopedAdmin):
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

    def get_queryset(self, request):
        proposals = super().get_queryset(request)
        if request.user.is_superuser:
            return proposals
        # A draft is its contributor's alone, as on the pages (proposal_for_reviewer).
        return proposals.exclude(status=ProposalStatus.DRAFT)


@admin.register(Project)
class ProjectAdmin(ProgramScopedAdmin):
    program_path = "participation__program"
    list_display = ["title", "contributor", "participation", "size", "length_weeks"]
    list_filter = ["participation__program"]
    search_fields = ["title", "contributor__email"]


@admin.register(Comment)
class CommentAdmin(ProgramScopedAdmin):
    program_path = "proposal__program"


@admin.register(Score)
class ScoreAdmin(ProgramScopedAdmin):
    program_path = "proposal__program"

from django.contrib import admin

from applications.models import (
    BudgetItem,
    CaseStudy,
    Comment,
    ContributorProfile,
    Deliverable,
    DocProposal,
    Evaluation,
    EvaluationForm,
    EvaluationPeriod,
    Hire,
    Idea,
    Lesson,
    Project,
    Proposal,
    Receipt,
    Registration,
    ReminderLog,
    Score,
    StatementOfInterest,
    Survey,
    SurveyResponse,
    WriterProfile,
)


@admin.register(ContributorProfile)
class ContributorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "country_of_residence", "is_student", "is_beginner"]
    list_filter = ["country_of_residence", "is_student", "is_beginner"]
    search_fields = ["user__email"]


@admin.register(WriterProfile)
class WriterProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "country_of_residence", "is_public"]
    search_fields = ["display_name", "user__email"]


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


class BudgetItemInline(admin.TabularInline):
    model = BudgetItem
    extra = 0


@admin.register(DocProposal)
class DocProposalAdmin(admin.ModelAdmin):
    list_display = ["__str__", "participation", "status", "submitted_at"]
    list_filter = ["participation__program", "status"]
    inlines = [BudgetItemInline]


@admin.register(StatementOfInterest)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["writer", "participation", "sent_at"]
    list_filter = ["participation__program"]


@admin.register(Hire)
class HireAdmin(admin.ModelAdmin):
    list_display = ["writer", "participation", "hours_per_week", "compensation", "hired_at"]
    list_filter = ["participation__program"]


class DeliverableInline(admin.TabularInline):
    model = Deliverable
    extra = 0


class LessonInline(admin.TabularInline):
    model = Lesson
    extra = 0


@admin.register(CaseStudy)
class CaseStudyAdmin(admin.ModelAdmin):
    list_display = ["participation", "status", "submitted_at", "reviewed_at"]
    list_filter = ["participation__program", "status"]
    inlines = [DeliverableInline, LessonInline]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "program", "sequence"]
    list_filter = ["program"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["survey", "participation", "submitted_at"]
    list_filter = ["survey__program"]


@admin.register(EvaluationForm)
class EvaluationFormAdmin(admin.ModelAdmin):
    """Managers define a program's evaluation questions here; saving a change under a new
    version number keeps earlier evaluations tied to the questions they answered."""

    list_display = ["program", "kind", "side", "version", "created_at"]
    list_filter = ["program", "kind", "side"]


@admin.register(EvaluationPeriod)
class EvaluationPeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "side", "opens_at", "closes_at", "status"]
    list_filter = ["participation__program", "kind", "side", "status"]
    readonly_fields = ["project", "participation", "kind", "side", "sequence", "status"]


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
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
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "email", "created_at", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["email", "subject"]

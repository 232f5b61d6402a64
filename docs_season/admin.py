from django.contrib import admin

from docs_season.models import (
    BudgetItem,
    CaseStudy,
    Deliverable,
    DocProposal,
    Hire,
    Lesson,
    StatementOfInterest,
    Survey,
    SurveyResponse,
    WriterProfile,
)


@admin.register(WriterProfile)
class WriterProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "country_of_residence", "is_public"]
    search_fields = ["display_name", "user__email"]


class BudgetItemInline(admin.TabularInline):
    model = BudgetItem
    extra = 0


@admin.register(DocProposal)
class DocProposalAdmin(admin.ModelAdmin):
    list_display = ["__str__", "participation", "status", "submitted_at"]
    list_filter = ["participation__program", "status"]
    # Submission moves the state, through doc_proposal_submit: the admin only shows it.
    readonly_fields = ["status", "submitted_at"]
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
    # Submission and review move the state, through case_study_submit and case_study_review.
    readonly_fields = ["status", "submitted_at", "reviewed_at", "reviewed_by"]
    inlines = [DeliverableInline, LessonInline]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "program", "sequence"]
    list_filter = ["program"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["survey", "participation", "submitted_at"]
    list_filter = ["survey__program"]

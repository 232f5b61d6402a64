"""The docs season in the admin, scoped to the programs the viewer runs
(programs/admin/scopes.py)."""

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
from programs.admin.scopes import ProgramScopedAdmin, ProgramScopedInline, SuperusersOnlyAdmin


@admin.register(WriterProfile)
class WriterProfileAdmin(SuperusersOnlyAdmin):
    """A person's profile, hidden ones too: superusers only; the directory shows the public."""

    list_display = ["display_name", "user", "country_of_residence", "is_public"]
    search_fields = ["display_name", "user__email"]


class BudgetItemInline(ProgramScopedInline):
    model = BudgetItem
    extra = 0


@admin.register(DocProposal)
class DocProposalAdmin(ProgramScopedAdmin):
    program_path = "participation__program"
    list_display = ["__str__", "participation", "status", "submitted_at"]
    list_filter = ["participation__program", "status"]
    # Submission moves the state, through doc_proposal_submit: the admin only shows it.
    readonly_fields = ["status", "submitted_at"]
    inlines = [BudgetItemInline]


@admin.register(StatementOfInterest)
class StatementAdmin(ProgramScopedAdmin):
    program_path = "participation__program"
    list_display = ["writer", "participation", "sent_at"]
    list_filter = ["participation__program"]


@admin.register(Hire)
class HireAdmin(ProgramScopedAdmin):
    program_path = "participation__program"
    list_display = ["writer", "participation", "hours_per_week", "compensation", "hired_at"]
    list_filter = ["participation__program"]


class DeliverableInline(ProgramScopedInline):
    model = Deliverable
    extra = 0


class LessonInline(ProgramScopedInline):
    model = Lesson
    extra = 0


@admin.register(CaseStudy)
class CaseStudyAdmin(ProgramScopedAdmin):
    program_path = "participation__program"
    list_display = ["participation", "status", "submitted_at", "reviewed_at"]
    list_filter = ["participation__program", "status"]
    # Submission and review move the state, through case_study_submit and case_study_review.
    readonly_fields = ["status", "submitted_at", "reviewed_at", "reviewed_by"]
    inlines = [DeliverableInline, LessonInline]


@admin.register(Survey)
class SurveyAdmin(ProgramScopedAdmin):
    list_display = ["title", "program", "sequence"]
    list_filter = ["program"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ProgramScopedAdmin):
    program_path = "survey__program"
    list_display = ["survey", "participation", "submitted_at"]
    list_filter = ["survey__program"]

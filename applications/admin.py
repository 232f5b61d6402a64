from django.contrib import admin

from applications.models import ContributorProfile, WriterProfile


@admin.register(ContributorProfile)
class ContributorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "country_of_residence", "is_student", "is_beginner"]
    list_filter = ["country_of_residence", "is_student", "is_beginner"]
    search_fields = ["user__email"]


@admin.register(WriterProfile)
class WriterProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "country_of_residence", "is_public"]
    search_fields = ["display_name", "user__email"]

from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "Coding season"

    def ready(self):
        from applications.hooks import accepted_projects_section
        from programs.hooks import program_section_register

        program_section_register(accepted_projects_section)

from django.apps import AppConfig


class DocsSeasonConfig(AppConfig):
    name = "docs_season"
    verbose_name = "Docs season"

from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = "Evaluations"

    def ready(self):
        from evaluations import receivers  # noqa: F401 — connects to the coding season's signals

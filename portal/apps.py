from django.apps import AppConfig, apps

# The apps whose rows public pages show.
PUBLIC_CACHE_APPS = (
    "accounts",
    "programs",
    "applications",
    "docs_season",
    "evaluations",
    "payments",
    "reports",
)
# Models no public page shows, some of them written all day long: a save of one of these leaves
# the cached public pages valid. Anything not named here invalidates them, so a new model is
# safe by default.
PUBLIC_CACHE_IGNORES = {
    "accounts.ApiToken",
    "programs.Invitation",
    "programs.ProgramManager",
    "applications.ContributorProfile",
    "applications.Registration",
    "applications.Proposal",
    "applications.ProposalMentor",
    "applications.Receipt",
    "applications.Comment",
    "applications.Score",
    "docs_season.StatementOfInterest",
    "docs_season.BudgetItem",
    "evaluations.Evaluation",
    "evaluations.EvaluationForm",
    "evaluations.EvaluationPeriod",
    "evaluations.ReminderLog",
    "docs_season.Survey",
    "docs_season.SurveyResponse",
    "payments.Payout",
    "payments.PayoutStatusChange",
    "payments.CountryFactor",
}


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Seasons portal"

    def ready(self):
        from programs import public_cache

        public_cache.watch(
            *(
                model
                for label in PUBLIC_CACHE_APPS
                for model in apps.get_app_config(label).get_models()
                if model._meta.label not in PUBLIC_CACHE_IGNORES
            )
        )

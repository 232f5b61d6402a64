"""Evaluations react to the coding season: an accepted project gets its evaluation periods."""

from django.dispatch import receiver

from applications.signals import project_accepted
from evaluations.services.periods import periods_ensure_for_project


@receiver(project_accepted, dispatch_uid="evaluations.periods_for_accepted_project")
def periods_for_accepted_project(sender, project, **kwargs):
    periods_ensure_for_project(project)

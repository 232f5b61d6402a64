"""What the coding season tells the apps above it (which it must not import)."""

from django.dispatch import Signal

# Sent inside the announcing transaction for each project created: sender=Project, project=.
# Evaluations create the project's periods here, so they commit (or not) with the project.
project_accepted = Signal()

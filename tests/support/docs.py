"""The docs season's pages: an organization's URLs and a timeline moved around a milestone."""

from django.urls import reverse

from tests.factories import docs_timeline


def retime(program, around, at):
    """Rebuild the program's timeline so that the milestone `around` ends at `at`."""
    program.milestones.all().delete()
    return docs_timeline(program, around=around, at=at)


def url(name, participation):
    return reverse(name, args=[participation.program.slug, participation.organization.slug])

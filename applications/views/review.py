"""Placeholder views, replaced as they are built."""

from django.http import Http404


def org_proposals(request, *args, **kwargs):
    raise Http404


def proposal_review(request, *args, **kwargs):
    raise Http404

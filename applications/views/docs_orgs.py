"""Placeholder views, replaced as they are built."""

from django.http import Http404


def org_apply(request, *args, **kwargs):
    raise Http404


def doc_proposal_edit(request, *args, **kwargs):
    raise Http404


def doc_proposal_check(request, *args, **kwargs):
    raise Http404


def doc_projects(request, *args, **kwargs):
    raise Http404


def program_applications(request, *args, **kwargs):
    raise Http404

"""Placeholder views, replaced as they are built."""

from django.http import Http404


def program_slots(request, *args, **kwargs):
    raise Http404


def program_selection(request, *args, **kwargs):
    raise Http404


def program_projects(request, *args, **kwargs):
    raise Http404

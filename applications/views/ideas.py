"""Placeholder views, replaced as they are built."""

from django.http import Http404


def idea_list(request, *args, **kwargs):
    raise Http404


def idea_new(request, *args, **kwargs):
    raise Http404


def idea_edit(request, *args, **kwargs):
    raise Http404

"""Placeholder views, replaced as they are built."""

from django.http import Http404


def register(request, *args, **kwargs):
    raise Http404


def my_proposals(request, *args, **kwargs):
    raise Http404


def proposal_new(request, *args, **kwargs):
    raise Http404


def proposal_edit(request, *args, **kwargs):
    raise Http404


def proposal_autosave(request, *args, **kwargs):
    raise Http404


def proposal_withdraw(request, *args, **kwargs):
    raise Http404


def proposal_attachment(request, *args, **kwargs):
    raise Http404

"""Placeholder views, replaced as they are built."""

from django.http import Http404


def writer_directory(request, *args, **kwargs):
    raise Http404


def writer_detail(request, *args, **kwargs):
    raise Http404


def statement_send(request, *args, **kwargs):
    raise Http404


def org_writers(request, *args, **kwargs):
    raise Http404


def case_study_edit(request, *args, **kwargs):
    raise Http404


def program_case_studies(request, *args, **kwargs):
    raise Http404


def case_studies(request, *args, **kwargs):
    raise Http404


def case_study_detail(request, *args, **kwargs):
    raise Http404


def survey_answer(request, *args, **kwargs):
    raise Http404

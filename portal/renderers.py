"""How API lists are shaped: pages of 50 (up to 500 on request), and CSV with `?format=csv`."""

import io
import json

from django.core.paginator import Paginator
from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BaseRenderer

from programs.spreadsheets import CSVWriter

PAGE_SIZE_INVALID = "Give page_size as a whole number from 1 (at most 500 are returned)."


class LateRowPaginator(Paginator):
    """Sorts and slices primary keys only, then loads the page's rows with their relations.

    Slicing a queryset with select_related made PostgreSQL join every related row of every
    match before sorting and keeping fifty (12,600 payouts of a program: 110 ms a page); the keys
    sort in a few milliseconds, and the page's fifty rows are fetched by key.
    """

    def _get_page(self, object_list, number, paginator):
        if isinstance(object_list, QuerySet):
            keys = list(object_list.values_list("pk", flat=True))
            rows = {row.pk: row for row in self.object_list.filter(pk__in=keys)}
            object_list = [rows[key] for key in keys if key in rows]
        return super()._get_page(object_list, number, paginator)


class Pagination(PageNumberPagination):
    django_paginator_class = LateRowPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    # The schema says `page` is an integer: "last" is not one.
    last_page_strings = ()

    def get_page_size(self, request):
        """The requested page size, capped; one that is not a positive integer is a 400 rather
        than silently the default (schemathesis found `?page_size=false` answered 200)."""
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:  # absent or empty, like every optional parameter
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
            raise ValidationError({self.page_size_query_param: [PAGE_SIZE_INVALID]})
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters


def _flatten(value, prefix="") -> dict:
    """Nested objects become dotted columns (organization.slug); lists stay JSON in one cell."""
    if isinstance(value, dict):
        row = {}
        for key, item in value.items():
            row.update(_flatten(item, f"{prefix}{key}."))
        return row
    if isinstance(value, list):
        value = json.dumps(value, default=str)
    return {prefix[:-1]: value}


class CSVRenderer(BaseRenderer):
    """One row per item of a list (the current page of a paginated one), one column per field."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            data = data["results"]
        rows = [_flatten(item) for item in (data if isinstance(data, list) else [data])]
        columns = list(dict.fromkeys(key for row in rows for key in row))
        out = io.StringIO()
        writer = CSVWriter(out, lineterminator="\n")
        writer.writerow(columns)
        # A field missing from a row (a nested object that was null) is an empty cell.
        writer.writerows([row.get(column) for column in columns] for row in rows)
        return out.getvalue().encode(self.charset)

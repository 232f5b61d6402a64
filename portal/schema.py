"""Adjustments drf-spectacular cannot express with annotations, applied to the served schema."""


def allow_empty_query_values(result, generator, request, public):
    """Mark every optional query parameter `allowEmptyValue`: DRF reads `?kind=` on an optional
    field as absent (an HTML form's empty filter), and pages, ordering and ?format= do the same,
    so the schema must not claim such a request is invalid (schemathesis checks that it is)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result

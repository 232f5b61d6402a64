"""Adjustments drf-spectacular cannot express with annotations, applied to the served schema."""

EMPTY = {"type": "string", "enum": [""]}


def allow_empty_query_values(result, generator, request, public):
    """Let every optional query parameter be empty: DRF reads `?kind=` on an optional field as
    absent (an HTML form's empty filter), and pages, ordering and ?format= do the same, so the
    schema must not call such a request invalid (schemathesis checks that it is refused).
    Said twice: `allowEmptyValue` for readers, and "" in the value's schema for validators."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
                    parameter["schema"] = {"anyOf": [parameter["schema"], EMPTY]}
    return result

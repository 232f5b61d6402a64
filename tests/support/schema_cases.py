"""The number of cases schemathesis generated, by auth and mode: filled as the cases of
tests/security/test_schemathesis.py run, printed by tests/security/conftest.py after the run."""

CASES: dict[str, int] = {}

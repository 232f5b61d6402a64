"""After a run, the number of cases schemathesis generated, for the closing note of issue 9."""


def pytest_terminal_summary(terminalreporter):
    from tests.support.schema_cases import CASES

    if CASES:
        detail = ", ".join(f"{key}: {count}" for key, count in sorted(CASES.items()))
        terminalreporter.write_line(f"schemathesis: {sum(CASES.values())} cases ({detail})")

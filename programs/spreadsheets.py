"""The one CSV writer of the portal: every export (pages, API, publications, OpenCollective)
writes through `CSVWriter`, so no cell typed by a person opens as a formula in a spreadsheet.

The rule, as OWASP's "CSV Injection" page advises: a text cell that starts with `=`, `+`, `-`,
`@`, a tab or a carriage return is written with a leading single quote (`'=HYPERLINK(...)`),
which spreadsheets show as text and never evaluate. Numbers stay numbers: a cell given as a
number (int, Decimal, float) is written as csv writes it, and text that is a plain decimal
number (`-12.50`, `+3`, `-1e-05`) is left as it is, since a spreadsheet reads it as that number
and nothing else. So amounts and counts the portal writes, negative or not, read back unchanged,
and only text that is not a number gets the quote.

A line break inside a cell is always quoted. The csv module quotes a field only for the
characters of the writer's own line ending, so with `lineterminator="\n"` a bare carriage
return went out unquoted, and spreadsheets start a new row there: `Org\r=HYPERLINK(...)` opened
as a formula in the next row whatever its first character. A row holding such a cell is written
with every field quoted. Everything else (quoting commas and quotes, line endings, None as an
empty cell) is the standard library's, so a file without these cells is what `csv.writer` writes.
"""

import csv
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# ASCII digits only: `\d` would also take digits of other scripts, which spreadsheets do not read.
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def inert(value):
    """The cell as it is safe to write: formula-like text quoted, anything else unchanged."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


class CSVWriter:
    """`csv.writer` (same file and format parameters) whose every cell passes through `inert`."""

    def __init__(self, file, **fmtparams):
        self._writer = csv.writer(file, **fmtparams)
        # The line-break characters csv itself would leave unquoted (none for "\r\n").
        self._unquoted_breaks = tuple(set("\r\n") - set(self._writer.dialect.lineterminator))
        self._quote_all = csv.writer(file, **{**fmtparams, "quoting": csv.QUOTE_ALL})

    def writerow(self, row):
        cells = [inert(value) for value in row]
        writer = self._quote_all if any(map(self._breaks_line, cells)) else self._writer
        return writer.writerow(cells)

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)

    def _breaks_line(self, value) -> bool:
        return isinstance(value, str) and any(c in value for c in self._unquoted_breaks)

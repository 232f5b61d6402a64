"""Sections that higher apps add to program pages, which know nothing of those apps.

An app registers a function at start-up (in its AppConfig.ready); the program page calls each
with the program and the viewer and shows every section returned, in registration order. A
section is a dict with the `template` that renders it and whatever that template reads.
"""

from collections.abc import Callable

from programs.models import Program

ProgramSection = Callable[..., dict | None]

_program_sections: list[ProgramSection] = []


def program_section_register(section: ProgramSection) -> ProgramSection:
    """Add a section to program pages: `section(program=, viewer=)` returns a dict or None."""
    if section not in _program_sections:
        _program_sections.append(section)
    return section


def program_sections(*, program: Program, viewer) -> list[dict]:
    """The sections every registered app has for this program and viewer."""
    shown = []
    for section in _program_sections:
        if (context := section(program=program, viewer=viewer)) is not None:
            shown.append(context)
    return shown

"""The apps' layers hold: imports, templates, template tags and template names only point down.

STYLE.md "Layout": portal → reports → payments → evaluations → {applications (the coding
season), docs_season} → programs → {accounts, audit}. An app uses only itself and the apps
strictly below it, so two apps of one layer never use each other: not the two seasons, and not
accounts and audit either (today neither imports the other; audit reaches the user model through
settings.AUTH_USER_MODEL, and keeping it that way keeps the bottom free of cycles). bench/ and
tests/ are not apps and are not checked; migrations are skipped (they name historical state).

Everything is read from source (ast for Python, regular expressions for templates), nothing is
imported, so a module that fails to import is still checked. Each rule is one test that lists
every offence; the tests at the end feed the checkers made-up code to prove they bite.
"""

import ast
import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"

# Layer of each app, bottom = 0. Equal numbers: one layer, apps that must not use each other.
LAYER = {
    "accounts": 0,
    "audit": 0,
    "programs": 1,
    "applications": 2,
    "docs_season": 2,
    "evaluations": 3,
    "payments": 4,
    "reports": 5,
    "portal": 6,
}
# Templates any app may extend or include (rank below every app): the page frame and its parts.
SHARED = "(shared)"
SHARED_TEMPLATES = ("base.html", "includes/*")
# Templates outside templates/<app>/, by the code that renders them (grep render_to_string and
# render): the site's own pages and error pages are portal's, allauth's overridden pages are
# served under portal/urls.py, and each mail belongs to the app whose task sends it.
OTHER_TEMPLATES = {
    "home.html": "portal",  # portal/views.py
    "dashboard.html": "portal",  # portal/views.py
    "403.html": "portal",  # Django's handlers, configured by portal
    "403_csrf.html": "portal",  # portal/security.py
    "404.html": "portal",  # portal/urls.py handler404
    "429.html": "portal",
    "500.html": "portal",
    "allauth/*": "portal",  # include("allauth.urls") in portal/urls.py
    "emails/invitation*": "programs",  # programs/services.py
    "emails/receipt.txt": "applications",  # applications/services/proposals.py
    "emails/accepted.txt": "applications",  # applications/services/selection.py
    "emails/reminder_*": "evaluations",  # evaluations/services/reminders.py
}

TEMPLATE_NAME = re.compile(r"[\w./-]+\.(?:html|txt)")
INCLUDE_OR_EXTENDS = re.compile(r"{%-?\s*(include|extends)\s+([\"'])(?P<name>[^\"']+)\2")
LOAD = re.compile(r"{%-?\s*load\s+(?P<libraries>[^%]+?)\s*-?%}")


@dataclass(frozen=True)
class Use:
    """One module or template using another thing: an import, an include, a load..."""

    source: str  # dotted module name or template path
    target: str  # imported module, template name or tag library
    owner: str  # app of source
    used: str  # app of target
    where: str  # file:line

    def __str__(self):
        return f"{self.source} -> {self.target}  ({self.where})"


# --- Python imports -------------------------------------------------------------------------


def app_of(module):
    """The app a dotted module name belongs to, or None when it is not a project module."""
    first = module.split(".", 1)[0]
    return first if first in LAYER else None


def _imported_module(stem, name):
    """`from pkg import mod` imports the submodule pkg.mod when there is one, else a name of pkg."""
    candidate = ROOT.joinpath(*stem.split("."), name)
    if candidate.is_dir() or candidate.with_suffix(".py").is_file():
        return f"{stem}.{name}"
    return stem


def imports_of(module, source, *, is_package=False, path=None):
    """Every project import in one module's source: top-level or inside functions, `import x`,
    `from x import y` and relative forms, as Uses of the imported module."""
    tree = ast.parse(source, filename=path or module)
    package = module if is_package else module.rpartition(".")[0]
    uses = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module
            targets = sorted({_imported_module(stem, alias.name) for alias in node.names})
        else:
            continue
        for target in targets:
            used = app_of(target)
            if used:
                where = f"{path or module}:{node.lineno}"
                uses.append(Use(module, target, app_of(module), used, where))
    return uses


def project_modules():
    """(dotted name, path, is_package) of every .py file in the apps, migrations left out."""
    for app in LAYER:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            parts = list(relative.with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            yield ".".join(parts), path, is_package


def project_imports():
    uses = []
    for module, path, is_package in project_modules():
        source = path.read_text(encoding="utf-8")
        relative = str(path.relative_to(ROOT))
        uses += imports_of(module, source, is_package=is_package, path=relative)
    return uses


def upward(uses):
    return [use for use in uses if LAYER[use.used] > LAYER[use.owner]]


def within_a_layer(uses):
    return [use for use in uses if use.used != use.owner and LAYER[use.used] == LAYER[use.owner]]


def app_cycles(uses):
    """Each set of apps that import each other in a circle (a strongly connected component of
    the app graph with more than one app), with the imports that close it, found by Tarjan."""
    graph = {}
    for use in uses:
        if use.used != use.owner:
            graph.setdefault(use.owner, set()).add(use.used)
            graph.setdefault(use.used, set())
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(app):
        index[app] = low[app] = len(index)
        stack.append(app)
        on_stack.add(app)
        for other in sorted(graph[app]):
            if other not in index:
                visit(other)
                low[app] = min(low[app], low[other])
            elif other in on_stack:
                low[app] = min(low[app], index[other])
        if low[app] == index[app]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == app:
                    break
            if len(component) > 1:
                components.append(component)

    for app in sorted(graph):
        if app not in index:
            visit(app)
    return [
        (
            sorted(component),
            [u for u in uses if u.owner != u.used and {u.owner, u.used} <= component],
        )
        for component in components
    ]


# --- Templates ------------------------------------------------------------------------------


def template_owner(name):
    """The app a template name belongs to, SHARED for the frame, None when it is not ours."""
    first = name.split("/", 1)[0]
    if "/" in name and first in LAYER:
        return first
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in SHARED_TEMPLATES):
        return SHARED
    for pattern, app in OTHER_TEMPLATES.items():
        if fnmatch.fnmatchcase(name, pattern):
            return app
    return None


def rank(owner):
    return -1 if owner == SHARED else LAYER[owner]


def may_use(owner, used):
    """An app uses itself, anything shared and the apps strictly below it; shared templates
    (used by every app) only other shared templates."""
    return used in (SHARED, owner) or rank(used) < rank(owner)


def tag_libraries():
    """{library name: app} from every <app>/templatetags/<library>.py."""
    return {
        path.stem: app
        for app in LAYER
        for path in sorted((ROOT / app / "templatetags").glob("*.py"))
        if path.stem != "__init__"
    }


def project_templates():
    return sorted(
        str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*") if path.is_file()
    )


def template_uses(name, text, libraries):
    """(includes and extends, loads) of one template, as Uses; names and libraries that are
    not ours (Django's, drf_spectacular's) are left out."""
    owner = template_owner(name)
    references, loads = [], []

    def line(match):
        return f"templates/{name}:{text.count(chr(10), 0, match.start()) + 1}"

    for match in INCLUDE_OR_EXTENDS.finditer(text):
        used = template_owner(match["name"])
        if used:
            references.append(Use(name, match["name"], owner, used, line(match)))
    for match in LOAD.finditer(text):
        words = match["libraries"].split()
        # `{% load tag another from library %}` loads from the last word only.
        for library in words[-1:] if "from" in words else words:
            if library in libraries:
                loads.append(Use(name, library, owner, libraries[library], line(match)))
    return references, loads


def all_template_uses():
    libraries = tag_libraries()
    references, loads = [], []
    for name in project_templates():
        text = (TEMPLATES / name).read_text(encoding="utf-8")
        found = template_uses(name, text, libraries)
        references += found[0]
        loads += found[1]
    return references, loads


def template_names_in(module, source, *, path=None, templates=()):
    """Template names written in one module's strings: whole literals like
    "applications/x.html", and f-strings whose fixed parts match existing templates
    (f"emails/reminder_{kind}.txt" names every emails/reminder_*.txt)."""
    uses = []
    tree = ast.parse(source, filename=path or module)
    joined_parts = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            joined_parts.update(id(value) for value in node.values)
            pattern = "".join(
                value.value if isinstance(value, ast.Constant) else "*" for value in node.values
            )
            if TEMPLATE_NAME.fullmatch(pattern.replace("*", "x")):
                names = [t for t in templates if fnmatch.fnmatchcase(t, pattern)] or [pattern]
            else:
                continue
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in joined_parts or not TEMPLATE_NAME.fullmatch(node.value):
                continue
            names = [node.value]
        else:
            continue
        for name in names:
            used = template_owner(name)
            if used:
                where = f"{path or module}:{node.lineno}"
                uses.append(Use(module, name, app_of(module), used, where))
    return uses


def python_template_uses():
    templates = project_templates()
    uses = []
    for module, path, _ in project_modules():
        source = path.read_text(encoding="utf-8")
        relative = str(path.relative_to(ROOT))
        uses += template_names_in(module, source, path=relative, templates=templates)
    return uses


def refused(uses):
    return [use for use in uses if not may_use(use.owner, use.used)]


def report(title, uses):
    lines = sorted({f"  {use}  [{use.owner} uses {use.used}]" for use in uses})
    return f"{title} ({len(lines)}):\n" + "\n".join(lines)


# --- The rules ------------------------------------------------------------------------------


def test_the_scan_sees_the_project():
    """A scan that found nothing would pass every rule: check it reads what it should."""
    modules = {module for module, _, _ in project_modules()}
    assert {"programs.models", "applications.views.proposals", "portal.urls"} <= modules
    assert not any(".migrations" in module for module in modules)
    edges = {(use.owner, use.used) for use in project_imports()}
    assert {("applications", "programs"), ("portal", "programs")} <= edges
    assert "seasons" in tag_libraries()
    references, loads = all_template_uses()
    assert any(use.target == "base.html" for use in references)
    assert any(use.target == "seasons" for use in loads)
    assert any(use.target == "emails/receipt.txt" for use in python_template_uses())


def test_no_app_imports_an_app_above_it():
    offences = upward(project_imports())
    assert not offences, report("Imports of a higher app (module -> imported module)", offences)


def test_no_app_imports_another_app_of_its_layer():
    """The two seasons (applications, docs_season) never import each other; nor do accounts
    and audit."""
    offences = within_a_layer(project_imports())
    assert not offences, report(
        "Imports between apps of one layer (module -> imported module)", offences
    )


def test_the_app_import_graph_has_no_cycle():
    cycles = app_cycles(project_imports())
    assert not cycles, "\n".join(
        report(f"Apps importing each other in a cycle: {' <-> '.join(apps)}", uses)
        for apps, uses in cycles
    )


def test_every_template_belongs_to_an_app_or_is_shared():
    """A new top-level template or emails/ file must be given an owner above, so the template
    rules below can judge it."""
    unowned = [name for name in project_templates() if template_owner(name) is None]
    assert not unowned, f"Templates without an owner (add them to OTHER_TEMPLATES): {unowned}"


def test_templates_include_and_extend_only_their_app_shared_or_lower_templates():
    references, _ = all_template_uses()
    offences = refused(references)
    assert not offences, report(
        "Templates including/extending a template of a higher or same-layer app", offences
    )


def test_templates_load_tag_libraries_only_of_their_app_or_lower():
    _, loads = all_template_uses()
    offences = refused(loads)
    assert not offences, report(
        "Templates loading a tag library of a higher or same-layer app "
        f"(libraries: {tag_libraries()})",
        offences,
    )


def test_python_code_names_templates_only_of_its_app_shared_or_lower():
    offences = refused(python_template_uses())
    assert not offences, report(
        "Python code naming a template of a higher or same-layer app (module -> template)",
        offences,
    )


# --- The checkers bite ----------------------------------------------------------------------

MADE_UP = {
    # programs reaches up into applications at module level and inside a function.
    "programs.views": (
        "from programs.models import Program\n"
        "from applications.models import Proposal\n"
        "def page():\n"
        "    import evaluations.services\n"
        "    from payments import money\n"
    ),
    # A season imports the other season, relatively and absolutely.
    "docs_season.views.writers": (
        "from ..models import WriterProfile\nfrom applications.views.profiles import form\n"
    ),
    # accounts and audit import each other: same layer, and a cycle.
    "accounts.models": "from audit.services import audit_record\n",
    "audit.services": "import accounts.models\n",
    # A cycle across layers: evaluations -> payments (upward) -> evaluations.
    "evaluations.tasks": "from payments.services import payout_create\n",
    "payments.services": "from evaluations.models import Evaluation\n",
    # Not project imports: ignored.
    "reports.views": "import os\nfrom django.db import models\nfrom reports import archive\n",
}


def _made_up_imports():
    return [use for module, source in MADE_UP.items() for use in imports_of(module, source)]


def test_the_import_checker_reports_upward_imports_from_any_depth():
    found = {(use.source, use.target) for use in upward(_made_up_imports())}
    assert found == {
        ("programs.views", "applications.models"),
        ("programs.views", "evaluations.services"),
        ("programs.views", "payments.money"),
        ("evaluations.tasks", "payments.services"),
    }


def test_the_import_checker_reports_imports_within_a_layer():
    uses = _made_up_imports()
    found = {(use.source, use.target) for use in within_a_layer(uses)}
    assert found == {
        ("docs_season.views.writers", "applications.views.profiles"),
        ("accounts.models", "audit.services"),
        ("audit.services", "accounts.models"),
    }
    relative = [use for use in uses if use.source == "docs_season.views.writers"]
    assert relative[0].target == "docs_season.models"


def test_the_import_checker_reports_cycles_between_apps():
    cycles = {tuple(apps) for apps, _ in app_cycles(_made_up_imports())}
    assert cycles == {("accounts", "audit"), ("evaluations", "payments")}
    # Three apps in a ring, none importing its direct caller back.
    ring = imports_of("programs.a", "import applications.b") + imports_of(
        "applications.b", "import evaluations.c"
    )
    ring += imports_of("evaluations.c", "from programs import a")
    assert [apps for apps, _ in app_cycles(ring)] == [["applications", "evaluations", "programs"]]
    assert not app_cycles(ring[:2])


def test_the_template_checkers_report_upward_includes_loads_and_names():
    libraries = {"seasons": "programs", "projects": "applications", "money": "payments"}
    references, loads = template_uses(
        "programs/page.html",
        '{% extends "base.html" %}{% load static seasons projects %}\n'
        '{% include "includes/field.html" %}{% include "applications/_list.html" %}\n'
        "{% include 'programs/_part.html' %}{% load total from money %}",
        libraries,
    )
    assert {(u.target, u.where) for u in refused(references)} == {
        ("applications/_list.html", "templates/programs/page.html:2")
    }
    assert {u.target for u in refused(loads)} == {"projects", "money"}
    # A season's template uses the other season's; the frame loads an app's library.
    references, _ = template_uses(
        "docs_season/x.html", '{% include "applications/_y.html" %}', libraries
    )
    assert len(refused(references)) == 1
    _, loads = template_uses("base.html", "{% load seasons %}", libraries)
    assert len(refused(loads)) == 1
    names = template_names_in(
        "programs.views",
        'render(r, "evaluations/unsubscribed.html")\n'
        'render(r, "programs/ok.html")\n'
        'render(r, f"emails/reminder_{kind}.txt")\n'
        'render(r, "home.html")\n'
        '"""Not a template: docs/applications/x.html in a sentence."""\n',
        templates=["emails/reminder_opened.txt", "emails/receipt.txt"],
    )
    assert {u.target for u in refused(names)} == {
        "evaluations/unsubscribed.html",
        "emails/reminder_opened.txt",
        "home.html",
    }

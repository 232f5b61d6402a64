"""Import of the public GSoC archive format into one program's organizations and projects.

The whole file is checked and every change planned before anything is written; the writes then
happen in one transaction with bulk queries, and rows that would not change are never saved, so
a second import of the same file changes nothing.
"""

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import nh3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from programs.models import Organization, Participation, ParticipationStatus, Tag
from reports.models import ArchivedProject, ArchivedProjectStatus

CANNOT_READ = "Cannot read {path}: {error}"
NOT_JSON = "{path} is not valid JSON: {error}"
MISSING_FIELD = "{where}: missing '{field}'"
WRONG_TYPE = "{where}: '{field}' should be {expected}, not {actual}"
INVALID_VALUE = "{where}: {field}: {message}"
DUPLICATE_SLUG = "{where}: the slug '{slug}' appears more than once in the file"
NAME_TAKEN = "{where}: the organization '{other}' already has the name '{name}'"
YEAR_MISMATCH = "The archive is for {year} but the program '{program}' is for {program_year}."
OTHER_PROGRAM = "{where}: already imported into the program '{program}' as '{key}'"
MORE_PROBLEMS = "… and {count} more problem(s)."
MAX_REPORTED = 20

# Organization fields copied from the archive, by the archive's key; the rest are derived.
ORG_STRINGS = ["slug", "name", "tagline", "website_url", "logo_url", "ideas_list_url"]
ORG_LISTS = ["categories", "tech_tags", "topic_tags", "contact_links", "projects"]
PROJECT_STRINGS = [
    "title",
    "status",
    "abstract_short",
    "contributor_display_name",
    "project_code_url",
    "date_archived",
]
PROJECT_LISTS = ["mentor_names", "tech_tags", "topic_tags"]
ORG_UPDATE_FIELDS = ["name", "tagline", "website", "description", "logo_url", "contact_links"]
PARTICIPATION_UPDATE_FIELDS = ["status", "ideas_list_url"]
PROJECT_UPDATE_FIELDS = [
    "title",
    "abstract",
    "contributor_display_name",
    "mentor_names",
    "code_url",
    "tech_tags",
    "topic_tags",
    "status",
    "archived_at",
]
KEY_TITLE_MAX = 120


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self):
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class ArchiveImportResult:
    year: int
    program: str
    dry_run: bool
    organizations: Counts = field(default_factory=Counts)
    tags: Counts = field(default_factory=Counts)
    organization_tags: Counts = field(default_factory=Counts)
    participations: Counts = field(default_factory=Counts)
    projects: Counts = field(default_factory=Counts)
    projects_skipped: int = 0

    def summary_lines(self):
        return [
            f"organizations: {self.organizations}",
            f"tags: {self.tags}",
            f"organization tags: {self.organization_tags}",
            f"participations: {self.participations}",
            f"projects: {self.projects}, {self.projects_skipped} skipped (not passed)",
        ]


def html_to_text(value):
    """Plain text of an HTML fragment: tags dropped (script and style with their content)."""
    text = html.unescape(nh3.clean(value, tags=set()))
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def tag_slug(name):
    # "c" and "c++" (or "c" and "c#") must not collapse into one tag.
    name = name.replace("++", "pp").replace("#", "sharp")
    return slugify(re.sub(r"[/+&,]", " ", name))[: Tag._meta.get_field("slug").max_length]


def project_key_base(year, org_slug, title):
    return f"{year}:{org_slug}:{slugify(title)[:KEY_TITLE_MAX].strip('-') or 'untitled'}"


def archive_load(*, path: Path):
    """The parsed archive file; a ValidationError says why it cannot be read."""
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except json.JSONDecodeError as error:
        raise ValidationError(NOT_JSON.format(path=path, error=error)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationError(CANNOT_READ.format(path=path, error=error)) from None


def _json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return {str: "a string", list: "a list", dict: "an object"}.get(type(value), type(value))


class _Problems(list):
    def check_fields(self, record, where, strings, lists):
        """True when every field is present with its type; records what is wrong otherwise."""
        ok = True
        for name, expected, kind in [(n, "a string", str) for n in strings] + [
            (n, "a list", list) for n in lists
        ]:
            if name not in record:
                self.append(MISSING_FIELD.format(where=where, field=name))
                ok = False
            elif not isinstance(record[name], kind):
                actual = _json_type(record[name])
                self.append(
                    WRONG_TYPE.format(where=where, field=name, expected=expected, actual=actual)
                )
                ok = False
        return ok

    def check_strings(self, record, where, name):
        for index, item in enumerate(record[name]):
            if not isinstance(item, str):
                actual = _json_type(item)
                self.append(
                    WRONG_TYPE.format(
                        where=where, field=f"{name}[{index}]", expected="a string", actual=actual
                    )
                )

    def check_model(self, instance, where, exclude=()):
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.append(INVALID_VALUE.format(where=where, field=name, message=message))

    def datetime(self, record, where, name):
        try:
            value = datetime.fromisoformat(record[name])
        except ValueError:
            message = f"'{record[name]}' is not an ISO 8601 date and time"
            self.append(INVALID_VALUE.format(where=where, field=name, message=message))
            return None
        # The archive writes UTC with a Z; a missing offset is read as UTC too.
        return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)

    def raise_if_any(self):
        if self:
            shown = self[:MAX_REPORTED]
            if len(self) > MAX_REPORTED:
                shown.append(MORE_PROBLEMS.format(count=len(self) - MAX_REPORTED))
            raise ValidationError(shown)


def _changed(instance, values):
    """Set the differing values on instance; the names of the fields that changed."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return changed


@dataclass
class _Plan:
    new_orgs: list = field(default_factory=list)
    changed_orgs: list = field(default_factory=list)
    orgs: dict = field(default_factory=dict)  # slug → Organization, saved or not
    new_tags: list = field(default_factory=list)
    links: set = field(default_factory=set)  # (org slug, tag slug) to add
    new_participations: list = field(default_factory=list)
    changed_participations: list = field(default_factory=list)
    participations: dict = field(default_factory=dict)  # org slug → Participation
    new_projects: list = field(default_factory=list)  # (org slug, ArchivedProject)
    changed_projects: list = field(default_factory=list)


def _check_shape(data, problems):
    if not isinstance(data, dict):
        problems.append(f"The archive should be an object, not {_json_type(data)}")
        problems.raise_if_any()
    if "year" not in data:
        problems.append(MISSING_FIELD.format(where="The archive", field="year"))
    elif not isinstance(data["year"], int) or isinstance(data["year"], bool):
        actual = _json_type(data["year"])
        problems.append(
            WRONG_TYPE.format(where="The archive", field="year", expected="a number", actual=actual)
        )
    problems.check_fields(data, "The archive", [], ["organizations"])
    problems.raise_if_any()


def archive_import(
    *,
    program,
    data,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
) -> ArchiveImportResult:
    """Create or update the program's organizations, tags, participations and passed projects."""
    now = now or timezone.now()
    problems = _Problems()
    _check_shape(data, problems)
    if data["year"] != program.year:
        problems.append(
            YEAR_MISMATCH.format(year=data["year"], program=program.slug, program_year=program.year)
        )
        problems.raise_if_any()
    planner = _Planner(program, data, problems, now)
    records = data["organizations"]
    for index, record in enumerate(records):
        if progress and ((index + 1) % 10 == 0 or index + 1 == len(records)):
            progress(index + 1, len(records))
        planner.organization(index, record)
    planner.tags()
    problems.raise_if_any()

    result = planner.result
    result.dry_run = dry_run
    if not dry_run:
        _apply(planner.plan, now)
    return result


class _Planner:
    """Works out, with reads only, what each record creates or changes, and what is wrong."""

    def __init__(self, program, data, problems, now):
        self.program, self.year, self.problems, self.now = program, data["year"], problems, now
        self.plan = _Plan()
        self.result = ArchiveImportResult(year=self.year, program=program.slug, dry_run=False)
        self.tag_names = {}  # tag slug → (name, record) of its first appearance
        self.seen_names = {}  # lower-case name → slug, in the file so far
        slugs = [
            r["slug"]
            for r in data["organizations"]
            if isinstance(r, dict) and isinstance(r.get("slug"), str)
        ]
        self.orgs = Organization.objects.in_bulk(slugs, field_name="slug")
        # Organization names are unique whatever their case: another org may hold one already.
        self.names = {
            name.lower(): slug for slug, name in Organization.objects.values_list("slug", "name")
        }
        self.participations = {
            p.organization.slug: p
            for p in Participation.objects.filter(
                program=program, organization__slug__in=slugs
            ).select_related("organization")
        }
        self.links = set(
            Organization.tags.through.objects.filter(organization__slug__in=slugs).values_list(
                "organization__slug", "tag__slug"
            )
        )
        self.projects = {
            p.external_key: p
            for p in ArchivedProject.objects.filter(
                external_key__startswith=f"{self.year}:"
            ).select_related("participation__program")
        }

    def organization(self, index, record):
        problems, plan, counts = self.problems, self.plan, self.result.organizations
        where = f"organizations[{index}]"
        if not isinstance(record, dict):
            problems.append(f"{where}: should be an object, not {_json_type(record)}")
            return
        if isinstance(record.get("slug"), str):
            where = f"{where} (slug '{record['slug']}')"
        if not problems.check_fields(record, where, [*ORG_STRINGS, "description_html"], ORG_LISTS):
            return
        for name in ["categories", "tech_tags", "topic_tags"]:
            problems.check_strings(record, where, name)
        slug, name = record["slug"], record["name"]
        if slug in plan.orgs:
            problems.append(DUPLICATE_SLUG.format(where=where, slug=slug))
            return
        other = self.seen_names.get(name.lower()) or self.names.get(name.lower())
        if other is not None and other != slug:
            problems.append(NAME_TAKEN.format(where=where, other=other, name=name))
        self.seen_names[name.lower()] = slug

        values = {
            "name": name,
            "tagline": record["tagline"],
            "website": record["website_url"],
            "description": html_to_text(record["description_html"]),
            "logo_url": record["logo_url"],
            "contact_links": record["contact_links"],
        }
        org = self.orgs.get(slug)
        if org is None:
            org = Organization(slug=slug, **values)
            if isinstance(record.get("date_created"), str):
                org.created_at = problems.datetime(record, where, "date_created") or self.now
            plan.new_orgs.append(org)
            counts.created += 1
        elif _changed(org, values):
            plan.changed_orgs.append(org)
            counts.updated += 1
        else:
            counts.unchanged += 1
        problems.check_model(org, where, exclude=["tags"])
        plan.orgs[slug] = org

        self.organization_tags(record, where, slug)
        self.participation(record, where, org)
        occurrences = {}  # key base → projects of the org seen with it so far
        for project_index, project in enumerate(record["projects"]):
            self.project(project, f"{where}.projects[{project_index}]", slug, occurrences)

    def organization_tags(self, record, where, slug):
        counts, seen = self.result.organization_tags, set()
        for tag in record["categories"] + record["tech_tags"] + record["topic_tags"]:
            name = tag.strip() if isinstance(tag, str) else ""
            # Skips what leaves no slug (e.g. only punctuation) and case variants seen already.
            if not (tag := tag_slug(name)) or tag in seen:
                continue
            seen.add(tag)
            self.tag_names.setdefault(tag, (name, where))
            if (slug, tag) in self.links:
                counts.unchanged += 1
            else:
                self.plan.links.add((slug, tag))
                counts.created += 1

    def participation(self, record, where, org):
        plan, counts = self.plan, self.result.participations
        wanted = {
            "status": ParticipationStatus.ACCEPTED,
            "ideas_list_url": record["ideas_list_url"],
        }
        participation = self.participations.get(org.slug)
        if participation is None:
            participation = Participation(program=self.program, **wanted)
            if org.pk is None:
                participation.applied_at = org.created_at
            plan.new_participations.append(participation)
            counts.created += 1
        elif _changed(participation, wanted):
            plan.changed_participations.append(participation)
            counts.updated += 1
        else:
            counts.unchanged += 1
        self.problems.check_model(participation, where, exclude=["organization", "decided_by"])
        plan.participations[org.slug] = participation

    def project(self, project, where, org_slug, occurrences):
        problems, plan, counts = self.problems, self.plan, self.result.projects
        if not isinstance(project, dict):
            problems.append(f"{where}: should be an object, not {_json_type(project)}")
            return
        if isinstance(project.get("title"), str):
            where = f"{where} (title '{project['title']}')"
        if not problems.check_fields(project, where, PROJECT_STRINGS, PROJECT_LISTS):
            return
        for name in PROJECT_LISTS:
            problems.check_strings(project, where, name)
        # Numbered in file order among the org's projects of the same title, passed or not,
        # so that keys stay put when a project's status changes.
        base = project_key_base(self.year, org_slug, project["title"])
        occurrences[base] = occurrences.get(base, 0) + 1
        key = f"{base}:{occurrences[base]}"
        if project["status"] != ArchivedProjectStatus.PASSED:
            self.result.projects_skipped += 1
            return
        values = {
            "title": project["title"],
            "abstract": project["abstract_short"],
            "contributor_display_name": project["contributor_display_name"],
            "mentor_names": project["mentor_names"],
            "code_url": project["project_code_url"],
            "tech_tags": project["tech_tags"],
            "topic_tags": project["topic_tags"],
            "status": project["status"],
            "archived_at": problems.datetime(project, where, "date_archived"),
        }
        if values["archived_at"] is None:
            return
        archived = self.projects.get(key)
        if archived is None:
            archived = ArchivedProject(external_key=key, **values)
            plan.new_projects.append((org_slug, archived))
            counts.created += 1
        elif archived.participation.program_id != self.program.pk:
            program = archived.participation.program.slug
            problems.append(OTHER_PROGRAM.format(where=where, program=program, key=key))
            return
        elif _changed(archived, values):
            plan.changed_projects.append(archived)
            counts.updated += 1
        else:
            counts.unchanged += 1
        problems.check_model(archived, where, exclude=["participation"])

    def tags(self):
        existing = Tag.objects.in_bulk(list(self.tag_names), field_name="slug")
        for slug, (name, where) in self.tag_names.items():
            if slug in existing:
                # Tags may have been renamed by hand; the archive never renames them back.
                self.result.tags.unchanged += 1
                continue
            tag = Tag(slug=slug, name=name)
            self.problems.check_model(tag, f"{where}, tag '{name}'")
            self.plan.new_tags.append(tag)
            self.result.tags.created += 1


@transaction.atomic
def _apply(plan, now):
    Organization.objects.bulk_create(plan.new_orgs)
    if plan.changed_orgs:
        Organization.objects.bulk_update(plan.changed_orgs, ORG_UPDATE_FIELDS)

    Tag.objects.bulk_create(plan.new_tags)
    tag_ids = dict(
        Tag.objects.filter(slug__in={t for _, t in plan.links}).values_list("slug", "pk")
    )
    Link = Organization.tags.through
    Link.objects.bulk_create(
        [
            Link(organization_id=plan.orgs[org].pk, tag_id=tag_ids[tag])
            for org, tag in sorted(plan.links)
        ],
        ignore_conflicts=True,
    )

    for slug, participation in plan.participations.items():
        participation.organization = plan.orgs[slug]
    Participation.objects.bulk_create(plan.new_participations)
    if plan.changed_participations:
        Participation.objects.bulk_update(plan.changed_participations, PARTICIPATION_UPDATE_FIELDS)

    for slug, archived in plan.new_projects:
        archived.participation = plan.participations[slug]
    ArchivedProject.objects.bulk_create([archived for _, archived in plan.new_projects])
    # bulk_update skips auto_now, so the changed rows get their timestamp here.
    for archived in plan.changed_projects:
        archived.updated_at = now
    if plan.changed_projects:
        ArchivedProject.objects.bulk_update(
            plan.changed_projects, [*PROJECT_UPDATE_FIELDS, "updated_at"]
        )

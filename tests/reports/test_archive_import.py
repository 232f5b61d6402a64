import json
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from programs.models import Organization, Participation, ParticipationStatus, Tag
from reports.archive import (
    MISSING_FIELD,
    NAME_TAKEN,
    WRONG_TYPE,
    YEAR_MISMATCH,
    html_to_text,
    tag_slug,
)
from reports.models import ArchivedProject
from tests.factories import OrganizationFactory, ProgramFactory
from tests.support.archive import REAL_ARCHIVE

pytestmark = pytest.mark.django_db

# Five organizations of the 2022 archive with every person replaced by "Contributor n" or
# "Mentor n" and personal links and addresses by example.org ones.
SAMPLE = Path(__file__).parent / "data" / "archive-sample.json"
ROBOCOMP = "robocomp"


@pytest.fixture
def program():
    return ProgramFactory(slug="gsoc-2022", series="gsoc", year=2022)


@pytest.fixture
def sample():
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def write(tmp_path, data, name="archive.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def run(path, *args, program="gsoc-2022"):
    out, err = StringIO(), StringIO()
    call_command(
        "import_gsoc_archive", str(path), "--program", program, *args, stdout=out, stderr=err
    )
    return out.getvalue()


def snapshot():
    """Every row the import may touch, field by field."""
    models = [Organization, Tag, Organization.tags.through, Participation, ArchivedProject]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def row_count():
    return sum(len(rows) for rows in snapshot().values())


@pytest.mark.skipif(
    not REAL_ARCHIVE.exists(),
    reason=f"the real archive is not at {REAL_ARCHIVE} (CI puts shared/ beside the clone)",
)
def test_real_archive_imports_all_orgs_and_passed_projects_and_again_changes_nothing(program):
    archive = json.loads(REAL_ARCHIVE.read_text(encoding="utf-8"))
    passed = sum(p["status"] == "passed" for o in archive["organizations"] for p in o["projects"])
    assert (len(archive["organizations"]), passed) == (202, 1054)

    started = time.monotonic()
    output = run(REAL_ARCHIVE)
    assert time.monotonic() - started < 15

    accepted = Participation.objects.filter(program=program, status=ParticipationStatus.ACCEPTED)
    assert Organization.objects.count() == accepted.count() == 202
    assert ArchivedProject.objects.filter(participation__program=program).count() == 1054
    assert "organizations: 202 created, 0 updated, 0 unchanged" in output
    assert "projects: 1054 created, 0 updated, 0 unchanged, 0 skipped (not passed)" in output

    before = snapshot()
    output = run(REAL_ARCHIVE)
    assert snapshot() == before
    assert "organizations: 0 created, 0 updated, 202 unchanged" in output
    assert "projects: 0 created, 0 updated, 1054 unchanged" in output


@pytest.mark.skipif(not REAL_ARCHIVE.exists(), reason=f"the real archive is not at {REAL_ARCHIVE}")
def test_dry_run_of_the_real_archive_writes_nothing(program):
    output = run(REAL_ARCHIVE, "--dry-run")

    assert row_count() == 0
    assert "Dry run, nothing written" in output
    assert "projects: 1054 created" in output


def test_sample_round_trips(program, sample):
    output = run(SAMPLE)

    assert output.startswith("Imported the 2022 archive into gsoc-2022 in ")
    assert "organizations: 5 created, 0 updated, 0 unchanged" in output
    for record in sample["organizations"]:
        org = Organization.objects.get(slug=record["slug"])
        assert (org.name, org.tagline, org.website, org.logo_url, org.contact_links) == (
            record["name"],
            record["tagline"],
            record["website_url"],
            record["logo_url"],
            record["contact_links"],
        )
        assert org.description == html_to_text(record["description_html"])
        names = record["categories"] + record["tech_tags"] + record["topic_tags"]
        assert set(org.tags.values_list("slug", flat=True)) == {tag_slug(n) for n in names}
        participation = org.participations.get(program=program)
        assert participation.status == ParticipationStatus.ACCEPTED
        assert participation.ideas_list_url == record["ideas_list_url"]
        projects = participation.archived_projects.order_by("external_key")
        assert sorted(
            (p.title, p.abstract, p.contributor_display_name, p.mentor_names, p.code_url)
            for p in projects
        ) == sorted(
            (
                p["title"],
                p["abstract_short"],
                p["contributor_display_name"],
                p["mentor_names"],
                p["project_code_url"],
            )
            for p in record["projects"]
        )
    # The sample keeps people out: only pseudonyms made it in.
    assert all(
        name.startswith("Contributor ")
        for name in ArchivedProject.objects.values_list("contributor_display_name", flat=True)
    )
    ankidroid = Organization.objects.get(slug="ankidroid")
    assert "<br" not in ankidroid.description
    assert ankidroid.description.startswith("Memorize anything with AnkiDroid!\n\nAnkiDroid lets")


def test_duplicate_titles_get_distinct_stable_keys(program, sample):
    run(SAMPLE)
    keys = ArchivedProject.objects.filter(
        participation__organization__slug=ROBOCOMP,
        title="Reinforcement Learning for pick and place operations",
    ).values_list("external_key", flat=True)

    base = "2022:robocomp:reinforcement-learning-for-pick-and-place-operations"
    assert sorted(keys) == [f"{base}:1", f"{base}:2"]


def test_changes_update_only_what_changed(program, sample, tmp_path):
    run(SAMPLE)
    before = {p.external_key: p.updated_at for p in ArchivedProject.objects.all()}
    robocomp = sample["organizations"][3]
    robocomp["tagline"] = "Robotics, component by component"
    robocomp["projects"][0]["abstract_short"] = "A shorter abstract."

    output = run(write(tmp_path, sample))

    assert "organizations: 0 created, 1 updated, 4 unchanged" in output
    assert "projects: 0 created, 1 updated, 16 unchanged" in output
    assert Organization.objects.get(slug=ROBOCOMP).tagline == "Robotics, component by component"
    changed = ArchivedProject.objects.get(abstract="A shorter abstract.")
    assert changed.updated_at > before[changed.external_key]
    after = {p.external_key: p.updated_at for p in ArchivedProject.objects.all()}
    del before[changed.external_key], after[changed.external_key]
    assert after == before


def test_projects_that_did_not_pass_are_skipped(program, sample, tmp_path):
    sample["organizations"][3]["projects"][0]["status"] = "failed"

    output = run(write(tmp_path, sample))

    assert "projects: 16 created, 0 updated, 0 unchanged, 1 skipped (not passed)" in output
    assert ArchivedProject.objects.count() == 16


def test_tags_are_shared_and_deduplicated_case_insensitively(program, sample, tmp_path):
    sample["organizations"][0]["tech_tags"] += ["PYTHON", "c++", "C"]

    run(write(tmp_path, sample))

    aboutcode = Organization.objects.get(slug="aboutcode")
    slugs = list(aboutcode.tags.values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs))
    assert {"python", "cpp", "c"} <= set(slugs)
    # "Development tools" belongs to two organizations of the sample; it is one tag.
    assert Tag.objects.get(slug="development-tools").organizations.count() == 2
    assert tag_slug("Data") == tag_slug("data") != tag_slug("c++") != tag_slug("c")


def test_existing_organization_is_updated_and_keeps_its_tags(program, sample):
    org = OrganizationFactory(slug="seaql", name="SeaQL (old name)", tagline="Old")
    own_tag = Tag.objects.create(name="Hand-picked", slug="hand-picked")
    org.tags.add(own_tag)

    output = run(SAMPLE)

    assert "organizations: 4 created, 1 updated, 0 unchanged" in output
    org.refresh_from_db()
    assert (org.name, org.tagline) == ("SeaQL", sample["organizations"][4]["tagline"])
    assert own_tag in org.tags.all()


def test_missing_program_is_a_clear_error(sample):
    with pytest.raises(CommandError, match="no program with the slug 'gsoc-2099'"):
        run(SAMPLE, program="gsoc-2099")


def test_archive_of_another_year_is_refused(sample):
    ProgramFactory(slug="gsoc-2023", year=2023)

    with pytest.raises(CommandError) as error:
        run(SAMPLE, program="gsoc-2023")

    assert YEAR_MISMATCH.format(year=2022, program="gsoc-2023", program_year=2023) in str(
        error.value
    )
    assert row_count() == 0


def test_archive_imported_into_another_program_is_refused(program, sample):
    run(SAMPLE)
    ProgramFactory(slug="gsoc-2022-again", year=2022)
    before = snapshot()

    with pytest.raises(CommandError) as error:
        run(SAMPLE, program="gsoc-2022-again")

    assert "already imported into the program 'gsoc-2022'" in str(error.value)
    assert snapshot() == before


def test_name_held_by_another_organization_is_refused(program, sample):
    OrganizationFactory(slug="ankidroid-old", name="AnkiDroid")

    with pytest.raises(CommandError) as error:
        run(SAMPLE)

    where = "organizations[1] (slug 'ankidroid')"
    assert NAME_TAKEN.format(where=where, other="ankidroid-old", name="AnkiDroid") in str(
        error.value
    )
    assert Organization.objects.count() == 1


def _without_name(data):
    del data["organizations"][1]["name"]


def _mentors_as_text(data):
    data["organizations"][3]["projects"][2]["mentor_names"] = "Mentor 1, Mentor 2"


def _bad_website(data):
    data["organizations"][4]["website_url"] = "not a url"


def _organizations_as_object(data):
    data["organizations"] = {}


@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        (
            _without_name,
            MISSING_FIELD.format(where="organizations[1] (slug 'ankidroid')", field="name"),
        ),
        (
            _mentors_as_text,
            WRONG_TYPE.format(
                where="organizations[3] (slug 'robocomp').projects[2] "
                "(title 'Model Predictive Control for obstacle avoidance')",
                field="mentor_names",
                expected="a list",
                actual="a string",
            ),
        ),
        # The last organization is the bad one: the four before it are not written either.
        (_bad_website, "organizations[4] (slug 'seaql'): website: Enter a valid URL."),
        (_organizations_as_object, "The archive: 'organizations' should be a list, not an object"),
    ],
)
def test_bad_records_are_named_and_nothing_is_written(
    program, sample, tmp_path, break_it, expected
):
    break_it(sample)

    with pytest.raises(CommandError) as error:
        run(write(tmp_path, sample))

    assert expected in str(error.value)
    assert "nothing was written" in str(error.value)
    assert row_count() == 0


def test_file_that_is_not_json_is_refused(program, tmp_path):
    path = write(tmp_path, '{"year": 2022, "organizations": [')

    with pytest.raises(CommandError, match="is not valid JSON"):
        run(path)

    assert row_count() == 0


def test_progress_goes_to_stderr(program):
    err = StringIO()
    call_command(
        "import_gsoc_archive", str(SAMPLE), "--program", "gsoc-2022", stdout=StringIO(), stderr=err
    )

    assert err.getvalue() == "Checked 5/5 organizations\n"


def test_sample_data_is_pseudonymised(sample):
    projects = [p for o in sample["organizations"] for p in o["projects"]]
    assert len(sample["organizations"]) <= 5
    assert all(p["contributor_display_name"].startswith("Contributor ") for p in projects)
    assert all(m.startswith("Mentor ") for p in projects for m in p["mentor_names"])

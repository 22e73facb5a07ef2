"""The release workflow (.github/workflows/release.yml) is valid and attaches what the build
really makes: its file paths are the build's own names (tools/handbook_build.py,
_ext/chapter_pdfs.py), and its collecting step, run on a build tree laid out like the real one,
produces exactly the release files. Cheap: no build, no network."""

from __future__ import annotations

import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
import handbook_build as hb  # noqa: E402
from chapter_pdfs import pdf_file  # noqa: E402

WORKFLOWS = ROOT / ".github" / "workflows"
RELEASE = WORKFLOWS / "release.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(RELEASE.read_text(encoding="utf-8"))


def step(workflow: dict, name: str) -> dict:
    for job in workflow["jobs"].values():
        for s in job["steps"]:
            if s.get("name", "").startswith(name):
                return s
    raise AssertionError(f"release.yml has no step named {name!r}")


def test_runs_on_edition_tags_with_minimal_permissions(workflow):
    trigger = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert trigger["push"]["tags"] == ["v*"]
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, f"job {name} must state its permissions"
    assert workflow["jobs"]["build"]["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["release"]["permissions"] == {"contents": "write"}
    assert workflow["jobs"]["pages"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_actions_pinned_by_commit_sha_as_in_ci():
    for path in WORKFLOWS.glob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            found = re.search(r"uses:\s*(\S+)", line)
            if found:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", found.group(1)), \
                    f"{path.name}: {found.group(1)} is not pinned to a full commit SHA"
                assert "# v" in line, f"{path.name}: say which tag the SHA is ({found.group(1)})"


def test_builds_with_the_same_commands_as_ci(workflow):
    """The release builds and tests with the commands of CI's build-and-test job (CI's
    fast-tier job runs a subset of `nox -s tests` on a machine without TeX: not a build)."""
    ci = yaml.safe_load((WORKFLOWS / "ci.yml").read_text(encoding="utf-8"))
    commands = " ".join(step.get("run", "") for step in ci["jobs"]["build-and-test"]["steps"])
    release = RELEASE.read_text(encoding="utf-8")
    assert re.findall(r"nox -s (\w+)", commands), "CI's build-and-test job runs no nox session"
    for session in re.findall(r"nox -s (\w+)", commands):
        assert f"nox -s {session}" in release, f"CI runs `nox -s {session}`; the release must too"
    assert "nox -s editions" in release
    checkout = workflow["jobs"]["build"]["steps"][0]
    assert checkout["with"]["fetch-depth"] == 0, "the editions are built from tags: fetch them all"


def test_artefact_paths_are_the_builds_names(workflow):
    script = step(workflow, "Collect the release files")["run"]
    pdf = (hb.BUILD / "latex" / f"{hb.PDF_NAME}.pdf").relative_to(hb.ROOT).as_posix()
    epub = hb.epub_path().relative_to(hb.ROOT).as_posix()
    chapters = (hb.BUILD / "html").relative_to(hb.ROOT).as_posix() + "/" + pdf_file("chapters/*")
    for path in (pdf, epub, chapters):
        assert f"cp {path} release/" in script, f"release.yml does not attach {path}"
    upload = step(workflow, "Create the GitHub release")["run"]
    assert '*.pdf *.epub "$DATA_ZIP"' in upload


def test_collecting_step_makes_the_release_files(workflow, tmp_path):
    """Run the step on a build tree with the real layout and the real data/ folder."""
    build = tmp_path / "_build"
    (build / "latex").mkdir(parents=True)
    (build / "latex" / f"{hb.PDF_NAME}.pdf").write_bytes(b"%PDF-1.7 book")
    hb.epub_path(build / "epub").parent.mkdir()
    hb.epub_path(build / "epub").write_bytes(b"PK epub")
    (build / "html" / "chapters").mkdir(parents=True)
    for doc in ("chapters/brief", "chapters/01-background"):
        (build / "html" / pdf_file(doc)).write_bytes(b"%PDF-1.7 chapter")
    (build / "html" / "data").mkdir()
    for item in (ROOT / "data").iterdir():
        if item.suffix in (".json", ".csv", ".geojson"):
            (build / "html" / "data" / item.name).write_bytes(item.read_bytes())
    (tmp_path / "CHANGELOG.md").write_text("# Changes\n\n## Edition 0.9.0 (1 May 2027)\n\nNew.\n\n"
                                           "## Edition 0.8.0\n\nOld.\n", encoding="utf-8")
    env = {**os.environ, "GITHUB_REF_NAME": "v0.9.0", "DATA_ZIP": workflow["env"]["DATA_ZIP"]}
    done = subprocess.run(["bash", "-e", "-c", step(workflow, "Collect the release files")["run"]],
                          cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in (tmp_path / "release").iterdir())
    assert files == sorted([f"{hb.PDF_NAME}.pdf", f"{hb.PDF_NAME}.epub", "brief.pdf", "01-background.pdf",
                            workflow["env"]["DATA_ZIP"], "release-notes.md"])
    with zipfile.ZipFile(tmp_path / "release" / workflow["env"]["DATA_ZIP"]) as z:
        assert "data/datapackage.json" in z.namelist()
    notes = (tmp_path / "release" / "release-notes.md").read_text(encoding="utf-8")
    assert notes.startswith("## Edition 0.9.0") and "Old." not in notes

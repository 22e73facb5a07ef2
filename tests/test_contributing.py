"""The contributor's tooling: ruff, the pre-commit hooks, the GitHub forms and workflows, and
the weekly link-rot report. Each check is shown to fail on a broken input."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import ROOT

BIN = Path(sys.executable).parent
GITHUB = ROOT / ".github"


def pins() -> dict[str, str]:
    """Every exact pin of requirements/*.in, by lower-case name."""
    import handbook_build as hb

    return {name: version for role in hb.ROLES
            for name, version in hb.pins(ROOT / "requirements" / f"{role}.in").items()}


# -- ruff ------------------------------------------------------------------------------------

def ruff(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    exe = BIN / "ruff"
    assert exe.is_file(), "ruff is missing: install requirements/test.txt (python3 -m nox -s tests)"
    return subprocess.run([str(exe), "check", "--no-cache", *args], capture_output=True, text=True, cwd=cwd)


def test_python_code_passes_ruff():
    result = ruff(".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_reports_a_defect(tmp_path):
    (tmp_path / "bad.py").write_text("import os\n")
    result = ruff("--config", str(ROOT / "ruff.toml"), "bad.py", cwd=tmp_path)
    assert result.returncode == 1 and "F401" in result.stdout, result.stdout


# -- pre-commit ------------------------------------------------------------------------------

def hooks() -> list[dict]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert all(repo["repo"] == "local" for repo in config["repos"]), \
        ".pre-commit-config.yaml: every hook must be local (nothing fetched from GitHub)"
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


def pin_mismatches(hook_list: list[dict], pinned: dict[str, str]) -> list[str]:
    problems = []
    for hook in hook_list:
        for dep in hook.get("additional_dependencies", []):
            name, _, version = dep.partition("==")
            if pinned.get(name.lower()) != version:
                problems.append(f".pre-commit-config.yaml: hook {hook['id']} pins {dep}, "
                                f"requirements/*.in have {name}=={pinned.get(name.lower())}")
    return problems


def test_pre_commit_runs_the_ci_checks_with_the_same_pins():
    hook_list = hooks()
    assert {h["id"] for h in hook_list} >= {"check", "ruff", "biblint", "prose", "encoding",
                                            "check-yaml", "check-workflows", "zizmor"}
    assert pin_mismatches(hook_list, pins()) == []
    for hook in hook_list:  # the scripts a hook runs exist
        for word in hook["entry"].split():
            if word.endswith(".py"):
                assert (ROOT / word).is_file(), f"hook {hook['id']}: {word} is missing"


def test_pin_check_reports_a_mismatch():
    stale = [{"id": "ruff", "additional_dependencies": ["ruff==0.0.1"]}]
    assert pin_mismatches(stale, {"ruff": "0.17.5"}) == [
        ".pre-commit-config.yaml: hook ruff pins ruff==0.0.1, requirements/*.in have ruff==0.17.5"]


def test_pre_commit_config_is_valid():
    exe = BIN / "pre-commit"
    assert exe.is_file(), "pre-commit is missing: install requirements/test.txt"
    result = subprocess.run([str(exe), "validate-config", ".pre-commit-config.yaml"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


# -- GitHub forms and workflows ---------------------------------------------------------------

SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")


def unpinned_actions(workflow: dict) -> list[str]:
    uses = [step["uses"] for job in workflow["jobs"].values() for step in job.get("steps", [])
            if "uses" in step]
    return [u for u in uses if not SHA_PIN.match(u)]


def test_workflows_pin_actions_to_commits_and_grant_least_privilege():
    for path in sorted((GITHUB / "workflows").glob("*.yml")):
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert unpinned_actions(workflow) == [], f"{path.name}: pin actions to a full commit SHA"
        assert "permissions" in workflow, f"{path.name}: set top-level permissions"
    linkcheck = yaml.safe_load((GITHUB / "workflows" / "linkcheck.yml").read_text(encoding="utf-8"))
    assert linkcheck["permissions"] == {}
    assert linkcheck["jobs"]["linkcheck"]["permissions"] == {"contents": "read", "issues": "write"}
    triggers = linkcheck[True]  # YAML 1.1 reads the key `on` as True
    assert "schedule" in triggers and "workflow_dispatch" in triggers


def test_unpinned_action_is_reported():
    workflow = {"jobs": {"a": {"steps": [{"uses": "actions/checkout@v4"},
                                         {"uses": "actions/checkout@" + "0" * 40}]}}}
    assert unpinned_actions(workflow) == ["actions/checkout@v4"]


def test_issue_forms():
    forms = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
             for p in (GITHUB / "ISSUE_TEMPLATE").glob("*.yml") if p.stem != "config"}
    assert set(forms) == {"correction", "new-source", "site-problem"}
    for name, form in forms.items():
        assert form["name"] and form["description"] and form["body"], name
        ids = [item["id"] for item in form["body"] if "id" in item]
        assert len(ids) == len(set(ids)), f"{name}: repeated ids"
    correction = {item.get("id"): item for item in forms["correction"]["body"]}
    assert {"location", "wrong", "source"} <= set(correction)
    assert "3.14" in correction["location"]["attributes"]["placeholder"]
    assert all(correction[i]["validations"]["required"] for i in ("location", "wrong", "source"))
    assert (GITHUB / "pull_request_template.md").is_file()


# -- link-rot report -------------------------------------------------------------------------

def fake_gh(tmp_path: Path, open_issues: list[dict]) -> tuple[dict, Path]:
    """A `gh` on PATH that answers `issue list` and logs every call."""
    log = tmp_path / "gh.log"
    script = tmp_path / "bin" / "gh"
    script.parent.mkdir()
    script.write_text(f"""#!{sys.executable}
import json, sys
open({str(log)!r}, "a").write(json.dumps(sys.argv[1:]) + "\\n")
if sys.argv[1:3] == ["issue", "list"]:
    print({json.dumps(json.dumps(open_issues))})
""")
    script.chmod(0o755)
    return {**os.environ, "PATH": f"{script.parent}{os.pathsep}{os.environ['PATH']}"}, log


def run_report(tmp_path: Path, rows: list[dict], open_issues: list[dict]) -> list[list[str]]:
    output = tmp_path / "output.json"
    output.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    env, log = fake_gh(tmp_path, open_issues)
    result = subprocess.run([sys.executable, str(GITHUB / "scripts" / "linkrot_issue.py"), str(output)],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return [json.loads(line) for line in log.read_text().splitlines()]


BROKEN = {"filename": "chapters/02-legal-basis.md", "lineno": 25, "status": "broken",
          "code": 404, "uri": "https://example.org/gone", "info": "404 Client Error"}
WORKING = {**BROKEN, "status": "working", "uri": "https://example.org/fine", "info": ""}


def test_link_rot_opens_one_issue_listing_broken_links(tmp_path):
    calls = run_report(tmp_path, [BROKEN, WORKING], open_issues=[])
    create = [c for c in calls if c[:2] == ["issue", "create"]]
    assert len(create) == 1 and create[0][create[0].index("--title") + 1] == "Broken links"
    body = Path(create[0][create[0].index("--body-file") + 1]).read_text()
    assert "chapters/02-legal-basis.md:25" in body and "https://example.org/gone" in body
    assert "example.org/fine" not in body


def test_link_rot_issue_escapes_what_other_servers_say(tmp_path):
    """A server's error text goes into the issue as a code span: no mention, link or HTML."""
    hostile = {**BROKEN, "info": "503 <img src=x onerror=alert(1)> ping @octocat [x](https://evil.example) | `tick`\nnext"}
    calls = run_report(tmp_path, [hostile], open_issues=[])
    create = [c for c in calls if c[:2] == ["issue", "create"]][0]
    body = Path(create[create.index("--body-file") + 1]).read_text()
    row = next(line for line in body.splitlines() if "octocat" in line)
    cells = [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]
    assert len(cells) == 3, row  # the pipe in the text did not add a column
    assert all(c.startswith("`") and c.endswith("`") and c.count("`") == 2 for c in cells), row


def test_link_rot_updates_the_open_issue_then_closes_it(tmp_path):
    issue = [{"number": 7, "title": "Broken links"}, {"number": 3, "title": "Broken links in PDF?"}]
    calls = run_report(tmp_path, [BROKEN], open_issues=issue)
    assert [c[:3] for c in calls if c[0] == "issue" and c[1] != "list"] == [["issue", "edit", "7"]]
    (tmp_path / "gh.log").unlink()
    shutil.rmtree(tmp_path / "bin")
    calls = run_report(tmp_path, [WORKING], open_issues=issue)
    assert [c[:3] for c in calls if c[1] != "list"] == [["issue", "close", "7"]]


# -- licences ---------------------------------------------------------------------------------

def test_licences_are_stated_everywhere(pages):
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert "https://creativecommons.org/licenses/by/4.0/legalcode" in (ROOT / "LICENSE-text.md").read_text()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme and "MIT" in readme
    checked = 0
    for name, soup in pages.items():
        footers = soup.select("footer")
        if not footers or name.startswith(("_", "genindex", "search")):
            continue
        text = " ".join(f.get_text(" ") for f in footers)
        assert "CC BY 4.0" in text and "MIT" in text, f"{name}: the footer lacks the licences"
        checked += 1
    assert checked >= 10, "no page footers were found to check"


def test_pdf_states_both_licences(pdf_text):
    flat = re.sub(r"\s+", " ", pdf_text)
    assert "CC BY 4.0" in flat and "MIT licence" in flat


# -- CONTRIBUTING.md's examples pass the checks it describes ----------------------------------

def test_contributing_examples_pass_the_linters(tmp_path):
    import biblint
    import prose

    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    bib = re.search(r"```bibtex\n(.*?)```", guide, re.S).group(1)
    (tmp_path / "example.bib").write_text(bib, encoding="utf-8")
    assert biblint.lint(tmp_path / "example.bib").problems == []
    cited = re.search(r"```markdown\n(The Commission found.*?)```", guide, re.S).group(1)
    (tmp_path / "example.md").write_text("The Commission of Inquiry reported.\n" + cited, encoding="utf-8")
    assert prose.check([tmp_path / "example.md"]) == []


# -- CONTRIBUTING.md's examples build as shown, and a chapter is two steps --------------------

def markdown_examples(guide: str) -> list[str]:
    """Every ```markdown (or ````markdown) example in CONTRIBUTING.md, in order."""
    return [m.group(2) for m in re.finditer(r"^ *(`{3,})markdown\n(.*?)^ *\1$", guide, re.S | re.M)]


def test_contributing_examples_build_and_read_as_described(tmp_path):
    """Each example goes into a fixture book, built with the handbook's conf.py and sources of
    references; the build is clean and the citations read as the guide says they do."""
    from textwrap import dedent

    from conftest import run_sphinx

    examples = [dedent(e) for e in markdown_examples((ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8"))]
    assert len(examples) >= 3, "CONTRIBUTING.md's examples were not found"
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy2(ROOT / "references.bib", src / "references.bib")
    (src / "index.md").write_text("# Book\n\n```{toctree}\npage\n```\n\n```{bibliography}\n:all:\n```\n")
    (src / "page.md").write_text("(page)=\n# Examples\n\n" + "\n\n".join(examples) + "\n", encoding="utf-8")
    build = run_sphinx("html", tmp_path / "html", srcdir=src, confdir=ROOT)
    assert build.returncode == 0 and not build.warnings.strip(), build.warnings or build.output[-3000:]
    text = " ".join((tmp_path / "html" / "page.html").read_text(encoding="utf-8").split())
    from bs4 import BeautifulSoup

    prose = " ".join(BeautifulSoup(text, "html.parser").select_one("article").get_text(" ").split())
    assert "[A/HRC/25/63, para. 43]" in prose, prose[:2000]
    assert re.search(r"Cohen \[ ?Cohen 2014[a-z]?, p\. 61 ?\] argues", prose), prose[:2000]
    assert not re.search(r"Cohen Cohen", prose), "the {cite:t} example repeats the author's name"


def test_a_chapter_is_a_file_and_a_toctree_line(tmp_path):
    """Add a chapter to a copy of the handbook with only its file and one toctree line: the
    check build passes and the lists the tests use (derived from index.md) include it. (The
    paragraph snapshot ignores a chapter it has not recorded: test_paragraphs.py.)"""
    from conftest import NUMBERED, run_sphinx, toctrees

    src = tmp_path / "book"
    keep = ("conf.py", "index.md", "references.bib", "CITATION.cff", "chapters", "data", "_ext", "tools",
            "_static", "_templates", "_latex", "editions", "locales")
    src.mkdir()
    for name in keep:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        elif (ROOT / name).is_file():
            shutil.copy2(ROOT / name, src / name)
    (src / "chapters" / "transit-states.md").write_text(
        "(transit-states)=\n# Transit states\n\n*As of {{ released }}.*\n\n"
        "The Commission found that many should be recognised as refugees "
        "{cite:p}`coi2014report{para. 43}`.\n", encoding="utf-8")
    index = (src / "index.md").read_text(encoding="utf-8")
    last = NUMBERED[-1]
    assert f"{last}\n" in index
    (src / "index.md").write_text(index.replace(f"{last}\n", f"{last}\nchapters/transit-states\n", 1),
                                  encoding="utf-8")
    build = run_sphinx("dummy", tmp_path / "check", srcdir=src, confdir=src)
    assert build.returncode == 0 and not build.warnings.strip(), build.warnings or build.output[-3000:]
    numbered = [doc for is_numbered, docs in toctrees(src / "index.md") if is_numbered for doc in docs]
    assert numbered == [*NUMBERED, "chapters/transit-states"]

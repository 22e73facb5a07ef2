"""The bibliography linter (tools/biblint.py): the real references.bib passes, and each rule
fires, naming the key and the line, on a bad example under tests/fixtures/lint/."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT

import biblint

LINT = ROOT / "tests" / "fixtures" / "lint"

# fixture: the (line, key, rule) of every problem it must produce, and nothing else
CASES = {
    "required.bib": {(1, "smith2012", "required")},
    "key.bib": {(1, "Smith_2012", "key"), (8, "smith2013", "key"), (15, "smith", "key")},
    "https.bib": {(5, "smith2012", "https")},
    "urldate.bib": {(5, "smith2012", "urldate")},
    "symbol.bib": {(1, "crc2005china", "symbol"), (10, "cat2015china", "symbol")},
    "shorthand.bib": {(1, "hrw2023letter", "shorthand"), (9, "refugeeconvention1951", "shorthand")},
    "duplicate.bib": {(8, "smith2012web", "duplicate"), (23, "jones2013again", "duplicate")},
}


def test_references_bib_passes():
    report = biblint.lint(ROOT / "references.bib")
    assert not report.problems, "\n".join(map(str, report.problems))


def test_good_fixture_passes_every_rule():
    report = biblint.lint(LINT / "good.bib")
    assert report.problems == []
    assert (report.online, report.archived) == (2, 1)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_rule_fires_with_key_and_line(name):
    problems = biblint.lint(LINT / name).problems
    assert {(p.line, p.key, p.rule) for p in problems} == CASES[name], "\n".join(map(str, problems))
    for problem in problems:  # the message a contributor reads: file:line: key: what to do
        assert str(problem).startswith(f"tests/fixtures/lint/{name}:{problem.line}: {problem.key}: ")


def test_an_exception_silences_its_rule_and_a_stale_one_is_reported():
    silenced = biblint.lint(LINT / "urldate.bib", exceptions={("urldate", "smith2012"): "reason"})
    assert silenced.problems == []
    stale = biblint.lint(LINT / "good.bib", exceptions={("urldate", "smith2012web"): "reason"})
    assert [(p.key, p.rule) for p in stale.problems] == [("smith2012web", "exception")]


def test_every_exception_names_a_real_entry_and_gives_a_reason():
    keys = set(biblint.bibtex.Parser().parse_file(str(ROOT / "references.bib")).entries)
    for (rule, key), reason in biblint.EXCEPTIONS.items():
        assert key in keys, f"EXCEPTIONS names {key}, which is not in references.bib"
        assert len(reason) > 20, f"EXCEPTIONS[{rule}, {key}] needs a real reason"


def test_command_line_exit_status_and_archive_count():
    run = lambda *a: subprocess.run([sys.executable, str(ROOT / "tools" / "biblint.py"), *a],  # noqa: E731
                                    capture_output=True, text=True, cwd=ROOT)
    good, bad, counted = run(), run(str(LINT / "https.bib")), run("--archives")
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout.strip() == "references.bib: 0 problem(s)"  # nothing else, unless asked
    assert counted.returncode == 0 and "online sources have no archived copy" in counted.stdout
    assert bad.returncode == 1 and "https.bib:5: smith2012: url uses http" in bad.stdout


def test_archived_copy_is_rendered_as_a_link():
    """archiveurl shows in the bibliography as an "archived copy" link (HTML) or \\href (PDF)."""
    from pybtex.database import parse_file

    import bibstyle

    entries = parse_file(str(LINT / "good.bib")).entries
    style = bibstyle.FormattingStyle()
    rendered = {e.key: e.text for e in style.format_entries([entries["smith2012web"], entries["smith2012"]])}
    html = rendered["smith2012web"].render_as("html")
    assert '<a href="https://web.archive.org/web/2026/https://example.org/smith">archived copy</a>' in html
    assert r"\href{https://web.archive.org/web/2026/https://example.org/smith}{archived copy}" in \
        rendered["smith2012web"].render_as("latex")
    assert "archived copy" not in rendered["smith2012"].render_as("html")

"""Bad input fails the build with a message that names the file and the culprit.

Each case is a tiny book under tests/fixtures/, built with the handbook's own conf.py and flags.
The "good" book is the control: it must build, so each failure comes from its one defect.
"""

from __future__ import annotations

import pytest

from conftest import ROOT, run_sphinx

FIXTURES = ROOT / "tests" / "fixtures"

CASES = {
    # case: (file the message must name, culprit the message must name)
    "unknown-key": ("page.md", "nosuchkey2099"),
    "malformed-bib": ("references.bib:", "broken2014"),
    "duplicate-key": ("references.bib:8", "known2014"),
    "dangling-ref": ("page.md", "no-such-label"),
    "orphan-page": ("stray.md:1", "page 'stray' is in no table of contents \u2014 add the line 'stray' "
                    "to a toctree in index.md"),
    "bib-missing-field": ("references.bib:1", "@book{known2014} lacks its year"),
    "missing-image": ("page.md", "missing-map.png"),
    # a contributor's mistakes: the exact line, the culprit and the fix (_ext/sourcecheck.py)
    "malformed-pinpoint": ("page.md:7", "write {cite:p}`known2014{para. 17}`"),
    "pandoc-citation": ("page.md:7", "write {cite:p}`known2014`"),
    "key-typo": ("page.md:8", "unknown citation key 'knwn2014' (did you mean 'known2014'?)"),
    # a directive's closing fence is not the opening of a code block, where keys are not checked
    "key-typo-after-directive": ("page.md:9", "unknown citation key 'knwn2014' (did you mean 'known2014'?)"),
    "label-typo": ("page.md:8", "undefined label 'pag' (did you mean 'page'?)"),
    "unknown-term": ("page.md:7", "term not in the glossary 'nosuchterm'"),
    "bib-year-typo": ("references.bib:5", "year '2O14' is not four digits"),
    "bib-not-utf8": ("references.bib:3", "is not UTF-8"),
}


ONE_LINE = {"malformed-pinpoint", "pandoc-citation", "key-typo", "key-typo-after-directive",
            "label-typo", "unknown-term",
            "unknown-key", "orphan-page", "bib-missing-field"}


def build(case: str, tmp_path):
    return run_sphinx("html", tmp_path / "html", srcdir=FIXTURES / case, confdir=ROOT)


def test_good_fixture_builds(tmp_path):
    result = build("good", tmp_path)
    assert result.returncode == 0, result.output
    assert result.warnings == ""


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_fails_with_a_clear_message(case, tmp_path):
    result = build(case, tmp_path)
    where, culprit = CASES[case]
    assert result.returncode != 0, f"{case}: the build should have failed"
    message = result.output
    assert where in message and culprit in message, f"{case}: unclear message:\n{message[-3000:]}"
    assert "Traceback" not in message, f"{case}: a traceback instead of a message:\n{message[-3000:]}"
    if case in ONE_LINE:  # said once, on one line, not repeated by Sphinx in vaguer words
        lines = [line for line in result.warnings.splitlines() if "WARNING" in line or "ERROR" in line]
        assert len(lines) == 1 and where in lines[0] and culprit in lines[0], f"{case}:\n{result.warnings}"

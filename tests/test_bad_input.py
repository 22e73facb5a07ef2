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
    "orphan-page": ("stray.md", "toctree"),
    "missing-image": ("page.md", "missing-map.png"),
}


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

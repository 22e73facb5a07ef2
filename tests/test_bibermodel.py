"""references.bib passes biber's data-model check with 0 warnings (tools/bibermodel.py, run by
`nox -s lint`), and the check fails, at the entry's line, on entries biblatex rejects."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "bibermodel"
import bibermodel  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def biber(tex):  # `tex`: these tests are in the pdf tier (conftest.py)
    # TEX_PACKAGES has biber: `nox -s tests` installs it, so CI runs these tests
    if shutil.which("biber") is None:
        pytest.fail("biber is not installed: sudo apt-get install biber (nox -s tests does it)")


def test_references_bib_has_no_data_model_warnings():
    assert bibermodel.check(ROOT / "references.bib") == []


def test_symbol_is_declared_so_un_documents_pass():
    assert bibermodel.check(FIXTURES / "good.bib") == []


def test_each_defect_is_one_line_at_its_entry():
    problems = bibermodel.check(FIXTURES / "bad.bib")
    assert sorted(problems) == [
        "bad.bib:15: unreport2014: Field 'pagecount' invalid in data model - ignoring",
        "bad.bib:2: undated-page: Missing mandatory field - one of 'date, year' must be defined",
        "bad.bib:8: report2008: Invalid field 'isbn' for entrytype 'misc'",
    ]


def test_command_fails_on_any_warning():
    bad = subprocess.run([sys.executable, str(ROOT / "tools" / "bibermodel.py"), str(FIXTURES / "bad.bib")],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "3 data-model warnings" in bad.stderr
    assert "Traceback" not in bad.stderr
    good = subprocess.run([sys.executable, str(ROOT / "tools" / "bibermodel.py"), str(FIXTURES / "good.bib")],
                          capture_output=True, text=True)
    assert good.returncode == 0, good.stderr

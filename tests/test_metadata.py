"""CITATION.cff is read once and checked: a defect stops the build with one line naming the
file, the line and what is wrong (_ext/handbook_metadata.py), never a traceback."""

from __future__ import annotations

import shutil

import pytest

import handbook_metadata
from conftest import ROOT, run_sphinx

CFF = (ROOT / "CITATION.cff").read_text(encoding="utf-8")

# case: (the broken file, the line and the words the message must give)
BROKEN = {
    "yaml-error": (CFF.replace('title: "Forced', 'title: Forced: "x', 1), "CITATION.cff:10: not valid YAML"),
    "no-version": ("\n".join(line for line in CFF.splitlines() if not line.startswith("version:")),
                   "'version' is missing"),
    "date-not-iso": (CFF.replace('date-released: "', 'date-released: "3 December ', 1).replace(
        '"3 December 2026-12-03"', '"3 December 2026"'), "CITATION.cff:20: date-released '3 December 2026' is not an ISO date"),
    "not-utf8": (None, "cannot be read as UTF-8"),
    "unknown-key": (CFF.replace("license: CC-BY-4.0\n", "license: CC-BY-4.0\nlicence: CC-BY-4.0\n", 1),
                    "Additional properties are not allowed ('licence' was unexpected)"),
}


def conf_with(tmp_path, cff: str):
    """A configuration directory: the handbook's conf.py and extensions, another CITATION.cff."""
    conf = tmp_path / "conf"
    conf.mkdir()
    shutil.copy2(ROOT / "conf.py", conf / "conf.py")
    for name in ("_ext", "tools", "_static", "_templates", "_latex"):
        (conf / name).symlink_to(ROOT / name)
    (conf / "CITATION.cff").write_text(cff, encoding="utf-8")
    return conf


def test_the_real_file_is_sound():
    assert handbook_metadata.problems(CFF) == []


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_defect_is_one_clear_message(case, tmp_path):
    text, expected = BROKEN[case]
    path = tmp_path / "CITATION.cff"
    if text is None:
        path.write_bytes(CFF.encode("utf-8").replace(b"Handbook", b"Handb\xf6ok", 1))
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(handbook_metadata.ConfigError) as err:
        handbook_metadata.load(path)
    assert expected in str(err.value), str(err.value)


def test_a_person_with_only_a_family_name_builds(tmp_path):
    """Valid CFF (a person need not have given names): the book builds and cites the name."""
    conf = conf_with(tmp_path, CFF.replace(
        '  - name: "Contributors to the Forced Repatriation Handbook"\nversion',
        '  - family-names: "Kim"\nversion', 1))
    build = run_sphinx("html", tmp_path / "html", srcdir=ROOT / "tests" / "fixtures" / "good", confdir=conf)
    assert build.returncode == 0, build.output[-3000:]
    assert "Traceback" not in build.output


def test_the_build_stops_without_a_traceback(tmp_path):
    conf = conf_with(tmp_path, BROKEN["date-not-iso"][0])
    build = run_sphinx("html", tmp_path / "html", srcdir=ROOT / "tests" / "fixtures" / "good", confdir=conf)
    assert build.returncode != 0
    assert "CITATION.cff:20: ERROR: date-released '3 December 2026' is not an ISO date" in build.output
    assert "Traceback" not in build.output, build.output[-3000:]

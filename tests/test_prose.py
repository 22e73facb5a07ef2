"""Prose checks (tools/prose.py): the handbook's sources pass, and each check fires, with the
file and line, on tests/fixtures/prose/bad.md."""

from __future__ import annotations

import re

from conftest import ROOT

import prose

BAD = ROOT / "tests" / "fixtures" / "prose" / "bad.md"


def test_handbook_sources_pass_spelling_and_terminology():
    problems = prose.check(prose.sources())
    assert not problems, "\n".join(map(str, problems))


def test_each_check_fires_on_the_bad_page():
    found = {(p.line, p.rule, p.message.split(":")[0]) for p in prose.check([BAD])}
    assert found == {
        (4, "spelling", "unknown word 'refoulment' (did you mean 'refoulement'?)"),
        (4, "terminology", "'non-refoulment'"),
        (4, "terminology", "'the Commission' before this page names the Commission of Inquiry"),
        (5, "terminology", "'COI'"),
        (6, "terminology", "'U.N.'"),
        (6, "terminology", "'recognized'"),
    }, found
    # line 7 shows what is exempt: quotations, citation keys, labels, link targets;
    # lines 10-16 a toctree and a code block


def test_messages_name_file_and_line():
    first = str(prose.check([BAD])[0])
    assert first.startswith("tests/fixtures/prose/bad.md:4: ")


def test_a_stale_short_form_exception_is_reported(tmp_path):
    page = tmp_path / "clean.md"
    page.write_text("The Commission of Inquiry reported; the Commission found.\n")
    assert prose.terminology(page) == []
    stale = prose.terminology(page, short_form_exceptions={"clean.md": "reason"})
    assert [p.rule for p in stale] == ["terminology"] and "SHORT_FORM_EXCEPTIONS" in stale[0].message


def test_every_word_in_the_word_list_is_used():
    """A word list that only grows hides typos: each entry must occur in the sources."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in prose.sources()).casefold()
    unused = sorted(w for w in prose.load_wordlist() if not re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text))
    assert not unused, f"remove from tools/wordlist.txt (not used in the text): {unused}"

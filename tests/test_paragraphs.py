"""Numbered paragraphs: the rule, the same numbers in the HTML and the PDF, and stability.

The rule is documented in _ext/paragraph_numbers.py and on the How to cite page. The snapshot
tests/snapshots/paragraphs.txt records every number with the start of its text; when a change
renumbers paragraphs on purpose, record them anew with

    python3 -m nox -s snapshots        (or: UPDATE_SNAPSHOTS=1 pytest tests/test_paragraphs.py -k snapshot)

and say in CHANGELOG.md which paragraphs were renumbered.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import unicodedata
from collections import Counter

from bs4 import BeautifulSoup

from conftest import LETTERED, NUMBERED, ROOT, run_sphinx, toctrees

SNAPSHOT = ROOT / "tests" / "snapshots" / "paragraphs.txt"
# every page with numbered paragraphs, in reading order, with what its numbers start with: the
# lettered pages (the brief, "B") come first, as in the book; all derived from index.md
PREFIXED_PAGES = [(doc, LETTERED[doc]) for doc in LETTERED] + \
    [(doc, str(n)) for n, doc in enumerate(NUMBERED, 1)]
UNNUMBERED_PAGES = ["index.html"] + [f"{doc}.html" for _, docs in toctrees() for doc in docs
                                     if doc not in NUMBERED and doc not in LETTERED]
TEXT_CHARS = 60
PDF_LEFT_MARGIN_PT = 2.5 / 2.54 * 72  # conf.py's sphinxsetup hmargin


def plain(text: str) -> str:
    """Compare text across HTML and PDF: ligatures, quotes and spaces folded."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                                         "\u2013": "-", "\u2014": "-", "\u00a0": " "}))
    return " ".join(text.split())


def numbered_block(anchor):
    """The block a number belongs to: the paragraph it opens, or the list it stands before."""
    if anchor.parent.name == "p":
        return anchor.parent
    after = anchor.find_next_sibling()
    return after if after is not None and after.name in ("ul", "ol", "dl") else None


def number_of(block):
    """The number of a paragraph or a list, or None."""
    if block.name == "p":
        return block.find("a", class_="para-num", recursive=False)
    before = block.find_previous_sibling()
    return before if before is not None and "para-num" in before.get("class", []) else None


def block_text(anchor) -> str:
    """The text of the block an anchor numbers, without the number itself."""
    text = numbered_block(anchor).get_text(" ")
    if anchor.parent.name == "p":
        text = text.replace(anchor.get_text(), "", 1)
    return plain(text)


def html_paragraphs(pages) -> list[tuple[str, str]]:
    """(number, text) for every numbered block of the numbered chapters, in reading order."""
    out = []
    for doc, _ in PREFIXED_PAGES:
        for anchor in pages[f"{doc}.html"].select("article a.para-num"):
            out.append((anchor.get_text(), block_text(anchor)))
    return out


# -- The rule ----------------------------------------------------------------------------------

def numbering_problems(name: str, soup: BeautifulSoup, chapter: int | str) -> list[str]:
    """What breaks the rule on one chapter page: a running-text paragraph or list without a
    number, a number anywhere else, an anchor that is not para-<chapter>-<n>, or a gap."""
    problems = []
    article = soup.select_one("article") or soup
    for block in article.select("section > p, section > ul, section > ol, section > dl"):
        if {"rubric", "dateline"} & set(block.get("class", [])) or block.find_parent("details"):
            continue
        number = number_of(block)
        lead_in = block.find_previous_sibling()
        if block.name != "p" and lead_in is not None and lead_in.name == "p" \
                and plain(lead_in.get_text()).endswith(":"):
            continue  # a list led into by a paragraph shares its number
        if number is None:
            problems.append(f"{name}: no number on: {plain(block.get_text())[:60]!r}")
    expected = 0
    for anchor in article.select("a.para-num"):
        expected += 1
        block = numbered_block(anchor)
        if block is None or block.parent.name != "section":
            problems.append(f"{name}: number {anchor.get_text()} outside the running text")
        if block is not None and block.find_parent(["aside", "blockquote", "table"]) is not None:
            problems.append(f"{name}: number {anchor.get_text()} inside a box, quote or table")
        want = (f"{chapter}.{expected}", f"para-{str(chapter).lower()}-{expected}")
        got = (anchor.get_text(), anchor.get("id"))
        if got != want or anchor.get("href") != f"#{want[1]}":
            problems.append(f"{name}: found {got}, expected {want}")
            expected = int(anchor.get_text().split(".")[-1]) if re.fullmatch(r"\w+\.\d+", anchor.get_text()) else expected
    if expected == 0:
        problems.append(f"{name}: no numbered paragraphs")
    return problems


def test_chapters_follow_the_numbering_rule(pages):
    problems = []
    for doc, prefix in PREFIXED_PAGES:
        problems += numbering_problems(doc, pages[f"{doc}.html"], prefix)
    assert not problems, "\n".join(problems)


def test_numbering_check_finds_breaches():
    good = ('<article><section><h1>1. T</h1><p class="para-numbered"><a class="para-num" href="#para-1-1"'
            ' id="para-1-1">1.1</a>One.</p>{}</section></article>')
    assert numbering_problems("x", BeautifulSoup(good.format(""), "html.parser"), 1) == []
    led_in = good.format("<p>Lead-in:</p><ul><li>Shares the number.</li></ul>")
    assert numbering_problems("x", BeautifulSoup(led_in, "html.parser"), 1) == \
        ["x: no number on: 'Lead-in:'"]
    unnumbered = good.format("<p>Two.</p>")
    gap = good.format('<a class="para-num" href="#para-1-3" id="para-1-3">1.3</a>'
                      '<ul class="para-numbered"><li>Item</li></ul>')
    boxed = good.format('<aside class="admonition"><p class="para-numbered"><a class="para-num" '
                        'href="#para-1-2" id="para-1-2">1.2</a>In brief</p></aside>')
    assert numbering_problems("x", BeautifulSoup(unnumbered, "html.parser"), 1) == ["x: no number on: 'Two.'"]
    assert numbering_problems("x", BeautifulSoup(gap, "html.parser"), 1) == \
        ["x: found ('1.3', 'para-1-3'), expected ('1.2', 'para-1-2')"]
    assert "x: number 1.2 outside the running text" in numbering_problems("x", BeautifulSoup(boxed, "html.parser"), 1)


def test_back_matter_and_home_page_are_not_numbered(pages):
    for name in UNNUMBERED_PAGES:
        assert not pages[name].select("a.para-num"), f"{name} has paragraph numbers"


def test_rule_on_a_fixture_book(tmp_path):
    """The rule on a book that has every kind of block, in the HTML and the LaTeX alike."""
    fixture = ROOT / "tests" / "fixtures" / "numbering"
    html = run_sphinx("html", tmp_path / "html", srcdir=fixture, confdir=ROOT)
    assert html.returncode == 0, html.output[-3000:]
    expected = [("1.1", "Opening paragraph."), ("1.2", "Second paragraph, after the box."),
                ("1.3", "Third paragraph, which leads into a list:"),
                ("1.4", "Term A definition list is one block."),
                ("1.5", "A list that stands on its own takes its own number."),
                ("1.6", "Last paragraph: the count runs on across sections."),
                ("2.1", "Its own count starts again.")]
    found = []
    for page in ("first", "second"):
        soup = BeautifulSoup((html.outdir / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
        found += [(a.get_text(), block_text(a)) for a in soup.select("article a.para-num")]
    assert found == expected
    for page in ("index", "back"):
        assert "para-num" not in (html.outdir / f"{page}.html").read_text(encoding="utf-8")
    latex = run_sphinx("latex", tmp_path / "latex", srcdir=fixture, confdir=ROOT)
    assert latex.returncode == 0, latex.output[-3000:]
    tex = next(p for p in latex.outdir.glob("*.tex")
               if p.stem != "handbook-chapter-titles").read_text(encoding="utf-8")  # the book, not the chapter PDFs' title pages
    assert re.findall(r"\\handbookparanum\{([\d.]+)\}\{para-(\d+)-(\d+)\}", tex) == \
        [(n, *n.split(".")) for n, _ in expected]


def test_lists_take_one_number(pages):
    lists = [a for doc, _ in PREFIXED_PAGES for a in pages[f"{doc}.html"].select("ul.para-numbered, ol.para-numbered")]
    assert lists, "no numbered list found (each chapter's Key points list should be one)"
    for block in lists:
        assert number_of(block) is not None, "a list's number stands just before it"
        assert not block.select("a.para-num"), "no numbers inside a numbered list"


def test_each_number_carries_its_citation(pages):
    anchor = pages["chapters/03-china-position.html"].select_one("#para-3-2")
    title = anchor["title"]
    assert "para. 3.2" in title and title.endswith("chapters/03-china-position.html#para-3-2"), title
    assert "edition 0.1.0" in title or "edition " in title


# -- The same numbers in the PDF ---------------------------------------------------------------

def pdf_margin_numbers(pdf_path) -> list[tuple[str, str]]:
    """(number, first word of its line) for each paragraph number in the PDF's left margin, in
    page order: pdftotext's word boxes tell the margin (left of the text block) from the text,
    where section numbers such as 3.2 stand."""
    xml = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf_path), "-"],
                         capture_output=True, text=True, check=True).stdout
    out = []
    for page in BeautifulSoup(xml, "html.parser").select("page"):
        words = [(float(w["xmin"]), float(w["ymin"]), float(w["xmax"]), w.get_text()) for w in page.select("word")]
        margin = sorted((y, text) for x0, y, x1, text in words
                        if x1 < PDF_LEFT_MARGIN_PT and re.fullmatch(r"(?:\d+|[A-Z])\.\d+", text))
        for y, number in margin:
            line = sorted((x0, text) for x0, wy, x1, text in words
                          if abs(wy - y) < 4 and x0 >= PDF_LEFT_MARGIN_PT - 1)
            # a numbered list's own marker ("1.", a bullet) is not the paragraph's first word
            while len(line) > 1 and re.fullmatch(r"\d+\.|[\u2022\u2013-]", line[0][1]):
                line = line[1:]
            out.append((number, line[0][1] if line else ""))
    return out


def first_word(text: str) -> str:
    return re.sub(r"\W", "", plain(text).split(" ")[0]) if text else ""


def compare_numbers(html: list[tuple[str, str]], pdf: list[tuple[str, str]]) -> list[str]:
    """Differences between the HTML's and the PDF's (number, first word) sequences."""
    html_seq = [(n, first_word(t)) for n, t in html]
    pdf_seq = [(n, first_word(w)) for n, w in pdf]
    if [n for n, _ in html_seq] != [n for n, _ in pdf_seq]:
        diff = difflib.unified_diff([n for n, _ in html_seq], [n for n, _ in pdf_seq], "HTML", "PDF", lineterm="", n=1)
        return ["the HTML and the PDF number different paragraphs:", *list(diff)[:40]]
    return [f"para. {n}: HTML starts {hw!r}, PDF {pw!r}"
            for (n, hw), (_, pw) in zip(html_seq, pdf_seq, strict=False) if not (hw.startswith(pw) or pw.startswith(hw))]


def test_pdf_has_the_same_numbers_as_the_html(pages, pdf_path):
    html, pdf = html_paragraphs(pages), pdf_margin_numbers(pdf_path)
    assert len(html) > 100, len(html)
    problems = compare_numbers(html, pdf)
    assert not problems, "\n".join(problems[:40])


def test_number_comparison_finds_a_difference():
    html = [("3.1", "China has stated"), ("3.2", "The statements below")]
    assert compare_numbers(html, [("3.1", "China"), ("3.2", "The")]) == []
    assert compare_numbers(html, [("3.1", "China")])[0] == "the HTML and the PDF number different paragraphs:"
    assert compare_numbers(html, [("3.1", "China"), ("3.2", "Statements")]) == \
        ["para. 3.2: HTML starts 'The', PDF 'Statements'"]


# -- Stability ---------------------------------------------------------------------------------

def snapshot_lines(paragraphs: list[tuple[str, str]]) -> list[str]:
    return [f"{number} {text[:TEXT_CHARS]}".rstrip() for number, text in paragraphs]


def per_chapter(lines: list[str]) -> dict[str, int]:
    return dict(Counter(line.split(".", 1)[0] for line in lines))


def snapshot_report(old: list[str], new: list[str]) -> str:
    """Empty when the snapshot holds; otherwise which paragraphs were renumbered, then a diff."""
    if old == new:
        return ""
    (old_numbers, old_texts), (new_numbers, new_texts) = (
        zip(*[(line.split(" ", 1) + [""])[:2] for line in lines], strict=True) if lines else ((), ())
        for lines in (old, new))
    # align the texts (as a diff does) and report the unchanged texts whose number changed
    moved = []
    matcher = difflib.SequenceMatcher(a=old_texts, b=new_texts, autojunk=False)
    for tag, i1, i2, j1, _ in matcher.get_opcodes():
        if tag == "equal":
            moved += [f"  {old_numbers[i1 + k]} -> {new_numbers[j1 + k]}  {old_texts[i1 + k][:50]}"
                      for k in range(i2 - i1) if old_numbers[i1 + k] != new_numbers[j1 + k]]
    report = [f"Paragraph numbers changed (snapshot {SNAPSHOT.relative_to(ROOT)}).",
              f"Paragraphs per chapter, before: {per_chapter(old)}; now: {per_chapter(new)}."]
    if moved:
        report += [f"{len(moved)} paragraphs were renumbered (old -> new):", *moved[:30]]
        if len(moved) > 30:
            report.append(f"  ... and {len(moved) - 30} more")
    report += ["Diff (- snapshot, + now):",
               *list(difflib.unified_diff(old, new, "snapshot", "now", lineterm="", n=0))[2:60],
               "If the change is intended: python3 -m nox -s snapshots, and note the renumbering "
               "in CHANGELOG.md."]
    return "\n".join(report)


def recorded_only(old: list[str], new: list[str]) -> list[str]:
    """The lines of `new` whose chapter the snapshot records: a chapter added after the last
    chapter (or a new lettered page) is not in the snapshot yet and changes no recorded number,
    so adding a chapter needs no snapshot step; it is recorded when an edition is cut. A chapter
    inserted before others renumbers them, and that is reported."""
    chapters = set(per_chapter(old))
    return [line for line in new if line.split(".", 1)[0] in chapters]


def record_summary(old: list[str], new: list[str]) -> str:
    """What `nox -s snapshots` recorded, exactly."""
    before, after = per_chapter(old), per_chapter(new)
    changed = [c for c in after if c in before and before[c] != after[c]]
    lines = [f"Recorded {len(new)} paragraph numbers in {len(after)} chapters into "
             f"{SNAPSHOT.relative_to(ROOT)}."]
    if added := [c for c in after if c not in before]:
        lines.append("New: " + ", ".join(f"{c} ({after[c]} paragraph{'s' * (after[c] != 1)})" for c in added))
    if removed := [c for c in before if c not in after]:
        lines.append("No longer there: " + ", ".join(removed))
    if changed:
        lines.append("Paragraph count changed: " + ", ".join(f"{c} ({before[c]} -> {after[c]})" for c in changed))
    gone, came = len(set(old) - set(new)), len(set(new) - set(old))
    lines.append(f"Against the previous snapshot: {gone} lines gone, {came} new." if gone or came
                 else "The same as the previous snapshot.")
    return "\n".join(lines)


def test_paragraph_numbers_match_the_snapshot(pages):
    now = snapshot_lines(html_paragraphs(pages))
    old = SNAPSHOT.read_text(encoding="utf-8").splitlines() if SNAPSHOT.exists() else []
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text("\n".join(now) + "\n", encoding="utf-8")
        print("\n" + record_summary(old, now))
        old = now
    report = snapshot_report(old, recorded_only(old, now))
    assert not report, report


def test_a_new_last_chapter_needs_no_snapshot():
    old = ["B.1 The brief", "1.1 First", "2.1 Second"]
    assert snapshot_report(old, recorded_only(old, old + ["3.1 A new chapter"])) == ""
    inserted = ["B.1 The brief", "1.1 First", "2.1 A new chapter", "3.1 Second"]
    assert "2.1 A new chapter" in snapshot_report(old, recorded_only(old, inserted))
    assert "New: 3 (1 paragraph)" in record_summary(old, old + ["3.1 A new chapter"])


def test_snapshot_report_names_renumbered_paragraphs():
    old = ["3.1 China has stated its position", "3.2 The statements below", "3.3 In June 2003"]
    new = ["3.1 China has stated its position", "3.2 A new paragraph", "3.3 The statements below",
           "3.4 In June 2003"]
    report = snapshot_report(old, new)
    assert "2 paragraphs were renumbered" in report
    assert "3.2 -> 3.3  The statements below" in report and "3.3 -> 3.4  In June 2003" in report
    assert "+3.2 A new paragraph" in report
    assert snapshot_report(old, old) == ""

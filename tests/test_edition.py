"""What edition 0.2.0 promises its readers, checked on the sources and the built site.

- the brief is short enough to read in the car (at most 900 words);
- the chapters together stay within 20,000 words, each point made once;
- the account of 2015-2026 covers every year with at least one cited paragraph;
- no Wikipedia or personal blog among the sources, and the 2014 blog post at most 8 times;
- what could not be seen is said once, in the "What is not known" list, not in the chapters;
- every chapter and the brief say as of when they are written;
- a citation of edition 0.1.0 can be followed: every 0.1.0 paragraph number appears once in the
  correspondence table, and each successor exists.

Each check is a function returning its problems; the ``test_proof_*`` tests show it can fail.
"""

from __future__ import annotations

import csv
import re
from urllib.parse import urlsplit

from conftest import LETTERED, NUMBERED, ROOT
from test_content import BIB, citations, words

MAX_BRIEF_WORDS = 900
MAX_CHAPTER_WORDS = 20_000
RECORD_CHAPTER = "chapters/since-2014"
RECORD_YEARS = range(2015, 2026)
BLOG_POST, MAX_BLOG_CITATIONS = "piie2014blog", 8
# hosts of encyclopedias anyone edits and of personal blogs: never a source of the handbook
BANNED_HOSTS = ("wikipedia.org", "blogspot.com", "wordpress.com", "medium.com", "kwave.ai",
                "rokdrop")
NOT_KNOWN_PAGE, NOT_KNOWN_LABEL = "chapters/08-key-documents", "(key-documents-not-known)="
# how a sentence admits that a text was not seen; allowed only in the "What is not known" list
UNSEEN = re.compile(
    r"\b(?:not (?:been )?(?:seen|consulted|checked|verified|confirmed|pinned|identified)\b"
    r"|could not be (?:consulted|checked|confirmed|seen|verified|found)"
    r"|(?:has|have) not been able to|cannot (?:confirm|verify)|unable to (?:confirm|verify|consult)"
    r"|remains? unconfirmed)", re.I)
AS_OF = re.compile(r"\bAs of (?:\{\{ released \}\}|\d{1,2} [A-Z][a-z]+ \d{4})")
OLD_EDITION, NEW_EDITION = "0.1.0", "0.2.0"
EDITIONS = ROOT / "editions"


def source(doc: str) -> str:
    return (ROOT / f"{doc}.md").read_text(encoding="utf-8")


def paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


# -- the checks --------------------------------------------------------------------------------

def brief_problems(text: str) -> list[str]:
    n = words(text)
    return [] if n <= MAX_BRIEF_WORDS else [f"the brief has {n} words, more than {MAX_BRIEF_WORDS}"]


def length_problems(texts: dict[str, str]) -> list[str]:
    counts = {doc: words(text) for doc, text in texts.items()}
    total = sum(counts.values())
    return [] if total <= MAX_CHAPTER_WORDS else [
        f"the chapters have {total} words, more than {MAX_CHAPTER_WORDS}: {counts}"]


def record_year_problems(text: str) -> list[str]:
    """Each year needs a paragraph that names it and cites a source."""
    cited = [p for p in paragraphs(text) if citations(p)]
    return [f"{RECORD_CHAPTER}.md: no cited paragraph on {year}" for year in RECORD_YEARS
            if not any(re.search(rf"(?<!\d){year}(?!\d)", p) for p in cited)]


def banned_source_problems(texts: dict[str, str]) -> list[str]:
    problems = []
    for doc, text in texts.items():
        for key in sorted({key for key, _ in citations(text)}):
            entry = BIB.entries.get(key)
            url = entry.fields.get("url", "") if entry is not None else ""
            host = urlsplit(str(url)).netloc.lower()
            if any(banned in host for banned in BANNED_HOSTS):
                problems.append(f"{doc}.md cites {key} ({host}): use the primary source instead")
    return problems


def blog_problems(texts: dict[str, str]) -> list[str]:
    uses = {doc: sum(key == BLOG_POST for key, _ in citations(text)) for doc, text in texts.items()}
    total = sum(uses.values())
    return [] if total <= MAX_BLOG_CITATIONS else [
        f"{BLOG_POST} is cited {total} times, more than {MAX_BLOG_CITATIONS}: "
        f"{ {d: n for d, n in uses.items() if n} }"]


def unseen_problems(texts: dict[str, str]) -> list[str]:
    problems = []
    for doc, text in texts.items():
        if doc == NOT_KNOWN_PAGE and NOT_KNOWN_LABEL in text:
            # the list runs from its label to the next label or heading
            head, _, rest = text.partition(NOT_KNOWN_LABEL)
            tail = re.split(r"(?m)^\([a-z0-9-]+\)=$", rest, maxsplit=1)
            text = head + "\n" * rest.count("\n") if len(tail) == 1 else \
                head + "\n" * (rest.count("\n") - tail[1].count("\n")) + tail[1]
        for number, line in enumerate(text.splitlines(), 1):
            if UNSEEN.search(line):
                problems.append(f"{doc}.md:{number}: says a text was not seen; move the point to "
                                f"the 'What is not known' list ({NOT_KNOWN_PAGE}.md) or cite the text")
    return problems


def as_of_problems(texts: dict[str, str]) -> list[str]:
    return [f"{doc}.md: no 'As of' date near the top" for doc, text in texts.items()
            if not AS_OF.search(text[:1500])]


def correspondence_problems(rows: list[dict[str, str]], old_numbers: list[str],
                            new_numbers: set[str]) -> list[str]:
    problems = []
    listed = [row["old"] for row in rows]
    for number in old_numbers:
        if listed.count(number) != 1:
            problems.append(f"edition {OLD_EDITION} para. {number} appears {listed.count(number)} times")
    problems += [f"para. {n} is not a paragraph of edition {OLD_EDITION}" for n in set(listed) - set(old_numbers)]
    for row in rows:
        if row["new"] and row["new"] not in new_numbers:
            problems.append(f"para. {row['old']} leads to para. {row['new']}, which does not exist")
        if not row["new"] and row["status"] != "removed":
            problems.append(f"para. {row['old']} has no successor but is not marked removed")
    return problems


# -- the tests ---------------------------------------------------------------------------------

CHAPTER_TEXTS = {doc: source(doc) for doc in NUMBERED}
ALL_TEXTS = {doc: source(doc) for doc in [*LETTERED, *NUMBERED, "chapters/06-timeline",
                                          "chapters/07-glossary", NOT_KNOWN_PAGE, "index"]}


def test_brief_is_short():
    assert not brief_problems(source("chapters/brief"))


def test_chapters_stay_within_their_length():
    assert not length_problems(CHAPTER_TEXTS)


def test_record_covers_every_year():
    problems = record_year_problems(source(RECORD_CHAPTER))
    assert not problems, "\n".join(problems)


def test_no_wikipedia_or_personal_blog_is_cited():
    problems = banned_source_problems(ALL_TEXTS)
    assert not problems, "\n".join(problems)


def test_blog_post_is_cited_sparingly():
    assert not blog_problems(ALL_TEXTS)


def test_unseen_texts_are_listed_once():
    problems = unseen_problems(ALL_TEXTS)
    assert not problems, "\n".join(problems)


def test_every_chapter_says_as_of_when():
    problems = as_of_problems({doc: source(doc) for doc in [*LETTERED, *NUMBERED]})
    assert not problems, "\n".join(problems)


def old_numbers() -> list[str]:
    with (EDITIONS / f"{OLD_EDITION}-paragraphs.tsv").open(encoding="utf-8", newline="") as f:
        return [row["number"] for row in csv.DictReader(f, delimiter="\t")]


def correspondence_rows() -> list[dict[str, str]]:
    with (EDITIONS / f"{OLD_EDITION}-to-{NEW_EDITION}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_old_paragraph_has_one_row_and_each_successor_exists(pages):
    new_numbers = {a.get_text() for soup in pages.values() for a in soup.select("article a.para-num")}
    problems = correspondence_problems(correspondence_rows(), old_numbers(), new_numbers)
    assert not problems, "\n".join(problems[:40])


def test_correspondence_page_links_each_successor(pages):
    table = pages["chapters/correspondence.html"].select_one("table.paragraph-correspondence")
    assert table is not None, "the correspondence table is missing"
    rows = correspondence_rows()
    links = table.select("tbody a[href]")
    assert len(links) == sum(1 for r in rows if r["new"])
    for link in links:
        page, _, anchor = link["href"].partition("#")
        number = link.get_text()
        assert anchor == f"para-{number.replace('.', '-').lower()}", link
        assert pages[f"chapters/{page}"].find(id=anchor) is not None, link["href"]


# -- proofs that each check can fail ----------------------------------------------------------

def test_proof_brief_check_fails_on_a_long_brief():
    assert brief_problems("word " * (MAX_BRIEF_WORDS + 1))


def test_proof_length_check_fails():
    assert length_problems({"a": "word " * MAX_CHAPTER_WORDS, "b": "word"})


def test_proof_year_check_names_the_missing_years():
    text = "In 2015 it happened {cite:p}`cohen2014`.\n\nIn 2016, uncited.\n"
    problems = record_year_problems(text)
    assert len(problems) == len(RECORD_YEARS) - 1 and "2016" in problems[0]


def test_proof_banned_source_check_finds_wikipedia(monkeypatch):
    from pybtex.database import Entry

    monkeypatch.setitem(BIB.entries, "wiki2020x", Entry("misc", fields={"url": "https://en.wikipedia.org/wiki/X"}))
    assert banned_source_problems({"x": "{cite:p}`wiki2020x`"})


def test_proof_blog_check_fails():
    assert blog_problems({"x": "{cite:p}`piie2014blog` " * (MAX_BLOG_CITATIONS + 1)})


def test_proof_unseen_check_spares_only_the_list():
    assert unseen_problems({"chapters/02-legal-basis": "The text has not been seen."})
    listed = f"# K\n{NOT_KNOWN_LABEL}\n## What is not known\n- The text has not been seen.\n"
    assert not unseen_problems({NOT_KNOWN_PAGE: listed})
    after = listed + "(other-label)=\n## Other\nThe annex could not be confirmed.\n"
    assert unseen_problems({NOT_KNOWN_PAGE: after}) == [
        f"{NOT_KNOWN_PAGE}.md:7: says a text was not seen; move the point to the 'What is not "
        f"known' list ({NOT_KNOWN_PAGE}.md) or cite the text"]


def test_proof_as_of_check_fails():
    assert as_of_problems({"x": "# Title\n\nNo date."})
    assert not as_of_problems({"x": "# Title\n\n*As of {{ released }}.*"})


def test_proof_correspondence_check_fails():
    rows = [{"old": "1.1", "new": "1.1", "status": "kept"}, {"old": "1.1", "new": "", "status": "revised"},
            {"old": "1.3", "new": "9.9", "status": "kept"}]
    problems = correspondence_problems(rows, ["1.1", "1.2", "1.3"], {"1.1"})
    assert "edition 0.1.0 para. 1.1 appears 2 times" in problems
    assert "edition 0.1.0 para. 1.2 appears 0 times" in problems
    assert "para. 1.3 leads to para. 9.9, which does not exist" in problems
    assert "para. 1.1 has no successor but is not marked removed" in problems


def brief_pages(page_texts: list[str]) -> int:
    """How many pages of the PDF the brief fills: the pages headed "Brief" (its title page,
    then its running head)."""
    return sum(1 for text in page_texts if text.lstrip().startswith("Brief"))


def test_brief_fits_on_two_pages(pdf_path):
    import subprocess

    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = brief_pages(text.split("\f"))
    assert 1 <= pages <= 2, f"the brief fills {pages} pages of the PDF; at most 2"


def test_proof_brief_pages_are_counted():
    assert brief_pages(["Title", "Brief\nAs of", "Brief\nThe legal position", "Brief\nB.15", "About"]) == 3

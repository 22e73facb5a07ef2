"""Content checks for issue 3: substance, citation practice, cross-links and editorial hygiene.

Each check is a small function that returns a list of problems, so that the same function runs
on the real handbook (the problem list must be empty) and on a deliberately broken input (the
list must not be empty): the `test_proof_*` tests show that every check can fail.

MyST sources are parsed with regular expressions (roles and labels are regular enough); checks
that are only honest on the rendered text (links that actually resolve, what the reader of the
home page actually reads) use the built HTML from the session fixture `pages`.
"""

from __future__ import annotations

import copy
import re

import pytest
from bs4 import BeautifulSoup
from pybtex.database import parse_file

from conftest import CITE, ROOT

CHAPTERS = ROOT / "chapters"
CORE = ["02-legal-basis.md", "03-china-position.md", "04-un-trajectory.md", "since-2014.md",
        "05-recommendations.md"]
GLOSSARY = "07-glossary.md"
KEY_DOCUMENTS = "08-key-documents.md"
CHINA = "03-china-position.md"
CHINA_ASSESSMENT_LABEL = "(china-position-assessment)="

MIN_CORE_WORDS = 2000  # edition 0.2.0 cut the chapters by a third (tests/test_edition.py caps them)
MIN_CORE_CITATIONS = 20
MIN_CORE_SOURCES = 8
CORE_SOURCES = {"coi2014report"}
# the record after the Commission rests on later documents, and refers back for its findings
RECORD_CHAPTERS = {"since-2014.md"}
# Cohen's article is a core source of the book, cited where its points are made (not in each
# chapter: the record since 2015 and the recommendations rest on later sources)
BOOK_SOURCES = {"cohen2014", "coi2014report", "coi2014detailed", "haggard2011witness"}
MIN_TOTAL_WORDS = 15000
MAX_AT_A_GLANCE_WORDS = 400
MIN_CHINESE_STATEMENTS = 3

# Treaties and other instruments cited by article. UN documents are recognised by the `symbol`
# field of their bibliography entry, so they need no list.
TREATY_KEYS = {
    "refugeeconvention1951", "protocol1967", "cat1984", "iccpr1966", "udhr1948", "vclt1969",
    "crc1989", "cedaw1979", "romestatute1998", "statelessconvention1954",
    "traffickingprotocol2000", "icjstatute1945", "unhcr-china1995", "china-dprk1955record",
    "china-dprk1964protocol", "china-dprk1986protocol", "china-dprk1998agreement",
}

# Records that state China's official position in its own words: foreign-ministry briefings,
# statements of its diplomats, and the reports that quote them.
OFFICIAL_CHINESE_STATEMENTS = {
    "mfa2012honglei", "mfa2014huachunying", "mfa2017lukang", "chinaorg2012honglei", "rfi2017lukang",
    "mfa2014icctranscript", "mfa2024wangwenbin", "bjyouth2024wangwenbin", "chinamission2023gengshuang",
    "chinamission2024vote", "chinamission2024briefing", "afp2014chinarejects", "afp2017lukang",
    "mfa2023wangwenbin", "chinamission2014chenchuandong", "liu2014unsc", "cecc2006qingang",
    "voa2003lubbers",
}

# Citations of a UN document or treaty that may stand without a pinpoint, each with its reason.
# Keyed by citation key (any file) or by (file, key).
PINPOINT_EXCEPTIONS: dict[str | tuple[str, str], str] = {
    "unsc2014pv7353": "the verbatim record is cited for the meeting and its procedural vote as a "
                      "whole; the page of the record could not be checked (the UN meetings "
                      "coverage gives the same vote)",
    "hrc2014res2525": "cited for its adoption and vote only; its operative paragraph numbers "
                      "could not be checked, so its content is cited through A/HRC/31/38, para. 1 "
                      "and Human Rights Watch's record of the vote",
    **{key: "cited for its adoption, date and vote; its operative paragraphs were not seen (see "
              "the 'What is not known' list)" for key in (
        "hrc2015res2822", "hrc2016res3118", "hrc2017res3424", "hrc2018res3728", "hrc2023res5228",
        "hrc2024res5521", "ga2016res71202", "ga2023res78218")},
    **{key: "the verbatim record is cited for the meeting and its procedural vote as a whole"
       for key in ("unsc2015pv7575", "unsc2016pv7830", "unsc2017pv8130", "unsc2023pv9398",
                   "unsc2024pv9653")},
    "experts2017accountability": "cited as a whole: the report's submission under resolution 31/18",
    "ohchr2025accountability": "cited as a whole: the report's issue under resolution 52/28",
    "hrc2013res2213": "cited for its adoption without a vote only; the establishing paragraph "
                      "could not be checked, so the content is cited through A/HRC/25/63, para. 1",
    "cedaw2023china": "the symbol and paragraph numbers of the concluding observations are not "
                      "confirmed; their content is known from press summaries, cited beside them",
    "cedaw2014china": "cited for the absence of any paragraph on North Korean women, which no "
                      "pinpoint can show",
    ("06-timeline.md", "gc27"): "a timeline row dating the adoption of the general comment as a whole",
    ("06-timeline.md", "cat2017gc4"): "a timeline row dating the adoption of the general comment as a whole",
    ("08-key-documents.md", "gc27"): "a key-documents row listing the general comment as a whole",
    ("08-key-documents.md", "coi2014report"): "the row for S/2014/276 identifies the circulated "
                                              "report as a whole",
}

# The forms a pinpoint may take (post-text in braces after the key).
PINPOINT = re.compile(
    r"^(?:(?:para\.|paras|art\.|arts|p\.|pp\.|sect\.|annex|foreword)\s?\S|preamble$|summary$)", re.I)

# Words that betray unfinished work or how the handbook was made.
FORBIDDEN = ["TODO", "to be checked", "verify", "recalled", "unverified", "dossier",
             "facts.md", "research notes"]

ITEM = re.compile(r"(?:\{([^{}]*)\})?\s*([^,{}\s]+)\s*(?:\{([^{}]*)\})?")
QUOTED = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”")
LABEL = re.compile(r"^\([a-z0-9-]+\)=$")
WORD = re.compile(r"[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F'’-]*")

BIB = parse_file(str(ROOT / "references.bib"))
# UN documents whose entry has no `symbol` because the symbol itself is not confirmed.
UN_DOCUMENTS_WITHOUT_SYMBOL = {"cedaw2023china"}
UN_DOCUMENTS = {key for key, entry in BIB.entries.items() if "symbol" in entry.fields} | UN_DOCUMENTS_WITHOUT_SYMBOL


# --------------------------------------------------------------------------- source parsing

def load_texts() -> dict[str, str]:
    """Every chapter's MyST source and index.md, by file name."""
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(CHAPTERS.glob("*.md"))}
    texts["index.md"] = (ROOT / "index.md").read_text(encoding="utf-8")
    return texts


def citations(text: str) -> list[tuple[str, str | None]]:
    """(key, pinpoint) for every key of every citation role in the text."""
    found = []
    for match in CITE.finditer(text):
        for item in ITEM.finditer(match.group("target")):
            if item.group(2):
                found.append((item.group(2), item.group(3)))
    return found


def words(text: str) -> int:
    """Words of prose: citation roles, label lines, directive options and fences left out."""
    prose = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~", ":")) or LABEL.match(stripped):
            continue
        prose.append(CITE.sub(" ", line))
    return len(WORD.findall(" ".join(prose)))


# --------------------------------------------------------------------------- the checks

def core_chapter_problems(name: str, text: str) -> list[str]:
    cites = citations(text)
    keys = {key for key, _ in cites}
    problems = []
    if (n := words(text)) < MIN_CORE_WORDS:
        problems.append(f"{name}: {n} words, fewer than {MIN_CORE_WORDS}")
    if len(cites) < MIN_CORE_CITATIONS:
        problems.append(f"{name}: {len(cites)} citations, fewer than {MIN_CORE_CITATIONS}")
    if len(keys) < MIN_CORE_SOURCES:
        problems.append(f"{name}: {len(keys)} distinct sources, fewer than {MIN_CORE_SOURCES}")
    for key in sorted(CORE_SOURCES - keys if name not in RECORD_CHAPTERS else set()):
        problems.append(f"{name}: does not cite the core source {key}")
    return problems


def total_word_problems(texts: dict[str, str]) -> list[str]:
    total = sum(words(t) for t in texts.values())
    return [] if total >= MIN_TOTAL_WORDS else [f"the handbook has {total} words, fewer than {MIN_TOTAL_WORDS}"]


def pinpoint_problems(texts: dict[str, str]) -> list[str]:
    problems = []
    for name, text in texts.items():
        for number, line in enumerate(text.splitlines(), 1):
            for key, pinpoint in citations(line):
                if key not in UN_DOCUMENTS and key not in TREATY_KEYS:
                    continue
                if pinpoint is None:
                    if key in PINPOINT_EXCEPTIONS or (name, key) in PINPOINT_EXCEPTIONS:
                        continue
                    problems.append(f"{name}:{number}: {key} is cited without a pinpoint "
                                    "(add para./art./p., or list it with a reason in PINPOINT_EXCEPTIONS)")
                elif not PINPOINT.match(pinpoint.strip()):
                    problems.append(f"{name}:{number}: {key}{{{pinpoint}}}: not a pinpoint form "
                                    "(para., paras, art., arts, p., pp., sect., annex, preamble, summary)")
    return problems


def unused_exceptions(texts: dict[str, str]) -> list[str]:
    """Allow-list entries that no longer excuse anything (they would hide a future regression)."""
    used = set()
    for name, text in texts.items():
        for key, pinpoint in citations(text):
            if pinpoint is None:
                used.update({key, (name, key)})
    return [f"PINPOINT_EXCEPTIONS[{entry!r}] is no longer needed" for entry in PINPOINT_EXCEPTIONS
            if entry not in used]


def listed_key_documents(text: str) -> set[str]:
    """The document each table row of the Key documents chapter lists: the first key it cites.

    Later keys in a row's Source cell are supporting sources (a press report of a date, say),
    not key documents.
    """
    listed = set()
    for row in re.split(r"(?m)^\* - ", text)[1:]:
        cited = citations(row)
        if cited:
            listed.add(cited[0][0])
    return listed


def key_document_problems(texts: dict[str, str]) -> list[str]:
    listed = listed_key_documents(texts[KEY_DOCUMENTS])
    if not listed:
        return [f"{KEY_DOCUMENTS}: no documents found in its tables"]
    # the glossary counts: a treaty defined there (CEDAW, the trafficking protocol) is part of
    # the book's argument even when no chapter needs its article
    in_core = {key for name in [*CORE, GLOSSARY] for key, _ in citations(texts[name])}
    return [f"{KEY_DOCUMENTS} lists {key}, which no core chapter or the glossary cites"
            for key in sorted(listed - in_core)]


def china_statement_problems(text: str) -> list[str]:
    if CHINA_ASSESSMENT_LABEL not in text:
        return [f"{CHINA}: the label {CHINA_ASSESSMENT_LABEL} is missing"]
    before = text.split(CHINA_ASSESSMENT_LABEL)[0]
    statements = {key for key, _ in citations(before)} & OFFICIAL_CHINESE_STATEMENTS
    if len(statements) < MIN_CHINESE_STATEMENTS:
        return [f"{CHINA}: only {sorted(statements)} official Chinese statements are cited before "
                f"the assessment; at least {MIN_CHINESE_STATEMENTS} are required"]
    return []


def forbidden_word_problems(texts: dict[str, str]) -> list[str]:
    problems = []
    for name, text in texts.items():
        for number, line in enumerate(text.splitlines(), 1):
            unquoted = QUOTED.sub(" ", CITE.sub(" ", line))
            for word in FORBIDDEN:
                if re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", unquoted, re.I):
                    problems.append(f"{name}:{number}: '{word}' outside a quotation")
    return problems


def glossary_terms(glossary: BeautifulSoup) -> set[str]:
    return {dt["id"] for dt in glossary.select('dt[id^="term-"]')}


def glossary_link_problems(pages: dict[str, BeautifulSoup]) -> list[str]:
    glossary_page = f"chapters/{GLOSSARY.replace('.md', '.html')}"
    terms = glossary_terms(pages[glossary_page])
    linked = set()
    for name, soup in pages.items():
        if name == glossary_page:
            continue
        for link in soup.select("a.reference.internal[href]"):
            page, _, anchor = link["href"].partition("#")
            if page.endswith(GLOSSARY.replace(".md", ".html")) and anchor in terms:
                linked.add(anchor)
    problems = [f"glossary term {term} is not linked from any other page" for term in sorted(terms - linked)]
    if not terms:
        problems.append("no glossary terms found")
    return problems


def at_a_glance_words(index: BeautifulSoup) -> int:
    """Words a reader sees under the At a glance rubric, up to the next rubric (citations included)."""
    rubric = index.find(id="at-a-glance")
    if rubric is None:
        return -1
    if "rubric" not in (rubric.get("class") or []):
        rubric = rubric.find_next(class_="rubric")
    text = []
    for sibling in rubric.find_next_siblings():
        if "rubric" in (sibling.get("class") or []) or sibling.select_one(".toctree-wrapper"):
            break
        text.append(sibling.get_text(" "))
    return len(re.findall(r"[^\W\d_][\w'’-]*|\d[\d,.]*", " ".join(text)))


def at_a_glance_problems(index: BeautifulSoup) -> list[str]:
    n = at_a_glance_words(index)
    if n < 0:
        return ["index.html has no At a glance section (label at-a-glance)"]
    if n == 0:
        return ["the At a glance section is empty"]
    return [] if n <= MAX_AT_A_GLANCE_WORDS else [f"At a glance has {n} words, more than {MAX_AT_A_GLANCE_WORDS}"]


# --------------------------------------------------------------------------- the tests

TEXTS = load_texts()


@pytest.mark.parametrize("name", CORE)
def test_core_chapter_has_substance_and_core_sources(name):
    assert not core_chapter_problems(name, TEXTS[name])


def test_book_cites_its_core_sources():
    cited = {key for text in TEXTS.values() for key, _ in citations(text)}
    assert BOOK_SOURCES <= cited, f"not cited anywhere: {sorted(BOOK_SOURCES - cited)}"


def test_handbook_reaches_its_length():
    assert not total_word_problems(TEXTS)


def test_un_documents_and_treaties_carry_pinpoints():
    problems = pinpoint_problems(TEXTS)
    assert not problems, "\n".join(problems)


def test_every_pinpoint_exception_is_still_needed():
    assert not unused_exceptions(TEXTS)


def test_every_key_document_is_cited_in_a_core_chapter():
    problems = key_document_problems(TEXTS)
    assert not problems, "\n".join(problems)


def test_china_chapter_cites_official_statements_before_assessing():
    assert not china_statement_problems(TEXTS[CHINA])


def test_no_unfinished_or_process_wording():
    problems = forbidden_word_problems(TEXTS)
    assert not problems, "\n".join(problems)


def test_every_glossary_term_is_linked_from_another_page(pages):
    problems = glossary_link_problems(pages)
    assert not problems, "\n".join(problems)


def test_at_a_glance_is_short(pages):
    assert not at_a_glance_problems(pages["index.html"])


# --------------------------------------------------------------------------- proofs that each check can fail

def test_proof_core_chapter_check_fails_on_a_thin_chapter():
    thin = "(x)=\n# Thin\n\nOne sentence {cite:p}`cohen2014`.\n"
    problems = core_chapter_problems("thin.md", thin)
    assert len(problems) == 4  # words, citations, sources, coi2014report


def test_proof_total_length_check_fails(monkeypatch):
    monkeypatch.setitem(globals(), "MIN_TOTAL_WORDS", 10**7)
    assert total_word_problems(TEXTS)


def test_proof_pinpoint_check_fails_on_a_bare_un_document_and_a_bad_form():
    texts = {"x.md": "A {cite:p}`coi2014report`. B {cite:p}`cat1984{see art. 3}`. "
                     "C {cite:p}`cat2015china{para. 46}`."}
    problems = pinpoint_problems(texts)
    assert len(problems) == 2 and "coi2014report" in problems[0] and "cat1984" in problems[1]


def test_proof_pinpoint_exceptions_are_scoped_by_file():
    assert pinpoint_problems({"02-legal-basis.md": "{cite:p}`gc27`"})
    assert not pinpoint_problems({"06-timeline.md": "{cite:p}`gc27`"})


def test_proof_unused_exception_is_reported():
    assert unused_exceptions({"x.md": "nothing cited"})


def test_proof_key_document_check_fails_when_a_core_chapter_drops_a_document():
    texts = dict(TEXTS)
    for name in [*CORE, GLOSSARY]:
        texts[name] = texts[name].replace("cat2015china", "hrw2023letter")
    assert any("cat2015china" in p for p in key_document_problems(texts))


def test_proof_china_statement_check_fails_when_statements_follow_the_assessment():
    text = f"{{cite:p}}`mfa2012honglei`\n{CHINA_ASSESSMENT_LABEL}\n{{cite:p}}`mfa2017lukang,mfa2023wangwenbin`"
    assert china_statement_problems(text)
    assert china_statement_problems("no label at all")


def test_proof_forbidden_words_are_found_outside_quotations_only():
    texts = {"x.md": 'This figure is unverified.\nHe said "we cannot verify it".\nTODO: fix\n'}
    problems = forbidden_word_problems(texts)
    assert [p.split(":")[1] for p in problems] == ["1", "3"]


def test_proof_glossary_check_fails_when_a_term_is_never_linked(pages):
    broken = {name: copy.copy(soup) for name, soup in pages.items()}
    glossary_page = f"chapters/{GLOSSARY.replace('.md', '.html')}"
    target = sorted(glossary_terms(pages[glossary_page]))[0]
    for name, soup in broken.items():
        if name == glossary_page:
            continue
        soup = BeautifulSoup(str(soup), "html.parser")
        for link in soup.select(f'a[href$="#{target}"]'):
            link.decompose()
        broken[name] = soup
    assert any(target in p for p in glossary_link_problems(broken))


def test_proof_at_a_glance_check_fails_when_too_long(pages):
    index = BeautifulSoup(str(pages["index.html"]), "html.parser")
    rubric = index.find(id="at-a-glance")
    if "rubric" not in (rubric.get("class") or []):
        rubric = rubric.find_next(class_="rubric")
    padding = index.new_tag("p")
    padding.string = "word " * (MAX_AT_A_GLANCE_WORDS + 1)
    rubric.insert_after(padding)
    assert at_a_glance_problems(index)
    assert at_a_glance_problems(BeautifulSoup("<p>no section</p>", "html.parser"))

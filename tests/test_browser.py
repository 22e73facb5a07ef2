"""The site as readers get it, in a real browser: Debian's Chromium on the built site served on
127.0.0.1. Accessibility (axe-core on every page, light and dark), privacy (no request leaves
the site), weight, keyboard use, search, pages without JavaScript, print, scripts and fonts,
valid HTML (the Nu validator) and the downloads (epubcheck for the EPUB).

Each page is visited once (the `visits` fixture) and the tests read what was recorded. Each
check also has a small test proving that it fails on a broken page.
"""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from chromium import chromium, guard
from conftest import NUMBERED, ROOT, hb
from site_server import serve

CORE_CHAPTERS = [f"{doc}.html" for doc in NUMBERED]
CHAPTER = CORE_CHAPTERS[1]  # a long chapter with citations, tables and Chinese terms
HANGUL_OR_HAN = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3\u3400-\u4dbf\u4e00-\u9fff]")
# A first-time reader's download, gzip-compressed, per page: about 150 kB today (the theme's
# defaults: about 800 kB). The margin is for text growth; a new icon font or script fails it.
PAGE_BUDGET = 250_000
AXE = hb.node_tool("axe-core", "axe.min.js")


@pytest.fixture(scope="module")
def browser(browser_tools):
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def site(html_dir):
    with serve(html_dir, gzip=True) as (base, requests):
        yield base


def is_page(name: str, html: str) -> bool:
    """A page of the site: not a theme's template fragment in _static/, not a redirect stub
    (it sends the browser on to a page tested here)."""
    return not name.startswith("_static/") and 'http-equiv="refresh"' not in html[:3000]


def content_pages(html_dir: Path) -> list[str]:
    return [str(p.relative_to(html_dir)) for p in sorted(html_dir.rglob("*.html"))
            if is_page(str(p.relative_to(html_dir)), p.read_text(encoding="utf-8"))]


def run_axe(page, **options) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("options => axe.run(document, options)", options or {})
    return result["violations"]


def describe(violations: list[dict]) -> str:
    return "; ".join(f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']} {v['nodes'][0]['html'][:120]}"
                     for v in violations)


@pytest.fixture(scope="module")
def visits(browser, site, html_dir) -> dict[str, dict]:
    """Visit every page once in light mode and once in dark mode; record axe's findings, the
    requests to other hosts, and the bytes transferred."""
    results = {}
    for name in content_pages(html_dir):
        record: dict = {"foreign": [], "requests": [], "sizes": []}
        for scheme in ("light", "dark"):
            context = browser.new_context(color_scheme=scheme)  # a new context: an empty cache
            guard(context, record["foreign"])
            page = context.new_page()
            if scheme == "light":
                page.on("request", lambda r, rec=record: rec["requests"].append(r.url))
                page.on("requestfinished", lambda r, rec=record: rec["sizes"].append(
                    (s := r.sizes())["responseBodySize"] + s["responseHeadersSize"]))
            page.goto(site + name, wait_until="load")
            assert page.evaluate("document.documentElement.dataset.theme") == scheme, name
            # colours measured mid-transition (the theme fades some in) give false contrast reports
            page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
            if scheme == "light":
                record["bytes"], record["count"] = sum(record["sizes"]), len(record["sizes"])
                record["axe"] = run_axe(page)
            else:  # the rest of axe's rules do not depend on the colours
                record["axe_dark"] = run_axe(page, runOnly=["color-contrast"])
            context.close()
        results[name] = record
    return results


# -- accessibility -----------------------------------------------------------------------------

def test_axe_finds_no_violations_on_any_page(visits):
    problems = [f"{name}: {describe(v['axe'])}" for name, v in visits.items() if v["axe"]]
    assert not problems, "\n".join(problems)


def test_contrast_in_dark_mode(visits):
    problems = [f"{name}: {describe(v['axe_dark'])}" for name, v in visits.items() if v["axe_dark"]]
    assert not problems, "\n".join(problems)


def test_axe_catches_what_the_theme_and_docutils_got_wrong(browser):
    """The harness is not blind: docutils' bibliography markup, a search button whose name
    differs from its text, and grey on black in dark mode are reported."""
    page = browser.new_page(color_scheme="dark")
    page.set_content('<html lang="en"><head><title>t</title></head><body><main>'
                     '<div role="list"><div role="doc-biblioentry" id="c">Entry</div></div>'
                     '<button aria-label="Search">Search Ctrl+K</button>'
                     '<p style="background:#000;color:#333">faint</p></main></body></html>')
    found = {v["id"] for v in run_axe(page)}
    page.close()
    assert {"aria-required-children", "label-content-name-mismatch", "color-contrast"} <= found, found


def test_skip_link_is_first_and_works(browser, site):
    page = browser.new_page()
    page.goto(site + CHAPTER)
    page.keyboard.press("Tab")
    page.wait_for_timeout(400)  # the theme slides the link in (a 0.15 s transition)
    focused = page.evaluate("""() => { const a = document.activeElement, r = a.getBoundingClientRect();
        return {text: a.textContent.trim(), href: a.getAttribute('href'), visible: r.width > 0 && r.height > 0
                && r.top >= 0 && r.bottom <= innerHeight}; }""")
    assert focused["href"] == "#main-content" and "Skip" in focused["text"], focused
    assert focused["visible"], "the skip link does not appear when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main-content"
    page.close()


FOCUS_RING = """() => { const s = getComputedStyle(document.activeElement);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none'; }"""


def focus_problems(page, presses: int) -> list[str]:
    problems = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        if not page.evaluate(FOCUS_RING):
            problems.append(page.evaluate("document.activeElement.outerHTML.slice(0, 120)"))
    return problems


def test_keyboard_focus_is_visible(browser, site):
    page = browser.new_page()
    page.goto(site + CHAPTER)
    problems = focus_problems(page, 25)  # skip link, downloads, theme buttons, sidebar, text
    page.close()
    assert not problems, f"no visible focus on: {problems}"


def test_focus_check_finds_a_hidden_ring(browser):
    page = browser.new_page()
    page.set_content('<style>*:focus{outline:none;box-shadow:none}</style><a href="#x">x</a>')
    assert focus_problems(page, 1), "an element without a focus ring passed"
    page.close()


def heading_problems(name: str, soup) -> list[str]:
    main = soup.select_one("main") or soup
    # the theme's .onlyprint block repeats the title for paper; screens and screen readers skip it
    levels = [int(h.name[1]) for h in main.select("h1, h2, h3, h4, h5, h6") if not h.find_parent(class_="onlyprint")]
    problems = [] if levels.count(1) == 1 else [f"{name}: {levels.count(1)} h1 elements"]
    problems += [f"{name}: h{a} followed by h{b}" for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    return problems


def test_headings_are_in_order(pages):
    problems = [p for name, soup in pages.items() if is_page(name, str(soup))
                for p in heading_problems(name, soup)]
    assert not problems, "\n".join(problems)


def test_heading_check_finds_a_skipped_level():
    from bs4 import BeautifulSoup

    soup = BeautifulSoup("<main><h1>a</h1><h3>b</h3></main>", "html.parser")
    assert heading_problems("x.html", soup) == ["x.html: h1 followed by h3"]


def test_language_and_alt_text(pages):
    problems = []
    for name, soup in pages.items():
        if not is_page(name, str(soup)):
            continue
        if soup.html.get("lang") != "en":
            problems.append(f"{name}: <html lang> is {soup.html.get('lang')!r}")
        problems += [f"{name}: image without alt: {img}" for img in soup.select("img:not([alt])")]
    assert not problems, "\n".join(problems)


# -- scripts and fonts -------------------------------------------------------------------------

CJK_CHECK = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  const re = /[\\u1100-\\u11ff\\u3130-\\u318f\\uac00-\\ud7a3\\u3400-\\u4dbf\\u4e00-\\u9fff]/;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!re.test(node.data)) continue;
    const el = node.parentElement, lang = el.closest('[lang]').getAttribute('lang');
    out.push({text: node.data.trim(), lang, font: getComputedStyle(el).fontFamily});
  }
  return out;
}"""
CJK_FONTS = ("Noto Sans CJK", "Source Han Sans", "Malgun Gothic", "Microsoft YaHei", "PingFang",
             "WenQuanYi")


def script_problems(runs: list[dict]) -> list[str]:
    problems = []
    for run in runs:
        hangul = re.search(r"[\uac00-\ud7a3]", run["text"])
        # zh or zh-Hans (the language switcher names Chinese with its script, as BCP 47 allows)
        if (run["lang"] or "").split("-")[0] != ("ko" if hangul else "zh"):
            problems.append(f"{run['text']!r} is marked lang={run['lang']!r}")
        if not any(font in run["font"] for font in CJK_FONTS):
            problems.append(f"{run['text']!r} has no CJK font in {run['font']}")
    return problems


def test_korean_and_chinese_have_lang_and_a_cjk_font(browser, site):
    page = browser.new_page()
    runs = []
    for name in CORE_CHAPTERS + ["chapters/07-glossary.html"]:
        page.goto(site + name)
        runs += page.evaluate(CJK_CHECK)
    assert len(runs) >= 10, "the chapters should carry Korean and Chinese terms"
    # and Chromium really draws them with a CJK face (a missing glyph would be a box)
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    node = cdp.send("DOM.querySelector", {"nodeId": cdp.send("DOM.getDocument")["root"]["nodeId"],
                                          "selector": 'main [lang="ko"]'})["nodeId"]
    fonts = [f["familyName"] for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]]
    page.close()
    problems = script_problems(runs)
    assert not problems, "\n".join(problems)
    assert any(f.startswith(CJK_FONTS) for f in fonts), f"Korean drawn with {fonts}"


def test_script_check_finds_unmarked_terms():
    runs = [{"text": "난민", "lang": "en", "font": "serif"}]
    assert script_problems(runs) == ["'난민' is marked lang='en'", "'난민' has no CJK font in serif"]


# -- privacy and weight ------------------------------------------------------------------------

def test_no_request_leaves_the_site(visits):
    problems = [f"{name}: {url}" for name, v in visits.items() for url in v["foreign"]]
    assert not problems, "requests to other hosts:\n" + "\n".join(problems)


def test_privacy_check_records_a_third_party_request(browser, site):
    context = browser.new_context()
    foreign: list[str] = []
    guard(context, foreign)
    page = context.new_page()
    page.goto(site + "index.html")
    page.evaluate("() => { const i = new Image(); i.src = 'https://fonts.example.org/f.png';"
                  " document.body.append(i); }")
    page.wait_for_timeout(300)
    context.close()
    assert foreign == ["https://fonts.example.org/f.png"]


def test_pages_are_light(visits):
    problems = [f"{name}: {v['bytes']:,} bytes in {v['count']} requests" for name, v in visits.items()
                if v["bytes"] > PAGE_BUDGET]
    assert not problems, f"over the {PAGE_BUDGET:,}-byte budget:\n" + "\n".join(problems)
    fonts = [f"{name}: {url}" for name, v in visits.items() for url in v["requests"]
             if urlsplit(url).path.endswith((".woff", ".woff2", ".ttf")) or "fontawesome" in url]
    assert not fonts, "the icon font or its JavaScript is loaded again:\n" + "\n".join(fonts)


def test_every_icon_has_a_css_rule(pages):
    css = (ROOT / "_static" / "icons.css").read_text(encoding="utf-8")
    drawn = set(re.findall(r"\.fa-([a-z0-9-]+) \{ --handbook-icon", css))
    modifiers = {"solid", "lg", "fw", "xs", "sm", "xl", "2x"}
    used = Counter(cls.removeprefix("fa-") for name, soup in pages.items() if is_page(name, str(soup))
                   for el in soup.select('[class*="fa-"]')
                   for cls in el["class"] if cls.startswith("fa-"))
    missing = sorted(set(used) - drawn - modifiers)
    assert not missing, f"icons without a rule in _static/icons.css (they would be blank): {missing}"


# -- search ------------------------------------------------------------------------------------

def article_words(soup) -> list[str]:
    article = soup.select_one("article")
    return re.findall(r"\b[a-z]{8,}\b", article.get_text(" ").lower()) if article else []


def distinctive_terms(pages) -> dict[str, str]:
    """For each core chapter, its most frequent long word that no other chapter uses."""
    words = {name: article_words(soup) for name, soup in pages.items()
             if name.startswith("chapters/") and "sources" not in name}
    terms = {}
    for name in CORE_CHAPTERS:
        elsewhere = {w for other, ws in words.items() if other != name for w in ws}
        ranked = Counter(w for w in words[name] if w not in elsewhere).most_common(1)
        assert ranked, f"{name}: no word found that only this chapter uses"
        terms[name] = ranked[0][0]
    return terms


def search(page, site: str, term: str) -> list[str]:
    page.goto(f"{site}search.html?q={term}")
    page.wait_for_function("document.querySelector('#search-results .search-summary')?.textContent.length > 0")
    return [a.split("#")[0].split("?")[0] for a in page.eval_on_selector_all(
        "#search-results ul.search li a", "els => els.map(a => a.getAttribute('href'))")]


def test_search_finds_each_core_chapter(browser, site, pages):
    page = browser.new_page()
    problems = []
    for chapter, term in distinctive_terms(pages).items():
        found = search(page, site, term)
        if chapter not in found:
            problems.append(f"searching {term!r} did not find {chapter} (found {found})")
    assert search(page, site, "zzqxjvw") == [], "a nonsense word found pages"
    page.close()
    assert not problems, "\n".join(problems)


# -- without JavaScript ------------------------------------------------------------------------

def no_script_problems(page) -> list[str]:
    return page.evaluate("""() => {
      const visible = el => el && el.getBoundingClientRect().height > 0 && getComputedStyle(el).visibility !== 'hidden';
      const problems = [];
      if (!visible(document.querySelector('main article h1'))) problems.push('the title is hidden');
      const paras = [...document.querySelectorAll('main article p')];
      if (!paras.length || !paras.slice(0, 5).every(visible)) problems.push('the text is hidden');
      const nav = [...document.querySelectorAll('nav.bd-links a[href]')];
      if (nav.length < 5 || !nav.every(visible)) problems.push('the table of contents is hidden');
      if (!visible(document.querySelector('.handbook-downloads a'))) problems.push('the downloads are hidden');
      return problems;
    }""")


def test_text_and_navigation_work_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(site + CORE_CHAPTERS[0])
    problems = no_script_problems(page)
    page.click(".prev-next-footer a.right-next")  # the "next" link, as a reader would
    page.wait_for_load_state()
    landed = page.url
    page.goto(site + "index.html")
    page.click(f'nav.bd-links a[href="{CHAPTER}"]')
    page.wait_for_load_state()
    sidebar_landed = page.url
    context.close()
    assert not problems, problems
    assert landed.endswith(CORE_CHAPTERS[1]), f"the next link went to {landed}"
    assert sidebar_landed.endswith(CHAPTER), f"the sidebar link went to {sidebar_landed}"


def test_no_script_check_finds_hidden_text(browser):
    page = browser.new_page()
    page.set_content("<main><article style='display:none'><h1>t</h1><p>p</p></article></main>")
    assert {"the title is hidden", "the text is hidden"} <= set(no_script_problems(page))
    page.close()


# -- print -------------------------------------------------------------------------------------

def printed_text(browser, url: str, media: str = "print") -> str:
    page = browser.new_page()
    page.goto(url, wait_until="networkidle")
    page.emulate_media(media=media)
    pdf = page.pdf(format="A4")
    page.close()
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


def print_problems(text: str, soup) -> list[str]:
    flat = " ".join(text.split())
    problems = []
    # the skip link, the download menu, the search button's shortcut, the back-to-top button
    for chrome in ("Skip to main content", "Download PDF", "Ctrl", "Back to top"):
        if chrome in flat:
            problems.append(f"navigation chrome printed: {chrome!r}")
    external = [a["href"] for a in soup.select("article a[href^='http']") if not a.find_parent("details")]
    if external and not any(href in flat.replace(" ", "") for href in external[:10]):
        problems.append(f"no link address printed (expected e.g. {external[0]})")
    numbers = [a.get_text(strip=True) for a in soup.select("article a.para-num")]
    if numbers and not all(n in flat for n in numbers[:5]):
        problems.append(f"paragraph numbers missing from print: {numbers[:5]}")
    title = " ".join(soup.select_one("article h1").get_text(" ", strip=True).split()[1:])  # no "2."
    if title[:25] not in flat:
        problems.append(f"title {title!r} not printed")
    return problems


def test_print_stylesheet(browser, site, pages):
    soup = pages[CHAPTER]
    problems = print_problems(printed_text(browser, site + CHAPTER), soup)
    assert not problems, problems
    # the check is not blind: the screen layout on paper shows the navigation
    assert print_problems(printed_text(browser, site + CHAPTER, media="screen"), soup)


# -- valid HTML, downloads ---------------------------------------------------------------------

def vnu_errors(files: list[Path]) -> list[str]:
    jar = hb.node_tool("vnu-jar", "build", "dist", "vnu.jar")
    proc = subprocess.run(["java", "-jar", str(jar), "--errors-only", "--format", "json", *map(str, files)],
                          capture_output=True, text=True)
    messages = json.loads(proc.stderr or '{"messages": []}')["messages"]
    return [f"{urlsplit(m.get('url', '')).path}:{m.get('lastLine', '?')}: {m['message']}" for m in messages]


def test_html_is_valid(html_dir, tmp_path, browser_tools):
    # every page, redirect stubs too (they are served), but not the theme's fragments in _static;
    # with one broken page, in the same run of the validator (Java starts slowly), as the proof
    # that errors are reported
    bad = tmp_path / "broken-on-purpose.html"
    bad.write_text("<!DOCTYPE html><html lang=en><title>t</title><p><div></span>")
    errors = vnu_errors([p for p in sorted(html_dir.rglob("*.html")) if "_static" not in p.parts] + [bad])
    assert any(bad.name in e for e in errors), "the validator did not report a broken page"
    errors = [e for e in errors if bad.name not in e]
    assert not errors, "\n".join(errors[:50])


def test_every_page_offers_the_pdf_and_epub(pages, html_dir, pdf_path, epub_path):
    from downloads import human_size

    release = str(yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))["version"])
    problems = []
    for name, soup in pages.items():
        if not is_page(name, str(soup)):
            continue
        links = {a["href"].rsplit("/", 1)[-1]: " ".join(a.get_text().split())
                 for a in soup.select("nav.handbook-downloads a[href]")}
        for path, label in ((pdf_path, "PDF"), (epub_path, "EPUB")):
            text = links.get(path.name)
            expected = f"Download {label} (edition {release}, {human_size(path.stat().st_size)})"
            if text != expected:
                problems.append(f"{name}: {text!r} instead of {expected!r}")
            if not (html_dir / path.name).is_file():
                problems.append(f"{path.name} is not in the site")
    assert not problems, "\n".join(problems[:20])


def epubcheck_problems(epub: Path) -> list[str]:
    """epubcheck's errors and warnings, less one known gap of Debian's epubcheck 4.2.6: its CSS
    parser predates the :has() selector (CSS Selectors 4), valid CSS that e-readers skip if
    they lack it. Such a report is dropped only when the line it names holds ":has(".
    """
    out = epub.with_suffix(".epubcheck.json")
    proc = subprocess.run(["java", "-jar", hb.EPUBCHECK_JAR, str(epub), "--json", str(out)],
                          capture_output=True, text=True)
    assert out.is_file(), f"epubcheck did not run: {proc.stdout}{proc.stderr}"
    report = json.loads(out.read_text(encoding="utf-8"))
    problems = []
    with zipfile.ZipFile(epub) as book:
        for message in report["messages"]:
            for where in message["locations"]:
                if message["ID"] == "CSS-008" and where["path"].endswith(".css"):
                    line = book.read(where["path"]).decode().splitlines()[where["line"] - 1]
                    if ":has(" in line:
                        continue
                problems.append(f"{message['severity']} {message['ID']} {where['path']}:{where['line']}: "
                                f"{message['message']}")
    return problems


def test_epub_passes_epubcheck(epub_path, browser_tools):
    problems = epubcheck_problems(epub_path)
    assert not problems, "\n".join(problems)

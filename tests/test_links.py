"""Links: internal links and anchors resolve; external URLs are well-formed and use https."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

from pybtex.database import parse_file

from conftest import ROOT, SOURCES

# Hosts whose addresses may be given over plain http, each with its reason: one list, kept
# with the bibliography linter, which applies it to references.bib.
from biblint import HTTP_EXCEPTIONS  # noqa: E402  (conftest puts _ext/ on sys.path)

URL = re.compile(r"https?://[^\s<>`\"')\]]+")


def broken_internal_links(html_dir: Path, absent: tuple[str, ...] = ()) -> list[str]:
    """Every link between the site's own pages whose file or #anchor does not exist (files
    ending in one of `absent` excepted: the PDFs, in a site built without them)."""
    pages = {str(p.relative_to(html_dir)): BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
             for p in html_dir.rglob("*.html")}
    ids = {name: {el["id"] for el in soup.select("[id]")} for name, soup in pages.items()}
    problems = []
    for name, soup in pages.items():
        for link in soup.select("a[href]"):
            parts = urlsplit(link["href"])
            if parts.scheme or parts.netloc:
                continue  # external: see the URL checks below and `nox -s linkcheck`
            rel = name
            if parts.path:
                rel = posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(parts.path)))
            if (html_dir / rel).is_dir():
                rel = posixpath.join(rel, "index.html")
            if not (html_dir / rel).is_file() and not rel.endswith(absent or ("\0",)):
                problems.append(f"{name}: link to missing file {link['href']}")
            elif parts.fragment and rel in ids and unquote(parts.fragment) not in ids[rel]:
                problems.append(f"{name}: link to missing anchor {link['href']}")
    return problems


def test_internal_links_and_anchors_resolve(translated_sites, downloads_built):
    """Over the whole published site: the English pages, /ko/ and /zh/ (the language switcher
    links them). In the fast tier the site has no PDFs and no EPUB, so links to them are not followed."""
    site = next(iter(translated_sites.values())).parent
    problems = broken_internal_links(site, () if downloads_built else (".pdf", ".epub"))
    assert not problems, "\n".join(problems)


def test_link_check_finds_broken_links(tmp_path):
    (tmp_path / "a.html").write_text('<p id="top"><a href="b.html#nope">x</a> <a href="gone.html">y</a>'
                                    ' <a href="#top">z</a> <a href="b.html#here">w</a></p>')
    (tmp_path / "b.html").write_text('<p id="here">b</p>')
    assert broken_internal_links(tmp_path) == [
        "a.html: link to missing anchor b.html#nope", "a.html: link to missing file gone.html"]


def external_urls():
    """(where, url) for every URL in the MyST sources and in references.bib."""
    for source in SOURCES:
        for url in URL.findall(source.read_text(encoding="utf-8")):
            yield source.name, url
    for key, entry in parse_file(str(ROOT / "references.bib")).entries.items():
        for field in ("url", "archiveurl"):
            if field in entry.fields:
                yield f"references.bib:{key}", str(entry.fields[field])


def test_external_urls_are_well_formed_and_https():
    problems = []
    for where, url in external_urls():
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in url or "." not in parts.netloc:
            problems.append(f"{where}: malformed URL {url}")
        elif parts.scheme == "http" and parts.netloc not in HTTP_EXCEPTIONS:
            problems.append(f"{where}: use https, or list the URL with a reason: {url}")
    assert not problems, "\n".join(problems)


def test_url_check_rejects_bad_urls(monkeypatch):
    """The check above is not vacuous: it reports an http URL and a malformed one."""
    import test_links

    monkeypatch.setattr(test_links, "external_urls",
                        lambda: iter([("x.md", "http://example.org/a"), ("y.md", "https:/broken")]))
    try:
        test_links.test_external_urls_are_well_formed_and_https()
    except AssertionError as err:
        assert "x.md: use https" in str(err) and "y.md: malformed URL" in str(err)
    else:
        raise AssertionError("bad URLs were not reported")

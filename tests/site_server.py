"""Serve a built site on 127.0.0.1 from a thread, as a static host would.

The browser tests, Lighthouse and the page-weight measurement load the site from here rather
than from file:// URLs, which browsers treat differently (no service of compressed files, a
different origin for every page). With gzip=True, text files are sent compressed when the
client asks for it, as real static hosts (nginx's gzip_static, GitHub Pages, Netlify) do.
Standard library only, so the bench can use it outside pytest.
"""

from __future__ import annotations

import functools
import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

COMPRESSIBLE = (".html", ".css", ".js", ".svg", ".json", ".txt", ".xml", ".map", ".inv")


class SiteHandler(SimpleHTTPRequestHandler):
    gzip = False
    requests: list[str]

    def log_message(self, *args):  # the test output stays readable; requests are recorded instead
        pass

    def end_headers(self):
        # ten minutes, what GitHub Pages sends: the numbers are measured as a real host serves
        self.send_header("Cache-Control", "public, max-age=600")
        super().end_headers()

    def do_GET(self):
        self.requests.append(self.path)
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (self.gzip and accepts and path.is_file() and path.suffix in COMPRESSIBLE):
            return super().do_GET()
        body = gzip.compress(path.read_bytes(), compresslevel=6)  # nginx's and most hosts' level
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def running(handler) -> Iterator[str]:
    """Yield the base URL while `handler` (a request handler class, or a factory of one)
    answers on a free port of 127.0.0.1: the one test server, for sites and for fakes of
    other services (the Wayback Machine's API, a host with broken links)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve(site: Path, gzip: bool = False) -> Iterator[tuple[str, list[str]]]:
    """Yield (base URL, list of requested paths) while the site is served on a free port."""
    requests: list[str] = []
    handler = type("Handler", (SiteHandler,), {"gzip": gzip, "requests": requests})
    with running(functools.partial(handler, directory=str(site))) as base:
        yield base, requests

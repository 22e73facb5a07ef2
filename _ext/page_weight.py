"""Lighter pages: Sphinx's and the theme's scripts are loaded without blocking the first paint.

Sphinx puts doctools.js, sphinx_highlight.js and the book theme's script in <head> as plain
<script> tags, so a reader's browser waits for each before showing any text. None of them
needs to run before the page is parsed (each waits for DOMContentLoaded or runs on a click),
so they get `defer`, which keeps their order. documentation_options.js stays as it is: the
inline scripts after it (DOCUMENTATION_OPTIONS.pagename = ...) need it at once. The search page
keeps them all as they are (see below); it is not a page readers land on first.
The other page-weight cuts are in _templates/layout.html (the icon font's JavaScript, the
search index on every page) and _static/icons.css.
"""

from __future__ import annotations

from sphinx.application import Sphinx

DEFERRED = ("doctools.js", "sphinx_highlight.js", "scripts/sphinx-book-theme.js")


def defer_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    # search.html loads searchtools.js without defer, and it calls doctools.js's _ready() at once
    if "script_files" not in context or pagename == "search":
        return
    scripts = []
    for js in context["script_files"]:
        name = str(js.filename).split("?")[0]
        if name.endswith(DEFERRED) and "defer" not in js.attributes and "async" not in js.attributes:
            # type(js): Sphinx's own asset class, immutable, so a new one with the attribute
            js = type(js)(js.filename, priority=js.priority, **{**js.attributes, "defer": "defer"})
        scripts.append(js)
    context["script_files"] = scripts


def setup(app: Sphinx):
    app.connect("html-page-context", defer_scripts, priority=900)  # after the theme's handlers
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

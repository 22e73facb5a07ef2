"""Compiled page templates kept between builds.

Sphinx compiles every Jinja template it renders (the theme's layout, its many partials, the
handbook's overrides) anew in each process: profiled, compiling took about a fifth of a
rebuild after one chapter changed, and as much of a build with nothing to do. Jinja has a
cache for compiled templates (jinja2.FileSystemBytecodeCache) that Sphinx does not configure;
this extension gives the builder's template environment one, in the doctree folder, so that a
`rm -r _build` clears it with everything else. Jinja keys each entry by the template's name
and checks it against a checksum of the template's source, so an edited template is compiled
again; nothing can be served stale.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemBytecodeCache


def use_cache(app) -> None:
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is None:  # builders without templates (latex, gettext, the dummy check)
        return
    folder = Path(app.doctreedir) / "jinja"
    folder.mkdir(parents=True, exist_ok=True)
    environment.bytecode_cache = FileSystemBytecodeCache(str(folder))


def setup(app):
    app.connect("builder-inited", use_cache)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

"""The same sources give the same EPUB, byte for byte.

Sphinx's EPUB builder (builders/_epub_base.py, build_epub) zips the book with each file's
modification time, which is the build's time for every generated page, so two builds of one
commit differ. The texts are already the same (Sphinx dates the package from
SOURCE_DATE_EPOCH, which the build sets to the edition's release date). This extension, after
the build, writes the archive again with the same entries in the same order and compression,
each dated SOURCE_DATE_EPOCH (conf.py sets it to the edition's release date unless the caller
set it). The PDF's dates come from the same variable (tools/handbook_build.py, latexmk_command).
"""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path


def _timestamp() -> tuple[int, ...]:
    seconds = int(os.environ["SOURCE_DATE_EPOCH"])
    # ZIP dates start in 1980 and carry no time zone: the UTC date and time, as reproducible-builds.org advises
    return max(time.gmtime(seconds)[:6], (1980, 1, 1, 0, 0, 0))


def normalise(path: Path, date_time: tuple[int, ...]) -> None:
    """Rewrite the ZIP at `path` with every entry dated `date_time`."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    partial = path.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w") as target:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=date_time)
            fixed.compress_type = info.compress_type
            fixed.external_attr = 0o644 << 16  # rw-r--r--, whatever the build machine's umask
            target.writestr(fixed, data)
    partial.replace(path)


def on_build_finished(app, exception) -> None:
    if exception is None and app.builder.name == "epub":
        normalise(Path(app.outdir) / f"{app.config.epub_basename}.epub", _timestamp())


def setup(app):
    app.connect("build-finished", on_build_finished)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

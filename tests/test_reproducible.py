"""Two builds of the same commit give byte-identical downloads (the website's files are already
compared by path in the snapshot tests): the EPUB (_ext/reproducible.py) and the PDF
(SOURCE_DATE_EPOCH, tools/handbook_build.py's latexmk_command)."""

from __future__ import annotations

import subprocess
import zipfile

from conftest import hb, run_sphinx


def test_epub_is_the_same_from_a_second_build(epub_path, tmp_path):
    second = run_sphinx("epub", tmp_path / "epub")
    assert second.returncode == 0, second.output[-3000:]
    again = hb.epub_path(second.outdir)
    assert again.read_bytes() == epub_path.read_bytes(), "two EPUB builds of one commit differ"


def test_zip_dates_are_normalised(tmp_path):
    """The normaliser on its own: two archives with the same content and different file dates
    become identical."""
    import reproducible

    archives = []
    for n, when in enumerate([(2001, 1, 1, 0, 0, 0), (2024, 5, 6, 7, 8, 10)]):
        path = tmp_path / f"{n}.zip"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr(zipfile.ZipInfo("mimetype", date_time=when), "application/epub+zip")
            z.writestr(zipfile.ZipInfo("a.xhtml", date_time=when), "<p/>", zipfile.ZIP_DEFLATED)
        archives.append(path)
    assert archives[0].read_bytes() != archives[1].read_bytes()
    for path in archives:
        reproducible.normalise(path, (2026, 12, 3, 0, 0, 0))
    assert archives[0].read_bytes() == archives[1].read_bytes()
    assert zipfile.ZipFile(archives[0]).infolist()[0].compress_type == zipfile.ZIP_STORED


def test_pdf_is_the_same_from_a_second_build(pdf_path, tmp_path):
    second = run_sphinx("latex", tmp_path / "latex")
    assert second.returncode == 0, second.output[-3000:]
    proc = subprocess.run(hb.latexmk_command(second.outdir), capture_output=True, text=True)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    again = second.outdir / pdf_path.name
    assert again.read_bytes() == pdf_path.read_bytes(), "two PDF builds of one commit differ"

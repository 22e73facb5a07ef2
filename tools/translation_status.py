"""How far each translation catalogue is behind the English: fuzzy and untranslated strings.

    python tools/translation_status.py            # one line per catalogue; always exits 0
    python tools/translation_status.py --strict   # exits 1 if any catalogue is incomplete

A fuzzy string is one whose English changed since it was translated (`sphinx-intl update`
marks it); an untranslated one has an empty msgstr. Both are shown in English on the /ko/ and
/zh/ sites, and the page says so (_ext/translations.py reads the same counts). `nox -s lint`
prints the report without failing, since a translation may lag the English between editions;
`--strict` is for a release of a translated edition.

Importable: translations.py and the tests use `status()` and `catalogues()`. Needs only Babel,
which Sphinx itself requires.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
# the interface strings of the handbook's extensions and templates (locales/handbook.pot)
UI_DOMAIN = "handbook"


@dataclass(frozen=True)
class Status:
    path: Path
    total: int
    fuzzy: int
    untranslated: int

    @property
    def complete(self) -> bool:
        return not (self.fuzzy or self.untranslated)

    def line(self, root: Path = ROOT) -> str:
        try:
            shown = self.path.relative_to(root)
        except ValueError:
            shown = self.path
        return f"{shown}: {self.fuzzy} fuzzy, {self.untranslated} untranslated (of {self.total})"


def status(path: Path) -> Status:
    """Counts for one .po file (the header entry is not a string of the text)."""
    with path.open("rb") as handle:
        catalog = read_po(handle, abort_invalid=False)
    fuzzy = untranslated = total = 0
    for message in catalog:
        if not message.id:
            continue
        total += 1
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if not all(s and s.strip() for s in strings):
            untranslated += 1
        elif message.fuzzy:
            fuzzy += 1
    return Status(path, total, fuzzy, untranslated)


def catalogues(locales: Path = LOCALES) -> list[Path]:
    """Every .po file, language by language: locales/<lang>/LC_MESSAGES/**/*.po."""
    return sorted(locales.glob("*/LC_MESSAGES/**/*.po"))


def document_catalogue(language: str, docname: str, locales: Path = LOCALES) -> Path:
    """The catalogue of one page (gettext_compact = False: one per page)."""
    return locales / language / "LC_MESSAGES" / f"{docname}.po"


def main(argv: list[str]) -> int:
    strict = "--strict" in argv
    found = catalogues()
    if not found:
        print(f"no catalogues under {LOCALES}")
        return 0
    incomplete = 0
    for path in found:
        result = status(path)
        incomplete += not result.complete
        print(result.line())
    if incomplete:
        print(f"{incomplete} of {len(found)} catalogues are incomplete; their pages say so, and "
              "show the missing strings in English")
    return 1 if strict and incomplete else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Read CITATION.cff once, check it, and stop on a defect with one line: ``CITATION.cff:LINE: what``.

CITATION.cff is the handbook's one metadata source (title, edition, date, authors, licence,
address). conf.py loads it with :func:`load` and hands the result to every extension as
``handbook_metadata``. A defect would otherwise surface as a Python traceback inside Sphinx's
"programmable error in your configuration file" banner. Sphinx 9 prints a crash report for any
exception raised while conf.py runs, even its own ConfigError, so conf.py does not raise:
:func:`load_or_defer` returns stand-in values that let conf.py finish, and this module, as an
extension, reports the defects at ``config-inited`` as ordinary errors (``CITATION.cff:20:
...``) and stops the build with Sphinx's exit status for errors, as _ext/bibcheck.py does.

Checks: the YAML parses; the file satisfies the Citation File Format 1.2.0 schema that
cffconvert ships (the same check GitHub and Zenodo make); and the handbook's own rules: a
version, an ISO date-released, an https url, and an abstract, since every page's citation
and description are made from them. A person with only ``family-names`` is valid CFF and is
kept; ``given-names`` is then empty, and the citation formats print the family name alone.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import yaml
from sphinx.errors import ConfigError
from sphinx.util import logging

import handbook_build as hb

logger = logging.getLogger(__name__)
# what conf.py uses while a broken CITATION.cff waits to be reported
STAND_IN = {"cff-version": "1.2.0", "title": "(CITATION.cff has errors)", "version": "0",
            "date-released": "1970-01-01", "authors": [{"name": "(CITATION.cff has errors)"}],
            "url": "https://example.invalid/", "abstract": "(CITATION.cff has errors)",
            "license": "CC-BY-4.0"}

SCHEMA_VERSION = "1.2.0"
REQUIRED = ("title", "version", "date-released", "authors", "url", "abstract", "license")


def _lines(text: str) -> dict[tuple, int]:
    """The line of every key and list item in the YAML, by path: ("authors", 0, "name")."""
    found: dict[tuple, int] = {}

    def walk(node, path):
        found.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                found[(*path, key.value)] = key.start_mark.line + 1
                walk(value, (*path, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    root = yaml.compose(text)
    if root is not None:
        walk(root, ())
    return found


def _schema() -> dict | None:
    try:
        import cffconvert
    except ImportError:  # the build does not need it; the tests and lint install it
        return None
    path = Path(cffconvert.__file__).parent / "schemas" / SCHEMA_VERSION / "schema.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def problems(text: str) -> list[tuple[int, str]]:
    """(line, message) for each defect of a CITATION.cff text; empty when it is sound."""
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        return [(mark.line + 1 if mark else 1, f"not valid YAML: {err.problem or err}")]
    if not isinstance(data, dict):
        return [(1, "must be a YAML mapping of keys (cff-version, title, ...)")]
    lines = _lines(text)
    found = [(1, f"'{key}' is missing: the handbook's citations and pages need it")
             for key in REQUIRED if key not in data]
    released = data.get("date-released")
    if released is not None and not isinstance(released, date):
        try:
            date.fromisoformat(str(released))
        except ValueError:
            found.append((lines.get(("date-released",), 1),
                          f"date-released '{released}' is not an ISO date (YYYY-MM-DD)"))
    url = str(data.get("url", ""))
    if "url" in data and not re.match(r"https://[^\s/]+\.[^\s]+$", url):
        found.append((lines.get(("url",), 1), f"url '{url}' is not an https address"))
    for i, author in enumerate(data.get("authors") or []):
        if isinstance(author, dict) and not (author.get("name") or author.get("family-names")):
            found.append((lines.get(("authors", i), 1), "an author needs 'name' (an organisation) "
                          "or 'family-names' (a person)"))
    schema = _schema()
    if schema is not None and not found:
        import jsonschema

        # the schema expects dates as strings, as JSON has no date type
        plain = json.loads(json.dumps(data, default=str))
        for err in sorted(jsonschema.Draft7Validator(schema).iter_errors(plain), key=lambda e: list(e.path)):
            path = tuple(err.path)
            while path and path not in lines:
                path = path[:-1]
            where = "/".join(str(p) for p in err.path) or "the file"
            found.append((lines.get(path, 1), f"{where}: {err.message} (Citation File Format {SCHEMA_VERSION})"))
    return found


def load(path: Path) -> dict:
    """The checked metadata, or a ConfigError naming the file, the line and the defect."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path.name}:1: cannot be read as UTF-8 text ({err})") from None
    stamp = hb.passed_check(path.parent, "citation-cff", path, Path(__file__))  # checked, unchanged
    found = [] if stamp.is_file() else problems(text)
    if found:
        raise ConfigError("\n".join(f"{path.name}:{line}: {message}" for line, message in found))
    if not stamp.is_file():
        hb.record_pass(stamp)
    data = yaml.safe_load(text)
    for author in data["authors"]:
        if "family-names" in author:
            author.setdefault("given-names", "")
    return data


def load_or_defer(path: Path) -> tuple[dict, list[str]]:
    """For conf.py: the metadata and no problems, or stand-in values and the problems, which
    the extension below reports once Sphinx is ready to report errors."""
    try:
        return load(path), []
    except ConfigError as err:
        return dict(STAND_IN), str(err).splitlines()


def report(app, config) -> None:
    for problem in config.handbook_metadata_problems:
        location, _, message = problem.partition(": ")
        logger.error(message, location=str(Path(config.handbook_metadata_file).parent / location)
                     if config.handbook_metadata_file else location)
    if config.handbook_metadata_problems:
        raise SystemExit(2)  # an exception would be reported as a crash (see the module's doc)


def setup(app):
    app.add_config_value("handbook_metadata_problems", [], "env", types=[list])
    app.add_config_value("handbook_metadata_file", "", "env", types=[str])
    app.connect("config-inited", report, priority=100)  # before anything reads the metadata
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

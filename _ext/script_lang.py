"""Mark Korean and Chinese words with their language in the HTML: <span lang="ko">조선</span>.

Why: a browser picks fonts by language, so with lang set it uses a Korean face for Hangul and a
Chinese one for Han (_static/handbook.css names them, with fallbacks on every platform), and a
screen reader switches its voice instead of spelling the characters out. The sources stay plain
MyST: runs of Hangul become lang="ko" and runs of Han lang="zh". docutils' HTML writer turns a
"language-xx" class into a lang attribute, so this only adds inline nodes with that class. HTML
and EPUB only: the PDF gives Hangul and Han their font in LuaLaTeX (_latex/handbook.sty, section 2).
On a translated page of the Korean or Chinese site, whose <html lang> is ko or zh-Hans, the
runs of that script are the page's own language and stay unmarked; the other script's are marked.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

# Hangul syllables, jamo and compatibility jamo; CJK unified ideographs and extension A. Spaces
# between two runs of the same script stay inside one span ("불법 월경자" is one term).
HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3"
HAN = "\u3400-\u4dbf\u4e00-\u9fff"
RUNS = re.compile(rf"(?P<ko>[{HANGUL}]+(?:\s+[{HANGUL}]+)*)|(?P<zh>[{HAN}]+(?:\s+[{HAN}]+)*)")
SKIP = (nodes.literal, nodes.literal_block, nodes.raw, nodes.comment, nodes.math, nodes.math_block)


class MarkScriptLanguage(SphinxPostTransform):
    default_priority = 900  # after references are resolved: their text is final
    formats = ("html",)

    def own_script(self) -> str | None:
        """On a page of the Korean or Chinese site (_ext/translations.py) that is translated,
        the page's own script ("ko" or "zh"): <html lang> says it already, and its runs need no
        span of their own. None on an English page, or on the English text of an untranslated
        page of those sites (whose Korean and Chinese terms still need their spans)."""
        here = (getattr(self.config, "handbook_translations", None) or {}).get(self.config.language)
        if not here or self.env.current_document.docname not in self.config.handbook_translated_docs:
            return None
        return here["tag"].split("-")[0]

    def run(self, **kwargs) -> None:
        own = self.own_script()
        for text in list(self.document.findall(nodes.Text)):
            parent = text.parent
            if parent is None or isinstance(parent, SKIP) or not RUNS.search(text):
                continue
            if "language-ko" in parent.get("classes", []) or "language-zh" in parent.get("classes", []):
                continue  # marked by hand already
            pieces: list[nodes.Node] = []
            pos = 0
            for match in RUNS.finditer(text):
                if match.lastgroup == own:
                    continue  # the page's own language: left in the text around it
                if match.start() > pos:
                    pieces.append(nodes.Text(text[pos:match.start()]))
                lang = match.lastgroup
                pieces.append(nodes.inline(match.group(), match.group(), classes=[f"language-{lang}"]))
                pos = match.end()
            if pos < len(text):
                pieces.append(nodes.Text(text[pos:]))
            if len(pieces) > 1 or not isinstance(pieces[0], nodes.Text):
                parent.replace(text, pieces)


def setup(app: Sphinx):
    app.add_post_transform(MarkScriptLanguage)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

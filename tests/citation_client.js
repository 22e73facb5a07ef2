// Reads citations as a reference manager does, with citation-js (pinned in package.json), and
// renders them with the handbook's vendored CSL styles (_ext/csl/).
// stdin: {"styles": {"name": "path.csl"}, "inputs": [{"name": ..., "text": ...}]}
// stdout: [{"name": ..., "items": [CSL-JSON], "rendered": {"style name": ["text", ...]}}]
'use strict';
const fs = require('fs');
const { Cite, plugins } = require('@citation-js/core');
require('@citation-js/plugin-bibtex');
require('@citation-js/plugin-ris');
require('@citation-js/plugin-cff');
require('@citation-js/plugin-csl');
// as a reference manager set to store titles in sentence case (Zotero's convention): BibTeX
// titles are headline-style with their names in braces, and become "Forced repatriation of ..."
plugins.config.get('@bibtex').parse.sentenceCase = 'english';

const job = JSON.parse(fs.readFileSync(0, 'utf8'));
const styles = plugins.config.get('@csl').styles;
for (const [name, path] of Object.entries(job.styles)) styles.add(name, fs.readFileSync(path, 'utf8'));
const out = job.inputs.map(({ name, text, type }) => {
  const cite = new Cite(type === 'csl' ? JSON.parse(text) : text);
  const items = cite.data.map(({ _graph, ...item }) => item);
  const rendered = {};
  for (const style of Object.keys(job.styles)) {
    rendered[style] = cite.data.map(item => new Cite(item).format('bibliography',
      { format: 'text', template: style, lang: 'en-US' }).trim());
  }
  return { name, items, rendered };
});
process.stdout.write(JSON.stringify(out));

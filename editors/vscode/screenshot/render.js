// Renders a contract as an editor would show it, for the screenshot of docs/editors.md.
//
//   node screenshot/render.js FILE.sla DIAGNOSTICS.json [FIRST LAST] > page.html
//
// The text is tokenized by this extension's TextMate grammar with vscode-textmate and
// vscode-oniguruma, the tokenizer VS Code itself uses, and each scope is coloured as VS
// Code's default dark theme (Dark+) colours it. DIAGNOSTICS.json is the output of
// `rulebook check --json` for the file: each diagnostic is drawn as a squiggle under its
// span, and the first one's message in a box below its line, as the editor's hover shows
// it. This is a page drawn from those parts, not a capture of VS Code.
"use strict";

const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const COLOURS = [
  // scope prefix, Dark+ colour
  ["comment", "#6a9955"],
  ["string", "#ce9178"],
  ["constant.character.escape", "#d7ba7d"],
  ["storage.modifier", "#569cd6"],
  ["constant.numeric", "#b5cea8"],
  ["constant.language", "#569cd6"],
  ["keyword.declaration", "#569cd6"],
  ["keyword.operator", "#d4d4d4"],
  ["keyword", "#c586c0"],
];

function colour(scopes) {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const found = COLOURS.find(([prefix]) => scopes[i].startsWith(prefix));
    if (found) return found[1];
  }
  return "#d4d4d4";
}

function escape(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

async function main() {
  const [file, diagnosticsFile, first, last] = process.argv.slice(2);
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => {
      const source = path.join(__dirname, "..", "syntaxes", "sla.tmLanguage.json");
      return vsctm.parseRawGrammar(fs.readFileSync(source, "utf8"), source);
    },
  });
  const grammar = await registry.loadGrammar("source.sla");
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const report = diagnosticsFile ? JSON.parse(fs.readFileSync(diagnosticsFile, "utf8")) : {};
  const diagnostics = (report.diagnostics || []).filter((d) => d.file.endsWith(path.basename(file)));
  let state = vsctm.INITIAL;
  const rows = [];
  lines.forEach((line, index) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    const marks = diagnostics.filter((d) => d.line === index + 1);
    let html = "";
    for (const token of result.tokens) {
      const text = line.slice(token.startIndex, token.endIndex);
      const squiggle = marks.some(
        (d) => token.startIndex < d.end_column - 1 && d.column - 1 < token.endIndex
      );
      const style = `color:${colour(token.scopes)}` + (squiggle ? ";text-decoration:underline wavy #f14c4c" : "");
      html += `<span style="${style}">${escape(text)}</span>`;
    }
    const shown = (!first || index + 1 >= Number(first)) && (!last || index + 1 <= Number(last));
    if (!shown) return;
    rows.push(`<div class="line"><span class="no">${index + 1}</span>${html || " "}</div>`);
    if (marks.length && marks[0] === diagnostics[0]) {
      const d = marks[0];
      rows.push(
        `<div class="hover"><b>${escape(d.message)}</b> rulebook(${escape(d.code)})` +
          (d.hint ? `<br>hint: ${escape(d.hint)}` : "") + `</div>`
      );
    }
  });
  const problems = diagnostics
    .map((d) => `<div>✖ ${escape(d.message)} <span class="dim">rulebook(${escape(d.code)}) [Ln ${d.line}, Col ${d.column}]</span></div>`)
    .join("");
  process.stdout.write(`<!doctype html><meta charset="utf-8"><style>
html,body{margin:0;background:#1e1e1e;font:14px/20px "DejaVu Sans Mono","Noto Sans Mono CJK JP",monospace;color:#d4d4d4}
.tab{background:#252526;color:#fff;padding:6px 14px;font-family:sans-serif;font-size:13px}
.line{white-space:pre}.no{display:inline-block;width:3.5em;color:#858585;text-align:right;margin-right:1.5em}
.hover{margin:2px 0 4px 5em;padding:6px 10px;background:#252526;border:1px solid #454545;white-space:normal;max-width:900px}
.panel{border-top:1px solid #444;padding:6px 14px;font-family:sans-serif;font-size:13px}.dim{color:#858585}
</style><div class="tab">${escape(path.basename(file))}</div>${rows.join("\n")}
<div class="panel"><div class="dim">PROBLEMS ${diagnostics.length}</div>${problems}</div>`);
}

main().catch((error) => {
  process.stderr.write(`render.js: ${error.message}\n`);
  process.exit(1);
});

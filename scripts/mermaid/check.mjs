// Check Mermaid diagrams with Mermaid's own parser (no browser: jsdom provides the DOM that
// mermaid's module needs to load). Reads one JSON string per line on stdin (a diagram's text),
// writes one JSON object per line on stdout: {"ok": true, "type": "flowchart-v2"} or
// {"ok": false, "error": "..."}. Used by the tests of `odibi graph --format mermaid`.
import { createInterface } from "node:readline";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let result;
  try {
    const parsed = await mermaid.parse(JSON.parse(line));
    result = { ok: true, type: parsed.diagramType };
  } catch (error) {
    result = { ok: false, error: String((error && error.message) || error) };
  }
  process.stdout.write(JSON.stringify(result) + "\n");
}

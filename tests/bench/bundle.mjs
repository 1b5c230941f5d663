// Bundle size (not a test): every file the built site serves, raw and gzip -9, and what a cold trace
// link downloads before its first frame. The site is what `make build` wrote (dist/, or SPANLENS_DIST).
//
//   node tests/bench/bundle.mjs             # table in Markdown, JSON in target/bench/bundle.json
//
// "First view" counts what index.html loads on a trace link: the page, its CSS and icon, the app's
// JS, main wasm module and the chunks' loader, and the parsing worker's loader, JS and wasm; not the
// app's wasm chunks (app-<hash>-split/*.wasm), which other views and pages fetch on first use
// (src/chunks). The sample
// traces copied next to the site (public/samples) are data, not code: listed, but left out of the
// totals.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { OUT } from "./lib.mjs";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const DIST = path.resolve(ROOT, process.env.SPANLENS_DIST || "dist");

function walk(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else out.push(full);
  }
  return out;
}

if (!fs.existsSync(path.join(DIST, "index.html"))) {
  console.error(`bundle: no built site at ${DIST}; run \`make build\` first`);
  process.exit(1);
}

const files = walk(DIST)
  .map((file) => {
    const bytes = fs.readFileSync(file);
    const rel = path.relative(DIST, file);
    return { file: rel, raw: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length, data: rel.startsWith("samples/") };
  })
  .sort((a, b) => b.gzip - a.gzip);

const MiB = 1024 * 1024;
const code = files.filter((f) => !f.data);
const total = code.reduce((s, f) => s + f.gzip, 0);
const totalRaw = code.reduce((s, f) => s + f.raw, 0);
const kb = (n) => (n / 1000).toFixed(1) + " kB";
const chunk = (f) => /^app-[0-9a-f]+-split\/.+\.wasm$/.test(f.file);
const firstView = code.filter((f) => !chunk(f));
const firstViewGzip = firstView.reduce((s, f) => s + f.gzip, 0);
const firstViewRaw = firstView.reduce((s, f) => s + f.raw, 0);

console.log(`| file | raw | gzip -9 |`);
console.log(`|---|---:|---:|`);
for (const f of files) console.log(`| ${f.file}${f.data ? " (data)" : ""} | ${kb(f.raw)} | ${kb(f.gzip)} |`);
console.log(`| **first view (a trace link)** | ${kb(firstViewRaw)} | **${(firstViewGzip / MiB).toFixed(3)} MiB** (${kb(firstViewGzip)}) |`);
console.log(`| **site (code)** | ${kb(totalRaw)} | **${(total / MiB).toFixed(3)} MiB** (${kb(total)}) |`);

fs.mkdirSync(OUT, { recursive: true });
fs.writeFileSync(path.join(OUT, "bundle.json"), JSON.stringify({ dist: DIST, totalGzipBytes: total, totalRawBytes: totalRaw, firstViewGzipBytes: firstViewGzip, firstViewRawBytes: firstViewRaw, files }, null, 2));

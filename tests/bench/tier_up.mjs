// Profiling aid (not a test, not a benchmark): which wasm functions V8 optimizes during a cold deep
// link, and how long each took to optimize. V8 runs a new module in its baseline tier (Liftoff) and
// compiles a function with its optimizing tier (TurboFan) on a background thread once the function
// has run long enough; a call already running keeps the baseline code (there is no on-stack
// replacement for wasm). On two cores that background work competes with the worker and the page,
// and a large function queued early holds back the optimization of the hot ones behind it.
//
//   node tests/bench/tier_up.mjs 100k jaeger       # ?url= link, one run (LINK=backend: /trace/<id>?backend=)
//   SPANLENS_DIST=dist-prof TOP=30 node tests/bench/tier_up.mjs 1m jaeger
//
// With a names build (see DEVELOPERS.md, "function names") the function indices are named, through
// binaryen's `wasm-dis` from node_modules. Times are wall-clock per compile, so they stretch when the
// machine is busy: compare builds run by run. "done ≤" is when V8's line about that compile reached this
// script, in ms after navigation, beside the page's marks: an upper bound, as the renderer's output
// comes in buffered batches.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, DIST, PROJECT_ROOT } from "../e2e/lib/browser.mjs";
import { serveCase } from "./cold_cases.mjs";

const TOP = Number(process.env.TOP || 12);

/** Function names by index (imports first), or null for a stripped module. */
function functionNames(file) {
  const dis = path.join(PROJECT_ROOT, "node_modules/.bin/wasm-dis");
  if (!fs.existsSync(dis)) return null;
  const text = execFileSync(dis, [file], { maxBuffer: 1 << 30, encoding: "utf8" });
  const names = [];
  for (const line of text.split("\n")) {
    const m = line.match(/^ \((?:import "[^"]*" "[^"]*" )?\(?func \$(\S+)/);
    if (m) names.push(m[1].replace(/^"|"$/g, ""));
  }
  return names.some((n) => n.includes("::")) ? names : null;
}

/** Each function's body size in bytes, by function index (imports first, sized 0), from the binary. */
function bodySizes(file) {
  const b = fs.readFileSync(file);
  let p = 8; // magic and version
  const leb = () => {
    let value = 0;
    let shift = 0;
    let byte;
    do {
      byte = b[p++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  const skipName = () => {
    const length = leb();
    p += length;
  };
  const limits = () => {
    const flags = leb();
    leb();
    if (flags & 1) leb();
  };
  const sizes = [];
  while (p < b.length) {
    const id = b[p++];
    const size = leb();
    const end = p + size;
    if (id === 2) {
      // Imports: only functions take a function index.
      for (let n = leb(); n > 0; n--) {
        skipName();
        skipName();
        const kind = b[p++];
        if (kind === 0) {
          leb();
          sizes.push(0);
        } else if (kind === 1) {
          p++;
          limits();
        } else if (kind === 2) limits();
        else if (kind === 3) p += 2;
        else if (kind === 4) {
          p++;
          leb();
        }
      }
    } else if (id === 10) {
      for (let n = leb(); n > 0; n--) {
        const body = leb();
        sizes.push(body);
        p += body;
      }
    }
    p = end;
  }
  return sizes;
}

const modules = fs
  .readdirSync(DIST)
  .filter((f) => f.endsWith(".wasm"))
  .map((f) => ({ file: f, names: functionNames(path.join(DIST, f)), sizes: bodySizes(path.join(DIST, f)) }));

const args = process.argv.slice(2);
const { server, link, size, shape } = await serveCase("tier_up.mjs", [args[0] ?? "100k", args[1]]);
const kind = link.startsWith("/trace/") ? "?backend=" : "?url=";
// A browser server, so that its process's stdout (where V8 prints) can be read.
const browserServer = await chromium.launchServer({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: [...CHROMIUM_ARGS, "--js-flags=--trace-wasm-compilation-times"],
  headless: true,
});
// Each line of V8's output with when it reached us (ms since the epoch): no sooner than that compile ended.
const lines = [];
let partial = "";
browserServer.process().stdout.on("data", (d) => {
  const now = Date.now();
  const text = partial + d;
  const cut = text.lastIndexOf("\n");
  for (const line of text.slice(0, cut + 1).split("\n")) if (line) lines.push([now, line]);
  partial = text.slice(cut + 1);
});
let navigationEpochMillis = 0;
let marks = {};
try {
  const browser = await chromium.connect(browserServer.wsEndpoint());
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  await page.goto(server.url + link);
  await page.waitForFunction(() => performance.getEntriesByName("spanlens:first-paint").length > 0, null, { timeout: 600_000 });
  ({ navigationEpochMillis, marks } = await page.evaluate(() => ({
    navigationEpochMillis: performance.timeOrigin,
    marks: Object.fromEntries(performance.getEntriesByType("mark").map((m) => [m.name.replace("spanlens:", ""), Math.round(m.startTime)])),
  })));
  await new Promise((r) => setTimeout(r, 500)); // the last compiles' lines
  await browser.close();
  const shown = ["app:start", "load:first-chunk", "load:fetched", "load:received", "parsed", "first-paint"];
  console.log(`${size} ${shape} ${kind} link (ms after navigation): ${shown.map((m) => `${m} ${marks[m]}`).join(", ")}`);
} finally {
  await browserServer.close();
  await server.close();
}

// "Compiled function 0x…#52 using TurboFan, took 135954 μs and … bodysize 47508 codesize …"
const byModule = new Map();
for (const [epochMillis, line] of lines) {
  const m = line.match(/function (0x[0-9a-f]+)#(\d+) using TurboFan, took (\d+) .*?bodysize (\d+)/);
  if (!m) continue;
  const list = byModule.get(m[1]) || [];
  const doneAt = Math.round(epochMillis - navigationEpochMillis);
  list.push({ index: Number(m[2]), ms: Number(m[3]) / 1000, bodyBytes: Number(m[4]), doneAt });
  byModule.set(m[1], list);
}
for (const list of byModule.values()) {
  const total = list.reduce((s, f) => s + f.ms, 0);
  // V8 names the module by an address; the module is the one whose function bodies have the sizes V8
  // gives at those indices (the app and the worker are both named by their files this way, stripped or
  // not; a names build also names the functions).
  const mod = modules.find((m) => list.every((f) => m.sizes[f.index] === f.bodyBytes)) ?? null;
  console.log(`\n${mod ? mod.file : "a module"}: ${list.length} functions optimized, ${total.toFixed(0)} ms`);
  for (const f of list.sort((a, b) => b.ms - a.ms).slice(0, TOP)) {
    const name = mod?.names ? (mod.names[f.index] ?? "?").replace(/::h[0-9a-f]{16}$/, "") : "";
    console.log(`  ${f.ms.toFixed(1).padStart(7)} ms  done ≤ ${String(f.doneAt).padStart(5)}  #${String(f.index).padEnd(5)} ${String(f.bodyBytes).padStart(6)} B  ${name}`);
  }
}

// Browser benchmark harness (not a test): feeds `spanlens gen` traces to the built app in headless
// Chromium and reports, per size, time from load start to the first waterfall frame, heap after load,
// and frame times while scrolling 20 screens and zooming 10 times.
//
//   make bench-browser                 # builds dist/ and the CLI, then runs every size
//   node tests/bench/run.mjs 100k      # one size: 10k 100k 1m deep100k
//   RUNS=5 node tests/bench/run.mjs    # runs per size (median reported)
//   VIA=url node tests/bench/run.mjs    # load through ?url= instead of the file picker
//   COLD=1 node tests/bench/run.mjs     # pick the file before the JIT warm-up has finished
//   node tests/bench/run.mjs reopen 1m  # memory: load, close the source, load the same size again
//   node tests/bench/run.mjs search1500 # a Jaeger search answer of 1,500 traces x 20 spans, cold page
//
// Results print as a Markdown table for BENCHMARKS.md and as JSON in target/bench/browser.json.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { startServer } from "../e2e/lib/server.mjs";
import { launch, DIST } from "../e2e/lib/browser.mjs";
import { OUT, RUNS, cli, generate, median, pct } from "./lib.mjs";

const CASES = {
  "10k": { spans: 10_000, args: [] },
  "100k": { spans: 100_000, args: [] },
  "1m": { spans: 1_000_000, args: [] },
  deep100k: { spans: 100_000, args: ["--deep-chain"] },
  // About 100 MB of OTLP JSON: the size the importer issue asks the page to stay responsive at.
  "100mb": { spans: 270_000, args: [] },
};
// "file": pick the file with the "Open files" input, as a user dropping a file would (the worker
// reads it directly); "url": load it with ?url= (adds a fetch on the UI thread).
const VIA = process.env.VIA || "file";
const COLD = process.env.COLD === "1";

async function measureOnce(browser, baseUrl, name) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  if (VIA === "url") {
    await page.goto(`${baseUrl}/?url=/bench/gen-${name}.json`, { timeout: 600_000 });
  } else {
    await page.addInitScript(() => {
      // Main-thread tasks over 50 ms while loading: what makes a page feel frozen.
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: "longtask", buffered: true });
    });
    await page.goto(`${baseUrl}/`);
    // A user picks a file a moment after the page opened, by which time the parsing worker and the
    // UI thread have run their JIT warm-up; COLD=1 picks the file at once instead.
    if (!COLD) await page.waitForFunction(() => performance.getEntriesByName("spanlens:warm").length > 0, null, { timeout: 60_000 });
    await page.getByTestId("file-input").setInputFiles(path.join(OUT, `gen-${name}.json`));
  }
  await page.waitForSelector("[data-testid=waterfall][data-painted-rows]", { timeout: 600_000 });
  await page.waitForFunction(() => performance.getEntriesByName("spanlens:first-paint").length > 0, null, { timeout: 600_000 });
  const marks = await page.evaluate(() => {
    const t = (n) => performance.getEntriesByName(n)[0]?.startTime ?? NaN;
    const d = (n) => performance.getEntriesByName(n)[0]?.duration ?? NaN;
    return {
      start: t("spanlens:load:start"),
      fetched: t("spanlens:load:fetched"),
      received: t("spanlens:load:received"),
      parsed: t("spanlens:parsed"),
      paint: t("spanlens:first-paint"),
      workerImport: d("spanlens:worker:import"),
      workerRead: d("spanlens:worker:read"),
    };
  });
  // Long tasks between load start and the result arriving (reading and parsing), and after it
  // (decoding the result and building the view).
  const longTasks = await page.evaluate(() => window.__longTasks || []);
  const during = longTasks.filter((t) => t.start >= marks.start && t.start + t.duration < marks.received);
  const after = longTasks.filter((t) => t.start + t.duration >= marks.received && t.start <= marks.paint + 1);
  // Let the worker terminate and GC settle before reading the heap.
  await page.waitForTimeout(500);
  await cdp.send("HeapProfiler.collectGarbage").catch(() => {});
  const metrics = Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
  const wasmBytes = await page.evaluate(() => window.wasmBindings?.spanlens_wasm_memory_bytes?.() ?? NaN);

  const drawsBefore = await page.evaluate(() => performance.getEntriesByName("spanlens:draw").length);
  // Scroll 20 screens, one wheel event per animation frame, recording frame intervals in the page.
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const loop = (now) => {
      window.__frames.push(now - last);
      last = now;
      if (window.__recording) requestAnimationFrame(loop);
    };
    window.__recording = true;
    requestAnimationFrame(loop);
  });
  const box = await page.locator(".sl-wf__canvas").boundingBox();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
  for (let i = 0; i < 20; i++) {
    await page.mouse.wheel(0, box.height - 40);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  }
  const scrollDraws = await page.evaluate((n) => performance.getEntriesByName("spanlens:draw").slice(n).map((e) => e.duration), drawsBefore);
  const drawsMid = drawsBefore + scrollDraws.length;
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press("+");
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  }
  const zoomDraws = await page.evaluate((n) => performance.getEntriesByName("spanlens:draw").slice(n).map((e) => e.duration), drawsMid);
  const frames = await page.evaluate(() => {
    window.__recording = false;
    return window.__frames.slice(1);
  });
  const interactions = await measureInteractions(page);
  await context.close();
  return {
    firstFrameMs: marks.paint - marks.start,
    parseMs: marks.parsed - marks.start,
    fetchMs: VIA === "url" ? marks.fetched - marks.start : 0,
    workerImportMs: marks.workerImport,
    workerReadMs: marks.workerRead,
    decodeMs: marks.parsed - marks.received,
    viewMs: marks.paint - marks.parsed,
    longestTaskWhileLoadingMs: Math.max(0, ...during.map((t) => t.duration)),
    longTasksWhileLoading: during.length,
    longestTaskAfterLoadMs: Math.max(0, ...after.map((t) => t.duration)),
    jsHeapMB: metrics.JSHeapUsedSize / 1024 ** 2,
    wasmHeapMB: wasmBytes / 1024 ** 2,
    scrollDrawP50: pct(scrollDraws, 0.5),
    scrollDrawP95: pct(scrollDraws, 0.95),
    zoomDrawP50: pct(zoomDraws, 0.5),
    zoomDrawP95: pct(zoomDraws, 0.95),
    frameIntervalP95: pct(frames, 0.95),
    draws: scrollDraws.length + zoomDraws.length,
    ...interactions,
    errors,
  };
}

/** Time from an input event to the frame after it has been drawn (like Interaction to Next Paint),
 *  for layout changes: collapse and expand (the root, then a span a few levels down), find, and
 *  hiding the spans that do not match. The events are dispatched inside the page so no DevTools
 *  round trip is counted. */
async function measureInteractions(page) {
  await page.keyboard.press("0");
  return page.evaluate(async () => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const key = (k) => window.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
    const timed = async (action) => {
      await frame();
      const t0 = performance.now();
      action();
      await frame();
      return performance.now() - t0;
    };
    const out = {};
    key("j");
    out.collapseRootMs = await timed(() => key("ArrowLeft"));
    out.expandRootMs = await timed(() => key("ArrowRight"));
    for (let i = 0; i < 3; i++) key("j");
    out.collapseSpanMs = await timed(() => key("ArrowLeft"));
    out.expandSpanMs = await timed(() => key("ArrowRight"));
    const input = document.querySelector("[data-testid=find-input]");
    out.findMs = await timed(() => {
      input.value = "SELECT";
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
    const hide = document.querySelector("[data-testid=hide-unmatched]");
    out.hideUnmatchedMs = await timed(() => hide.click());
    out.showAllMs = await timed(() => hide.click());
    return out;
  });
}

/** Loads a file, closes its source, loads a file of the same size again, and reports the UI thread's
 *  wasm memory after each load: wasm memory never shrinks, so the second load must reuse what the
 *  first one freed (the target is at most 10% growth). */
async function measureReopen(browser, baseUrl, name) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const cdp = await context.newCDPSession(page);
  const file = path.join(OUT, `gen-${name}.json`);
  const wasm = async () => {
    await page.waitForTimeout(500);
    await cdp.send("HeapProfiler.collectGarbage").catch(() => {});
    return page.evaluate(() => window.wasmBindings?.spanlens_wasm_memory_bytes?.() ?? NaN);
  };
  const loadAndPaint = async (n) => {
    await page.getByTestId("file-input").setInputFiles(file);
    await page.waitForFunction((k) => performance.getEntriesByName("spanlens:first-paint").length >= k, n, { timeout: 600_000 });
  };
  await page.goto(`${baseUrl}/`);
  await page.waitForFunction(() => performance.getEntriesByName("spanlens:warm").length > 0, null, { timeout: 60_000 });
  await loadAndPaint(1);
  const first = await wasm();
  await page.getByRole("link", { name: "spanlens home" }).click();
  await page.getByTestId("close-source").click();
  await page.getByTestId("dropzone").waitFor();
  await page.waitForFunction(() => !document.querySelector("[data-testid=trace-list]"));
  await loadAndPaint(2);
  const second = await wasm();
  await context.close();
  if (errors.length) throw new Error(`${name}: page errors: ${errors.join("; ")}`);
  return { firstMB: first / 1024 ** 2, secondMB: second / 1024 ** 2, growth: second / first - 1 };
}

async function mainReopen(names) {
  const bin = cli();
  for (const name of names) generate(bin, name, CASES[name]);
  const server = await startServer({ root: DIST, mounts: { "/bench/": OUT } });
  const browser = await launch();
  try {
    console.log("| case | wasm memory after load 1 | after closing it and loading again | growth |");
    console.log("|---|---|---|---|");
    for (const name of names) {
      const r = await measureReopen(browser, server.url, name);
      console.log(`| ${name} | ${r.firstMB.toFixed(0)} MB | ${r.secondMB.toFixed(0)} MB | ${(100 * r.growth).toFixed(1)}% |`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

/** A cold page opened on a Jaeger search link whose answer is 1,500 traces of 20 spans (Jaeger UI's
 *  largest page, 22 MB): time from the answer's last byte to the list and scatter plot drawn, and the
 *  longest main-thread task in between; then the phases in between, each from the last byte: the body
 *  handed to the parsing worker, the worker's parse, its summaries back, the result rows built. */
async function mainSearch() {
  const bin = cli();
  const otlp = generate(bin, "search1500-otlp", { spans: 30_000, args: [] , traces: 1500 });
  const answer = path.join(OUT, "search1500-jaeger.json");
  if (!fs.existsSync(answer)) {
    fs.writeFileSync(answer, execFileSync(bin, ["convert", otlp, "--to", "jaeger-json"], { maxBuffer: 1024 ** 3 }));
  }
  const body = fs.readFileSync(answer);
  const backend = (req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/config.json") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ backends: [{ name: "bench", kind: "jaeger", url: "/bench-jaeger" }] }));
    }
    if (url.pathname === "/bench-jaeger/api/services") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ data: ["frontend"], total: 1, limit: 0, offset: 0, errors: null }));
    }
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(body);
  };
  const server = await startServer({ root: DIST, handlers: { "/config.json": backend, "/bench-jaeger/": backend } });
  const browser = await launch();
  const runs = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      await page.addInitScript(() => {
        window.__longTasks = [];
        new PerformanceObserver((list) => {
          for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
        }).observe({ type: "longtask", buffered: true });
      });
      await page.goto(`${server.url}/search?backend=bench&lookback=1h`);
      await page.waitForSelector("[data-search-results][data-count='1500']", { timeout: 120_000 });
      await page.waitForSelector("[data-scatter-points='1500']");
      const r = await page.evaluate(
        () =>
          new Promise((resolve) =>
            requestAnimationFrame(() =>
              requestAnimationFrame(() => {
                const drawn = performance.now();
                const answer = performance.getEntriesByType("resource").find((e) => e.name.includes("/bench-jaeger/api/traces"));
                const end = answer?.responseEnd ?? NaN;
                const tasks = window.__longTasks.filter((t) => t.start + t.duration >= end);
                // Phases after the last byte (marks from src/state/backend_search_run.rs; NaN on a
                // build that parses on the UI thread): handed to the worker, summaries back, rows built.
                const at = (n) => (performance.getEntriesByName(n)[0]?.startTime ?? NaN) - end;
                const parseEntry = performance.getEntriesByName("spanlens:search:worker-parse")[0];
                const parse = parseEntry?.duration ?? NaN;
                // Negative: the worker was ready before the last byte (it was started with the page).
                const ready = performance.getEntriesByName("spanlens:worker:ready")[0]?.startTime;
                resolve({
                  drawnAfterBodyMs: drawn - end,
                  longestTaskMs: Math.max(0, ...tasks.map((t) => t.duration)),
                  bytes: answer?.encodedBodySize,
                  sentMs: at("spanlens:search:body"),
                  answeredMs: at("spanlens:search:answered"),
                  workerParseMs: parse,
                  parseStartMs: (parseEntry?.startTime ?? NaN) - end,
                  readyMs: (ready ?? NaN) - end,
                  rowsMs: at("spanlens:search:rows"),
                  longTasks: tasks.map((t) => `${(t.start - end).toFixed(0)}+${t.duration.toFixed(0)}`).join(" "),
                });
              }),
            ),
          ),
      );
      runs.push(r);
      console.error(
        `search1500 run ${i + 1}: drawn ${r.drawnAfterBodyMs.toFixed(0)} ms after the last byte, longest task ${r.longestTaskMs.toFixed(0)} ms` +
          ` | worker ready ${r.readyMs.toFixed(0)}, body to worker +${r.sentMs.toFixed(0)}, worker parse from +${r.parseStartMs.toFixed(0)}` +
          ` for ${r.workerParseMs.toFixed(0)}, answer +${r.answeredMs.toFixed(0)},` +
          ` rows +${r.rowsMs.toFixed(0)} ms | long tasks (start+ms after the last byte): ${r.longTasks || "none"}`,
      );
      await context.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const med = (k) => median(runs.map((r) => r[k]));
  console.log("| case | body | drawn after last byte | longest task | body to worker | worker parse | answer back | rows built |");
  console.log("|---|---|---|---|---|---|---|---|");
  const ms = (k) => `${med(k).toFixed(0)} ms`;
  console.log(
    `| search1500 | ${(body.length / 1024 ** 2).toFixed(0)} MB | ${ms("drawnAfterBodyMs")} | ${ms("longestTaskMs")} | +${ms("sentMs")} | ${ms("workerParseMs")} | +${ms("answeredMs")} | +${ms("rowsMs")} |`,
  );
}

async function main() {
  if (process.argv[2] === "search1500") return mainSearch();
  if (process.argv[2] === "reopen") return mainReopen(process.argv.slice(3).length ? process.argv.slice(3) : ["1m"]);
  const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(CASES);
  if (!fs.existsSync(path.join(DIST, "index.html"))) throw new Error("dist/ is missing: run `make build`");
  const bin = cli();
  for (const name of wanted) generate(bin, name, CASES[name]);
  const server = await startServer({ root: DIST, mounts: { "/bench/": OUT } });
  const browser = await launch();
  const results = {};
  try {
    for (const name of wanted) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) {
        const r = await measureOnce(browser, server.url, name);
        if (r.errors.length) throw new Error(`${name}: page errors: ${r.errors.join("; ")}`);
        runs.push(r);
        console.error(`${name} run ${i + 1}: first frame ${r.firstFrameMs.toFixed(0)} ms, scroll p95 ${r.scrollDrawP95.toFixed(2)} ms`);
      }
      const med = (k) => median(runs.map((r) => r[k]));
      const bytes = fs.statSync(path.join(OUT, `gen-${name}.json`)).size;
      results[name] = {
        spans: CASES[name].spans,
        fileMB: bytes / 1024 ** 2,
        ...Object.fromEntries(Object.keys(runs[0]).filter((k) => k !== "errors").map((k) => [k, med(k)])),
        runs,
      };
    }
  } finally {
    await browser.close();
    await server.close();
  }
  fs.writeFileSync(path.join(OUT, "browser.json"), JSON.stringify(results, null, 2));
  console.log("\nPhases (medians): fetch → worker import → decode on the UI thread → trace view built and painted\n");
  for (const [name, r] of Object.entries(results)) {
    const f = (x) => (Number.isFinite(x) ? x.toFixed(0) : "n/a");
    console.log(`- ${name}: UI-thread long tasks while reading and parsing: ${r.longTasksWhileLoading} (longest ${f(r.longestTaskWhileLoadingMs)} ms); longest while decoding and building the view: ${f(r.longestTaskAfterLoadMs)} ms`);
    console.log(`- ${name}: fetch ${f(r.fetchMs)} ms, worker file read ${f(r.workerReadMs)} ms, worker import ${f(r.workerImportMs)} ms, decode ${f(r.decodeMs)} ms, view + paint ${f(r.viewMs)} ms`);
  }
  console.log("\nLayout changes, input to next frame (medians):\n");
  console.log("| case | collapse root | expand root | collapse span | expand span | find | hide non-matching | show all |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const [name, r] of Object.entries(results)) {
    const f = (x) => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : "n/a");
    console.log(`| ${name} | ${f(r.collapseRootMs)} | ${f(r.expandRootMs)} | ${f(r.collapseSpanMs)} | ${f(r.expandSpanMs)} | ${f(r.findMs)} | ${f(r.hideUnmatchedMs)} | ${f(r.showAllMs)} |`);
  }
  console.log("");
  console.log("| case | spans | file | parse | first frame | JS heap | wasm heap (UI) | scroll draw p50/p95 | zoom draw p50/p95 | rAF interval p95 |");
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const [name, r] of Object.entries(results)) {
    const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
    console.log(
      `| ${name} | ${r.spans.toLocaleString("en")} | ${f(r.fileMB)} MB | ${f(r.parseMs)} ms | ${f(r.firstFrameMs)} ms | ${f(r.jsHeapMB)} MB | ${f(r.wasmHeapMB)} MB | ${f(r.scrollDrawP50, 2)} / ${f(r.scrollDrawP95, 2)} ms | ${f(r.zoomDrawP50, 2)} / ${f(r.zoomDrawP95, 2)} ms | ${f(r.frameIntervalP95, 1)} ms |`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

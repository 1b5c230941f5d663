// Browser benchmark (not a test): a cold deep link, as a user clicking a link in an alert or a chat
// message feels it. Each run launches a new Chromium (a new profile: no HTTP cache, no compiled-code
// cache, no warmed-up worker), navigates to the link and waits for the waterfall's first frame with
// rows. The trace comes from a stand-in backend on loopback, in the shape each backend answers:
//
//   jaeger     /api/traces/<id>      {"data":[trace]}                 (Jaeger JSON)
//   jaeger-v3  /api/v3/traces/<id>   {"result":{"resourceSpans":…}}   (OTLP JSON)
//   tempo      /api/v2/traces/<id>   {"trace":{"resourceSpans":…}}    (OTLP JSON)
//
//   node tests/bench/cold.mjs                    # 1k and 100k, every shape, ?url= and ?backend= links
//   node tests/bench/cold.mjs 100k jaeger        # one size, one shape (sizes: 1k 100k 1m)
//   RUNS=5 node tests/bench/cold.mjs 1m jaeger   # runs per case (median reported)
//
// Phases, from navigation start (ms): app wasm downloaded, trace fetch started, first byte, last
// byte, parsed (the model decoded on the UI thread), first frame. Results print as Markdown and as
// JSON in target/bench/cold.json.
import fs from "node:fs";
import path from "node:path";
import { startServer } from "../e2e/lib/server.mjs";
import { launch, DIST } from "../e2e/lib/browser.mjs";
import { OUT, RUNS, cli, median } from "./lib.mjs";
import { SHAPES, SIZES, body, traceId, backendHandlers } from "./cold_cases.mjs";

async function measureOnce(baseUrl, link) {
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.addInitScript(() => {
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: "longtask", buffered: true });
    });
    await page.goto(baseUrl + link, { timeout: 600_000 });
    await page.waitForSelector("[data-testid=waterfall][data-painted-rows]", { timeout: 600_000 });
    await page.waitForFunction(() => performance.getEntriesByName("spanlens:first-paint").length > 0, null, { timeout: 600_000 });
    const m = await page.evaluate(() => {
      const t = (n) => performance.getEntriesByName(n)[0]?.startTime ?? NaN;
      const resources = performance.getEntriesByType("resource");
      const find = (re) => resources.find((r) => re.test(r.name));
      const app = find(/\/app-[^/]*_bg\.wasm/);
      const trace = find(/\/b\//);
      const paint = t("spanlens:first-paint");
      const longTasks = (window.__longTasks || []).filter((x) => x.start <= paint);
      return {
        appWasm: app ? app.responseEnd : NaN,
        appStart: t("spanlens:app:start"),
        // The load began (the app's `?url=` or backend fetch, after its start-up's first tasks).
        loadStart: t("spanlens:load:start"),
        firstChunk: t("spanlens:load:first-chunk"),
        // The early worker's `ready`: seen by index.html if it came before the app took the worker.
        workerCreated: t("spanlens:worker:created"),
        workerMain: t("spanlens:worker:main"),
        workerReady: Math.min(t("spanlens:worker:early-ready") || Infinity, t("spanlens:worker:ready") || Infinity),
        fetchStart: trace ? trace.startTime : NaN,
        firstByte: trace ? trace.responseStart : NaN,
        lastByte: trace ? trace.responseEnd : NaN,
        received: t("spanlens:load:received"),
        // The worker's own clock: until its last byte was in, then parsing left plus its model's finish.
        workerRead: performance.getEntriesByName("spanlens:worker:read")[0]?.duration ?? NaN,
        workerImport: performance.getEntriesByName("spanlens:worker:import")[0]?.duration ?? NaN,
        workerBusy: performance.getEntriesByName("spanlens:worker:busy")[0]?.duration ?? NaN,
        parsed: t("spanlens:parsed"),
        paint,
        longestTask: Math.max(0, ...longTasks.map((x) => x.duration)),
        longTasks: longTasks.length,
        spans: Number(document.querySelector("[data-span-count]")?.getAttribute("data-span-count") ?? NaN),
      };
    });
    await context.close();
    return { ...m, errors };
  } finally {
    await browser.close();
  }
}

async function main() {
  const args = process.argv.slice(2);
  const sizes = args.filter((a) => a in SIZES);
  const shapes = args.filter((a) => a in SHAPES);
  const links = process.env.LINKS ? process.env.LINKS.split(",") : ["url", "backend"];
  const bin = cli();
  const files = {};
  for (const size of sizes.length ? sizes : ["1k", "100k"]) {
    for (const shape of shapes.length ? shapes : Object.keys(SHAPES)) {
      const p = body(bin, size, shape);
      files[`${size}/${shape}`] = { path: p, id: traceId(p) };
    }
  }
  const server = await startServer({ root: DIST, handlers: backendHandlers(files) });
  const rows = [];
  console.log("| case | link | first frame (median) | runs | app wasm in | fetch start | first byte | last byte | model decoded | longest task before frame |");
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  try {
    for (const [key, file] of Object.entries(files)) {
      const [size, shape] = key.split("/");
      for (const kind of links) {
        const link =
          kind === "url"
            ? `/?url=${encodeURIComponent(`/b/${shape}/${size}${SHAPES[shape].path(file.id)}`)}`
            : `/trace/${file.id}?backend=${shape}-${size}`;
        const runs = [];
        for (let i = 0; i < RUNS; i++) {
          const r = await measureOnce(server.url, link);
          if (r.errors.length) throw new Error(`${key} ${kind}: page errors: ${r.errors.join("; ")}`);
          console.error(`${key} ${kind} run ${i + 1}: ${JSON.stringify(r)}`);
          runs.push(r);
        }
        const med = (k) => median(runs.map((r) => r[k]));
        const f = (v) => (Number.isFinite(v) ? `${(v / 1000).toFixed(2)} s` : "–");
        const row = { size, shape, link: kind, runs, firstFrameMs: med("paint") };
        rows.push(row);
        console.log(
          `| ${size} ${shape} (${runs[0].spans.toLocaleString("en")} spans) | ${kind === "url" ? "?url=" : "?backend="} | **${f(med("paint"))}** | ${runs.map((r) => f(r.paint)).join(", ")} | ${f(med("appWasm"))} | ${f(med("fetchStart"))} | ${f(med("firstByte"))} | ${f(med("lastByte"))} | ${f(med("parsed"))} | ${med("longestTask").toFixed(0)} ms (${med("longTasks")} over 50 ms) |`,
        );
      }
    }
  } finally {
    await server.close();
  }
  fs.writeFileSync(path.join(OUT, "cold.json"), JSON.stringify(rows, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// Browser benchmarks of the trace's other views and of the service graph (not a test).
//
//   node tests/bench/views.mjs 1m        # a generated trace (10k 100k 1m deep100k): open it, then
//                                        # switch to the flame graph (first frame, build time, draw
//                                        # times while zooming and panning), left heavy, statistics
//                                        # (service then operation) and the service graph
//   node tests/bench/views.mjs graph     # the services page over a Jaeger backend's dependencies:
//                                        # 300 services / 1,500 links and 500 / 5,000 (generated),
//                                        # layout time and draw times while panning and zooming
//   RUNS=5 node tests/bench/views.mjs 1m # runs per case (median reported)
//   LOOK_MS=2000 node tests/bench/views.mjs 10k
//                                        # the user looks at the waterfall this long before the
//                                        # first switch (default 0: at once). The other views' code
//                                        # is fetched in the background after the first frame
//                                        # (src/chunks); at once, the first switch waits for it.
//
// Times are read from the app's User Timing measures (spanlens:flame-build, spanlens:flame-draw,
// spanlens:stats-build, spanlens:graph-layout, spanlens:graph-draw) and from the harness hooks
// (data-painted-frames, data-stats-rows, data-graph-nodes).
import fs from "node:fs";
import path from "node:path";
import { startServer } from "../e2e/lib/server.mjs";
import { launch, DIST } from "../e2e/lib/browser.mjs";
import { OUT, RUNS, cli, generate, median, pct } from "./lib.mjs";

const SIZES = {
  "10k": { spans: 10_000, args: [] },
  "100k": { spans: 100_000, args: [] },
  "1m": { spans: 1_000_000, args: [] },
  deep100k: { spans: 100_000, args: ["--deep-chain"] },
};

const LOOK_MS = Number(process.env.LOOK_MS || 0);

const measures = (page, name, from = 0) =>
  page.evaluate(({ name, from }) => performance.getEntriesByName(name).slice(from).map((e) => e.duration), { name, from });
const nextFrames = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** Key press to the view's hook attribute appearing, in ms (measured in the page). */
async function switchTo(page, key, selector) {
  return page.evaluate(
    ({ key, selector }) =>
      new Promise((resolve) => {
        const t0 = performance.now();
        window.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
        const check = () => (document.querySelector(selector) ? resolve(performance.now() - t0) : requestAnimationFrame(check));
        check();
      }),
    { key, selector },
  );
}

async function traceViewsOnce(browser, baseUrl, name) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${baseUrl}/`);
  await page.waitForFunction(() => performance.getEntriesByName("spanlens:warm").length > 0, null, { timeout: 60_000 });
  await page.getByTestId("file-input").setInputFiles(path.join(OUT, `gen-${name}.json`));
  await page.waitForSelector("[data-testid=waterfall][data-painted-rows]", { timeout: 600_000 });
  await nextFrames(page);
  if (LOOK_MS > 0) await page.waitForTimeout(LOOK_MS);

  const flameFirstMs = await switchTo(page, "2", "[data-testid=flame][data-painted-frames]");
  const [flameBuildMs] = await measures(page, "spanlens:flame-build");
  const drawsBefore = (await measures(page, "spanlens:flame-draw")).length;
  const box = await page.locator("[data-testid=flame] canvas").boundingBox();
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
  for (let i = 0; i < 10; i++) {
    await page.keyboard.down("Control");
    await page.mouse.wheel(0, -200);
    await page.keyboard.up("Control");
    await nextFrames(page);
  }
  for (let i = 0; i < 20; i++) {
    await page.keyboard.down("Shift");
    await page.mouse.wheel(0, i % 2 ? 300 : -300);
    await page.keyboard.up("Shift");
    await nextFrames(page);
  }
  // Scroll to the deepest frames (a 100,000-level chain is 2,000,000 px of rows) and back.
  for (const top of ["max", 0]) {
    await page.evaluate((top) => {
      const el = document.querySelector("[data-testid=flame] .sl-wf__scroll");
      el.scrollTop = top === "max" ? el.scrollHeight : 0;
    }, top);
    await nextFrames(page);
  }
  const flameDraws = await measures(page, "spanlens:flame-draw", drawsBefore);
  const paintedAtZoom = Number(await page.getByTestId("flame").getAttribute("data-painted-frames"));

  const heavyFrom = (await measures(page, "spanlens:flame-build")).length;
  const heavyMs = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const t0 = performance.now();
        document.querySelector("[data-testid=flame-left-heavy]").click();
        const check = () =>
          new URL(location.href).searchParams.get("flame") === "left-heavy" && performance.getEntriesByName("spanlens:flame-build").length > 1
            ? requestAnimationFrame(() => resolve(performance.now() - t0))
            : requestAnimationFrame(check);
        check();
      }),
  );
  const [heavyBuildMs] = await measures(page, "spanlens:flame-build", heavyFrom);

  const statsMs = await switchTo(page, "3", "[data-testid=stats-table][data-stats-rows]");
  const [statsBuildMs] = await measures(page, "spanlens:stats-build");
  const graphMs = await switchTo(page, "4", "[data-testid=trace-graph][data-graph-nodes]");
  await context.close();
  return {
    flameFirstMs,
    flameBuildMs,
    flameDrawP50: pct(flameDraws, 0.5),
    flameDrawP95: pct(flameDraws, 0.95),
    flameDraws: flameDraws.length,
    paintedAtZoom,
    heavyMs,
    heavyBuildMs,
    statsMs,
    statsBuildMs,
    graphMs,
    errors,
  };
}

async function mainTrace(name) {
  const bin = cli();
  generate(bin, name, SIZES[name]);
  const server = await startServer({ root: DIST, mounts: { "/bench/": OUT } });
  const browser = await launch();
  const runs = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const r = await traceViewsOnce(browser, server.url, name);
      if (r.errors.length) throw new Error(`${name}: page errors: ${r.errors.join("; ")}`);
      runs.push(r);
      console.error(`${name} run ${i + 1}: ${JSON.stringify(r)}`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const m = (k) => median(runs.map((r) => r[k])).toFixed(k.includes("Draw") ? 1 : 0);
  console.log("| case | flame: first frame after the key (build) | flame draw p50 / p95 while zooming, panning and scrolling to the deepest frames | left heavy: switch (build) | statistics by service then operation: table shown (build) | service graph shown |");
  console.log("|---|---|---|---|---|---|");
  console.log(
    `| ${name} | ${m("flameFirstMs")} ms (${m("flameBuildMs")} ms) | ${m("flameDrawP50")} / ${m("flameDrawP95")} ms | ${m("heavyMs")} ms (${m("heavyBuildMs")} ms) | ${m("statsMs")} ms (${m("statsBuildMs")} ms) | ${m("graphMs")} ms |`,
  );
}

/** `services` services with `links` links among them, deterministic, as Jaeger's /api/dependencies
 *  gives them: mostly calls "downstream" (a layered system) plus some back edges (cycles). */
function dependencies(services, links) {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const seen = new Set();
  const out = [];
  while (out.length < links) {
    const a = Math.floor(rand() * services);
    const b = rand() < 0.9 ? Math.min(services - 1, a + 1 + Math.floor(rand() * 20)) : Math.floor(rand() * services);
    const key = `${a}>${b}`;
    if (a === b || seen.has(key)) continue;
    seen.add(key);
    out.push({ parent: `service-${a}`, child: `service-${b}`, callCount: 1 + Math.floor(rand() * 10_000) });
  }
  return out;
}

async function mainGraph() {
  const cases = [
    ["300 / 1,500", 300, 1500],
    ["500 / 5,000", 500, 5000],
  ];
  const bodies = Object.fromEntries(cases.map(([, n, l]) => [`${n}`, JSON.stringify({ data: dependencies(n, l), total: l, limit: 0, offset: 0, errors: null })]));
  const handler = (req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/config.json") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ backends: cases.map(([, n]) => ({ name: `deps${n}`, kind: "jaeger", url: `/bench-deps/${n}` })) }));
    }
    const m = url.pathname.match(/^\/bench-deps\/(\d+)\/api\/dependencies$/);
    res.writeHead(m ? 200 : 404, { "content-type": "application/json" });
    return res.end(m ? bodies[m[1]] : "{}");
  };
  const server = await startServer({ root: DIST, handlers: { "/config.json": handler, "/bench-deps/": handler } });
  const browser = await launch();
  console.log("| services / links | layout (in the browser) | draw p50 / p95 while panning and zooming | first draw with everything |");
  console.log("|---|---|---|---|");
  try {
    for (const [label, n] of cases) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        const page = await context.newPage();
        const errors = [];
        page.on("pageerror", (e) => errors.push(e.message));
        await page.goto(`${server.url}/services?deps=deps${n}`);
        await page.waitForFunction((k) => document.querySelector("[data-testid=service-graph]")?.getAttribute("data-graph-nodes") === String(k), n, { timeout: 120_000 });
        await nextFrames(page);
        const layout = await measures(page, "spanlens:graph-layout");
        const first = await measures(page, "spanlens:graph-draw");
        const from = first.length;
        const box = await page.locator("[data-testid=service-graph] canvas").boundingBox();
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        for (let k = 0; k < 8; k++) {
          await page.keyboard.down("Control");
          await page.mouse.wheel(0, -240);
          await page.keyboard.up("Control");
          await nextFrames(page);
        }
        await page.mouse.down();
        for (let k = 0; k < 20; k++) {
          await page.mouse.move(box.x + box.width / 2 + (k % 2 ? 40 : -40) * k, box.y + box.height / 2 + 10 * k);
          await nextFrames(page);
        }
        await page.mouse.up();
        for (let k = 0; k < 8; k++) {
          await page.keyboard.down("Control");
          await page.mouse.wheel(0, 240);
          await page.keyboard.up("Control");
          await nextFrames(page);
        }
        const draws = await measures(page, "spanlens:graph-draw", from);
        if (errors.length) throw new Error(`graph ${label}: page errors: ${errors.join("; ")}`);
        runs.push({ layoutMs: layout.at(-1), firstDrawMs: first[0], p50: pct(draws, 0.5), p95: pct(draws, 0.95) });
        console.error(`graph ${label} run ${i + 1}: ${JSON.stringify(runs.at(-1))}`);
        await context.close();
      }
      const m = (k, d = 0) => median(runs.map((r) => r[k])).toFixed(d);
      console.log(`| ${label} | ${m("layoutMs")} ms | ${m("p50", 1)} / ${m("p95", 1)} ms | ${m("firstDrawMs", 1)} ms |`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

async function main() {
  if (!fs.existsSync(path.join(DIST, "index.html"))) throw new Error("dist/ is missing: run `make build`");
  const mode = process.argv[2] || "1m";
  if (mode === "graph") return mainGraph();
  if (!SIZES[mode]) throw new Error(`unknown case ${mode} (expected ${Object.keys(SIZES).join(" ")} or graph)`);
  return mainTrace(mode);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// Browser benchmark (not a test): how fast this machine's Chromium reads a trace answer from the
// harness's stand-in backend on loopback, with nothing else on the page. That is the floor under a
// cold deep link's first frame, whatever the app does: the worker cannot parse bytes before they
// arrive. Each run is a new Chromium; the page only fetches the answer and reads its body through.
//
//   node tests/bench/body_read.mjs                 # 100k Jaeger JSON (65 MB), 3 runs
//   RUNS=5 node tests/bench/body_read.mjs 1m jaeger
import { startServer } from "../e2e/lib/server.mjs";
import { launch, DIST } from "../e2e/lib/browser.mjs";
import { RUNS, cli, median } from "./lib.mjs";
import { SHAPES, SIZES, body, traceId, backendHandlers } from "./cold_cases.mjs";

const [size = "100k", shape = "jaeger"] = process.argv.slice(2);
if (!(size in SIZES) || !(shape in SHAPES)) throw new Error(`usage: body_read.mjs <${Object.keys(SIZES)}> <${Object.keys(SHAPES)}>`);
const file = body(cli(), size, shape);
const files = { [`${size}/${shape}`]: { path: file, id: traceId(file) } };
const server = await startServer({ root: DIST, handlers: backendHandlers(files) });
const url = `/b/${shape}/${size}${SHAPES[shape].path(files[`${size}/${shape}`].id)}`;
const runs = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const browser = await launch();
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(server.url + "/favicon.svg");
      const run = await page.evaluate(async (u) => {
        const t0 = performance.now();
        const res = await fetch(u);
        const t1 = performance.now();
        const reader = res.body.getReader();
        let bytes = 0;
        let pieces = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          bytes += value.byteLength;
          pieces++;
        }
        return { headersMillis: t1 - t0, bodyMillis: performance.now() - t1, bytes, pieces };
      }, url);
      console.log(`${size}/${shape} run ${i + 1}: ${JSON.stringify(run)}`);
      runs.push(run);
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.close();
}
const bodyMillis = median(runs.map((r) => r.bodyMillis));
const mb = runs[0].bytes / 1e6;
console.log(`| ${size} ${shape} | ${mb.toFixed(1)} MB | body read ${(bodyMillis / 1000).toFixed(2)} s (median of ${runs.length}) | ${(mb / (bodyMillis / 1000)).toFixed(0)} MB/s |`);

// Cold deep links: a page opened straight on a trace link (nothing loaded, the parsing worker just
// started), with the answer arriving in many small pieces. The worker parses the body as it streams
// in (see worker/src/request.rs and the formats crate's streaming import); what the user sees must be
// the whole trace, exactly as when the answer comes in one piece.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useApp, sharedFixture } from "../lib/fixture.mjs";
import { openPage, screenshot, SHARED } from "../lib/browser.mjs";
import { recordedTraceIds } from "../lib/backend.mjs";
import { TracePage, Waterfall } from "../pages/trace_page.mjs";

/** A Jaeger API answer (`{"data":[trace]}`) of one trace with `n` spans over three services,
 * every tenth span an error. Built here so the test does not depend on the CLI. */
function jaegerAnswer(n, traceID = "5eed0000000000000000000000c01d11") {
  const processes = { p1: { serviceName: "frontend", tags: [] }, p2: { serviceName: "cart", tags: [] }, p3: { serviceName: "db", tags: [] } };
  const spans = [];
  for (let i = 0; i < n; i++) {
    const spanID = (i + 1).toString(16).padStart(16, "0");
    const parent = i === 0 ? [] : [{ refType: "CHILD_OF", traceID, spanID: (Math.floor((i - 1) / 4) + 1).toString(16).padStart(16, "0") }];
    spans.push({
      traceID,
      spanID,
      operationName: `op-${i % 7}`,
      references: parent,
      startTime: 1_700_000_000_000_000 + i * 10,
      duration: Math.max(10, 100_000 - i * 10),
      tags: i % 10 === 9 ? [{ key: "error", type: "bool", value: true }] : [],
      logs: [],
      processID: `p${(i % 3) + 1}`,
      warnings: null,
    });
  }
  return { traceID, body: Buffer.from(JSON.stringify({ data: [{ traceID, spans, processes, warnings: null }], total: 0, limit: 0, offset: 0, errors: null })) };
}

const GENERATED = jaegerAnswer(5_000);
// Large enough for the trace page to analyse it in tasks of its own before mounting (pages/trace.rs).
const LARGE = jaegerAnswer(30_000, "1a46e000000000000000000000c01d11");

/** `/large/api/traces/<id>`: the large answer in one piece. */
function serveLarge(req, res) {
  if (!req.url.startsWith(`/large/api/traces/${LARGE.traceID}`)) {
    res.writeHead(404, { "content-type": "text/plain" });
    return res.end("not found");
  }
  largeRequests++;
  res.writeHead(200, { "content-type": "application/json", "content-length": LARGE.body.length });
  res.end(LARGE.body);
}
let largeRequests = 0;

/** `/gen/api/traces/<id>`: the generated answer, 4 KiB per event-loop turn (about 200 pieces). */
function trickleGenerated(req, res) {
  if (!req.url.startsWith(`/gen/api/traces/${GENERATED.traceID}`)) {
    res.writeHead(404, { "content-type": "text/plain" });
    return res.end("not found");
  }
  res.writeHead(200, { "content-type": "application/json", "content-length": GENERATED.body.length });
  const send = (offset) => {
    if (offset >= GENERATED.body.length) return res.end();
    res.write(GENERATED.body.subarray(offset, offset + 4096));
    setImmediate(() => send(offset + 4096));
  };
  send(0);
}

/** `/cut/api/traces/<id>`: the generated answer cut at 60%, as a proxy that gave up would leave it
 * (no length announced, the response ends cleanly): the body is cut inside the trace's `spans`. */
function serveCut(req, res) {
  if (!req.url.startsWith(`/cut/api/traces/${GENERATED.traceID}`)) {
    res.writeHead(404, { "content-type": "text/plain" });
    return res.end("not found");
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(GENERATED.body.subarray(0, Math.floor(GENERATED.body.length * 0.6)));
}

/** `/held/api/traces/<id>`: the generated answer, held back until the test lets it go (`releaseHeld`);
 * any other path under `/held/` is a 404. */
function serveHeld(req, res) {
  if (!req.url.startsWith(`/held/api/traces/${GENERATED.traceID}`)) {
    res.writeHead(404, { "content-type": "text/plain" });
    return res.end("no such trace here");
  }
  held.push(() => {
    res.writeHead(200, { "content-type": "application/json", "content-length": GENERATED.body.length });
    res.end(GENERATED.body);
  });
}
let held = [];
const releaseHeld = () => {
  for (const send of held) send();
  held = [];
};

/** `/broken/api/traces/<id>`: 40% of the generated answer (its length announced in full), then the
 * connection is torn down, as a dying proxy or backend leaves it. */
function serveBroken(req, res) {
  res.writeHead(200, { "content-type": "application/json", "content-length": GENERATED.body.length });
  res.write(GENERATED.body.subarray(0, Math.floor(GENERATED.body.length * 0.4)));
  setTimeout(() => res.destroy(), 50);
}

/** `/stalled/api/traces/<id>`: a third of the generated answer, then nothing more until the client
 * goes away; `stalledClosed` resolves when it does. */
function serveStalled(req, res) {
  res.writeHead(200, { "content-type": "application/json", "content-length": GENERATED.body.length });
  res.write(GENERATED.body.subarray(0, Math.floor(GENERATED.body.length / 3)));
  res.on("close", () => stalledClosed.resolve());
}
/** A promise with its `resolve` (Node 20 has no `Promise.withResolvers`). */
function signal() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}
let stalledClosed = signal();

const app = useApp({
  backends: true,
  handlers: {
    "/gen/": trickleGenerated,
    "/large/": serveLarge,
    "/cut/": serveCut,
    "/held/": serveHeld,
    "/broken/": serveBroken,
    "/stalled/": serveStalled,
  },
});

/** Pixels of the waterfall canvas that are coloured (neither the background nor near-white or
 * near-black), or with `critical`, in the critical path's violet (light theme). */
const waterfallPixels = (page, critical = false) =>
  page.evaluate((critical) => {
    const canvas = document.querySelector("[data-testid=waterfall] canvas");
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    const violet = (r, g, b) => Math.abs(r - 109) < 30 && Math.abs(g - 40) < 30 && Math.abs(b - 217) < 30;
    const coloured = (r, g, b) => Math.max(r, g, b) - Math.min(r, g, b) > 60;
    let hits = 0;
    for (let i = 0; i < data.length; i += 4) {
      if ((critical ? violet : coloured)(data[i], data[i + 1], data[i + 2])) hits++;
    }
    return hits;
  }, critical);
const colouredPixels = (page) => waterfallPixels(page);
const criticalPixels = (page) => waterfallPixels(page, true);

/** What index.html started early for a trace link and the app did not take over. */
const earlyLeftovers = (page) =>
  page.evaluate(() => {
    const early = window.__spanlensEarly;
    return {
      started: Boolean(early),
      worker: Boolean(early && early.worker),
      untaken: ((early && early.fetches) || []).filter((f) => f.url).map((f) => f.url),
    };
  });

test("a cold ?url= link to a 5,000-span Jaeger answer that trickles in shows every span", async () => {
  const { page, context, errors } = await openPage(app.browser);
  const traceRequests = [];
  page.on("request", (r) => {
    if (r.url().includes(`/gen/api/traces/${GENERATED.traceID}`) && r.resourceType() !== "document") traceRequests.push(r.url());
  });
  await page.goto(`${app.baseUrl}/?url=${encodeURIComponent(`/gen/api/traces/${GENERATED.traceID}`)}`);
  await new TracePage(page).waitForTrace();
  assert.ok((await new Waterfall(page).paintedRows()) > 10, "rows painted");
  assert.equal(Number(await page.locator("[data-span-count]").first().getAttribute("data-span-count")), 5_000);
  assert.match(await page.getByTestId("trace-title").innerText(), /frontend/);
  // Below the size the worker analyses, the page analyses the trace itself.
  assert.equal(await page.getByTestId("trace-view").getAttribute("data-analysed-by"), "page");
  const coloured = await colouredPixels(page);
  assert.ok(coloured > 2_000, `coloured waterfall pixels: ${coloured}`);
  await screenshot(page, "deep-link-trickle-generated");
  // index.html started the parsing worker and the trace's fetch before the app's wasm ran; the app
  // took both over (nothing left behind) and asked for the trace once, not twice.
  assert.deepEqual(await earlyLeftovers(page), { started: true, worker: false, untaken: [] });
  assert.equal(traceRequests.length, 1, `trace requests: ${traceRequests.join(", ")}`);
  assert.deepEqual(errors(), []);
  await context.close();
});

for (const [kind, link] of [
  ["jaeger", (t) => `/?url=${encodeURIComponent(`/backends/jaeger~trickle/api/traces/${t.id}`)}`],
  ["jaeger-v3", (t) => `/trace/${t.id}?backend=jaeger-v3~trickle`],
  ["tempo", (t) => `/trace/${t.id}?backend=tempo~trickle`],
]) {
  test(`a cold ${kind} deep link whose answer trickles in shows the whole trace`, async (t) => {
    if (!sharedFixture(t, "backend-api/MANIFEST.json")) return;
    const recorded = recordedTraceIds(SHARED)[kind];
    // The largest recorded answer of this kind (Tempo: one that has the v2 path).
    const trace = recorded.filter((r) => kind !== "tempo" || !r.v1).sort((a, b) => b.spans - a.spans)[0];
    const { page, context, errors } = await openPage(app.browser);
    const traceRequests = [];
    page.on("request", (r) => {
      if (r.url().includes(trace.id) && r.resourceType() !== "document") traceRequests.push(r.url());
    });
    await page.goto(app.baseUrl + link(trace));
    await new TracePage(page).waitForTrace();
    const rows = await new Waterfall(page).paintedRows();
    assert.ok(rows > 0, "rows painted");
    const count = Number(await page.locator("[data-span-count]").first().getAttribute("data-span-count"));
    assert.equal(count, trace.spans, `${count} spans shown, ${trace.spans} recorded in ${trace.file}`);
    // The bars are drawn in service colours, not just the grid.
    const coloured = await colouredPixels(page);
    assert.ok(coloured > 500, `coloured waterfall pixels: ${coloured}`);
    // The worker and the trace's fetch (for a backend link: once config.json named the backend) were
    // started by index.html and taken over by the app; the trace was asked for once.
    assert.deepEqual(await earlyLeftovers(page), { started: true, worker: false, untaken: [] });
    assert.equal(traceRequests.length, 1, `trace requests: ${traceRequests.join(", ")}`);
    assert.deepEqual(errors(), []);
    await context.close();
  });
}

test("a Jaeger answer cut inside its spans opens with the spans before the cut and says where it ended", async () => {
  const { page, context, errors } = await openPage(app.browser);
  await page.goto(`${app.baseUrl}/?url=${encodeURIComponent(`/cut/api/traces/${GENERATED.traceID}`)}`);
  await new TracePage(page).waitForTrace();
  // The spans are read one by one as they arrive, so a cut body keeps every span before the cut
  // (about 60% of 5,000), drawn, instead of failing for want of the trace's end.
  const spans = Number(await page.locator("[data-span-count]").first().getAttribute("data-span-count"));
  assert.ok(spans > 2_000 && spans < 5_000, `spans kept: ${spans}`);
  assert.ok((await colouredPixels(page)) > 2_000, "the kept spans are drawn");
  const badge = page.getByTestId("warnings-badge").first();
  await badge.waitFor();
  await screenshot(page, "deep-link-cut-jaeger");
  await badge.click();
  const table = page.getByTestId("warnings-table").first();
  await table.waitFor();
  assert.match(await table.innerText(), /ends early[\s\S]*data\[0\]\.spans[\s\S]*kept the \d+ spans/);
  await screenshot(page, "deep-link-cut-jaeger-warnings");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a cold ?url= link to a 30,000-span trace: analysed by the worker, fetched once, shown whole", async () => {
  const { page, context, errors } = await openPage(app.browser);
  const before = largeRequests;
  await page.goto(`${app.baseUrl}/?url=${encodeURIComponent(`/large/api/traces/${LARGE.traceID}`)}`);
  await new TracePage(page).waitForTrace();
  assert.ok((await new Waterfall(page).paintedRows()) > 10, "rows painted");
  assert.equal(Number(await page.locator("[data-span-count]").first().getAttribute("data-span-count")), 30_000);
  // The analysis (header numbers, critical path) is the trace's, although the parsing worker computed
  // it and sent it after the spans.
  assert.equal(await page.getByTestId("trace-view").getAttribute("data-analysed-by"), "worker");
  const stats = await page.locator(".sl-stats").innerText();
  assert.match(stats, /Spans\s+30,000/i);
  assert.match(stats, /Services\s+3\b/i);
  assert.match(await page.getByTestId("next-error").innerText(), /^3,000 ›$/);
  const coloured = await colouredPixels(page);
  assert.ok(coloured > 2_000, `coloured waterfall pixels: ${coloured}`);
  const critical = await criticalPixels(page);
  assert.ok(critical > 50, `critical-path pixels: ${critical}`);
  await screenshot(page, "deep-link-30k");
  // Fetched once, and going back to the landing page lists it without fetching it again.
  assert.equal(largeRequests - before, 1);
  await page.getByRole("link", { name: "spanlens home" }).click();
  await page.locator("[data-testid=trace-list][data-trace-count='1']").waitFor();
  assert.equal(largeRequests - before, 1);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a ?url= link whose connection breaks off mid-answer says so, naming the link", async () => {
  const { page, context, errors } = await openPage(app.browser);
  await page.goto(`${app.baseUrl}/?url=${encodeURIComponent(`/broken/api/traces/${GENERATED.traceID}`)}`);
  const banner = page.getByTestId("error-banner");
  await banner.waitFor();
  // The server was reached (its head came): the message says the answer broke off, and how far it
  // got, rather than suggesting CORS or a server that is down.
  const text = await banner.innerText();
  assert.match(text, /Could not load \/broken\/api\/traces\/5eed0+c01d11/);
  // (How far it got depends on whether the app read any of it before the browser saw the break.)
  assert.match(text, /the answer broke off (after \d+\.\d MB of|before any of its) 1\.5 MB( could be read)? \(.+\)\. The server, or a proxy in front of it, closed/);
  assert.doesNotMatch(text, /CORS|could not be reached/);
  // No trace was made of a part of the answer; the start page is back.
  await page.getByTestId("dropzone").waitFor();
  assert.equal(await page.locator("[data-span-count]").count(), 0);
  await screenshot(page, "deep-link-broke-off");
  assert.deepEqual(errors().filter((e) => !/Failed to load resource|ERR_/.test(e)), []);
  await context.close();
});

test("cancelling a link's load while its answer is still coming stops the transfer", async () => {
  const { page, context, errors } = await openPage(app.browser);
  stalledClosed = signal();
  await page.goto(`${app.baseUrl}/?url=${encodeURIComponent(`/stalled/api/traces/${GENERATED.traceID}`)}`);
  const cancel = page.getByTestId("cancel-load");
  await cancel.waitFor();
  // The first third of the answer is in the worker's hands.
  await page.waitForFunction(() => performance.getEntriesByName("spanlens:load:first-chunk").length === 1);
  await cancel.click();
  // The server sees the connection closed: the fetch was cancelled, not left to run.
  await stalledClosed.promise;
  await page.getByTestId("dropzone").waitFor();
  assert.equal(await page.locator("[data-span-count]").count(), 0);
  assert.equal(await page.getByTestId("error-banner").count(), 0, "a cancelled load is no error");
  assert.deepEqual(errors().filter((e) => !/Failed to load resource|ERR_/.test(e)), []);
  await context.close();
});

test("while a ?url= link's trace is on its way the page says so, and a link that fails shows the start page", async () => {
  const { page, context, errors } = await openPage(app.browser);
  await page.goto(`${app.baseUrl}/?url=${encodeURIComponent(`/held/api/traces/${GENERATED.traceID}`)}`);
  // The start page (drop zone, backends, tips) is not built for a page about to be replaced.
  const opening = page.getByTestId("opening-link");
  await opening.waitFor();
  assert.match(await opening.innerText(), /Opening the linked trace/);
  assert.equal(await page.getByTestId("dropzone").count(), 0);
  // Files can still be opened instead (a slow link need not be waited for).
  assert.match(await opening.innerText(), /Open files instead/);
  assert.equal(await opening.getByTestId("file-input").count(), 1);
  await screenshot(page, "deep-link-opening");
  releaseHeld();
  await new TracePage(page).waitForTrace();
  assert.equal(Number(await page.locator("[data-span-count]").first().getAttribute("data-span-count")), 5_000);
  assert.equal(await page.getByTestId("opening-link").count(), 0);

  // A link whose answer is an error: the start page comes back, under the error that says why.
  await page.goto(`${app.baseUrl}/?url=${encodeURIComponent("/held/api/traces/ffff")}`);
  await page.getByTestId("error-banner").waitFor();
  assert.match(await page.getByTestId("error-banner").innerText(), /Could not load[\s\S]*404/);
  await page.getByTestId("dropzone").waitFor();
  assert.equal(await page.getByTestId("opening-link").count(), 0);
  await screenshot(page, "deep-link-failed-start-page");
  // The browser logs the 404 itself; nothing else went wrong.
  assert.deepEqual(errors().filter((e) => !/Failed to load resource.*404/.test(e)), []);
  await context.close();
});

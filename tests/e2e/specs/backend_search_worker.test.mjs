// Backend search answers parsed in the worker: what the user sees when the answer is large, cut off,
// or replaced by a newer search while it is still arriving. The answers are built here (a Jaeger
// search answer of generated traces), served by a small backend of this spec's own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useApp } from "../lib/fixture.mjs";
import { openPage, screenshot } from "../lib/browser.mjs";

const TRACES = 300;

/** A Jaeger `/api/traces` answer: `count` traces of three spans, every seventh one failed. */
function jaegerAnswer(count) {
  const nowMicros = Date.now() * 1000;
  const data = [];
  for (let i = 0; i < count; i++) {
    const traceID = (i + 1).toString(16).padStart(32, "0");
    const start = nowMicros - (count - i) * 5_000_000;
    const span = (n, parent, duration, tags = []) => ({
      traceID,
      spanID: `${(i + 1).toString(16).padStart(12, "0")}000${n}`,
      operationName: n === 1 ? `GET /items/${i}` : `query ${n}`,
      references: parent ? [{ refType: "CHILD_OF", traceID, spanID: parent }] : [],
      startTime: start + n * 1000,
      duration,
      tags,
      logs: [],
      processID: n === 1 ? "p1" : "p2",
      warnings: null,
    });
    const root = span(1, null, 20_000 + (i % 50) * 3_000, i % 7 === 0 ? [{ key: "error", type: "bool", value: true }] : []);
    data.push({
      traceID,
      spans: [root, span(2, root.spanID, 5_000), span(3, root.spanID, 4_000)],
      processes: { p1: { serviceName: "frontend", tags: [] }, p2: { serviceName: "db", tags: [] } },
      warnings: null,
    });
  }
  return Buffer.from(JSON.stringify({ data, total: data.length, limit: 0, offset: 0, errors: null }));
}

const full = jaegerAnswer(TRACES);
// The "late" backend: a search with `limit=20` sends its headers at once and then its body slowly,
// piece by piece, until the client goes away; any other limit answers at once with that many traces.
let lateAborted = null;
let resolveLateAborted = () => {};

function backend(req, res) {
  const url = new URL(req.url, "http://x");
  const json = (body) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(body);
  };
  if (url.pathname === "/config.json") {
    const backends = ["wk", "wk-cut", "wk-broken", "wk-late"].map((name) => ({ name, kind: "jaeger", url: `/${name}` }));
    return json(JSON.stringify({ backends }));
  }
  const [, name, api] = url.pathname.match(/^\/([^/]+)(\/.*)$/) ?? [];
  if (api === "/api/services") return json(JSON.stringify({ data: ["frontend", "db"], total: 2, limit: 0, offset: 0, errors: null }));
  if (api === "/api/services/frontend/operations" || api === "/api/operations") {
    return json(JSON.stringify({ data: [], total: 0, limit: 0, offset: 0, errors: null }));
  }
  if (api !== "/api/traces") {
    res.writeHead(404);
    return res.end();
  }
  if (name === "wk") return json(full);
  // Cut off a third of the way in, as a proxy that gave up would leave it.
  if (name === "wk-cut") return json(full.subarray(0, Math.floor(full.length / 3)));
  // A third of the answer (its length announced in full), then the connection is torn down.
  if (name === "wk-broken") {
    res.writeHead(200, { "content-type": "application/json", "content-length": full.length });
    res.write(full.subarray(0, Math.floor(full.length / 3)));
    return setTimeout(() => res.destroy(), 50);
  }
  const limit = Number(url.searchParams.get("limit") || 20);
  if (limit !== 20) return json(jaegerAnswer(limit));
  res.writeHead(200, { "content-type": "application/json" });
  let sent = 0;
  const step = () => {
    if (res.destroyed) return;
    res.write(full.subarray(sent, sent + 1024));
    sent += 1024;
    // Never finishes on its own: only the client going away ends it.
    setTimeout(step, 50);
  };
  res.on("close", () => resolveLateAborted());
  step();
}

const app = useApp({
  handlers: { "/config.json": backend, "/wk/": backend, "/wk-cut/": backend, "/wk-broken/": backend, "/wk-late/": backend },
});

test("a Jaeger search answer is parsed in the worker: every result listed and plotted, light and dark", async () => {
  for (const colorScheme of ["light", "dark"]) {
    const { page, context, errors } = await openPage(app.browser, { colorScheme });
    await page.goto(`${app.baseUrl}/search?backend=wk&lookback=1h`);
    const results = page.locator(`[data-search-results][data-count='${TRACES}']`);
    await results.waitFor();
    await page.locator(`[data-scatter-points='${TRACES}']`).waitFor();
    // The root service and operation of a result are shown as the backend named them.
    await page.getByTestId("search-row").filter({ hasText: "GET /items/" }).first().waitFor();
    // The answer was parsed by the worker, not on the page's thread.
    const parsedInWorker = await page.evaluate(() => performance.getEntriesByName("spanlens:search:worker-parse").length);
    assert.equal(parsedInWorker, 1);
    await screenshot(page, `backend-search-worker-${colorScheme}`);
    assert.deepEqual(errors(), []);
    await context.close();
  }
});

test("a cut-off search answer says where it broke off, offers a retry, and the page stays usable", async () => {
  const { page, context, errors } = await openPage(app.browser);
  await page.goto(`${app.baseUrl}/search?backend=wk-cut&lookback=1h`);
  const failed = page.getByTestId("backend-search-failed");
  await failed.waitFor();
  assert.match(await failed.innerText(), /jaeger search: unexpected response \(.+\) at line \d+, column \d+/);
  await screenshot(page, "backend-search-worker-cut");
  // The retry asks the backend again (the old message goes as it does), fails the same way (the
  // backend still cuts it), and says so.
  const askedAgain = page.waitForRequest((r) => r.url().includes("/wk-cut/api/traces"));
  await failed.getByRole("button", { name: "Retry" }).click();
  await askedAgain;
  await page.getByTestId("backend-search-failed").waitFor();
  await page.getByRole("link", { name: "Services" }).click();
  await page.locator("h1", { hasText: "Services" }).waitFor();
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a search answer whose connection breaks off says so, not that the backend could not be reached", async () => {
  const { page, context, errors } = await openPage(app.browser);
  await page.goto(`${app.baseUrl}/search?backend=wk-broken&lookback=1h`);
  const failed = page.getByTestId("backend-search-failed");
  await failed.waitFor();
  const text = await failed.innerText();
  assert.match(text, /\/wk-broken\/api\/traces.*: the answer broke off before its end \(\d+\.\d MB announced\)/);
  assert.doesNotMatch(text, /CORS|could not be reached/);
  await screenshot(page, "backend-search-broke-off");
  assert.deepEqual(errors().filter((e) => !/Failed to load resource|ERR_/.test(e)), []);
  await context.close();
});

test("a newer search replaces one whose answer is still arriving: the old request is cancelled and never shown", async () => {
  lateAborted = new Promise((resolve) => {
    resolveLateAborted = resolve;
  });
  const { page, context, errors } = await openPage(app.browser);
  await page.goto(`${app.baseUrl}/search?backend=wk-late&lookback=1h&limit=20`);
  await page.getByTestId("backend-searching").waitFor();
  await page.getByTestId("search-limit").fill("5");
  await page.getByTestId("backend-run").click();
  await page.locator("[data-search-results][data-count='5']").waitFor();
  // The first answer's transfer was stopped by the page, not left running.
  await lateAborted;
  assert.equal(await page.locator("[data-search-results]").getAttribute("data-count"), "5");
  assert.equal(new URL(page.url()).searchParams.get("limit"), "5");
  assert.equal(await page.getByTestId("backend-search-failed").count(), 0);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a parsing worker that dies fails the search with the reason instead of searching forever; Retry works", async () => {
  const { page, context, errors } = await openPage(app.browser);
  // Every worker this page starts throws at once, until the route is removed.
  const broken = (route) =>
    route.fulfill({ status: 200, contentType: "text/javascript", body: 'throw new Error("worker script broken");' });
  await page.route("**/worker_loader.js", broken);
  await page.goto(`${app.baseUrl}/search?backend=wk&lookback=1h`);
  const failed = page.getByTestId("backend-search-failed");
  await failed.waitFor();
  assert.match(await failed.innerText(), /parsing worker stopped: .*worker script broken/);
  assert.equal(await page.getByTestId("backend-searching").count(), 0);
  await screenshot(page, "backend-search-worker-died");
  // The page said why in the console too (and nothing else went wrong).
  assert.ok(errors().every((e) => /parsing worker stopped|worker script broken/.test(e)), errors().join("\n"));
  await page.unroute("**/worker_loader.js", broken);
  await failed.getByRole("button", { name: "Retry" }).click();
  await page.locator(`[data-search-results][data-count='${TRACES}']`).waitFor();
  await context.close();
});

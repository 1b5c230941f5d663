// Loading files: the picker with several files, every format family, errors and warnings.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { useApp, sharedFixture } from "../lib/fixture.mjs";
import { openPage, screenshot, PROJECT_ROOT } from "../lib/browser.mjs";
import { LandingPage } from "../pages/landing_page.mjs";
import { TracePage } from "../pages/trace_page.mjs";

const app = useApp();

test("several files of different formats load together and list their traces", async (t) => {
  const files = [
    "otlp-json/tempo__servicegraphs__trace-with-queue-database.json",
    "jaeger-json/jaeger-ui-2017__query-api-response__2992f2a5b5d037a8aabffd08ef384237.json",
    "zipkin-v2/zipkin-lens__messaging.json",
  ].map((f) => sharedFixture(t, f));
  if (files.includes(null)) return;
  const { page, context, errors } = await openPage(app.browser);
  const landing = new LandingPage(page, app.baseUrl);
  await landing.open();
  await landing.pickFiles(files);
  await landing.traceList().waitFor();
  const rows = await landing.traceList().locator("tbody tr").count();
  assert.ok(rows >= 3, `expected at least 3 traces, got ${rows}`);
  // The harness hook counts the traces listed.
  assert.equal(await landing.traceList().getAttribute("data-trace-count"), String(rows));
  await screenshot(page, "trace-list");
  await landing.traceList().locator("tbody tr a").first().click();
  await new TracePage(page).waitForTrace();
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a broken file gets an error naming it, and the good files still load", async (t) => {
  const good = sharedFixture(t, "otlp-json/tempo__vulture__trace.json");
  if (!good) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "spanlens-e2e-"));
  const bad = path.join(dir, "broken-export.json");
  fs.writeFileSync(bad, '{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": ');
  const { page, context } = await openPage(app.browser);
  const landing = new LandingPage(page, app.baseUrl);
  await landing.open();
  await landing.pickFiles([good, bad]);
  const banner = landing.errorBanners().first();
  await banner.waitFor();
  assert.match(await banner.innerText(), /broken-export\.json/);
  await new TracePage(page).waitForTrace();
  await screenshot(page, "error-banner");
  await banner.getByRole("button", { name: "Dismiss" }).click();
  assert.equal(await landing.errorBanners().count(), 0);
  await context.close();
});

test("a file larger than one read slice is parsed as it is read, and every trace arrives", async () => {
  // About 12 MB: three 4 MB slices, so the UI thread's read-ahead, the transfer of several chunks
  // and the worker's element-by-element streaming parse all take part.
  const demo = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "public/samples/checkout.json"), "utf8"));
  const copies = 800;
  const resourceSpans = [];
  for (let i = 0; i < copies; i++) {
    const traceId = (i + 1).toString(16).padStart(32, "0");
    for (const rs of demo.resourceSpans) {
      const copy = structuredClone(rs);
      for (const ss of copy.scopeSpans) for (const span of ss.spans) span.traceId = traceId;
      resourceSpans.push(copy);
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "spanlens-e2e-"));
  const file = path.join(dir, "many-traces.json");
  fs.writeFileSync(file, JSON.stringify({ resourceSpans }, null, 1));
  assert.ok(fs.statSync(file).size > 8 * 1024 * 1024, "the file must span several read slices");
  const { page, context, errors } = await openPage(app.browser);
  const landing = new LandingPage(page, app.baseUrl);
  await landing.open();
  await landing.pickFiles([file]);
  await landing.traceList().waitFor();
  const spans = demo.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)).length;
  const summary = await page.evaluate(() => document.body.innerText);
  assert.match(summary, new RegExp(`${copies.toLocaleString("en")} traces`), "the trace count");
  assert.match(summary, new RegExp(`${(copies * spans).toLocaleString("en")} spans`), "the span count");
  await screenshot(page, "many-traces");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("warnings are counted and listed", async (t) => {
  // Jaeger UI's telemetrygen sample has orphans and a duplicate span id.
  const file = sharedFixture(t, "otlp-json/jaeger-ui__telemetrygen__otlp2jaeger-in.json");
  if (!file) return;
  const { page, context, errors } = await openPage(app.browser);
  const landing = new LandingPage(page, app.baseUrl);
  await landing.open();
  await landing.pickFiles([file]);
  await new TracePage(page).waitForTrace();
  await page.getByTestId("warnings-badge").click();
  await page.getByTestId("warning-kinds").waitFor();
  // Grouped by kind, problems first; each warning about a span links to it.
  const kinds = await page.locator("[data-testid=warning-group]").evaluateAll((els) => els.map((e) => e.dataset.kind));
  assert.ok(kinds.includes("missing_parent") || kinds.includes("duplicate_span_id"), kinds.join(","));
  const first = page.locator("[data-testid=warning-group]").first();
  const link = first.getByRole("link", { name: "Open span" }).first();
  const href = await link.getAttribute("href");
  assert.match(href, /\/trace\/[0-9a-f]+\?load=\d+&span=[0-9a-f]+/);
  await screenshot(page, "warnings");
  await link.click();
  await page.getByTestId("span-detail-name").waitFor();
  assert.deepEqual(errors(), []);
  await context.close();
});

test("?url= loads a file from a URL", async (t) => {
  if (!sharedFixture(t, "zipkin-v2/zipkin-lens__simple-db-p6.json")) return;
  const { page, context, errors } = await openPage(app.browser);
  await page.goto(`${app.baseUrl}/?url=/fixtures/zipkin-v2/zipkin-lens__simple-db-p6.json`);
  await new TracePage(page).waitForTrace();
  assert.match(page.url(), /\/trace\/[0-9a-f]+\?url=/);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a slow ?url= overtaken by a file drop is listed but does not take over when it finally answers", async (t) => {
  const slow = "zipkin-v2/zipkin-lens__simple-db-p6.json";
  const dropped = sharedFixture(t, "jaeger-json/jaeger-ui__ride-sharing-data-object__TraceFlamegraph-testTrace.json");
  if (!sharedFixture(t, slow) || !dropped) return;
  const { page, context, errors } = await openPage(app.browser);
  // Hold the URL's answer until the dropped file is on screen.
  let release;
  const held = new Promise((resolve) => (release = resolve));
  let requested;
  const wasRequested = new Promise((resolve) => (requested = resolve));
  // Match the fetch by path: a glob would also catch the page's own address, whose query names the file.
  await page.route((url) => url.pathname === `/fixtures/${slow}`, async (route) => {
    requested();
    await held;
    await route.continue();
  });
  await page.goto(`${app.baseUrl}/?url=/fixtures/${slow}`);
  await wasRequested;
  const landing = new LandingPage(page, app.baseUrl);
  await landing.pickFiles([dropped]);
  await new TracePage(page).waitForTrace();
  const shownUrl = page.url();
  const spanCount = () => page.locator("[data-span-count]").first().getAttribute("data-span-count");
  await page.locator("[data-span-count]").first().waitFor();
  const shownSpans = await spanCount();
  const listed = page.waitForEvent("console", (m) => m.text().includes("the newer one stays shown"));
  release();
  await listed;
  // The late answer did not take over: the dropped file's trace is still the one shown.
  assert.equal(page.url(), shownUrl);
  assert.doesNotMatch(page.url(), /url=/);
  assert.equal(await spanCount(), shownSpans);
  // It was not lost either: both loads are in the catalog.
  await page.getByRole("link", { name: "spanlens home" }).click();
  await landing.sources().waitFor();
  assert.equal(await landing.sourceCount(), 2);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a URL that does not exist gets a clear error", async () => {
  const { page, context } = await openPage(app.browser);
  await page.goto(`${app.baseUrl}/?url=/fixtures/does-not-exist.json`);
  const banner = new LandingPage(page, app.baseUrl).errorBanners().first();
  await banner.waitFor();
  assert.match(await banner.innerText(), /does-not-exist\.json[\s\S]*404/);
  await context.close();
});

// The catalog: loads accumulate, each trace names its source, sources close, copies merge.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useApp, sharedFixture } from "../lib/fixture.mjs";
import { openPage, screenshot } from "../lib/browser.mjs";
import { LandingPage } from "../pages/landing_page.mjs";
import { TracePage } from "../pages/trace_page.mjs";

const app = useApp();

// A file of 2 traces and a file of 1 trace, from different software.
const MANY = "otlp-jsonl/smartpcr-common__dotnet-sdk-bom__otlp-traces.json";
const ONE = "zipkin-v2/zipkin-lens__simple-db-p6.json";

async function listed(landing) {
  await landing.page.getByRole("link", { name: "spanlens home" }).click();
  await landing.traceList().waitFor();
}

test("drop A then B: both are listed with their source; closing A leaves B; close all empties the list", async (t) => {
  const a = sharedFixture(t, MANY);
  const b = sharedFixture(t, ONE);
  if (!a || !b) return;
  const { page, context, errors } = await openPage(app.browser);
  const landing = new LandingPage(page, app.baseUrl);
  await landing.open();
  await landing.pickFiles([a]);
  await landing.traceList().waitFor();
  const countA = await landing.traceCount();
  assert.ok(countA >= 1);
  await landing.pickFiles([b]);
  await new TracePage(page).waitForTrace(); // B has one trace: it opens
  await listed(landing);
  await landing.waitForTraceCount(countA + 1);
  assert.equal(await landing.sourceCount(), 2);
  // Every row names its source file.
  const sources = await landing.traceList().locator("tbody tr .sl-source-label").allInnerTexts();
  assert.equal(sources.filter((s) => s === MANY.split("/")[1]).length, countA);
  assert.equal(sources.filter((s) => s === ONE.split("/")[1]).length, 1);
  await screenshot(page, "catalog-two-sources");

  // Close A: only B's trace is left.
  await landing.sources().getByTestId("source-chip").first().getByTestId("close-source").click();
  await landing.waitForTraceCount(1);
  assert.equal(await landing.sourceCount(), 1);
  assert.deepEqual(await landing.traceList().locator("tbody tr .sl-source-label").allInnerTexts(), [ONE.split("/")[1]]);

  // Close the last one: the landing page is empty again.
  await landing.sources().getByTestId("close-source").click();
  await landing.traceList().waitFor({ state: "detached" });
  assert.deepEqual(errors(), []);
  await context.close();
});

test("the same trace from two loads is two entries until merged", async (t) => {
  const one = sharedFixture(t, ONE);
  if (!one) return;
  const { page, context, errors } = await openPage(app.browser);
  const landing = new LandingPage(page, app.baseUrl);
  await landing.open();
  await landing.pickFiles([one]);
  await new TracePage(page).waitForTrace();
  const spans = await page.locator("[data-span-count]").first().getAttribute("data-span-count");
  await listed(landing);
  await landing.pickFiles([one]);
  await new TracePage(page).waitForTrace();
  await listed(landing);
  await landing.waitForTraceCount(2);
  const copies = landing.traceList().locator(".sl-trace-table__copies");
  assert.equal(await copies.count(), 2);
  assert.match(await copies.first().innerText(), /also in 1 other load/);

  // Merge: one entry, labelled as merged, whose trace holds both copies' spans (duplicates flagged).
  await landing.traceList().getByTestId("merge-trace").first().click();
  const trace = new TracePage(page);
  await trace.waitForTrace();
  await page.locator("[data-span-count]").first().waitFor();
  const merged = Number(await page.locator("[data-span-count]").first().getAttribute("data-span-count"));
  assert.equal(merged, 2 * Number(spans));
  await listed(landing);
  await landing.waitForTraceCount(1);
  assert.match(await landing.traceList().locator("tbody tr .sl-source-label").innerText(), /^merged: /);
  assert.equal(await landing.sourceCount(), 3);
  await screenshot(page, "catalog-merged");

  // Closing the merge gives the two copies back.
  await landing.sources().getByTestId("source-chip").last().getByTestId("close-source").click();
  await landing.waitForTraceCount(2);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a trace link names its load, and a ?url= link keeps naming the URL across pages", async (t) => {
  if (!sharedFixture(t, ONE)) return;
  const { page, context, errors } = await openPage(app.browser);
  await page.goto(`${app.baseUrl}/?url=/fixtures/${ONE}`);
  await new TracePage(page).waitForTrace();
  assert.match(page.url(), /\/trace\/[0-9a-f]+\?url=/);
  // Navigation keeps the data's name in the address, so any page's link reloads the same data.
  await page.getByRole("link", { name: "Services" }).click();
  await page.getByTestId("services-table").waitFor();
  assert.match(page.url(), /\/services\?url=/);
  await page.reload();
  await page.getByTestId("services-table").waitFor();
  assert.deepEqual(errors(), []);
  await context.close();
});

test("opened files come back after a reload, until the user forgets them", async (t) => {
  const one = sharedFixture(t, ONE);
  if (!one) return;
  const { page, context, errors } = await openPage(app.browser);
  const landing = new LandingPage(page, app.baseUrl);
  await landing.open();
  await landing.pickFiles([one]);
  await new TracePage(page).waitForTrace();
  await page.locator("[data-span-count]").first().waitFor();
  const spans = await page.locator("[data-span-count]").first().getAttribute("data-span-count");
  // The bytes are written to the origin private file system in the background.
  await page.waitForFunction(() => (JSON.parse(localStorage.getItem("spanlens.keptLoads") || "[]")).length === 1);
  const traceUrl = page.url();
  await page.reload();
  await new TracePage(page).waitForTrace();
  await page.locator("[data-span-count]").first().waitFor();
  assert.equal(await page.locator("[data-span-count]").first().getAttribute("data-span-count"), spans);
  assert.equal(page.url(), traceUrl, "a reload stays on the page it reloaded");

  await listed(landing);
  await page.getByTestId("kept-files").waitFor();
  assert.match(await page.getByTestId("kept-files").innerText(), /1 file/);
  await page.getByTestId("forget-kept").click();
  await page.getByTestId("kept-files").waitFor({ state: "detached" });
  await page.goto(traceUrl);
  await page.getByTestId("trace-missing").waitFor();
  assert.deepEqual(errors(), []);
  await context.close();
});

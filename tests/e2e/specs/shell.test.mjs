// The app shell: landing page, the demo trace, themes, navigation and User Timing marks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useApp } from "../lib/fixture.mjs";
import { openPage, screenshot } from "../lib/browser.mjs";
import { LandingPage } from "../pages/landing_page.mjs";
import { TracePage, Waterfall } from "../pages/trace_page.mjs";

const app = useApp();

test("landing page explains what to do and offers the demo", async () => {
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "light" });
  const landing = new LandingPage(page, app.baseUrl);
  await landing.open();
  await page.getByText("Drop trace files here").waitFor();
  await page.getByText("Open files…").waitFor();
  await page.getByTestId("open-demo").waitFor();
  await screenshot(page, "landing-light");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("the demo trace opens and shows checkout with its slow query", async () => {
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "light" });
  const landing = new LandingPage(page, app.baseUrl);
  await landing.open();
  await landing.openDemo();
  const trace = new TracePage(page);
  await trace.waitForTrace();
  assert.match(await trace.title().innerText(), /order-service\s*:\s*checkout/);
  // All 19 spans fit on screen, so the canvas paints every row.
  const wf = new Waterfall(page);
  await wf.waitForPaintedRows(19);
  // Harness hooks on the trace view's root, present once the first frame with rows is drawn.
  const root = page.getByTestId("trace-view");
  assert.equal(await root.getAttribute("data-view"), "waterfall");
  assert.equal(await root.getAttribute("data-span-count"), "19");
  await wf.find("SELECT transactions");
  await page.waitForFunction(() => document.querySelector("[data-testid=span-detail-name]")?.textContent === "SELECT transactions");
  assert.match(page.url(), /\/trace\/4bf92f3577b34da6a3ce929d0e0e4736\?url=samples%2Fcheckout\.json/);
  // Harnesses read these marks; first-paint is recorded on the frame after the trace renders.
  await page.waitForFunction(() => performance.getEntriesByName("spanlens:first-paint").length > 0);
  const marks = await trace.marks();
  for (const m of ["spanlens:load:start", "spanlens:parsed", "spanlens:first-paint"]) {
    assert.ok(marks.includes(m), `missing mark ${m}: ${marks}`);
  }
  await screenshot(page, "demo-trace-light");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a shared trace link reloads its data from ?url=", async () => {
  const { page, context, errors } = await openPage(app.browser);
  await page.goto(`${app.baseUrl}/trace/4bf92f3577b34da6a3ce929d0e0e4736?url=samples%2Fcheckout.json`);
  const trace = new TracePage(page);
  await trace.waitForTrace();
  assert.match(await trace.title().innerText(), /checkout/);
  assert.match(page.url(), /\/trace\/4bf92f3577b34da6a3ce929d0e0e4736/);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("dark theme follows the system and the toggle switches it", async () => {
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "dark" });
  await page.goto(`${app.baseUrl}/trace/4bf92f3577b34da6a3ce929d0e0e4736?url=samples%2Fcheckout.json`);
  await new TracePage(page).waitForTrace();
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(await bg(), "rgb(15, 20, 26)");
  await screenshot(page, "demo-trace-dark");
  await page.getByTestId("theme-toggle").click();
  assert.equal(await bg(), "rgb(247, 248, 250)");
  assert.equal(await page.evaluate(() => localStorage.getItem("spanlens.theme")), "light");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a trace link without its data explains how to get it back", async () => {
  const { page, context, errors } = await openPage(app.browser);
  await page.goto(`${app.baseUrl}/trace/0123456789abcdef`);
  await page.getByTestId("trace-missing").waitFor();
  await page.getByRole("link", { name: "Services" }).click();
  await page.getByText("No traces loaded yet").waitFor();
  assert.deepEqual(errors(), []);
  await context.close();
});

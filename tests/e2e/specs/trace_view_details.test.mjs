// The trace view at 2 a.m.: links that hold the selection, find in screen order, hidden selections,
// keyboard after clicks, the detail panel's room, errors within reach, and what "only critical" means.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useApp, sharedFixture } from "../lib/fixture.mjs";
import { openPage, screenshot } from "../lib/browser.mjs";
import { TracePage, Waterfall } from "../pages/trace_page.mjs";

const app = useApp();
const DEMO = "/trace/4bf92f3577b34da6a3ce929d0e0e4736?url=samples%2Fcheckout.json";
const DEMO_SPANS = 19;
const detailName = (page) => page.evaluate(() => document.querySelector("[data-testid=span-detail-name]")?.textContent ?? null);
const waitForDetail = (page, name) =>
  page.waitForFunction((n) => document.querySelector("[data-testid=span-detail-name]")?.textContent === n, name);

async function openDemo(options = {}, query = "") {
  const opened = await openPage(app.browser, options);
  await opened.page.goto(app.baseUrl + DEMO + query);
  await new TracePage(opened.page).waitForTrace();
  const wf = new Waterfall(opened.page);
  // A small window paints only the rows that fit.
  if (options.viewport) await wf.paintedRows();
  else await wf.waitForPaintedRows(DEMO_SPANS);
  return { ...opened, wf };
}

test("Copy link copies the selected span's address, built when clicked", async () => {
  const { page, context, errors, wf } = await openDemo();
  await page.evaluate(() => {
    window.__copied = [];
    navigator.clipboard.writeText = (text) => {
      window.__copied.push(text);
      return Promise.resolve();
    };
  });
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press("j");
  await waitForDetail(page, "checkout");
  await page.keyboard.press("j");
  await waitForDetail(page, "GET cart");
  await page.getByRole("button", { name: "Copy link" }).click();
  const copied = await page.evaluate(() => window.__copied.at(-1));
  const spanHex = (await wf.detail().innerText()).match(/SPAN ID\s+([0-9a-f]{16})/i)?.[1];
  assert.ok(spanHex, "the panel shows the span id");
  assert.match(copied, new RegExp(`[?&]span=${spanHex}`));
  assert.match(copied, /url=samples/);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("the address is the state: a span link selects, Back restores the previous span", async () => {
  const { page, context, errors } = await openDemo({}, "&span=00f067aa0ba9bbbb");
  await waitForDetail(page, "SELECT transactions");
  // Follow an in-app link to another span of the same trace (a new history entry).
  const next = new URL(page.url());
  next.searchParams.set("span", "00f067aa0ba99999");
  await page.evaluate((href) => {
    history.pushState(null, "", href);
    dispatchEvent(new PopStateEvent("popstate"));
  }, next.toString());
  await page.waitForFunction(() => document.querySelector("[data-testid=span-detail-name]")?.textContent !== "SELECT transactions");
  const followed = await detailName(page);
  assert.notEqual(followed, null);
  await page.goBack();
  await waitForDetail(page, "SELECT transactions");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("find steps through matches in screen order", async () => {
  const { page, context, errors, wf } = await openDemo();
  await wf.find("postgresql");
  const names = [await detailName(page)];
  for (let i = 0; i < 2; i++) {
    await page.getByTestId("find-input").press("Enter");
    await page.waitForFunction((prev) => document.querySelector("[data-testid=span-detail-name]")?.textContent !== prev, names.at(-1));
    names.push(await detailName(page));
  }
  assert.deepEqual(names, ["UPDATE stock", "SELECT transactions", "INSERT orders"]);
  assert.match(await page.getByTestId("find-count").innerText(), /^3 of 3$/);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a selected span hidden by a collapse says so and can be shown again", async () => {
  const { page, context, errors, wf } = await openDemo();
  await wf.find("SELECT transactions");
  await waitForDetail(page, "SELECT transactions");
  await page.getByTestId("collapse-all").click();
  await wf.waitForPaintedRows(1);
  await page.getByTestId("selected-hidden").waitFor();
  await page.getByTestId("reveal-selected").click();
  await page.getByTestId("selected-hidden").waitFor({ state: "detached" });
  assert.ok((await wf.paintedRows()) > 1);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("shortcuts keep working after clicking a toolbar checkbox", async () => {
  const { page, context, errors } = await openDemo();
  await page.getByTestId("critical-only").click();
  await page.getByTestId("critical-notice").waitFor();
  assert.match(await page.getByTestId("critical-notice").innerText(), /Only the critical path: \d+ of 19 spans/);
  await page.getByTestId("critical-only").click();
  await page.keyboard.press("?");
  await page.getByTestId("shortcuts-help").waitFor();
  assert.deepEqual(errors(), []);
  await context.close();
});

test("the detail panel takes no room until a span is selected, and goes below the view on a narrow window", async () => {
  const wide = await openDemo({ viewport: { width: 1024, height: 768 } });
  assert.equal(await wide.page.getByTestId("span-detail").isVisible(), false);
  const before = (await wide.page.getByTestId("waterfall").boundingBox()).width;
  await wide.wf.find("SELECT transactions");
  await waitForDetail(wide.page, "SELECT transactions");
  const after = (await wide.page.getByTestId("waterfall").boundingBox()).width;
  assert.ok(before > 900 && after < before, `waterfall ${before} → ${after} px`);
  await screenshot(wide.page, "trace-view-1024");
  await wide.context.close();

  const narrow = await openDemo({ viewport: { width: 800, height: 900 } });
  await narrow.wf.find("SELECT transactions");
  await waitForDetail(narrow.page, "SELECT transactions");
  const wf = await narrow.page.getByTestId("waterfall").boundingBox();
  const panel = await narrow.page.getByTestId("span-detail").boundingBox();
  assert.ok(panel.y >= wf.y + wf.height - 1, "the panel sits below the waterfall");
  assert.ok(wf.width > 700, `the waterfall keeps the window's width (${wf.width} px)`);
  await screenshot(narrow.page, "trace-view-800");
  assert.deepEqual(narrow.errors(), []);
  await narrow.context.close();
});

test("the header's error count steps through the error spans", async () => {
  const { page, context, errors } = await openDemo();
  await page.getByTestId("next-error").click();
  await waitForDetail(page, "smtp send");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("spans without a duration are incomplete: no invented bars, durations or service times", async (t) => {
  const fixture = "zipkin-v2/zipkin-lens__smartthings-mobile-web-install.json";
  if (!sharedFixture(t, fixture)) return;
  const { page, context, errors } = await openPage(app.browser);
  await page.goto(`${app.baseUrl}/?url=/fixtures/${fixture}`);
  await new TracePage(page).waitForTrace();
  await page.locator("[data-span-count]").first().waitFor();
  // The trace lasts as long as its records (5m06.0s), not the 5m14.3s a flush annotation invented.
  const duration = await page.locator(".sl-stats div", { hasText: "Duration" }).locator("dd").innerText();
  assert.match(duration, /^5m6(\.0)?s$/);
  assert.equal(await page.getByTestId("incomplete-count").innerText(), "91");
  await screenshot(page, "smartthings-header");
  // An incomplete span: selected, its duration is unknown, not a number.
  await page.getByTestId("find-input").fill("brave.flush");
  await page.getByTestId("find-input").press("Enter");
  await page.getByTestId("span-detail-name").waitFor();
  assert.match(await page.getByTestId("span-detail").innerText(), /unknown \(incomplete\)/);
  await screenshot(page, "smartthings-incomplete-span");
  // Services: no span longer than the longest known duration (the issue saw an invented 29.3 s).
  await page.getByRole("link", { name: "Services" }).click();
  await page.getByTestId("services-table").waitFor();
  const longest = await page.locator("[data-testid=service-row] td:last-child").allInnerTexts();
  assert.ok(longest.every((d) => !/^2\d\.\ds$|^29/.test(d)), longest.join(", "));
  await screenshot(page, "smartthings-services");
  // Warnings: one missing-duration warning; the merged client/server halves are informational.
  await page.getByTestId("nav-warnings").click();
  await page.getByTestId("warning-kinds").waitFor();
  const group = page.locator("[data-testid=warning-group][data-kind=missing_duration]");
  assert.match(await group.locator("summary").innerText(), /^Missing duration/);
  await screenshot(page, "smartthings-warnings");
  assert.deepEqual(errors(), []);
  await context.close();
});

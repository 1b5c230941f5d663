// The trace view: canvas waterfall, span details, collapse, find, minimap zoom and deep links.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useApp } from "../lib/fixture.mjs";
import { openPage, screenshot } from "../lib/browser.mjs";
import { TracePage, Waterfall } from "../pages/trace_page.mjs";

const app = useApp();
const DEMO = "/trace/4bf92f3577b34da6a3ce929d0e0e4736?url=samples%2Fcheckout.json";
const DEMO_SPANS = 19;

async function openDemo(options = {}) {
  const opened = await openPage(app.browser, options);
  await opened.page.goto(app.baseUrl + DEMO);
  await new TracePage(opened.page).waitForTrace();
  const wf = new Waterfall(opened.page);
  await wf.waitForPaintedRows(DEMO_SPANS);
  return { ...opened, wf };
}

test("selecting a span shows its attributes", async () => {
  const { page, context, errors, wf } = await openDemo();
  await wf.find("SELECT transactions");
  await page.waitForFunction(() => document.querySelector("[data-testid=span-detail-name]")?.textContent === "SELECT transactions");
  const detail = await wf.detail().innerText();
  assert.match(detail, /db\.statement/);
  assert.match(detail, /card_fingerprint/);
  assert.match(detail, /fraud-detection/);
  await screenshot(page, "trace-view-selected");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("collapse and expand with the mouse controls and the keyboard", async () => {
  const { page, context, errors, wf } = await openDemo();
  await page.getByTestId("collapse-all").click();
  await wf.waitForPaintedRows(1);
  await page.getByTestId("expand-all").click();
  await wf.waitForPaintedRows(DEMO_SPANS);
  // j selects the first row (the root); Left collapses it, Right expands it again.
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press("j");
  await page.waitForFunction(() => document.querySelector("[data-testid=span-detail-name]")?.textContent === "checkout");
  await page.keyboard.press("ArrowLeft");
  await wf.waitForPaintedRows(1);
  await screenshot(page, "trace-view-collapsed");
  await page.keyboard.press("ArrowRight");
  await wf.waitForPaintedRows(DEMO_SPANS);
  await page.keyboard.press("j");
  await page.waitForFunction(() => document.querySelector("[data-testid=span-detail-name]")?.textContent === "GET cart");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("find counts matches and can hide the spans that don't match", async () => {
  const { page, context, errors, wf } = await openDemo();
  await page.keyboard.press("/");
  await page.keyboard.type("postgresql");
  await page.getByTestId("find-count").waitFor();
  assert.match(await page.getByTestId("find-count").innerText(), /^3 matches$/);
  await page.getByTestId("hide-unmatched").check();
  // The three database spans plus their ancestors stay; everything else goes.
  const painted = await page.waitForFunction(() => {
    const n = Number(document.querySelector("[data-testid=waterfall]")?.getAttribute("data-painted-rows"));
    return n < 19 ? n : false;
  });
  const n = await painted.jsonValue();
  assert.ok(n >= 3 && n < DEMO_SPANS, `expected a filtered waterfall, got ${n} rows`);
  await screenshot(page, "trace-view-find-hidden");
  await page.getByTestId("hide-unmatched").uncheck();
  await wf.waitForPaintedRows(DEMO_SPANS);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("the service filter hides a service's spans and shows them again", async () => {
  const { page, context, errors, wf } = await openDemo();
  const filter = page.getByTestId("service-filter");
  // Closed, the menu holds no rows; open, one per service, each with its span count.
  assert.equal(await filter.locator("label").count(), 0);
  await filter.locator("summary").click();
  const rows = filter.locator("label");
  await rows.first().waitFor();
  const services = await rows.evaluateAll((labels) =>
    labels.map((l) => ({ name: l.querySelector(".sl-dropdown__label").textContent, spans: Number(l.querySelector(".sl-muted").textContent) })),
  );
  assert.ok(services.length > 2, `expected the demo's services, got ${JSON.stringify(services)}`);
  assert.equal(services.reduce((s, x) => s + x.spans, 0), DEMO_SPANS);
  // Hide the service with the fewest spans that is not the root's: its spans leave the waterfall.
  const root = await page.evaluate(() => document.querySelector(".sl-trace-header .sl-service-name")?.textContent);
  const target = services.filter((s) => s.name !== root).sort((a, b) => a.spans - b.spans)[0];
  await rows.filter({ hasText: target.name }).locator("input").uncheck();
  await page.waitForFunction(
    (n) => Number(document.querySelector("[data-testid=waterfall]")?.getAttribute("data-painted-rows")) <= n,
    DEMO_SPANS - target.spans,
  );
  assert.equal(await filter.locator("summary").innerText(), "Services (1 hidden)");
  await screenshot(page, "trace-view-service-filter");
  await filter.getByRole("button", { name: "Show all" }).click();
  await wf.waitForPaintedRows(DEMO_SPANS);
  assert.equal(await filter.locator("summary").innerText(), "Services");
  // Closed again, its rows are gone.
  await filter.locator("summary").click();
  await rows.first().waitFor({ state: "detached" });
  assert.deepEqual(errors(), []);
  await context.close();
});

test("dragging on the minimap zooms into a range and reset restores it", async () => {
  const { page, context, errors } = await openDemo();
  const reset = page.getByTestId("zoom-reset");
  assert.equal(await reset.isDisabled(), true);
  const box = await page.locator(".sl-minimap__canvas").boundingBox();
  await page.mouse.move(box.x + box.width * 0.02, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => !document.querySelector("[data-testid=zoom-reset]").disabled);
  await screenshot(page, "trace-view-zoomed");
  await reset.click();
  await page.waitForFunction(() => document.querySelector("[data-testid=zoom-reset]").disabled);
  // Keyboard zoom: + zooms in, 0 resets.
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press("+");
  await page.waitForFunction(() => !document.querySelector("[data-testid=zoom-reset]").disabled);
  await page.keyboard.press("0");
  await page.waitForFunction(() => document.querySelector("[data-testid=zoom-reset]").disabled);
  // Ctrl+wheel over the waterfall zooms (the hand-attached, non-passive wheel listener).
  const wfBox = await page.getByTestId("waterfall").boundingBox();
  await page.mouse.move(wfBox.x + wfBox.width * 0.7, wfBox.y + Math.min(wfBox.height / 2, 120));
  await page.keyboard.down("Control");
  await page.mouse.wheel(0, -240);
  await page.keyboard.up("Control");
  await page.waitForFunction(() => !document.querySelector("[data-testid=zoom-reset]").disabled);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("the deep link restores the selected span", async () => {
  const { page, context, errors, wf } = await openDemo();
  await wf.find('"smtp send"');
  await page.waitForFunction(() => document.querySelector("[data-testid=span-detail-name]")?.textContent === "smtp send");
  await page.waitForFunction(() => new URL(location.href).searchParams.has("span"));
  const link = page.url();
  assert.match(link, /url=samples%2Fcheckout\.json/);
  const second = await openPage(app.browser);
  await second.page.goto(link);
  await second.page.waitForFunction(() => document.querySelector("[data-testid=span-detail-name]")?.textContent === "smtp send");
  const detail = await second.page.getByTestId("span-detail").innerText();
  assert.match(detail, /421 4\.7\.0/);
  assert.match(detail, /exception/);
  assert.deepEqual(second.errors(), []);
  await second.context.close();
  assert.deepEqual(errors(), []);
  await context.close();
});

test("HiDPI: the canvas backing store matches the device pixel ratio", async () => {
  const { page, context, errors, wf } = await openDemo({ deviceScaleFactor: 2 });
  await wf.find("check");
  const ratio = await page.evaluate(() => {
    const c = document.querySelector(".sl-wf__canvas");
    return c.width / c.getBoundingClientRect().width;
  });
  assert.equal(ratio, 2);
  await page.keyboard.press("Escape");
  await screenshot(page, "trace-view-hidpi");
  await page.keyboard.press("?");
  await page.getByTestId("shortcuts-help").waitFor();
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a TraceQL query from the URL or the find box highlights its matches", async () => {
  const { page, context, errors } = await openPage(app.browser);
  const q = encodeURIComponent('{ resource.service.name = "fraud-detection" && kind = client }');
  await page.goto(`${app.baseUrl}${DEMO}&q=${q}`);
  await new TracePage(page).waitForTrace();
  await page.getByTestId("find-count").waitFor();
  assert.match(await page.getByTestId("find-count").innerText(), /^2 matches$/);
  // Typing TraceQL into the find box works too, and a bad query says why.
  const input = page.getByTestId("find-input");
  await input.fill("{ status = error }");
  await page.waitForFunction(() => document.querySelector("[data-testid=find-count]")?.textContent === "1 match");
  assert.match(page.url(), /q=%7B\+?status/);
  await input.fill("{ status = }");
  await page.getByTestId("find-error").waitFor();
  assert.match(await page.getByTestId("find-error").innerText(), /^1:\d+: /);
  await screenshot(page, "trace-view-traceql-error");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("the canvas draws the selected span's bar in its service's colour", async () => {
  const { page, context, errors, wf } = await openDemo();
  await wf.find("SELECT transactions");
  await page.waitForFunction(() => document.querySelector("[data-testid=span-detail-name]")?.textContent === "SELECT transactions");
  // The service's colour, as the service filter's swatch shows it (its rows exist while it is open;
  // it is closed again before the canvas is read, as it lies over the waterfall).
  const service = await page.getByTestId("span-detail").locator(".sl-detail__service").innerText();
  const filter = page.getByTestId("service-filter");
  await filter.locator("summary").click();
  await filter.locator("label").first().waitFor();
  const swatch = await page.evaluate((name) => {
    for (const label of document.querySelectorAll("[data-testid=service-filter] label")) {
      if (label.textContent.includes(name)) return getComputedStyle(label.querySelector(".sl-swatch")).backgroundColor;
    }
    return null;
  }, service);
  assert.ok(swatch, `no swatch for ${service}`);
  await filter.locator("summary").click();
  await filter.locator("label").first().waitFor({ state: "detached" });
  const rgb = swatch.match(/\d+/g).slice(0, 3).map(Number);
  // Read the canvas: find the selected row by its highlight in the label column, then look along that
  // row for the bar's colour.
  const found = await page.evaluate((want) => {
    const canvas = document.querySelector("[data-testid=waterfall] canvas");
    const ctx = canvas.getContext("2d");
    const scale = canvas.width / canvas.clientWidth;
    const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const px = (x, y) => data.slice((y * width + x) * 4, (y * width + x) * 4 + 3);
    const close = (a, b) => a.every((v, i) => Math.abs(v - b[i]) <= 6);
    const selected = [0xdb, 0xe7, 0xfd];
    const x0 = Math.round(4 * scale);
    let rowY = -1;
    for (let y = 0; y < height; y++) if (close(Array.from(px(x0, y)), selected)) { rowY = y; break; }
    if (rowY < 0) return { error: "no selected row" };
    // The bar spans the row's middle 12 px; sample above the 3 px critical-path stripe at its centre.
    const y = rowY + Math.round(8 * scale);
    let hits = 0;
    const seen = new Map();
    for (let x = Math.round(360 * scale); x < width; x++) {
      const c = Array.from(px(x, y));
      if (close(c, want)) hits++;
      seen.set(c.join(","), (seen.get(c.join(",")) || 0) + 1);
    }
    return { rowY: rowY / scale, hits: hits / scale, seen: [...seen.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6) };
  }, rgb);
  assert.ok(!found.error, found.error);
  assert.ok(found.hits >= 2, `expected the bar's colour ${swatch} on the selected row, found ${found.hits} px (row at ${found.rowY}; colours ${JSON.stringify(found.seen)})`);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("the view comes from ?view= and the number keys; switching keeps the selection", async () => {
  const { page, context, errors, wf } = await openDemo();
  await page.locator("[data-view=waterfall]").waitFor();
  assert.equal(await page.getByTestId("view-tab-waterfall").getAttribute("aria-selected"), "true");
  await wf.find("SELECT transactions");
  await page.waitForFunction(() => document.querySelector("[data-testid=span-detail-name]")?.textContent === "SELECT transactions");
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press("1");
  await page.locator("[data-view=waterfall]").waitFor();
  assert.equal(await page.getByTestId("span-detail-name").innerText(), "SELECT transactions");
  // An unknown view in a link falls back to the waterfall instead of an empty page.
  await page.goto(app.baseUrl + DEMO + "&view=no-such-view");
  await page.locator("[data-view=waterfall]").waitFor();
  await page.goto(app.baseUrl + DEMO + "&view=waterfall");
  await page.locator("[data-view=waterfall]").waitFor();
  assert.deepEqual(errors(), []);
  await context.close();
});

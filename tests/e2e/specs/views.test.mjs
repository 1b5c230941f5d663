// The trace's other views and the comparison: the flame graph (time order and left heavy), the
// statistics table and its highlight in the waterfall, and comparing two traces from the trace list.
// Assertions read what the user sees: canvas pixels, table rows, the detail panel.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { useApp } from "../lib/fixture.mjs";
import { openPage, screenshot, PROJECT_ROOT } from "../lib/browser.mjs";
import { TracePage, Waterfall } from "../pages/trace_page.mjs";

// A second checkout, slower and different, served beside the demo for the comparison tests.
const DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "spanlens-views-"));
const DEMO_FILE = path.join(PROJECT_ROOT, "public/samples/checkout.json");
const VARIANT_ID = "5cf92f3577b34da6a3ce929d0e0e4736";
function writeVariant() {
  const doc = JSON.parse(fs.readFileSync(DEMO_FILE, "utf8"));
  let removed = false;
  for (const rs of doc.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      ss.spans = ss.spans.filter((s) => {
        if (!removed && s.name === "INSERT orders") {
          removed = true;
          return false;
        }
        return true;
      });
      for (const s of ss.spans) {
        s.traceId = VARIANT_ID;
        // Every span but the slow query's subtree keeps its times; the query takes 400 ms longer, and
        // so do the spans that wait for it (its ancestors end later).
        if (["SELECT transactions", "checkout", "POST /payments/charge", "charge"].includes(s.name) || s.name.startsWith("POST")) {
          s.endTimeUnixNano = String(BigInt(s.endTimeUnixNano) + 400_000_000n);
        }
      }
    }
  }
  fs.writeFileSync(path.join(DATA_DIR, "checkout-slow.json"), JSON.stringify(doc));
  return removed;
}
const app = useApp({ mounts: () => ({ "/e2e-data/": DATA_DIR }) });

const DEMO_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const DEMO = `/trace/${DEMO_ID}?url=samples%2Fcheckout.json`;
const DEMO_SPANS = 19;

async function openDemo(options = {}, query = "") {
  const opened = await openPage(app.browser, options);
  await opened.page.goto(app.baseUrl + DEMO + query);
  await new TracePage(opened.page).waitForTrace();
  return opened;
}

/** Pixels of `selector`'s canvas within `tolerance` of `rgb`, and the most common colours (for messages). */
async function canvasColour(page, selector, rgb, tolerance = 8) {
  return page.evaluate(
    ({ selector, rgb, tolerance }) => {
      const canvas = document.querySelector(selector);
      if (!canvas) return { error: `no canvas ${selector}` };
      const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
      let hits = 0;
      const seen = new Map();
      for (let i = 0; i < data.length; i += 4) {
        const c = [data[i], data[i + 1], data[i + 2]];
        if (c.every((v, k) => Math.abs(v - rgb[k]) <= tolerance)) hits++;
        const key = c.join(",");
        seen.set(key, (seen.get(key) || 0) + 1);
      }
      return { hits, seen: [...seen.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8) };
    },
    { selector, rgb, tolerance },
  );
}

/** The colour of a service's swatch in the service filter, as [r, g, b]. */
async function serviceColour(page, service) {
  // The filter's rows exist while it is open; it lies over the views, so it is closed again.
  const filter = page.getByTestId("service-filter");
  await filter.locator("summary").click();
  await filter.locator("label").first().waitFor();
  const css = await page.evaluate((name) => {
    for (const label of document.querySelectorAll("[data-testid=service-filter] label")) {
      if (label.textContent.includes(name)) return getComputedStyle(label.querySelector(".sl-swatch")).backgroundColor;
    }
    return null;
  }, service);
  assert.ok(css, `no swatch for ${service}`);
  await filter.locator("summary").click();
  await filter.locator("label").first().waitFor({ state: "detached" });
  return css.match(/\d+/g).slice(0, 3).map(Number);
}

const paintedFrames = (page) =>
  page.waitForFunction(() => Number(document.querySelector("[data-testid=flame]")?.getAttribute("data-painted-frames") || 0) > 0);

test("the flame graph opens by key and by URL, draws every span, and selects with a click", async () => {
  const { page, context, errors } = await openDemo({ colorScheme: "light" });
  await new Waterfall(page).waitForPaintedRows(DEMO_SPANS);
  await page.keyboard.press("2");
  await page.locator("[data-view=flame]").waitFor();
  assert.match(page.url(), /[?&]view=flame/);
  await paintedFrames(page);
  // The demo's 19 spans are 19 frames in time order, all wide enough to draw at this width.
  await page.waitForFunction((n) => document.querySelector("[data-testid=flame]")?.getAttribute("data-painted-frames") === String(n), DEMO_SPANS);
  // The root frame sits on the first row under the axis, in its service's colour.
  const rootColour = await serviceColour(page, "order-service");
  const seen = await canvasColour(page, "[data-testid=flame] canvas", rootColour);
  assert.ok(seen.hits > 1000, `expected order-service's colour in the flame graph, ${JSON.stringify(seen)}`);
  // Clicking the root frame (first row under the 26 px axis) selects the root span.
  const canvas = page.locator("[data-testid=flame] canvas");
  const box = await canvas.boundingBox();
  await page.mouse.click(box.x + 40, box.y + 26 + 10);
  await page.waitForFunction(() => document.querySelector("[data-testid=span-detail-name]")?.textContent === "checkout");
  assert.match(page.url(), /[?&]span=00f067aa0ba91111/);
  // Down goes to the first child; the waterfall then shows the same selection.
  await page.keyboard.press("j");
  await page.waitForFunction(() => document.querySelector("[data-testid=span-detail-name]")?.textContent !== "checkout");
  const child = await page.getByTestId("span-detail-name").innerText();
  await page.keyboard.press("1");
  await page.locator("[data-view=waterfall]").waitFor();
  assert.equal(await page.getByTestId("span-detail-name").innerText(), child);
  await page.keyboard.press("2");
  await paintedFrames(page);
  await screenshot(page, "flame-light");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("left heavy merges repeated calls and the URL keeps the mode; the operations table highlights", async () => {
  const { page, context, errors } = await openDemo({ colorScheme: "dark" }, "&view=flame");
  await paintedFrames(page);
  await page.getByTestId("flame-left-heavy").click();
  await page.waitForFunction(() => new URL(location.href).searchParams.get("flame") === "left-heavy");
  await paintedFrames(page);
  const merged = Number(await page.getByTestId("flame").getAttribute("data-painted-frames"));
  assert.ok(merged > 0 && merged <= DEMO_SPANS, `left heavy paints at most one frame per span (${merged})`);
  // A reload restores the mode.
  await page.reload();
  await paintedFrames(page);
  assert.equal(await page.getByTestId("flame-left-heavy").getAttribute("aria-pressed"), "true");
  // The operations table lists the demo's operations; a click marks the row active.
  const rows = page.getByTestId("flame-table-row");
  assert.ok((await rows.count()) >= 10);
  await rows.first().click();
  await page.locator(".sl-flame-table__row--active").waitFor();
  await screenshot(page, "flame-left-heavy-dark");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("HiDPI: the flame canvas is crisp (backing store at the device pixel ratio)", async () => {
  const { page, context, errors } = await openDemo({ deviceScaleFactor: 2, colorScheme: "light" }, "&view=flame");
  await paintedFrames(page);
  const ratio = await page.evaluate(() => {
    const c = document.querySelector("[data-testid=flame] canvas");
    return c.width / c.clientWidth;
  });
  assert.equal(ratio, 2);
  await screenshot(page, "flame-hidpi");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("statistics: grouped rows, a histogram, and a click highlights the group in the waterfall", async () => {
  const { page, context, errors } = await openDemo({ colorScheme: "light" }, "&view=stats");
  const table = page.getByTestId("stats-table");
  await table.waitFor();
  // Service, then operation: one row per service plus one per (service, operation).
  const rows = Number(await table.getAttribute("data-stats-rows"));
  assert.ok(rows > DEMO_SPANS / 2, `expected service and operation rows, got ${rows}`);
  // Group by operation only.
  await page.getByTestId("stats-group-first").selectOption("operation");
  await page.getByTestId("stats-group-second").selectOption("none");
  await page.waitForFunction(() => new URL(location.href).searchParams.get("then") === "none");
  const opRow = page.getByTestId("stats-row").filter({ hasText: "SELECT transactions" });
  await opRow.click();
  await page.getByTestId("duration-histogram").waitFor();
  assert.equal(await page.getByTestId("stats-selected").innerText(), "SELECT transactions");
  assert.match(await page.getByTestId("find-input").inputValue(), /name = "SELECT transactions"/);
  await screenshot(page, "stats-light");
  // The waterfall shows the group's span as a find match (its row tinted with the match colour).
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press("1");
  await new Waterfall(page).paintedRows();
  await page.waitForFunction(() => /^1 match$/.test(document.querySelector("[data-testid=find-count]")?.textContent ?? ""));
  // The canvas redraws on the next animation frame after the matches change: read it until it has.
  let matched = { hits: 0 };
  for (let i = 0; i < 20 && matched.hits <= 200; i++) {
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    matched = await canvasColour(page, "[data-testid=waterfall] canvas", [0xff, 0xf4, 0xc2], 4);
  }
  assert.ok(matched.hits > 200, `expected the matched row's tint, ${JSON.stringify(matched)}`);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("statistics by attribute: a row per value and one for the spans without it (dark)", async () => {
  const { page, context, errors } = await openDemo({ colorScheme: "dark" }, "&view=stats&group=attr:db.system&then=none");
  const table = page.getByTestId("stats-table");
  await table.waitFor();
  const groups = await page.getByTestId("stats-row").locator("td:first-child").allInnerTexts();
  assert.ok(groups.some((g) => /postgresql/.test(g)), JSON.stringify(groups));
  assert.ok(groups.some((g) => /^Without tag/i.test(g)), JSON.stringify(groups));
  await screenshot(page, "stats-dark");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("compare two traces ticked in the trace list; the link restores the comparison", async () => {
  assert.ok(writeVariant(), "the variant drops one span");
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "light" });
  const goHome = () =>
    page.evaluate(() => {
      history.pushState(null, "", "/");
      dispatchEvent(new PopStateEvent("popstate"));
    });
  await page.goto(app.baseUrl + "/?url=samples%2Fcheckout.json");
  await new TracePage(page).waitForTrace();
  await goHome();
  await page.getByTestId("file-input").setInputFiles(path.join(DATA_DIR, "checkout-slow.json"));
  await page.waitForFunction((id) => location.pathname.includes(id), VARIANT_ID);
  await goHome();
  const picks = page.getByTestId("compare-pick");
  await picks.first().waitFor();
  assert.equal(await picks.count(), 2);
  await picks.nth(0).check();
  await picks.nth(1).check();
  await page.getByTestId("compare-link").click();
  const table = page.getByTestId("diff-table");
  await table.waitFor();
  const nodes = Number(await table.getAttribute("data-diff-nodes"));
  assert.ok(nodes >= DEMO_SPANS / 2, `merged tree nodes: ${nodes}`);
  const classes = await page.getByTestId("diff-row").evaluateAll((rows) => rows.map((r) => r.dataset.diffClass));
  assert.ok(classes.includes("removed") || classes.includes("added"), `one side lacks INSERT orders: ${classes}`);
  // "Got slower" keeps only nodes whose time grew: the slow query and its ancestors.
  await page.getByTestId("diff-show-slower").click();
  await page.waitForFunction(() => new URL(location.href).searchParams.get("show") === "slower");
  const slower = await page.getByTestId("diff-row").allInnerTexts();
  assert.ok(slower.length >= 2 && slower.some((r) => r.includes("SELECT transactions")), JSON.stringify(slower));
  await screenshot(page, "compare-light");
  // A link naming both traces by URL restores the comparison on a fresh page.
  const enc = encodeURIComponent;
  const link = `${app.baseUrl}/compare/${DEMO_ID}/${VARIANT_ID}?a=${enc("url=" + enc("samples/checkout.json"))}&b=${enc("url=" + enc("/e2e-data/checkout-slow.json"))}&show=slower`;
  const fresh = await openPage(app.browser, { colorScheme: "dark" });
  await fresh.page.goto(link);
  await fresh.page.getByTestId("diff-table").waitFor();
  assert.equal(await fresh.page.getByTestId("diff-show-slower").evaluate((b) => b.classList.contains("sl-segmented__item--active")), true);
  assert.equal(await fresh.page.getByTestId("diff-row").count(), slower.length);
  await screenshot(fresh.page, "compare-dark");
  assert.deepEqual(fresh.errors(), []);
  await fresh.context.close();
  assert.deepEqual(errors(), []);
  await context.close();
});

test("statistics over every loaded trace count the spans of both loads", async () => {
  writeVariant();
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "light" });
  const go = (href) =>
    page.evaluate((h) => {
      history.pushState(null, "", h);
      dispatchEvent(new PopStateEvent("popstate"));
    }, href);
  await page.goto(app.baseUrl + "/?url=samples%2Fcheckout.json");
  await new TracePage(page).waitForTrace();
  await go("/");
  await page.getByTestId("file-input").setInputFiles(path.join(DATA_DIR, "checkout-slow.json"));
  await page.waitForFunction((id) => location.pathname.includes(id), VARIANT_ID);
  await go(`${DEMO}&view=stats&group=operation&then=none&over=all`);
  await page.getByTestId("stats-table").waitFor();
  assert.equal(await page.getByTestId("stats-scope-all").evaluate((b) => b.classList.contains("sl-segmented__item--active")), true);
  const row = page.getByTestId("stats-row").filter({ hasText: "SELECT transactions" });
  // One query per trace: two spans, the slow one 400 ms longer.
  assert.equal((await row.locator("td").nth(1).innerText()).trim(), "2");
  const noInsert = page.getByTestId("stats-row").filter({ hasText: "INSERT orders" });
  assert.equal((await noInsert.locator("td").nth(1).innerText()).trim(), "1", "the variant has no INSERT orders");
  // A search's results: only the traces a query matches (the variant has no INSERT orders).
  await page.getByTestId("find-input").fill('{ name = "INSERT orders" }');
  await page.getByTestId("stats-scope-matching").click();
  await page.waitForFunction(() => new URL(location.href).searchParams.get("over") === "matching");
  await page.waitForFunction(() => {
    const r = [...document.querySelectorAll("[data-testid=stats-row]")].find((tr) => tr.textContent.includes("SELECT transactions"));
    return r?.querySelectorAll("td")[1]?.textContent.trim() === "1";
  });
  assert.match(page.url(), /[?&]match=/);
  // Clicking the row still highlights this trace's span.
  await row.click();
  await page.getByTestId("duration-histogram").waitFor();
  assert.match(await page.getByTestId("find-input").inputValue(), /name = "SELECT transactions"/);
  assert.deepEqual(errors(), []);
  await context.close();
});

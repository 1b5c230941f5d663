// The app's code split into chunks fetched on first use (src/chunks, scripts/split_app.mjs): a trace
// link's first frame needs none of them, and the trace's other views are fetched after it; a page's
// chunk comes when the pointer is over its link (or it has focus); a chunk that fails to load says
// so, and trying again shows the view.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useApp } from "../lib/fixture.mjs";
import { openPage, screenshot } from "../lib/browser.mjs";
import { TracePage, Waterfall } from "../pages/trace_page.mjs";

const app = useApp();
const DEMO = "/trace/4bf92f3577b34da6a3ce929d0e0e4736?url=samples%2Fcheckout.json";
const DEMO_SPANS = 19;
const CHUNK = /-split\/[^/]+\.wasm$/;

/** Every chunk the page asks for, by file name, in order. */
function chunkRequests(page) {
  const seen = [];
  page.on("request", (r) => {
    if (CHUNK.test(new URL(r.url()).pathname)) seen.push(r.url().split("/").pop());
  });
  return seen;
}

test("a trace link's first frame needs no chunk; the other views' come after it, and the flame graph draws", async () => {
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "light" });
  const chunks = chunkRequests(page);
  await page.goto(app.baseUrl + DEMO);
  await new TracePage(page).waitForTrace();
  await new Waterfall(page).waitForPaintedRows(DEMO_SPANS);
  // The trace's other views are fetched in the background once its first frame is drawn; no chunk
  // was asked for before that frame.
  await page.waitForFunction(() =>
    ["split_flame", "split_stats", "split_graph"].every((n) =>
      performance.getEntriesByType("resource").some((e) => e.name.endsWith(`/${n}.wasm`) && e.responseEnd > 0),
    ),
  );
  const early = await page.evaluate(() => {
    const frame = performance.getEntriesByName("spanlens:first-paint")[0]?.startTime;
    // The chunks' loader (__wasm_split.js) is a static import of the app's glue; the chunks are not.
    const chunks = performance.getEntriesByType("resource").filter((e) => /-split\/.+\.wasm$/.test(e.name));
    return { frame, before: chunks.filter((e) => !(e.startTime >= frame)).map((e) => e.name) };
  });
  assert.ok(early.frame > 0, "the first frame is marked");
  assert.deepEqual(early.before, [], "no chunk before the first frame");
  assert.ok(!chunks.includes("split_search.wasm"), "the search page's chunk is not prefetched");
  // The flame graph is then shown at once, and draws every span.
  const fetched = chunks.length;
  await page.keyboard.press("2");
  await page.locator("[data-view=flame]").waitFor();
  await page.waitForFunction(
    (n) => document.querySelector("[data-testid=flame]")?.getAttribute("data-painted-frames") === String(n),
    DEMO_SPANS,
  );
  assert.equal(chunks.length, fetched, "nothing more was fetched for the flame graph");
  // Drawn, not only counted: the flame canvas holds more than its background.
  const colours = await page.evaluate(() => {
    const canvas = document.querySelector("[data-testid=flame] canvas");
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    const seen = new Set();
    for (let i = 0; i < data.length; i += 16) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
    return seen.size;
  });
  assert.ok(colours > 10, `the flame graph is drawn (${colours} colours)`);
  await page.keyboard.press("1");
  await page.locator("[data-view=waterfall]").waitFor();
  await page.keyboard.press("3");
  await page.getByTestId("stats-table").waitFor();
  assert.equal(chunks.length, fetched);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a chunk that fails to load says so, and trying again shows the view", async () => {
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "dark" });
  let refuse = true;
  await page.route(/-split\/split_stats\.wasm$/, (route) => (refuse ? route.abort("connectionrefused") : route.continue()));
  await page.goto(app.baseUrl + DEMO + "&view=stats");
  await new TracePage(page).waitForTrace();
  const failed = page.getByTestId("deferred-error");
  await failed.waitFor();
  assert.match(await failed.innerText(), /Could not load the statistics/);
  await screenshot(page, "chunk-failed");
  refuse = false;
  await failed.getByRole("button", { name: "Try again" }).click();
  const table = page.getByTestId("stats-table");
  await table.waitFor();
  assert.ok(Number(await table.getAttribute("data-stats-rows")) > DEMO_SPANS / 2);
  assert.equal(await failed.count(), 0);
  // The only errors are the refused fetch and the loader's report of it.
  for (const e of errors()) assert.match(e, /split_stats|Failed to fetch|ERR_CONNECTION_REFUSED|TypeError/, e);
  await context.close();
});

test("a page's code is fetched when the pointer is over its link, and the page opens", async () => {
  const { page, context, errors } = await openPage(app.browser);
  const chunks = chunkRequests(page);
  await page.goto(app.baseUrl + DEMO);
  await new TracePage(page).waitForTrace();
  assert.ok(!chunks.includes("split_search.wasm"));
  const link = page.getByRole("link", { name: "Search", exact: true });
  const fetched = page.waitForResponse((r) => r.url().endsWith("/split_search.wasm"));
  await link.hover();
  await fetched;
  await link.click();
  await page.getByTestId("query-input").waitFor();
  assert.equal(chunks.filter((c) => c === "split_search.wasm").length, 1, `fetched once: ${chunks}`);
  // The services page, opened from its link without a pointer over it first (keyboard focus).
  await page.getByRole("link", { name: "Services", exact: true }).focus();
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/services/);
  await page.getByTestId("services-table").waitFor();
  assert.ok(chunks.includes("split_services.wasm"), `the services page's chunk was fetched: ${chunks}`);
  assert.deepEqual(errors(), []);
  await context.close();
});

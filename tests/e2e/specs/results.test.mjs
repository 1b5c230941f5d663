// Search results: sorting (kept in the URL), ticking several results to compare two or open them
// together in the loaded-trace list (a link that reopens them), and a 1,500-trace answer rendered as
// a virtualised table. The Jaeger backend's search and trace answers are built here (the recorded
// Jaeger fixtures hold a single trace); Zipkin runs against the recorded test backend.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useApp, sharedFixture } from "../lib/fixture.mjs";
import { openPage, screenshot, SHARED } from "../lib/browser.mjs";
import { recordedTraceIds } from "../lib/backend.mjs";
import { SearchPage } from "../pages/search_page.mjs";
import { LandingPage } from "../pages/landing_page.mjs";

// A file of 40 generated Jaeger traces, for the local search (no recorded fixture has several).
const app = useApp({
  backends: true,
  handlers: {
    "/e2e-results/": (req, res) => {
      const data = Array.from({ length: 40 }, (_, i) => jaegerTrace(i));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ data, total: data.length, limit: 0, offset: 0, errors: null }));
    },
  },
});

const NOW_MICROS = Date.now() * 1000;

/** Trace `i` of a generated Jaeger answer: distinct durations for the first 40 (7919 is coprime with
 * 40), 1 to 5 spans, every seventh with an error; trace 0 is the newest. */
function jaegerTrace(i) {
  const traceID = "abcd" + i.toString(16).padStart(28, "0");
  const start = NOW_MICROS - 60_000_000 - i * 1_000_000;
  const duration = 1000 + ((i * 7919) % 40) * 1000 + Math.floor(i / 40);
  const spanCount = (i % 5) + 1;
  const spans = [];
  for (let s = 0; s < spanCount; s++) {
    spans.push({
      traceID,
      spanID: (i * 8 + s + 1).toString(16).padStart(16, "0"),
      operationName: s === 0 ? `GET /item/${i}` : `db query ${s}`,
      references: s === 0 ? [] : [{ refType: "CHILD_OF", traceID, spanID: (i * 8 + 1).toString(16).padStart(16, "0") }],
      startTime: start + s * 10,
      duration: s === 0 ? duration : Math.max(1, Math.floor(duration / 2)),
      tags: s === 1 && i % 7 === 0 ? [{ key: "error", type: "bool", value: true }] : [],
      logs: [],
      processID: s === 0 ? "p1" : "p2",
      warnings: null,
    });
  }
  return {
    traceID,
    spans,
    processes: { p1: { serviceName: "frontend", tags: [] }, p2: { serviceName: "inventory", tags: [] } },
    warnings: null,
  };
}

/** Answers the `jaeger` test backend's search with `count` generated traces, and each trace by id. */
async function generatedJaeger(page, count) {
  const traces = Array.from({ length: count }, (_, i) => jaegerTrace(i));
  const byId = new Map(traces.map((t) => [t.traceID, t]));
  const envelope = (data) => JSON.stringify({ data, total: data.length, limit: 0, offset: 0, errors: null });
  await page.route(
    (url) => url.pathname.startsWith("/backends/jaeger/api/traces"),
    (route) => {
      const path = new URL(route.request().url()).pathname;
      const id = path.match(/\/api\/traces\/([0-9a-f]+)$/)?.[1];
      if (!id) return route.fulfill({ status: 200, contentType: "application/json", body: envelope(traces) });
      const trace = byId.get(id);
      if (!trace) return route.fulfill({ status: 404, contentType: "text/plain", body: envelope([]) });
      return route.fulfill({ status: 200, contentType: "application/json", body: envelope([trace]) });
    },
  );
  return traces;
}

const rootDuration = (t) => t.spans[0].duration;

async function searchJaeger(page, query = "") {
  await page.goto(`${app.baseUrl}/search?backend=jaeger&lookback=1h${query}`);
  await page.locator("[data-search-results]").waitFor();
}

test("sorting: longest first puts the longest trace on top, the order is in the URL and survives a reload", async (t) => {
  if (!sharedFixture(t, "backend-api/MANIFEST.json")) return;
  const { page, context, errors } = await openPage(app.browser);
  const traces = await generatedJaeger(page, 40);
  const search = new SearchPage(page, app.baseUrl);
  await searchJaeger(page);
  assert.match(await search.count().innerText(), /^40 matching traces$/);
  // Most recent first by default: trace 0 is the newest.
  assert.equal((await search.rowIds())[0], traces[0].traceID);
  assert.equal(await search.sort().inputValue(), "recent");

  const longest = [...traces].sort((a, b) => rootDuration(b) - rootDuration(a))[0];
  await search.sort().selectOption("longest");
  await page.waitForFunction(() => new URL(location.href).searchParams.get("sort") === "longest");
  await page.waitForFunction((id) => document.querySelector("[data-testid=search-row]")?.dataset.traceId === id, longest.traceID);
  // Nothing re-ran: the search was not asked again (the row count and the URL's form stay).
  assert.equal(new URL(page.url()).searchParams.get("backend"), "jaeger");

  await page.reload();
  await page.locator("[data-search-results]").waitFor();
  assert.equal(await search.sort().inputValue(), "longest");
  assert.equal((await search.rowIds())[0], longest.traceID);

  const shortest = [...traces].sort((a, b) => rootDuration(a) - rootDuration(b))[0];
  await search.sort().selectOption("shortest");
  await page.waitForFunction((id) => document.querySelector("[data-testid=search-row]")?.dataset.traceId === id, shortest.traceID);
  await search.sort().selectOption("most-spans");
  const first = await search.rowIds();
  assert.equal(traces.find((t) => t.traceID === first[0]).spans.length, 5);
  // A new search keeps the order (its URL is rebuilt from the form; `sort=` comes back).
  await page.getByTestId("search-lookback").selectOption("6h");
  await page.getByTestId("backend-run").click();
  await page.waitForFunction(() => new URL(location.href).searchParams.get("lookback") === "6h");
  await page.locator("[data-search-results]").waitFor();
  await page.waitForFunction(() => new URL(location.href).searchParams.get("sort") === "most-spans");
  assert.equal(await search.sort().inputValue(), "most-spans");
  // Back to the default: `sort=` leaves the URL.
  await search.sort().selectOption("recent");
  await page.waitForFunction(() => !new URL(location.href).searchParams.has("sort"));
  assert.deepEqual(errors(), []);
  await context.close();
});

for (const colorScheme of ["light", "dark"]) {
  test(`tick three Jaeger results and open them together; the link reopens them (${colorScheme})`, async (t) => {
    if (!sharedFixture(t, "backend-api/MANIFEST.json")) return;
    const { page, context, errors } = await openPage(app.browser, { colorScheme });
    const traces = await generatedJaeger(page, 40);
    const search = new SearchPage(page, app.baseUrl);
    await searchJaeger(page);
    const wanted = [traces[2], traces[5], traces[9]].map((t) => t.traceID);
    for (const id of wanted) await search.pick(id);
    const bar = search.selectionBar();
    assert.match(await bar.innerText(), /3 selected/);
    // Compare needs exactly two.
    assert.equal(await page.getByTestId("compare-link").count(), 0);
    assert.equal(await search.openSelected().innerText(), "Open 3 together");
    await screenshot(page, `results-selection-${colorScheme}`);

    await search.openSelected().click();
    const landing = new LandingPage(page, app.baseUrl);
    await page.waitForSelector("[data-testid=opened-together][data-opened='3']");
    await landing.waitForTraceCount(3);
    const listed = await landing.traceList().locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.traceId));
    assert.deepEqual([...listed].sort(), [...wanted].sort());
    const url = new URL(page.url());
    assert.equal(url.pathname, "/");
    assert.equal(url.searchParams.get("backend"), "jaeger");
    assert.deepEqual(url.searchParams.get("traces").split(",").sort(), [...wanted].sort());
    if (colorScheme === "light") await screenshot(page, "results-opened-together");

    // A reload (or the shared link) fetches them again.
    await page.reload();
    await landing.waitForTraceCount(3);
    await page.waitForSelector("[data-testid=opened-together][data-opened='3']");
    assert.deepEqual(
      [...(await landing.traceList().locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.traceId)))].sort(),
      [...wanted].sort(),
    );
    assert.equal(new URL(page.url()).pathname, "/");
    assert.deepEqual(errors(), []);
    await context.close();
  });
}

test("two ticked results still compare; Clear unticks everything", async (t) => {
  if (!sharedFixture(t, "backend-api/MANIFEST.json")) return;
  const { page, context, errors } = await openPage(app.browser);
  const traces = await generatedJaeger(page, 40);
  const search = new SearchPage(page, app.baseUrl);
  await searchJaeger(page);
  await search.pick(traces[1].traceID);
  await search.pick(traces[3].traceID);
  await search.pick(traces[4].traceID);
  assert.equal(await page.getByTestId("compare-link").count(), 0);
  // Unticking one leaves two: Compare appears.
  await page.locator(`[data-testid=search-row][data-trace-id="${traces[4].traceID}"] [data-testid=compare-pick]`).uncheck();
  await page.getByTestId("compare-link").waitFor();
  await page.getByTestId("clear-selected").click();
  await page.getByTestId("compare-link").waitFor({ state: "detached" });
  assert.equal(await page.locator("[data-testid=compare-pick]:checked").count(), 0);

  await search.pick(traces[1].traceID);
  await search.pick(traces[3].traceID);
  await page.getByTestId("compare-link").click();
  await page.getByTestId("diff-table").waitFor();
  assert.match(page.url(), new RegExp(`/compare/${traces[1].traceID}/${traces[3].traceID}`));
  assert.deepEqual(errors(), []);
  await context.close();
});

test("Zipkin: three results opened together from the recorded test backend", async (t) => {
  if (!sharedFixture(t, "backend-api/MANIFEST.json")) return;
  const recorded = recordedTraceIds(SHARED).zipkin;
  const { page, context, errors } = await openPage(app.browser);
  const search = new SearchPage(page, app.baseUrl);
  await page.goto(`${app.baseUrl}/search?backend=zipkin&lookback=30d`);
  await page.locator("[data-search-results]").waitFor();
  const ids = (await search.rowIds()).filter((id) => recorded.some((r) => r.id === id)).slice(0, 3);
  assert.equal(ids.length, 3, `recorded Zipkin traces listed: ${ids}`);
  for (const id of ids) await search.pick(id);
  await search.openSelected().click();
  const landing = new LandingPage(page, app.baseUrl);
  await landing.waitForTraceCount(3);
  await page.waitForSelector("[data-testid=opened-together][data-opened='3']");
  const listed = await landing.traceList().locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.traceId));
  assert.deepEqual([...listed].sort(), [...ids].sort());
  assert.equal(new URL(page.url()).searchParams.get("backend"), "zipkin");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("1,500 results: every one is listed, few are in the DOM, and scrolling reaches the last", async (t) => {
  if (!sharedFixture(t, "backend-api/MANIFEST.json")) return;
  const { page, context, errors } = await openPage(app.browser);
  const traces = await generatedJaeger(page, 1500);
  const search = new SearchPage(page, app.baseUrl);
  await searchJaeger(page);
  await page.waitForSelector("[data-search-results][data-count='1500']");
  assert.match(await search.count().innerText(), /^1,500 matching traces$/);
  assert.equal(await search.results().getAttribute("data-trace-count"), "1500");
  const rendered = await search.rows().count();
  assert.ok(rendered > 10 && rendered < 100, `${rendered} rows in the DOM`);
  // Every row has the height the virtualisation assumes.
  const heights = await search.rows().evaluateAll((rows) => [...new Set(rows.map((r) => r.getBoundingClientRect().height))]);
  assert.deepEqual(heights, [52]);

  // Newest first: the last row is the oldest trace.
  const last = traces[traces.length - 1].traceID;
  await search.scrollResultsToEnd();
  const lastRow = page.locator(`[data-testid=search-row][data-trace-id="${last}"]`);
  await lastRow.waitFor();
  assert.ok(await lastRow.isVisible());
  const ids = await search.rowIds();
  assert.equal(ids[ids.length - 1], last);
  assert.ok(ids.length < 100, `${ids.length} rows in the DOM at the end`);
  await screenshot(page, "results-1500-end");

  // More than 20 ticked: opening together is refused with the reason.
  const picks = page.getByTestId("compare-pick");
  for (let i = 0; i < 21; i++) await picks.nth(ids.length - 1 - i).check();
  assert.match(await search.selectionBar().innerText(), /21 selected/);
  await page.getByTestId("open-selected-limit").waitFor();
  assert.equal(await search.openSelected().count(), 0);

  // Re-sorting while scrolled to the end shows the new first rows: the longest trace on top.
  const longest = [...traces].sort((a, b) => rootDuration(b) - rootDuration(a))[0];
  await search.sort().selectOption("longest");
  await page.waitForFunction((id) => document.querySelector("[data-testid=search-row]")?.dataset.traceId === id, longest.traceID);
  assert.equal(await search.results().evaluate((table) => table.closest(".sl-trace-table__scroll").scrollTop), 0);
  assert.ok(await page.locator(`[data-testid=search-row][data-trace-id="${longest.traceID}"]`).isVisible());
  assert.deepEqual(errors(), []);
  await context.close();
});

test("local TraceQL results sort the same way; traces already loaded offer Compare, not Open together", async () => {
  const { page, context, errors } = await openPage(app.browser);
  const search = new SearchPage(page, app.baseUrl);
  await search.open(`?url=${encodeURIComponent("/e2e-results/jaeger-40.json")}&q=${encodeURIComponent("{ }")}&sort=most-spans`);
  await search.results().waitFor();
  await page.waitForSelector("[data-testid=search-results][data-trace-count='40']");
  assert.equal(await search.sort().inputValue(), "most-spans");
  // The Spans column (after the tick, trace, source and start columns) falls from the top.
  const spans = await search.rows().evaluateAll((rows) => rows.map((r) => Number(r.cells[4].innerText.replace(/,/g, ""))));
  assert.deepEqual(spans, [...spans].sort((a, b) => b - a));
  await search.sort().selectOption("fewest-spans");
  await page.waitForFunction(() => new URL(location.href).searchParams.get("sort") === "fewest-spans");
  const fewest = await search.rows().evaluateAll((rows) => rows.map((r) => Number(r.cells[4].innerText.replace(/,/g, ""))));
  assert.deepEqual(fewest, [...fewest].sort((a, b) => a - b));
  assert.equal(fewest[0], 1);
  assert.equal(spans[0], 5);
  const ids = await search.rowIds();
  await search.pick(ids[0]);
  await search.pick(ids[1]);
  await page.getByTestId("compare-link").waitFor();
  assert.equal(await search.openSelected().count(), 0);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a link naming more than 20 traces opens the first 20 and says so", async (t) => {
  if (!sharedFixture(t, "backend-api/MANIFEST.json")) return;
  const { page, context } = await openPage(app.browser);
  const traces = await generatedJaeger(page, 25);
  await page.goto(`${app.baseUrl}/?backend=jaeger&traces=${traces.map((t) => t.traceID).join(",")}`);
  const banner = page.getByTestId("error-banner").first();
  await banner.waitFor();
  assert.match(await banner.innerText(), /first 20 traces[\s\S]*25 traces[\s\S]*5 were left out/);
  const landing = new LandingPage(page, app.baseUrl);
  await landing.waitForTraceCount(20);
  await page.waitForSelector("[data-testid=opened-together][data-opened='20'][data-wanted='20']");
  assert.equal(new URL(page.url()).pathname, "/");
  await context.close();
});

// TraceQL metrics on the search page: a chart (series, legend, hover, zoom), the table view, dark
// mode, and a Tempo backend's /api/metrics/query_range answer drawn the same way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useApp, sharedFixture } from "../lib/fixture.mjs";
import { openPage, screenshot } from "../lib/browser.mjs";
import { SearchPage } from "../pages/search_page.mjs";

const app = useApp({ backends: true });
// `spanlens query -q '{ } | count_over_time() by (resource.service.name)' public/samples/checkout.json`
// prints 5 series: the demo trace's services.
const DEMO_SERVICES = 5;

const chart = (page) => page.locator("[data-testid=metrics-chart][data-metrics-series]");

/** Opens `/search?…&q=` and waits for the chart to be drawn. */
async function openMetrics(page, query) {
  const search = new SearchPage(page, app.baseUrl);
  await search.open(query);
  await chart(page).waitFor();
  return search;
}

const drawnSeries = async (page) => Number(await chart(page).getAttribute("data-metrics-series"));

/** For each legend swatch colour, the canvas pixels close to it. */
const colourHits = (page) =>
  page.evaluate(() => {
    const canvas = document.querySelector("[data-testid=metrics-chart]");
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    const swatches = [...document.querySelectorAll("[data-testid=metrics-legend-item] .sl-metrics-swatch")];
    return swatches.map((s) => {
      const rgb = getComputedStyle(s).backgroundColor.match(/\d+/g).map(Number);
      let hits = 0;
      for (let i = 0; i < data.length; i += 4) if ([0, 1, 2].every((k) => Math.abs(data[i + k] - rgb[k]) <= 12)) hits++;
      return hits;
    });
  });

const demo = (q) => `?url=samples%2Fcheckout.json&q=${encodeURIComponent(q)}`;

test("count_over_time by service draws one coloured line per service of the demo trace", async () => {
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "light" });
  await openMetrics(page, demo("{ } | count_over_time() by (resource.service.name)"));
  assert.equal(await drawnSeries(page), DEMO_SERVICES);
  assert.ok(Number(await chart(page).getAttribute("data-metrics-points")) > DEMO_SERVICES);
  const legend = page.getByTestId("metrics-legend-item");
  assert.equal(await legend.count(), DEMO_SERVICES);
  assert.match(await page.getByTestId("metrics-legend").innerText(), /resource\.service\.name=payment/);
  const hits = await colourHits(page);
  assert.equal(hits.length, DEMO_SERVICES);
  for (const h of hits) assert.ok(h > 10, `every series colour is on the canvas: ${hits}`);
  // Hiding a series from the legend redraws without it.
  await legend.first().click();
  await page.locator(`[data-testid=metrics-chart][data-metrics-series="${DEMO_SERVICES - 1}"]`).waitFor();
  await legend.first().click();
  await page.locator(`[data-testid=metrics-chart][data-metrics-series="${DEMO_SERVICES}"]`).waitFor();
  // Hover: the time and every series' value at the nearest step.
  const box = await chart(page).boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const tip = page.getByTestId("metrics-tooltip");
  await tip.waitFor();
  assert.equal(await tip.locator(".sl-metrics-chart__tip-row").count(), DEMO_SERVICES);
  await screenshot(page, "metrics-chart-light");
  // Exemplar dots open their trace, loaded here, like a search result.
  const exemplar = page.getByTestId("metrics-exemplar").first();
  assert.match(await exemplar.getAttribute("href"), /^\/trace\/4bf92f3577b34da6a3ce929d0e0e4736\?url=samples%2Fcheckout\.json/);
  await page.mouse.move(0, 0);
  await exemplar.click();
  await page.waitForURL(/\/trace\/4bf92f3577b34da6a3ce929d0e0e4736/);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a quantile query draws one series per quantile; the table lists them; drag zooms, reset unzooms", async () => {
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "light" });
  await openMetrics(page, demo("{ } | quantile_over_time(duration, .5, .95)"));
  assert.equal(await drawnSeries(page), 2);
  assert.match(await page.getByTestId("metrics-legend").innerText(), /p=0\.5[\s\S]*p=0\.95/);
  // Zoom: drag across the last third of the plot (the demo's later spans start there).
  const box = await chart(page).boundingBox();
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.66, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.97, y, { steps: 5 });
  await page.mouse.up();
  await page.getByTestId("metrics-reset-zoom").waitFor();
  const zoomed = new URL(page.url()).searchParams;
  assert.ok(Number(zoomed.get("end")) > Number(zoomed.get("start")), page.url());
  assert.ok(Number(zoomed.get("step")) > 0);
  await screenshot(page, "metrics-zoomed");
  await chart(page).waitFor();
  await page.getByTestId("metrics-reset-zoom").click();
  await page.waitForURL((u) => !new URL(u).searchParams.has("start"));
  await chart(page).waitFor();
  // The table view: one row per series with min/avg/max/last.
  await page.getByTestId("metrics-show-table").click();
  await page.getByTestId("metrics-table").waitFor();
  assert.equal(await page.getByTestId("metrics-row").count(), 2);
  await page.getByTestId("metrics-table-by-time").click();
  await page.getByTestId("metrics-time-table").waitFor();
  assert.ok(Number(await page.getByTestId("metrics-time-table").getAttribute("data-metrics-rows")) > 2);
  await screenshot(page, "metrics-table");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("dark mode draws the chart on the dark surface", async () => {
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "dark" });
  await openMetrics(page, demo("{ } | rate() by (resource.service.name)"));
  assert.equal(await drawnSeries(page), DEMO_SERVICES);
  const hits = await colourHits(page);
  for (const h of hits) assert.ok(h > 10, `dark palette colours on the canvas: ${hits}`);
  await screenshot(page, "metrics-chart-dark");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("on Tempo a metrics query asks /api/metrics/query_range and draws its series", async (t) => {
  if (!sharedFixture(t, "backend-api/MANIFEST.json")) return;
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "light" });
  const q = encodeURIComponent("{ } | rate() by (resource.service.name)");
  await page.goto(`${app.baseUrl}/search?backend=tempo&q=${q}`);
  await chart(page).waitFor();
  assert.equal(await drawnSeries(page), 3);
  const legend = await page.getByTestId("metrics-legend").innerText();
  for (const s of ["frontend", "checkout", "payment"]) assert.match(legend, new RegExp(`resource\\.service\\.name=${s}`));
  const hits = await colourHits(page);
  for (const h of hits) assert.ok(h > 10, `every Tempo series is drawn: ${hits}`);
  await screenshot(page, "metrics-tempo");
  // The generated answer's exemplar opens its trace from Tempo.
  assert.match(await page.getByTestId("metrics-exemplar").first().getAttribute("href"), /^\/trace\/[0-9a-f]+\?backend=tempo$/);
  // The form's step goes in the URL and into the request.
  await page.getByTestId("search-step").fill("2m");
  await page.getByTestId("backend-run").click();
  await page.waitForURL((u) => new URL(u).searchParams.get("step") === "120000000000");
  await chart(page).waitFor();
  assert.equal(await drawnSeries(page), 3);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a failing Tempo shows the backend's message in the error banner", async (t) => {
  if (!sharedFixture(t, "backend-api/MANIFEST.json")) return;
  const { page, context } = await openPage(app.browser, { colorScheme: "light" });
  const q = encodeURIComponent("{ } | rate()");
  await page.goto(`${app.baseUrl}/search?backend=${encodeURIComponent("tempo~500")}&q=${q}`);
  const failed = page.getByTestId("backend-search-failed");
  await failed.waitFor();
  assert.match(await failed.innerText(), /storage is down/);
  await context.close();
});

test("the editor offers metrics functions after |, attributes in by (, and notes what Tempo would refuse", async (t) => {
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "light" });
  const search = new SearchPage(page, app.baseUrl);
  await search.open("?url=samples%2Fcheckout.json");
  await search.type("{ } | quan");
  await search.completions().waitFor();
  assert.match(await search.completions().innerText(), /quantile_over_time\(duration, \.5, \.95, \.99\)/);
  await search.type("{ } | rate() by (resource.ser");
  await search.completions().waitFor();
  assert.match(await search.completions().innerText(), /service\.name/);
  // Locally, spanlens' parent. scope is no error.
  await search.type('{ parent.resource.service.name = "order-service" }');
  await search.runWithKeyboard();
  await page.locator("[data-testid=search-results], [data-testid=search-empty]").first().waitFor();
  assert.equal(await page.getByTestId("search-invalid").count(), 0);
  assert.equal(await search.errors().count(), 0);
  await screenshot(page, "metrics-editor-local-extension");
  if (sharedFixture(t, "backend-api/MANIFEST.json")) {
    // On Tempo the same query is noted, not flagged as an error.
    const q = encodeURIComponent('{ parent.resource.service.name = "frontend" } | rate()');
    await page.goto(`${app.baseUrl}/search?backend=tempo&q=${q}`);
    const note = page.getByTestId("query-tempo-note");
    await note.waitFor();
    assert.match(await note.innerText(), /Tempo would refuse/);
    assert.equal(await page.locator(".sl-query__error--syntax, .sl-query__error--semantic").count(), 0);
    await screenshot(page, "metrics-editor-tempo-note");
  }
  assert.deepEqual(errors(), []);
  await context.close();
});

test("histogram_over_time and compare() draw their series without errors", async () => {
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "light" });
  await openMetrics(page, demo("{ } | histogram_over_time(duration)"));
  assert.ok((await drawnSeries(page)) > 1);
  assert.match(await page.getByTestId("metrics-legend").innerText(), /__bucket=/);
  await openMetrics(page, demo("{ } | compare({ status = error })"));
  assert.ok((await drawnSeries(page)) > 1);
  assert.match(await page.getByTestId("metrics-legend").innerText(), /__meta_type=/);
  await screenshot(page, "metrics-compare");
  assert.deepEqual(errors(), []);
  await context.close();
});

// Backends: a trace link naming a backend fetches the trace from it (Jaeger, Jaeger api_v3, Tempo with
// its v1 fallback, Zipkin), through the test backends that answer from recorded responses; and what
// the user sees when a backend fails.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useApp, sharedFixture } from "../lib/fixture.mjs";
import { openPage, screenshot, SHARED } from "../lib/browser.mjs";
import { recordedTraceIds } from "../lib/backend.mjs";
import { TracePage } from "../pages/trace_page.mjs";
import { SearchPage } from "../pages/search_page.mjs";

const app = useApp({ backends: true });

/** A recorded trace of `kind`, preferring one matching `pick`. */
function recorded(t, kind, pick = () => true) {
  if (!sharedFixture(t, "backend-api/MANIFEST.json")) return null;
  const list = recordedTraceIds(SHARED)[kind];
  return list.find(pick) ?? list[0];
}

async function openLink(path) {
  const opened = await openPage(app.browser);
  await opened.page.goto(app.baseUrl + path);
  return opened;
}

for (const [kind, pick] of [
  ["jaeger", (r) => r.id === "2992f2a5b5d037a8aabffd08ef384237"],
  ["jaeger-v3", (r) => r.spans === 40],
  ["tempo", (r) => r.v1],
  ["tempo", (r) => !r.v1],
  ["zipkin", (r) => r.file.includes("yelp")],
]) {
  test(`a /trace/<id>?backend=${kind} link fetches the trace (${kind === "tempo" ? "v1 or v2" : kind})`, async (t) => {
    const trace = recorded(t, kind, pick);
    if (!trace) return;
    const { page, context, errors } = await openLink(`/trace/${trace.id}?backend=${kind}`);
    await new TracePage(page).waitForTrace();
    const count = Number(await page.locator("[data-span-count]").first().getAttribute("data-span-count"));
    assert.ok(count > 0 && count <= trace.spans, `${count} spans shown, ${trace.spans} recorded in ${trace.file}`);
    if (kind !== "zipkin") assert.equal(count, trace.spans);
    // The link keeps naming its backend, so it can be shared.
    assert.match(page.url(), new RegExp(`\\?backend=${kind}`));
    if (kind === "jaeger-v3") await screenshot(page, "backend-trace-jaeger-v3");
    // An older Tempo has no v2 path: the browser logs that 404 before the client falls back to v1.
    const expected404 = (e) => trace.v1 && /Failed to load resource.*404/.test(e);
    assert.deepEqual(errors().filter((e) => !expected404(e)), []);
    await context.close();
  });
}

test("a trace the backend does not have says so, in the backend's own words", async (t) => {
  if (!recorded(t, "jaeger")) return;
  const { page, context } = await openLink("/trace/0123456789abcdef0123456789abcdef?backend=jaeger");
  const banner = page.getByTestId("error-banner").first();
  await banner.waitFor();
  assert.match(await banner.innerText(), /trace not found/);
  await page.getByTestId("trace-missing").waitFor();
  await context.close();
});

test("a failing backend: a 500 shows the status and the backend's message, a cut body names the problem, a dropped connection explains the proxy fix", async (t) => {
  const trace = recorded(t, "tempo", (r) => !r.v1);
  if (!trace) return;
  const cases = [
    ["tempo~500", /500[\s\S]*storage is down/],
    ["tempo~malformed", /ends early|could not|truncated|expected/i],
    ["tempo~drop", /could not be reached[\s\S]*proxy/],
    // A backend at another origin that sends no CORS header: the browser hides the answer.
    ["tempo~cors", /could not be reached[\s\S]*CORS[\s\S]*proxy/],
  ];
  for (const [backend, expected] of cases) {
    const { page, context } = await openLink(`/trace/${trace.id}?backend=${encodeURIComponent(backend)}`);
    const banner = page.getByTestId("error-banner").first();
    await banner.waitFor();
    assert.match(await banner.innerText(), expected, backend);
    // The page stays usable: the header and the trace-missing page are there.
    await page.getByTestId("trace-missing").waitFor();
    await context.close();
  }
});

test("a link naming an unknown backend says which", async (t) => {
  if (!recorded(t, "zipkin")) return;
  const { page, context } = await openLink("/trace/abc?backend=nowhere");
  const banner = page.getByTestId("error-banner").first();
  await banner.waitFor();
  assert.match(await banner.innerText(), /nowhere/);
  await context.close();
});

test("connect a backend at run time, test it, and open a trace by id from the header", async (t) => {
  const trace = recorded(t, "zipkin", (r) => r.file.includes("yelp"));
  if (!trace) return;
  const { page, context, errors } = await openLink("/");
  await page.getByTestId("connect-backend").click();
  await page.getByTestId("connect-url").fill("/backends/zipkin");
  // Detect the kind by probing each API (the others answer 404, which the browser logs).
  await page.getByTestId("connect-detect").click();
  await page.getByText("Zipkin answered.").waitFor();
  assert.equal(await page.getByTestId("connect-kind").inputValue(), "zipkin");
  await page.getByTestId("connect-name").fill("mine");
  await page.getByTestId("connect-test").click();
  await page.getByText("Zipkin answered.").waitFor();
  await screenshot(page, "backend-connect");
  await page.getByTestId("connect-save").click();
  await page.getByTestId("backend-chip").filter({ hasText: "mine" }).waitFor();
  // Remembered in this browser.
  await page.reload();
  await page.getByTestId("backend-chip").filter({ hasText: "mine" }).waitFor();
  await page.getByTestId("trace-id-backend").selectOption("mine");
  await page.getByTestId("trace-id-input").fill(trace.id);
  await page.getByTestId("trace-id-input").press("Enter");
  await new TracePage(page).waitForTrace();
  await page.locator("[data-span-count]").first().waitFor();
  assert.match(page.url(), /\?backend=mine/);
  assert.deepEqual(errors().filter((e) => !/Failed to load resource.*404/.test(e)), []);
  await context.close();
});

test("search Zipkin with the form: services from the API, results, and a result opens its trace", async (t) => {
  if (!recorded(t, "zipkin")) return;
  const { page, context, errors } = await openLink("/search?backend=zipkin");
  await page.getByTestId("backend-search").waitFor();
  // The service list comes from /api/v2/services.
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=search-service] option").length > 1);
  await page.getByTestId("search-lookback").selectOption("30d");
  await page.getByTestId("backend-run").click();
  const results = page.locator("[data-search-results]");
  await results.waitFor();
  const count = Number(await results.getAttribute("data-count"));
  assert.ok(count >= 3, `${count} results`);
  // The form is in the URL: a shareable search.
  const url = new URL(page.url());
  assert.equal(url.searchParams.get("backend"), "zipkin");
  assert.equal(url.searchParams.get("lookback"), "30d");
  // The scatter plot has one point per result; failed traces are red, the others the accent blue.
  const scatter = page.getByTestId("scatter");
  assert.equal(await scatter.getAttribute("data-scatter-points"), String(count));
  const colours = await scatter.evaluate((canvas) => {
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    let red = 0;
    let blue = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      if (r > 190 && g < 140 && b < 140) red++;
      if (b > 190 && r < 150 && g < 190) blue++;
    }
    return { red, blue };
  });
  assert.ok(colours.red > 10 && colours.blue > 10, JSON.stringify(colours));
  await screenshot(page, "backend-search-zipkin");
  await page.getByTestId("search-row").first().locator("td").last().click();
  await new TracePage(page).waitForTrace();
  assert.match(page.url(), /\?backend=zipkin/);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("search Tempo with TraceQL, and a shared search link runs by itself (Jaeger)", async (t) => {
  if (!recorded(t, "tempo")) return;
  const { page, context, errors } = await openLink("/search?backend=tempo");
  await page.getByTestId("backend-search").waitFor();
  const search = new SearchPage(page, app.baseUrl);
  // Autocomplete from Tempo's tag APIs: scoped names, and service names from the tag-values API.
  await search.type("{ span.");
  await search.completions().getByText("http.method").waitFor();
  await search.type("{ resource.service.name = ");
  await search.completions().getByText('"cart-service"').waitFor();
  await search.input().press("Escape");
  await search.type("{ status = error }");
  // Ctrl+Enter runs it from the editor, as on the local search.
  await search.runWithKeyboard();
  const results = page.locator("[data-search-results]");
  await results.waitFor();
  assert.equal(await results.getAttribute("data-count"), "1");
  assert.equal(new URL(page.url()).searchParams.get("q"), "{ status = error }");
  await screenshot(page, "backend-search-tempo");

  await page.goto(`${app.baseUrl}/search?backend=jaeger&lookback=7d`);
  await page.locator("[data-search-results]").waitFor();
  assert.ok(Number(await page.locator("[data-search-results]").getAttribute("data-count")) >= 1);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a failing search says why and offers a retry; the page stays usable", async (t) => {
  if (!recorded(t, "jaeger")) return;
  const { page, context } = await openLink("/search?backend=jaeger~500&lookback=1h");
  const failed = page.getByTestId("backend-search-failed");
  await failed.waitFor();
  assert.match(await failed.innerText(), /500[\s\S]*storage is down/);
  await failed.getByRole("button", { name: "Retry" }).waitFor();
  await page.getByRole("link", { name: "Services" }).click();
  await page.locator("h1", { hasText: "Services" }).waitFor();
  await context.close();
});

test("a slow backend shows progress and can be cancelled, leaving the page usable", async (t) => {
  const trace = recorded(t, "tempo", (r) => !r.v1);
  if (!trace) return;
  const { page, context, errors } = await openLink(`/trace/${trace.id}?backend=${encodeURIComponent("tempo~slow")}`);
  const progress = page.getByTestId("load-progress");
  await progress.waitFor();
  assert.match(await progress.innerText(), /tempo~slow/);
  await page.getByTestId("cancel-load").click();
  await progress.waitFor({ state: "detached" });
  await page.getByTestId("trace-missing").waitFor();
  // Cancelling is not an error.
  assert.equal(await page.getByTestId("error-banner").count(), 0);
  assert.deepEqual(errors(), []);
  await context.close();
});

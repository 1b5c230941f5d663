// Tempo search: simple mode (service, span name, status, duration → TraceQL written for the user),
// and TraceQL autocomplete narrowed by the query so far (tag values with `q=`). The test backend
// generates Tempo's tag APIs from the traces it serves (tests/e2e/lib/backend.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { useApp, sharedFixture } from "../lib/fixture.mjs";
import { openPage, screenshot } from "../lib/browser.mjs";
import { SearchPage } from "../pages/search_page.mjs";

const app = useApp({ backends: true });

const SERVICE = "productpage.bookinfo";
const SPAN_NAME = "details.bookinfo.svc.cluster.local:9080/*";
// A span name of another service: the span-name list narrowed by service must not offer it.
const OTHER_SPAN_NAME = "ratings.bookinfo.svc.cluster.local:9080/*";
const QUERY = `{ resource.service.name = "${SERVICE}" && name = "${SPAN_NAME}" && status = error && duration >= 1ms }`;

async function open(path, options) {
  const opened = await openPage(app.browser, options);
  await opened.page.goto(app.baseUrl + path);
  await opened.page.getByTestId("backend-search").waitFor();
  return opened;
}

/** Ignores the browser's own log lines for answers the test asked to fail. */
const unexpected = (errors) => errors.filter((e) => !/Failed to load resource|net::ERR_/.test(e));

test("simple mode writes the TraceQL, searches, survives a reload, and hands the query to TraceQL mode", async (t) => {
  if (!sharedFixture(t, "backend-api/MANIFEST.json")) return;
  const { page, context, errors } = await open("/search?backend=tempo");
  await page.getByTestId("mode-simple").click();
  const simple = page.getByTestId("tempo-simple");
  await simple.waitFor();
  assert.equal(await page.getByTestId("simple-traceql").innerText(), "{}");

  // Service and span name come from the tag-values API; span names are those of the chosen service.
  const service = page.getByTestId("simple-service");
  await service.locator(`option[value="${SERVICE}"]`).waitFor({ state: "attached" });
  await service.selectOption(SERVICE);
  const spanName = page.getByTestId("simple-span-name");
  await spanName.locator("option", { hasText: SPAN_NAME }).waitFor({ state: "attached" });
  const offered = await spanName.locator("option").allInnerTexts();
  assert.ok(!offered.includes(OTHER_SPAN_NAME), `span names of ${SERVICE} only: ${offered}`);
  await spanName.selectOption(SPAN_NAME);
  await page.getByTestId("simple-status").selectOption("error");
  // A duration is written once it parses; a half-typed one is marked and left out.
  const min = page.getByTestId("simple-min");
  await min.pressSequentially("1");
  await page.locator('[data-testid="simple-min"].sl-input--invalid').waitFor();
  await min.pressSequentially("ms");
  await page.locator('[data-testid="simple-min"]:not(.sl-input--invalid)').waitFor();
  await page.getByTestId("simple-traceql").filter({ hasText: QUERY }).waitFor();

  await page.getByTestId("backend-run").click();
  const results = page.locator("[data-search-results]");
  await results.waitFor();
  assert.ok(Number(await results.getAttribute("data-count")) >= 1);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get("q"), QUERY);
  assert.equal(url.searchParams.get("mode"), "simple");
  await screenshot(page, "tempo-simple-search");

  // A reload restores the form from the URL.
  await page.reload();
  await page.getByTestId("tempo-simple").waitFor();
  await page.getByTestId("simple-traceql").filter({ hasText: QUERY }).waitFor();
  assert.equal(await page.getByTestId("simple-status").inputValue(), "error");
  assert.equal(await page.getByTestId("simple-min").inputValue(), "1ms");
  await page.getByTestId("simple-service").locator(`option[value="${SERVICE}"]`).waitFor({ state: "attached" });
  assert.equal(await page.getByTestId("simple-service").inputValue(), SERVICE);
  await page.locator("[data-search-results]").waitFor();

  // TraceQL mode keeps the generated query in the editor.
  await page.getByTestId("mode-traceql").click();
  const search = new SearchPage(page, app.baseUrl);
  await search.input().waitFor();
  assert.equal(await search.input().inputValue(), QUERY);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("simple mode in dark, and a query it cannot show opens in TraceQL mode", async (t) => {
  if (!sharedFixture(t, "backend-api/MANIFEST.json")) return;
  const withTag = QUERY.replace(/ }$/, ' && span.http.method = "GET" }');
  const q = encodeURIComponent(withTag);
  const { page, context, errors } = await open(`/search?backend=tempo&mode=simple&q=${q}`, { colorScheme: "dark" });
  await page.getByTestId("simple-traceql").filter({ hasText: withTag }).waitFor();
  assert.equal(await page.getByTestId("simple-tag-attribute").inputValue(), "span.http.method");
  assert.equal(await page.getByTestId("simple-tag-value").inputValue(), "GET");
  await page.getByTestId("simple-service").locator(`option[value="${SERVICE}"]`).waitFor({ state: "attached" });
  await page.locator("[data-search-results]").waitFor();
  await screenshot(page, "tempo-simple-search-dark");

  const other = encodeURIComponent('{ name = "a" || name = "b" }');
  await page.goto(`${app.baseUrl}/search?backend=tempo&mode=simple&q=${other}`);
  const search = new SearchPage(page, app.baseUrl);
  await search.input().waitFor();
  assert.equal(await search.input().inputValue(), '{ name = "a" || name = "b" }');
  assert.equal(await page.getByTestId("mode-simple").isDisabled(), true);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("simple mode's tag conditions are typed bit by bit and removed", async (t) => {
  if (!sharedFixture(t, "backend-api/MANIFEST.json")) return;
  const { page, context, errors } = await open("/search?backend=tempo&mode=simple&q=%7B%7D");
  const traceql = page.getByTestId("simple-traceql");
  await traceql.filter({ hasText: "{}" }).waitFor();
  await page.getByTestId("simple-add-tag").click();
  // Incomplete conditions stay out of the query; the row keeps what was typed.
  await page.getByTestId("simple-tag-attribute").pressSequentially("span.http.status_code");
  await page.getByTestId("simple-tag-operator").selectOption(">=");
  assert.equal(await traceql.innerText(), "{}");
  await page.getByTestId("simple-tag-value").pressSequentially("500");
  await traceql.filter({ hasText: "{ span.http.status_code >= 500 }" }).waitFor();
  assert.equal(await page.getByTestId("simple-tag-attribute").inputValue(), "span.http.status_code");
  // A text value is quoted and escaped.
  await page.getByTestId("simple-tag-value").fill('say "hi"');
  await traceql.filter({ hasText: '{ span.http.status_code >= "say \\"hi\\"" }' }).waitFor();
  await page.getByRole("button", { name: "Remove this condition" }).click();
  await traceql.filter({ hasText: "{}" }).waitFor();
  assert.equal(await page.getByTestId("simple-tag-row").count(), 0);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("autocomplete offers the values of a tag narrowed by the query typed so far", async (t) => {
  if (!sharedFixture(t, "backend-api/MANIFEST.json")) return;
  const { page, context, errors } = await open("/search?backend=tempo");
  const asked = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.pathname.endsWith("/api/v2/search/tag/name/values")) asked.push(url.searchParams.get("q"));
  });
  const search = new SearchPage(page, app.baseUrl);
  await search.type('{ resource.service.name = "reviews.bookinfo" && name = ');
  const popup = page.locator('[data-testid="completions"][data-source="backend"]');
  await popup.waitFor();
  const labels = await popup.locator(".sl-completions__label").allInnerTexts();
  assert.deepEqual(labels.sort(), ['"ratings.bookinfo.svc.cluster.local:9080/*"', '"reviews.bookinfo.svc.cluster.local:9080/*"']);
  assert.equal(asked.at(-1), '{ resource.service.name = "reviews.bookinfo" }');
  await screenshot(page, "tempo-autocomplete-narrowed");

  // Picking one inserts it quoted.
  await search.input().press("Enter");
  assert.match(await search.input().inputValue(), /name = "r\w+\.bookinfo\.svc\.cluster\.local:9080\/\*"$/);

  // Tag names are narrowed too, by scope.
  await search.type('{ resource.service.name = "my.service" && span.');
  await page.locator('[data-testid="completions"][data-source="backend"]').getByText("my.span.attr").waitFor();
  assert.deepEqual(await page.locator('[data-testid="completions"] .sl-completions__label').allInnerTexts(), ["my.span.attr"]);
  assert.deepEqual(errors(), []);
  await context.close();
});

for (const fault of ["500", "drop"]) {
  test(`failing tag APIs (tempo~${fault}) never break typing`, async (t) => {
    if (!sharedFixture(t, "backend-api/MANIFEST.json")) return;
    const { page, context, errors } = await open(`/search?backend=${encodeURIComponent(`tempo~${fault}`)}`);
    const search = new SearchPage(page, app.baseUrl);
    const failed = page.waitForEvent("requestfinished", (r) => r.url().includes("/tag/name/values")).catch(() => null);
    const dropped = page.waitForEvent("requestfailed", (r) => r.url().includes("/tag/name/values")).catch(() => null);
    await search.type('{ resource.service.name = "a" && name = ');
    await Promise.race([failed, dropped]);
    await search.input().pressSequentially('"x" }');
    assert.equal(await search.input().inputValue(), '{ resource.service.name = "a" && name = "x" }');
    assert.equal(await page.locator('[data-testid="completions"][data-source="backend"]').count(), 0);
    assert.deepEqual(unexpected(errors()), []);
    await context.close();
  });
}

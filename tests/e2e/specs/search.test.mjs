// TraceQL search: editor, highlighting, errors, autocomplete, history, results and the URL.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useApp } from "../lib/fixture.mjs";
import { openPage, screenshot } from "../lib/browser.mjs";
import { LandingPage } from "../pages/landing_page.mjs";
import { SearchPage } from "../pages/search_page.mjs";
import { TracePage } from "../pages/trace_page.mjs";

const app = useApp();
const DEMO_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

/** Loads the demo from the landing page, then opens Search from the header. */
async function demoSearch(page) {
  const landing = new LandingPage(page, app.baseUrl);
  await landing.open();
  await landing.openDemo();
  await new TracePage(page).waitForTrace();
  await page.getByRole("link", { name: "Search" }).click();
  const search = new SearchPage(page, app.baseUrl);
  await search.input().waitFor();
  return search;
}

test("{ status = error } finds the checkout trace, with the query in the URL and links", async () => {
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "light" });
  const search = await demoSearch(page);
  await search.type("{ status = error }");
  await search.runWithKeyboard();
  await search.results().waitFor();
  assert.equal(await search.rows().count(), 1);
  const row = search.rows().first();
  assert.match(await row.innerText(), /order-service\s*:\s*checkout/);
  assert.match(await search.count().innerText(), /^1 matching trace$/);
  // The query is in the URL, next to the data source.
  const url = new URL(page.url());
  assert.equal(url.pathname.endsWith("/search"), true);
  assert.equal(url.searchParams.get("q"), "{ status = error }");
  assert.equal(url.searchParams.get("url"), "samples/checkout.json");
  // Highlighting: braces, the intrinsic and the constant are coloured spans.
  await page.locator(".sl-query__mirror .sl-tok-intrinsic", { hasText: "status" }).waitFor();
  await page.locator(".sl-query__mirror .sl-tok-const", { hasText: "error" }).waitFor();
  await screenshot(page, "search-results");
  // The result links to the trace with the query attached.
  const href = await row.getByRole("link").getAttribute("href");
  assert.match(href, new RegExp(`/trace/${DEMO_ID}\\?url=samples%2Fcheckout\\.json&q=%7B%20status%20%3D%20error%20%7D$`));
  await row.getByRole("link").click();
  await new TracePage(page).waitForTrace();
  assert.match(page.url(), /[?&]q=/);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a shared /search link restores the query and runs it once the traces load", async () => {
  const { page, context, errors } = await openPage(app.browser);
  const search = new SearchPage(page, app.baseUrl);
  const q = encodeURIComponent('{ resource.service.name = "payment" } >> { name = "SELECT transactions" }');
  await search.open(`?url=samples%2Fcheckout.json&q=${q}`);
  await search.results().waitFor();
  assert.equal(await search.rows().count(), 1);
  assert.equal(await search.input().inputValue(), '{ resource.service.name = "payment" } >> { name = "SELECT transactions" }');
  assert.match(new URL(page.url()).pathname, /\/search$/);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("invalid queries are underlined and explained; a valid query with no match says so", async () => {
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "light" });
  const search = await demoSearch(page);
  // A syntax error: underlined, listed with line:col, marked as a syntax error.
  await search.type("{ status = }");
  await search.underlined().first().waitFor();
  await search.errors().first().waitFor();
  const syntax = await search.errors().first().innerText();
  assert.match(syntax, /Syntax error/);
  assert.match(syntax, /1:12/);
  await screenshot(page, "search-syntax-error");
  // A type error: parses, but is invalid — shown as a semantic error.
  await search.type('{ duration > "slow" }');
  await page.locator(".sl-query__error--semantic").waitFor();
  assert.match(await search.errors().first().innerText(), /Invalid query/);
  await search.runWithButton();
  await page.getByTestId("search-invalid").waitFor();
  await screenshot(page, "search-invalid");
  // Valid but matching nothing.
  await search.type('{ resource.service.name = "nope" }');
  await search.runWithKeyboard();
  await page.getByTestId("search-empty").waitFor();
  assert.equal(await search.underlined().count(), 0);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("autocomplete offers attribute names and values from the loaded traces", async () => {
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "dark" });
  const search = await demoSearch(page);
  await search.type("{ resource.serv");
  await search.completions().waitFor();
  assert.equal(await search.activeCompletion(), "service.name");
  await search.input().press("Tab");
  assert.equal(await search.input().inputValue(), "{ resource.service.name");
  await search.input().pressSequentially(" = ");
  await search.completions().waitFor();
  const values = await search.completions().innerText();
  assert.match(values, /"fraud-detection"/);
  await screenshot(page, "search-autocomplete");
  await search.input().press("Escape");
  await search.completions().waitFor({ state: "detached" });
  assert.deepEqual(errors(), []);
  await context.close();
});

test("run queries are remembered in the history", async () => {
  const { page, context, errors } = await openPage(app.browser);
  const search = await demoSearch(page);
  await search.type("{ status = error }");
  await search.runWithKeyboard();
  await search.results().waitFor();
  await search.type("{ } | count() > 5");
  await search.runWithButton();
  await page.waitForFunction(() => new URL(location.href).searchParams.get("q") === "{ } | count() > 5");
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("spanlens.queryHistory")));
  assert.deepEqual(stored.slice(0, 2), ["{ } | count() > 5", "{ status = error }"]);
  await page.getByTestId("history-toggle").click();
  await page.getByTestId("history-menu").getByText("{ status = error }").click();
  await page.waitForFunction(() => new URL(location.href).searchParams.get("q") === "{ status = error }");
  assert.equal(await search.input().inputValue(), "{ status = error }");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a whole result row opens its trace, and times say they are local", async () => {
  const { page, context, errors } = await openPage(app.browser);
  const search = await demoSearch(page);
  await search.type("{ status = error }");
  await search.runWithKeyboard();
  await search.results().waitFor();
  assert.match(await search.results().locator("thead").innerText(), /START \(LOCAL\)/i);
  // Click the row's duration cell, away from the link.
  await search.rows().first().locator("td").last().click();
  await new TracePage(page).waitForTrace();
  assert.match(page.url(), new RegExp(`/trace/${DEMO_ID}`));
  assert.match(await page.locator(".sl-stats").innerText(), /START \(LOCAL\)/i);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("Services: self time first, any column sorts, and each service links to a search for it", async () => {
  const { page, context, errors } = await openPage(app.browser);
  await demoSearch(page);
  await page.getByRole("link", { name: "Services" }).click();
  await page.getByTestId("services-table").waitFor();
  const names = () => page.locator("[data-testid=service-row] td:first-child").allInnerTexts();
  const byName = [...(await names())].sort();
  await page.getByRole("button", { name: "Service" }).click();
  assert.deepEqual(await names(), byName);
  await page.getByRole("button", { name: "Service" }).click();
  assert.deepEqual(await names(), [...byName].reverse());
  const first = (await names())[0];
  await page.getByRole("link", { name: first }).click();
  const search = new SearchPage(page, app.baseUrl);
  await search.results().waitFor();
  assert.equal(new URL(page.url()).searchParams.get("q"), `{ resource.service.name = "${first}" }`);
  assert.ok((await search.rows().count()) >= 1);
  assert.deepEqual(errors(), []);
  await context.close();
});

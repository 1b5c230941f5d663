// The service dependency graph: per trace (critical edges highlighted), the services page over the
// loaded traces, focusing a node's neighbourhood, and a backend's dependency links (4,271 recorded
// Jaeger links) merged in; a failing backend says why.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useApp } from "../lib/fixture.mjs";
import { openPage, screenshot } from "../lib/browser.mjs";
import { TracePage } from "../pages/trace_page.mjs";

const app = useApp({ backends: true });
const DEMO = "/trace/4bf92f3577b34da6a3ce929d0e0e4736?url=samples%2Fcheckout.json";

const graphCounts = async (page, testid) => {
  await page.waitForSelector(`[data-testid=${testid}][data-graph-nodes]`);
  const el = page.getByTestId(testid);
  return { nodes: Number(await el.getAttribute("data-graph-nodes")), edges: Number(await el.getAttribute("data-graph-edges")) };
};

/** Pixels of the canvas inside `testid` close to `rgb`. */
const colourPixels = (page, testid, rgb, tolerance = 12) =>
  page.evaluate(
    ({ testid, rgb, tolerance }) => {
      const canvas = document.querySelector(`[data-testid=${testid}] canvas`);
      const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
      let hits = 0;
      for (let i = 0; i < data.length; i += 4) if ([0, 1, 2].every((k) => Math.abs(data[i + k] - rgb[k]) <= tolerance)) hits++;
      return hits;
    },
    { testid, rgb, tolerance },
  );

test("the per-trace graph shows the services this trace touched, critical edges highlighted", async () => {
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "light" });
  await page.goto(app.baseUrl + DEMO + "&view=graph");
  await new TracePage(page).waitForTrace();
  const { nodes, edges } = await graphCounts(page, "trace-graph");
  // Five services plus the databases and remote peers they call.
  assert.ok(nodes >= 6, `nodes: ${nodes}`);
  assert.ok(edges >= nodes - 1, `edges: ${edges}`);
  // The critical path's halo (its colour, rgb(109, 40, 217) at 0.9, drawn at 0.45 over white) marks some edges.
  await page.waitForFunction(() => true);
  const critical = await colourPixels(page, "trace-graph", [196, 168, 240], 20);
  assert.ok(critical > 50, `critical edges drawn: ${critical} px`);
  await screenshot(page, "graph-trace-light");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("the services page draws the graph of the loaded traces; a node's neighbourhood can be focused", async () => {
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "dark" });
  await page.goto(app.baseUrl + DEMO);
  await new TracePage(page).waitForTrace();
  await page.getByRole("link", { name: "Services", exact: true }).first().click();
  const all = await graphCounts(page, "service-graph");
  assert.ok(all.nodes >= 6, JSON.stringify(all));
  assert.ok((await page.getByTestId("service-row").count()) >= 5, "the node list stays beside the graph");
  // Click the node under the canvas's busiest point: find a node by scanning for its label box.
  const canvas = page.locator("[data-testid=service-graph] canvas");
  const box = await canvas.boundingBox();
  let picked = false;
  for (let y = box.y + 10; y < box.y + box.height && !picked; y += 12) {
    for (let x = box.x + 10; x < box.x + box.width && !picked; x += 24) {
      await page.mouse.move(x, y);
      if ((await page.locator(".sl-tooltip").count()) > 0 && /service|database|remote|messaging/.test(await page.locator(".sl-tooltip").innerText())) {
        const text = await page.locator(".sl-tooltip").innerText();
        if (!/→/.test(text)) {
          await page.mouse.down();
          await page.mouse.up();
          picked = true;
        }
      }
    }
  }
  assert.ok(picked, "found a node to click");
  await page.getByTestId("graph-selected").waitFor();
  await page.getByTestId("graph-focus").click();
  await page.getByTestId("graph-focused").waitFor();
  assert.match(page.url(), /[?&]focus=/);
  const focused = await graphCounts(page, "service-graph");
  assert.ok(focused.nodes <= all.nodes && focused.nodes >= 1, JSON.stringify({ all, focused }));
  await screenshot(page, "graph-services-focused-dark");
  await page.getByTestId("graph-show-all").click();
  await page.waitForFunction((n) => document.querySelector("[data-testid=service-graph]")?.getAttribute("data-graph-nodes") === String(n), all.nodes);
  assert.deepEqual(errors(), []);
  await context.close();
});

test("with traces loaded, the backend's links show merged or alone, and the choice survives a reload", async () => {
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "light" });
  await page.goto(app.baseUrl + DEMO);
  await new TracePage(page).waitForTrace();
  await page.getByRole("link", { name: "Services", exact: true }).first().click();
  const traced = await graphCounts(page, "service-graph");
  await page.getByTestId("deps-backend").selectOption("jaeger");
  await page.waitForFunction(() => /links from the backend/.test(document.querySelector("[data-testid=deps-status]")?.textContent ?? ""));
  await page.waitForFunction((n) => Number(document.querySelector("[data-testid=service-graph]")?.getAttribute("data-graph-nodes")) > n, traced.nodes);
  const merged = await graphCounts(page, "service-graph");
  await page.getByTestId("deps-alone").check();
  await page.waitForFunction((n) => Number(document.querySelector("[data-testid=service-graph]")?.getAttribute("data-graph-nodes")) < n, merged.nodes);
  const alone = await graphCounts(page, "service-graph");
  // The demo's services are not in the recorded Jaeger links: merged = both, alone = the backend's.
  assert.equal(merged.nodes, traced.nodes + alone.nodes, JSON.stringify({ traced, merged, alone }));
  assert.equal(merged.edges, traced.edges + alone.edges, JSON.stringify({ traced, merged, alone }));
  assert.match(page.url(), /deps_only=1/);
  await page.reload();
  await page.waitForFunction((n) => document.querySelector("[data-testid=service-graph]")?.getAttribute("data-graph-nodes") === String(n), alone.nodes);
  assert.equal(await page.getByTestId("deps-backend").inputValue(), "jaeger", "the picker shows the URL's backend");
  assert.ok(await page.getByTestId("deps-alone").isChecked());
  await screenshot(page, "graph-jaeger-alone");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a Zipkin backend's dependency links (generated from its recorded traces) draw the graph", async () => {
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "dark" });
  const served = await (await fetch(app.baseUrl + "/backends/zipkin/api/v2/dependencies?endTs=1&lookback=1")).json();
  assert.ok(served.length > 0, "the test backend links some services");
  await page.goto(app.baseUrl + "/services?deps=zipkin&lookback=7d");
  await page.waitForFunction(() => /links from the backend/.test(document.querySelector("[data-testid=deps-status]")?.textContent ?? ""));
  assert.match(await page.getByTestId("deps-status").innerText(), new RegExp(`^${served.length} links?`));
  const services = new Set(served.flatMap((l) => [l.parent, l.child]));
  assert.deepEqual(await graphCounts(page, "service-graph"), { nodes: services.size, edges: served.length });
  // Backend-only edges are dashed in the guide colour: some non-background pixels are drawn.
  const drawn = await page.evaluate(() => {
    const canvas = document.querySelector("[data-testid=service-graph] canvas");
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 200) lit++;
    return lit;
  });
  assert.ok(drawn > 500, `pixels drawn: ${drawn}`);
  assert.match(page.url(), /lookback=7d/);
  await screenshot(page, "graph-zipkin-dependencies-dark");
  assert.deepEqual(errors(), []);
  await context.close();
});

test("a Jaeger backend's dependency links join the graph; a failing one says why", async () => {
  const { page, context, errors } = await openPage(app.browser, { colorScheme: "light" });
  await page.goto(app.baseUrl + "/services?deps=jaeger");
  const status = page.getByTestId("deps-status");
  await page.waitForFunction(() => /links from the backend/.test(document.querySelector("[data-testid=deps-status]")?.textContent ?? ""));
  assert.match(await status.innerText(), /4,271 links/);
  const { nodes, edges } = await graphCounts(page, "service-graph");
  assert.ok(nodes > 100 && edges > 1000, JSON.stringify({ nodes, edges }));
  const layoutMs = await page.evaluate(() => performance.getEntriesByName("spanlens:graph-layout").map((e) => e.duration));
  console.log(`graph layout of the 4,271 recorded Jaeger links (${nodes} nodes, ${edges} edges): ${layoutMs.map((d) => d.toFixed(0)).join(", ")} ms`);
  assert.equal(await page.getByTestId("deps-backend").inputValue(), "jaeger", "the picker shows the URL's backend");
  await screenshot(page, "graph-jaeger-dependencies");
  await page.getByTestId("deps-backend").selectOption("jaeger~500");
  await page.getByTestId("deps-error").waitFor();
  assert.match(await page.getByTestId("deps-error").innerText(), /storage is down/);
  // A failing backend is a shown state, not a page error (Chromium logs the failed request itself).
  assert.deepEqual(errors().filter((e) => !/Failed to load resource/.test(e)), []);
  await context.close();
});

// Shared set-up for every spec: one browser and one server per spec file.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startServer } from "./server.mjs";
import { backendHandler } from "./backend.mjs";
import { launch, DIST, SHARED } from "./browser.mjs";

/** `{ backends: true }` also serves the test backends and a config.json naming them (see backend.mjs). */
/** `mounts` serves extra directories (URL prefix → directory), e.g. data a spec writes itself. */
/** `handlers` answers extra URL prefixes (prefix → `(req, res) => …`), e.g. bodies a spec builds itself. */
export function useApp({ backends = false, mounts: extraMounts = {}, handlers: extraHandlers = {} } = {}) {
  const ctx = { server: null, browser: null, baseUrl: "" };
  before(async () => {
    assert.ok(fs.existsSync(path.join(DIST, "index.html")), "dist/ is missing: run `make build` first");
    const mounts = {};
    if (fs.existsSync(SHARED)) mounts["/fixtures/"] = path.join(SHARED, "fixtures");
    Object.assign(mounts, typeof extraMounts === "function" ? extraMounts() : extraMounts);
    const handlers = { ...extraHandlers };
    const backend = backends ? backendHandler(SHARED) : null;
    if (backend) {
      handlers["/backends/"] = backend;
      handlers["/config.json"] = backend;
    } else if (backends && process.env.CI === "true") {
      throw new Error("../shared is missing: the test backends answer from its recorded responses");
    }
    ctx.server = await startServer({ root: DIST, mounts, handlers });
    ctx.baseUrl = ctx.server.url;
    ctx.browser = await launch();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
  });
  return ctx;
}

/** Fixture paths from ../shared; under CI a missing ../shared fails, elsewhere the test skips loudly. */
export function sharedFixture(t, relative) {
  const full = path.join(SHARED, "fixtures", relative);
  if (!fs.existsSync(full)) {
    if (process.env.CI === "true") throw new Error(`../shared is missing (${full})`);
    console.warn(`!!! SKIPPED: ${t.name}: ../shared/fixtures is missing`);
    t.skip("../shared missing");
    return null;
  }
  return full;
}

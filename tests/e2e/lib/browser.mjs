// Launches Debian's Chromium through playwright-core (never a downloaded browser) and collects page
// errors: a wasm panic surfaces as a `pageerror` or console error, and any such error fails a test.
import { chromium } from "playwright-core";
import path from "node:path";
import fs from "node:fs";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
// SPANLENS_DIST compares builds with the benchmark harness (A/B); tests use dist/.
export const DIST = process.env.SPANLENS_DIST ? path.resolve(process.env.SPANLENS_DIST) : path.join(PROJECT_ROOT, "dist");
export const SHARED = path.resolve(PROJECT_ROOT, "../shared");
export const SCREENSHOTS = path.join(PROJECT_ROOT, "target/e2e");

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

/** Opens a page that records errors; `errors()` returns them for the test to assert empty. */
export async function openPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
  });
  return { page, context, errors: () => errors.slice() };
}

export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

// Page object for `/trace/:id`.
export class TracePage {
  constructor(page) {
    this.page = page;
  }

  async waitForTrace() {
    await this.page.getByTestId("trace-view").waitFor();
  }

  title() {
    return this.page.getByTestId("trace-title");
  }

  /** The User Timing marks the app records while loading. */
  async marks() {
    return this.page.evaluate(() => performance.getEntriesByType("mark").map((m) => m.name));
  }
}

/** Extra helpers for the canvas waterfall. */
export class Waterfall {
  constructor(page) {
    this.page = page;
    this.root = page.getByTestId("waterfall");
  }

  /** Waits until the canvas has painted rows, then returns how many it painted. */
  async paintedRows() {
    await this.page.waitForSelector("[data-testid=waterfall][data-painted-rows]");
    return Number(await this.root.getAttribute("data-painted-rows"));
  }

  /** Waits for the painted row count to become `n` (redraws are asynchronous, one per frame). */
  async waitForPaintedRows(n) {
    await this.page.waitForFunction(
      (expected) => document.querySelector("[data-testid=waterfall]")?.getAttribute("data-painted-rows") === String(expected),
      n,
    );
  }

  async find(text) {
    const input = this.page.getByTestId("find-input");
    await input.fill(text);
    await input.press("Enter");
  }

  detailName() {
    return this.page.getByTestId("span-detail-name");
  }

  detail() {
    return this.page.getByTestId("span-detail");
  }
}

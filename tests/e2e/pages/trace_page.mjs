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

  spanList() {
    return this.page.getByTestId("span-list");
  }

  /** The User Timing marks the app records while loading. */
  async marks() {
    return this.page.evaluate(() => performance.getEntriesByType("mark").map((m) => m.name));
  }
}

// Page object for `/`.
export class LandingPage {
  constructor(page, baseUrl) {
    this.page = page;
    this.baseUrl = baseUrl;
  }

  async open(query = "") {
    await this.page.goto(`${this.baseUrl}/${query}`);
    await this.page.getByTestId("dropzone").waitFor();
  }

  async openDemo() {
    await this.page.getByTestId("open-demo").click();
  }

  /** Picks files through the "Open files" input, as a user would with the file dialog. */
  async pickFiles(paths) {
    await this.page.getByTestId("file-input").setInputFiles(paths);
  }

  traceList() {
    return this.page.getByTestId("trace-list");
  }

  /** The source chips above the list, one per load. */
  sources() {
    return this.page.getByTestId("sources");
  }

  async sourceCount() {
    return Number(await this.sources().getAttribute("data-source-count"));
  }

  async traceCount() {
    return Number(await this.traceList().getAttribute("data-trace-count"));
  }

  /** Waits until the list shows `n` traces (loads land asynchronously). */
  async waitForTraceCount(n) {
    await this.page.waitForFunction(
      (expected) => document.querySelector("[data-testid=trace-list]")?.getAttribute("data-trace-count") === String(expected),
      n,
    );
  }

  errorBanners() {
    return this.page.getByTestId("error-banner");
  }
}

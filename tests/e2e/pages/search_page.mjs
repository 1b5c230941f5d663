// Page object for `/search`.
export class SearchPage {
  constructor(page, baseUrl) {
    this.page = page;
    this.baseUrl = baseUrl;
  }

  /** Opens `/search` with the given query string (e.g. `?url=…&q=…`). */
  async open(query = "") {
    await this.page.goto(`${this.baseUrl}/search${query}`);
    await this.input().waitFor();
  }

  input() {
    return this.page.getByTestId("query-input");
  }

  /** Replaces the editor's text by typing, as a user would. */
  async type(text) {
    const input = this.input();
    await input.click();
    await input.press("Control+A");
    await input.press("Backspace");
    await input.pressSequentially(text);
  }

  async runWithKeyboard() {
    await this.input().press("Control+Enter");
  }

  async runWithButton() {
    await this.page.getByTestId("run-query").click();
  }

  results() {
    return this.page.getByTestId("search-results");
  }

  rows() {
    return this.page.getByTestId("search-row");
  }

  count() {
    return this.page.getByTestId("search-count");
  }

  errors() {
    return this.page.getByTestId("query-errors").locator("li");
  }

  /** The underlined (wavy) pieces of the highlighted mirror. */
  underlined() {
    return this.page.locator(".sl-query__mirror .sl-tok-error");
  }

  completions() {
    return this.page.getByTestId("completions");
  }

  /** Text of the active autocomplete option. */
  async activeCompletion() {
    return this.page.locator(".sl-completions__item--active .sl-completions__label").innerText();
  }

  /** The results' order select (`sort=` in the URL). */
  sort() {
    return this.page.getByTestId("results-sort");
  }

  /** Trace ids of the result rows in the DOM, top to bottom (the table renders only those in view). */
  async rowIds() {
    return this.rows().evaluateAll((rows) => rows.map((r) => r.dataset.traceId));
  }

  /** Ticks the result row of trace `id`. */
  async pick(id) {
    await this.page.locator(`[data-testid=search-row][data-trace-id="${id}"] [data-testid=compare-pick]`).check();
  }

  selectionBar() {
    return this.page.getByTestId("compare-bar");
  }

  openSelected() {
    return this.page.getByTestId("open-selected");
  }

  /** Scrolls the results table's own scroller to the bottom. */
  async scrollResultsToEnd() {
    await this.results().evaluate((table) => {
      const scroller = table.closest(".sl-trace-table__scroll");
      scroller.scrollTop = scroller.scrollHeight;
    });
  }
}

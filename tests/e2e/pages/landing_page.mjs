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

  errorBanners() {
    return this.page.getByTestId("error-banner");
  }
}

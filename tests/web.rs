//! Browser tests, run by wasm-bindgen-test in headless Chromium (`make test-wasm`).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use leptos::prelude::*;
use spanlens::components::ErrorBanner;
use spanlens::fetch::is_allowed_url;
use spanlens::format::{format_timestamp, thousands};
use spanlens::state::AppState;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn urls_other_than_http_or_relative_are_refused() {
    assert!(is_allowed_url("samples/checkout.json"));
    assert!(is_allowed_url("https://tempo.example/api/v2/traces/1"));
    assert!(!is_allowed_url("javascript:alert(1)"));
    assert!(!is_allowed_url("data:text/plain,hi"));
    assert!(!is_allowed_url("//elsewhere.example/x.json"));
}

#[wasm_bindgen_test]
fn formats_numbers_and_utc_timestamps() {
    assert_eq!(thousands(1_234_567), "1,234,567");
    assert_eq!(format_timestamp(1_795_140_847_123_000_000, true), "2026-11-20 02:14:07.123 UTC");
}

#[wasm_bindgen_test]
async fn error_banner_renders_reports_as_text_and_dismisses() {
    let document = document();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let state = AppState::new();
    let html: web_sys::HtmlElement = host.clone().dyn_into_html();
    let handle = leptos::mount::mount_to(html, move || {
        provide_context(state);
        view! { <ErrorBanner/> }
    });
    // Trace data is untrusted: markup in a message must show as text, never as HTML.
    state.report("Could not open evil.json", "<img src=x onerror=alert(1)>");
    leptos::task::tick().await;
    let banner = host.query_selector("[data-testid=error-banner]").unwrap().expect("banner shown");
    assert!(banner.text_content().unwrap().contains("<img src=x onerror=alert(1)>"));
    assert!(host.query_selector("img").unwrap().is_none());
    let button: web_sys::HtmlElement = banner.query_selector("button").unwrap().unwrap().dyn_into_html();
    button.click();
    leptos::task::tick().await;
    assert!(host.query_selector("[data-testid=error-banner]").unwrap().is_none());
    drop(handle);
}

trait IntoHtml {
    fn dyn_into_html(self) -> web_sys::HtmlElement;
}

impl IntoHtml for web_sys::Element {
    fn dyn_into_html(self) -> web_sys::HtmlElement {
        use wasm_bindgen::JsCast as _;
        self.dyn_into().unwrap()
    }
}

/// A file larger than two read slices arrives whole and in order; a superseded read stops early.
#[wasm_bindgen_test]
async fn file_reader_reads_every_slice_in_order() {
    use spanlens::state::file_reader::{Slice, read_slices};
    let bytes: Vec<u8> = (0..9 * 1024 * 1024 + 123).map(|i: u32| (i % 251) as u8).collect();
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let file = web_sys::File::new_with_u8_array_sequence(&parts, "big.json").unwrap();

    let mut got = Vec::new();
    let mut slices = 0;
    read_slices(
        &file,
        |slice| match slice {
            Slice::Data(buffer) => {
                slices += 1;
                got.extend(js_sys::Uint8Array::new(&buffer).to_vec());
            }
            Slice::Failed(message) => panic!("{message}"),
        },
        || true,
    )
    .await;
    assert_eq!(slices, 3);
    assert!(got == bytes, "the slices must reassemble the file");

    let mut after_cancel = 0;
    read_slices(&file, |_| after_cancel += 1, || false).await;
    assert_eq!(after_cancel, 0, "a superseded read delivers nothing");
}

//! Browser tests, run by wasm-bindgen-test in headless Chromium (`make test-wasm`).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use leptos::prelude::*;
use spanlens::api::is_allowed_url;
use spanlens::components::ErrorBanner;
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

/// A load of one or more traces; each span is (trace, id, parent, service, name, start, duration).
fn load(
    id: u32,
    source: &str,
    spans: &[(u64, u64, u64, &str, &str, i64, i64)],
) -> std::sync::Arc<spanlens::state::Loaded> {
    use spanlens_model::{Span, SpanId, TraceId, TraceSetBuilder};
    let mut b = TraceSetBuilder::new();
    b.begin_source(source, "test", 0);
    for &(trace, span, parent, service, name, start, dur) in spans {
        let (service, name) = (b.intern(service), b.intern(name));
        let mut s = Span::new(SpanId(span), name, service, 1_000_000_000 + start, dur);
        s.parent_span_id = (parent != 0).then_some(SpanId(parent));
        b.push_span(TraceId(u128::from(trace)), 16, s);
    }
    let source = spanlens_protocol::TraceSource::Files { names: vec![source.to_owned()] };
    std::sync::Arc::new(spanlens::state::Loaded::new(id, source, b.finish()))
}

const CHECKOUT: &[(u64, u64, u64, &str, &str, i64, i64)] = &[
    (1, 1, 0, "front", "checkout", 0, 100),
    (1, 2, 1, "cart", "GET cart", 10, 30),
    (1, 3, 1, "pay", "charge", 50, 40),
    (1, 4, 3, "db", "SELECT", 55, 20),
];

/// Loads accumulate; the same trace id from two loads is two entries; links pick their load; closing
/// a load and merging copies behave as the trace list shows them.
#[wasm_bindgen_test]
fn catalog_lists_every_load_and_merges_copies() {
    use spanlens::state::trace_rows::list_rows;
    use spanlens::state::{LoadSelector, Loads};
    let owner = Owner::new();
    owner.with(|| {
        let state = AppState::new();
        let loads = Loads::new(state);
        let other = &[(2, 1, 0, "front", "home", 0, 10)];
        let half = &CHECKOUT[2..]; // the same trace's pay subtree, as another service recorded it
        // Through `Loads::add`, as merges and finished loads arrive, so ids are the app's own.
        let mut ids = Vec::new();
        for (name, spans) in [("a.json", CHECKOUT), ("b.json", other.as_slice()), ("c.json", half)] {
            let loaded = std::sync::Arc::try_unwrap(load(0, name, spans)).unwrap();
            ids.push(loads.add(loaded.source, loaded.set).id);
        }
        let rows = state.catalog.with_untracked(list_rows);
        assert_eq!(rows.len(), 3);
        let copies: Vec<(String, usize)> = rows.iter().map(|r| (r.source.clone(), r.other_copies)).collect();
        assert!(copies.contains(&("a.json".to_owned(), 1)) && copies.contains(&("c.json".to_owned(), 1)));
        assert!(copies.contains(&("b.json".to_owned(), 0)));
        assert!(rows.iter().all(|r| r.href.contains("?load=")));

        // A link without a load finds the newest copy; `?load=` picks its own.
        let hex = "1";
        let newest = state.catalog.with_untracked(|c| c.find(hex, &LoadSelector::default())).unwrap();
        assert_eq!(newest.loaded.id, ids[2]);
        let first = state
            .catalog
            .with_untracked(|c| c.find(hex, &LoadSelector { load: Some(ids[0]), ..Default::default() }))
            .unwrap();
        assert_eq!(first.trace().spans.len(), 4);

        // Merging makes one entry holding both copies' spans; the copies are hidden until it closes.
        let href = loads.merge(hex).expect("two copies merge");
        let merged = state.catalog.with_untracked(|c| c.newest().cloned()).unwrap();
        assert!(href.contains(&format!("?load={}", merged.id)));
        assert_eq!(merged.set.traces.len(), 1);
        assert_eq!(merged.set.traces[0].spans.len(), 6, "4 + 2 spans, the shared two flagged as duplicates");
        assert!(merged.source.label().starts_with("merged: "));
        assert_eq!(state.catalog.with_untracked(|c| c.trace_count()), 2);
        loads.close(merged.id);
        assert_eq!(state.catalog.with_untracked(|c| c.trace_count()), 3);

        // Closing a load drops its traces; clearing drops everything.
        loads.close(ids[0]);
        assert_eq!(state.catalog.with_untracked(|c| (c.loads().len(), c.trace_count())), (2, 2));
        loads.clear();
        assert!(state.catalog.with_untracked(|c| c.loads().is_empty()));
    });
}

/// The trace page's chain: find text gives matches, "hide non-matching" gives the filter mask, and
/// the waterfall's rows follow; selecting a span inside a collapsed subtree reveals it.
#[wasm_bindgen_test]
async fn find_mask_and_rows_follow_each_other() {
    use spanlens::state::{Focus, TraceAnalysis, TraceRef};
    use spanlens::views::WaterfallState;
    // Effects run on the executor; a second test initialising it again is harmless.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new();
    owner.set();
    let data = TraceRef { loaded: load(1, "a.json", CHECKOUT), index: 0 };
    let analysis = TraceAnalysis::new(data);
    let focus = Focus::new(analysis, None, None);
    let wf = WaterfallState::new(analysis, focus);
    assert_eq!(wf.rows.with_untracked(|r| r.len()), 4);
    assert!(analysis.summary.with_value(|s| s.span_count) == 4);

    focus.find_text.set("SELECT".to_owned());
    assert_eq!(focus.matches.get_untracked().len(), 1);
    assert_eq!(wf.rows.with_untracked(|r| r.len()), 4, "find alone hides nothing");
    focus.hide_unmatched.set(true);
    // The match and its ancestors stay: checkout > charge > SELECT.
    assert_eq!(wf.rows.with_untracked(|r| r.len()), 3);
    focus.hide_unmatched.set(false);
    focus.find_text.set(String::new());
    assert_eq!(wf.rows.with_untracked(|r| r.len()), 4);

    // Collapse everything, then select the SELECT span: its ancestors open so it has a row.
    wf.collapse_all(analysis);
    assert_eq!(wf.rows.with_untracked(|r| r.len()), 1);
    let select = analysis.span_index_by_hex("0000000000000004").unwrap();
    focus.select(Some(select));
    leptos::task::tick().await;
    assert!(wf.rows.with_untracked(|r| r.len()) >= 3, "the selected span's ancestors were expanded");
    assert_eq!(wf.scroll_request.get_untracked(), Some(select));
    assert_eq!(focus.reveal.get_untracked(), None, "the reveal request was consumed");
    drop(owner);
}

/// A label fitted to a width comes back with its own measured width: the whole text when it fits, the
/// longest prefix with an ellipsis that fits otherwise, nothing when there is no room.
#[wasm_bindgen_test]
fn fitted_text_comes_with_its_width() {
    use spanlens::render::canvas::{fit_text, fit_text_measured, prepare};
    use wasm_bindgen::JsCast as _;
    let canvas: web_sys::HtmlCanvasElement = document().create_element("canvas").unwrap().dyn_into().unwrap();
    let ctx = prepare(&canvas, 400.0, 40.0, 1.0).unwrap();
    ctx.set_font(spanlens::render::waterfall::FONT);
    let measure = |s: &str| ctx.measure_text(s).unwrap().width();
    let text = "checkout-service POST /api/orders/{id}/payment";
    let (whole, whole_px) = fit_text_measured(&ctx, text, 1_000.0).unwrap();
    assert_eq!((whole.as_str(), whole_px), (text, measure(text)));
    let room = measure(text) / 2.0;
    let (cut, cut_px) = fit_text_measured(&ctx, text, room).unwrap();
    assert!(cut.ends_with('…') && cut.len() < text.len(), "{cut}");
    assert_eq!(cut_px, measure(&cut));
    assert!(cut_px <= room);
    // One more character would not have fitted.
    let longer: String = text.chars().take(cut.chars().count()).collect::<String>() + "…";
    assert!(measure(&longer) > room, "{longer} fits in {room}");
    assert_eq!(fit_text(&ctx, text, room), Some(cut));
    assert_eq!(fit_text_measured(&ctx, text, 4.0), None);
}

/// What the waterfall paints, read back from a canvas: an error too short to see still gets a mark,
/// an HTTP 503 on a span not marked as an error gets a chip, and a filtered-out ancestor is faint.
#[wasm_bindgen_test]
fn waterfall_marks_errors_status_chips_and_dimmed_ancestors() {
    use spanlens::render::canvas::{Chrome, prepare};
    use spanlens::render::waterfall::{self, AXIS_HEIGHT_PX, ROW_HEIGHT_PX, WaterfallFrame};
    use spanlens_analysis::bitset::BitSet;
    use spanlens_layout::palette::{ServiceColors, Theme};
    use spanlens_layout::rows::{ViewState, layout_rows};
    use spanlens_layout::viewport::Viewport;
    use spanlens_model::{AnyValue, Attribute, Span, SpanId, StatusCode, TraceId, TraceSetBuilder};
    use wasm_bindgen::JsCast as _;

    const SECOND: i64 = 1_000_000_000;
    let mut b = TraceSetBuilder::new();
    let (svc, root_name, http, failing) =
        (b.intern("shop"), b.intern("checkout"), b.intern("GET /pay"), b.intern("tiny"));
    let (status_key, trace) = (b.intern("http.status_code"), TraceId(7));
    b.push_span(trace, 16, Span::new(SpanId(1), root_name, svc, SECOND, SECOND));
    let mut with_status = Span::new(SpanId(2), http, svc, SECOND + SECOND / 10, SECOND / 5);
    with_status.parent_span_id = Some(SpanId(1));
    with_status.attributes = vec![Attribute { key: status_key, value: AnyValue::Int(503) }].into_boxed_slice();
    b.push_span(trace, 16, with_status);
    // One microsecond in a one-second trace: a thousandth of a pixel at this width.
    let mut error = Span::new(SpanId(3), failing, svc, SECOND + SECOND / 2, 1_000);
    error.parent_span_id = Some(SpanId(1));
    error.status.code = StatusCode::Error;
    b.push_span(trace, 16, error);
    let set = b.finish();
    let trace = &set.traces[0];
    let index = |id: u64| trace.spans.iter().position(|s| s.span_id.0 == id).unwrap() as u32;

    let (label_w, timeline_w) = (300.0, 1000.0);
    let canvas: web_sys::HtmlCanvasElement = document().create_element("canvas").unwrap().dyn_into().unwrap();
    let height = AXIS_HEIGHT_PX + 4.0 * ROW_HEIGHT_PX;
    let ctx = prepare(&canvas, label_w + timeline_w, height, 1.0).unwrap();
    let chrome = Chrome {
        background: "rgb(255,255,255)".into(),
        text: "rgb(0,0,0)".into(),
        muted: "rgb(90,90,90)".into(),
        error: "rgb(200,0,200)".into(),
        ..Chrome::default()
    };
    let colors = ServiceColors::for_trace(trace, &set.strings);
    let viewport = Viewport::for_trace(trace, timeline_w);
    // Hide the root by a filter: it stays as the faint ancestor of its shown children.
    let mut hidden = BitSet::new(trace.spans.len());
    hidden.insert(index(1));
    let rows = layout_rows(trace, &ViewState { collapsed: BitSet::new(trace.spans.len()), hidden: Some(hidden) });
    let frame = WaterfallFrame {
        set: &set,
        trace,
        rows: &rows,
        viewport: &viewport,
        width_px: label_w + timeline_w,
        height_px: height,
        label_width_px: label_w,
        scroll_top_px: 0.0,
        selected: None,
        hover: None,
        matches: None,
        critical: None,
        colors: &colors,
        theme: Theme::Light,
        chrome: &chrome,
    };
    assert_eq!(waterfall::draw(&ctx, &frame), 3);

    let row_mid = |span: u32| {
        let row = rows.row_of_span(&trace.tree, span).unwrap();
        AXIS_HEIGHT_PX + row as f64 * ROW_HEIGHT_PX + ROW_HEIGHT_PX / 2.0
    };
    let pixels = |x0: f64, x1: f64, y: f64| -> Vec<[u8; 3]> {
        let data = ctx.get_image_data(x0, y, x1 - x0, 1.0).unwrap().data().0;
        data.chunks(4).map(|p| [p[0], p[1], p[2]]).collect()
    };
    let rgb = |c: spanlens_layout::palette::Rgb| [c.0, c.1, c.2];

    // The error's bar: at least 3 px of the error colour where it starts.
    let error_x = label_w + timeline_w / 2.0;
    let error_rgb = rgb(colors.bar_color(trace.spans[index(3) as usize].service, true, Theme::Light));
    let red = pixels(error_x - 2.0, error_x + 8.0, row_mid(index(3))).into_iter().filter(|p| *p == error_rgb).count();
    assert!(red >= 3, "the 1 µs error is drawn {red} px wide");

    // The 503 chip, in the label column of its row, filled with the error colour.
    let chip = pixels(0.0, label_w, row_mid(index(2))).into_iter().filter(|p| *p == [200, 0, 200]).count();
    assert!(chip >= 10, "a status chip of {chip} px");
    let no_chip = pixels(0.0, label_w, row_mid(index(1))).into_iter().filter(|p| *p == [200, 0, 200]).count();
    assert_eq!(no_chip, 0, "no chip on a span without a status");

    // The dimmed root: its bar is lighter than its service colour.
    let full = rgb(colors.bar_color(trace.spans[index(1) as usize].service, false, Theme::Light));
    let root = pixels(label_w + 10.0, label_w + 11.0, row_mid(index(1)) - 4.0)[0];
    assert_ne!(root, full, "the filtered-out ancestor is not drawn at full strength");
    let sum = |p: [u8; 3]| p.iter().map(|&v| u32::from(v)).sum::<u32>();
    assert!(sum(root) > sum(full), "dimmed means lighter on white: {root:?} vs {full:?}");
}

/// A result's parts decode as they arrive, in batches with waits between them, into the result the
/// worker encoded; a broken part is an error reported once the parts have ended (a late part never
/// starts a second decoding); a cancelled load yields nothing.
#[wasm_bindgen_test]
async fn incoming_parts_decode_as_they_arrive() {
    use spanlens::state::incoming::{IncomingParts, assemble};
    use spanlens_protocol::{LoadResult, TraceSource, encode_parts};
    let spans: Vec<(u64, u64, u64, &str, &str, i64, i64)> =
        (1..=10_000u64).map(|i| (1, i, i / 2, "svc", "op", i as i64, 5)).collect();
    let set = load(1, "parts.json", &spans).set.clone();
    let result = |set| LoadResult { bytes_total: 1, ..LoadResult::new(TraceSource::Url { url: "/t".to_owned() }, set) };
    let buffers = |parts: &[Vec<u8>]| -> Vec<js_sys::ArrayBuffer> {
        parts.iter().map(|p| js_sys::Uint8Array::from(p.as_slice()).buffer()).collect()
    };
    let parts = encode_parts(result(set.clone())).unwrap();
    assert_eq!(parts.len(), 13, "a head, the tree's nine index columns and three span parts");

    // The head and one part now, the rest from a later task, then the end.
    let incoming = IncomingParts::default();
    incoming.push(buffers(&parts[..2]));
    let later = incoming.clone();
    let rest = buffers(&parts[2..]);
    wasm_bindgen_futures::spawn_local(async move {
        spanlens::state::schedule::next_task().await;
        later.push(rest);
        later.end();
    });
    let decoded = assemble(incoming, || true).await.unwrap().unwrap();
    assert!(decoded.set == set, "the parts reassemble the worker's model");

    // A broken part: an error, returned only after the end.
    let incoming = IncomingParts::default();
    incoming.push(buffers(&parts[..1]));
    incoming.push(vec![js_sys::Uint8Array::from(&[0xff_u8, 0xff, 0xff][..]).buffer()]);
    let later = incoming.clone();
    let rest = buffers(&parts[2..]);
    let ended = std::rc::Rc::new(std::cell::Cell::new(false));
    let ended_later = std::rc::Rc::clone(&ended);
    wasm_bindgen_futures::spawn_local(async move {
        spanlens::state::schedule::next_task().await;
        later.push(rest);
        ended_later.set(true);
        later.end();
    });
    let outcome = assemble(incoming, || true).await.unwrap();
    assert!(outcome.is_err(), "a part that does not decode is an error");
    assert!(ended.get(), "the decoding waited for the end of the parts");

    // Cancelled: nothing.
    let incoming = IncomingParts::default();
    incoming.push(buffers(&parts));
    incoming.end();
    assert!(assemble(incoming, || false).await.is_none());
}

thread_local! {
    static CHUNK_ATTEMPTS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// A split point whose first load fails, as a chunk refused by the network would.
fn flaky_chunk()
-> std::pin::Pin<Box<dyn Future<Output = Result<spanlens::chunks::Render, spanlens::chunks::ChunkError>>>> {
    Box::pin(async {
        let attempt = CHUNK_ATTEMPTS.with(|a| {
            a.set(a.get() + 1);
            a.get()
        });
        if attempt == 1 {
            return Err(spanlens::chunks::ChunkError);
        }
        let render: spanlens::chunks::Render = || view! { <p data-testid="chunk-view">"from the chunk"</p> }.into_any();
        Ok(render)
    })
}

/// Waits until `selector` matches in `host` (a few executor turns; the loads here resolve at once).
async fn settle(host: &web_sys::Element, selector: &str) -> web_sys::Element {
    for _ in 0..20 {
        if let Some(found) = host.query_selector(selector).unwrap() {
            return found;
        }
        leptos::task::tick().await;
        spanlens::state::schedule::next_task().await;
    }
    panic!("{selector} never appeared; the host holds {:?}", host.inner_html());
}

#[wasm_bindgen_test]
async fn a_deferred_view_reports_a_failed_load_retries_and_is_built_at_once_when_loaded() {
    use spanlens::chunks::Deferred;
    let document = document();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let html: web_sys::HtmlElement = host.clone().dyn_into_html();
    let handle = leptos::mount::mount_to(html, || view! { <Deferred load=flaky_chunk what="the test view"/> });
    let failed = settle(&host, "[data-testid=deferred-error]").await;
    assert!(failed.text_content().unwrap().contains("Could not load the test view"));
    assert!(host.query_selector("[data-testid=chunk-view]").unwrap().is_none());
    let retry: web_sys::HtmlElement = failed.query_selector("button").unwrap().unwrap().dyn_into_html();
    retry.click();
    settle(&host, "[data-testid=chunk-view]").await;
    assert!(host.query_selector("[data-testid=deferred-error]").unwrap().is_none());
    assert_eq!(CHUNK_ATTEMPTS.with(|a| a.get()), 2);
    drop(handle);

    // Shown again, a loaded chunk's view is built in the same turn: no "Loading…" and no new load.
    let again = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&again).unwrap();
    let html: web_sys::HtmlElement = again.clone().dyn_into_html();
    let handle = leptos::mount::mount_to(html, || view! { <Deferred load=flaky_chunk what="the test view"/> });
    assert!(again.query_selector("[data-testid=chunk-view]").unwrap().is_some());
    assert!(again.query_selector("[data-testid=deferred-loading]").unwrap().is_none());
    assert_eq!(CHUNK_ATTEMPTS.with(|a| a.get()), 2);
    drop(handle);
}

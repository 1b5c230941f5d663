//! Every recorded response in `shared/fixtures/backend-api/MANIFEST.json`, parsed with the parser of
//! the endpoint it answers, against the counts the manifest gives. Trace bodies (trace by id, and
//! the whole traces some searches return) are also imported with `spanlens_formats::import_bytes`,
//! as the worker does, and their span and trace counts checked.
//!
//! When the corpus is missing the test fails under `CI=true` and is skipped loudly otherwise.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use serde_json::Value;
use spanlens_backends::{
    BackendKind, parse_dependencies, parse_operations, parse_search, parse_services, parse_tag_values,
};
use spanlens_formats::import::import_bytes;
use spanlens_model::TraceSetBuilder;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/backend-api")
}

/// The manifest's entries, or `None` (after printing why) when the corpus is absent outside CI.
fn manifest() -> Option<Vec<Value>> {
    let path = corpus_dir().join("MANIFEST.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("backend-api corpus missing at {}", path.display());
        }
        eprintln!("\n*** SKIPPED: backend-api corpus not found at {} ***\n", path.display());
        return None;
    };
    let manifest: Value = serde_json::from_str(&text).expect("MANIFEST.json is valid JSON");
    Some(manifest["files"].as_array().expect("MANIFEST.json has a files array").clone())
}

fn kind_of(backend: &str) -> BackendKind {
    backend.parse().unwrap_or_else(|_| panic!("manifest backend {backend:?} is not a kind"))
}

/// What the file answers, from the manifest's `endpoint` text.
#[derive(Debug, PartialEq)]
enum Endpoint {
    Services,
    Operations,
    Dependencies,
    /// A search answered with summaries (Tempo search, api_v3 trace-summaries).
    SummarySearch,
    TagValues,
    /// Whole traces: trace by id, api_v3 find-traces, Jaeger /api/transform.
    Traces,
}

fn endpoint_of(text: &str) -> Endpoint {
    if text.contains("/dependencies") {
        Endpoint::Dependencies
    } else if text.contains("/services") {
        Endpoint::Services
    } else if text.contains("/operations") {
        Endpoint::Operations
    } else if text.contains("/trace-summaries") || text.contains("/api/search?") {
        Endpoint::SummarySearch
    } else if text.contains("/search/tag/") && text.contains("/values") {
        Endpoint::TagValues
    } else {
        Endpoint::Traces
    }
}

/// Counts the parsers (and the importer) give for one file, keyed as the manifest keys them.
fn counts(
    kind: BackendKind,
    endpoint: &Endpoint,
    path: &str,
    bytes: &[u8],
) -> Result<BTreeMap<&'static str, u64>, String> {
    let mut got = BTreeMap::new();
    let e = |e: spanlens_backends::BackendError| e.to_string();
    match endpoint {
        Endpoint::Services => {
            got.insert("services", parse_services(kind, bytes).map_err(e)?.len() as u64);
        }
        Endpoint::Operations => {
            got.insert("operations", parse_operations(kind, bytes).map_err(e)?.len() as u64);
        }
        Endpoint::Dependencies => {
            got.insert("links", parse_dependencies(kind, bytes).map_err(e)?.len() as u64);
        }
        Endpoint::TagValues => {
            got.insert("values", parse_tag_values(bytes).map_err(e)?.len() as u64);
        }
        Endpoint::SummarySearch => {
            got.insert("traces", parse_search(kind, bytes).map_err(e)?.traces.len() as u64);
        }
        Endpoint::Traces => {
            let mut builder = TraceSetBuilder::new();
            let summary = import_bytes(bytes, path, &mut builder).map_err(|e| format!("import: {e}"))?;
            let set = builder.finish();
            got.insert("spans", summary.span_records);
            got.insert("traces", set.traces.len() as u64);
            // The same body read as a search answer (Tempo's trace bodies never are one).
            if kind != BackendKind::Tempo {
                let results = parse_search(kind, bytes).map_err(e)?;
                let spans: usize = results.traces.iter().filter_map(|t| t.span_count).sum();
                if results.traces.len() as u64 != got["traces"] || spans as u64 != got["spans"] {
                    return Err(format!(
                        "parse_search gives {} traces / {spans} spans, the importer {} / {}",
                        results.traces.len(),
                        got["traces"],
                        got["spans"]
                    ));
                }
            }
        }
    }
    Ok(got)
}

#[test]
fn every_recorded_response_parses_with_manifest_counts() {
    let Some(files) = manifest() else { return };
    let dir = corpus_dir();
    let mut failures = Vec::new();
    for entry in &files {
        let path = entry["path"].as_str().unwrap();
        let kind = kind_of(entry["backend"].as_str().unwrap());
        let endpoint = endpoint_of(entry["endpoint"].as_str().unwrap());
        let bytes = std::fs::read(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        let want = entry["counts"].as_object().unwrap();
        let line = match counts(kind, &endpoint, path, &bytes) {
            Err(problem) => {
                failures.push(format!("{path}: {problem}"));
                format!("FAIL {path}: {problem}")
            }
            Ok(got) => {
                let mut problems = Vec::new();
                for (key, want) in want {
                    match got.get(key.as_str()) {
                        Some(g) if Some(*g) == want.as_u64() => {}
                        Some(g) => problems.push(format!("{key}: manifest {want}, parsed {g}")),
                        None => problems.push(format!("{key}: not checked for {endpoint:?}")),
                    }
                }
                if problems.is_empty() {
                    format!("ok   {:<10} {:<14} {path} {got:?}", kind.as_str(), format!("{endpoint:?}"))
                } else {
                    failures.push(format!("{path}: {}", problems.join("; ")));
                    format!("FAIL {path}: {}", problems.join("; "))
                }
            }
        };
        eprintln!("{line}");
    }
    assert!(failures.is_empty(), "{} of {} files differ:\n{}", failures.len(), files.len(), failures.join("\n"));
    assert!(files.len() >= 24, "the manifest lists {} files; expected at least 24", files.len());
}

fn read(path: &str) -> Option<Vec<u8>> {
    manifest()?;
    Some(std::fs::read(corpus_dir().join(path)).unwrap())
}

#[test]
fn summaries_carry_the_recorded_values() {
    let Some(v3) = read("jaeger-v3/jaeger__v3-trace-summaries__FindTraceSummaries.json") else { return };
    let t = &parse_search(BackendKind::JaegerV3, &v3).unwrap().traces[0];
    assert_eq!(t.trace_id_hex, "00000000000000000000000000000001");
    assert_eq!((t.root_service.as_deref(), t.root_name.as_deref()), (Some("frontend"), Some("HTTP GET /")));
    assert_eq!((t.start_nanos, t.duration_nanos), (1_000_000_000_000, 1_000_000_000));
    assert_eq!((t.span_count, t.error_count), (Some(2), Some(1)));
    assert_eq!(t.services, vec![("frontend".to_owned(), 2)]);

    let legacy = read("tempo/tempo-docs__search-legacy-tags__api_docs.excerpt.json").unwrap();
    let r = parse_search(BackendKind::Tempo, &legacy).unwrap();
    assert_eq!(r.traces[0].trace_id_hex, "d6e9329d67b6146a");
    assert_eq!((r.traces[0].duration_nanos, r.traces[0].start_nanos), (611_000_000, 1_634_727_903_545_000_000));
    assert_eq!((r.traces[0].span_count, r.traces[0].matched_spans), (None, None));

    let kiali = read("tempo/kiali__search-traceql__response.json").unwrap();
    let t = &parse_search(BackendKind::Tempo, &kiali).unwrap().traces[0];
    assert_eq!(t.root_service.as_deref(), Some("istio-ingressgateway.istio-system"));
    assert_eq!(t.matched_spans, Some(6));

    let docs = read("tempo/tempo-docs__search-traceql__pushing-spans-with-http.excerpt.json").unwrap();
    let t = &parse_search(BackendKind::Tempo, &docs).unwrap().traces[0];
    assert_eq!(
        (t.trace_id_hex.as_str(), t.root_name.as_deref(), t.duration_nanos),
        ("5b8efff798038103d269b633813fc700", Some("I am a span!"), 10_000_000_000)
    );
}

#[test]
fn whole_traces_are_summarised_like_the_uis_do() {
    let Some(jaeger) = read("jaeger/jaeger-ui-2017__get-trace-by-id__2992f2a5b5d037a8aabffd08ef384237.json") else {
        return;
    };
    let t = &parse_search(BackendKind::Jaeger, &jaeger).unwrap().traces[0];
    assert_eq!(t.span_count, Some(2));
    assert!(t.root_service.is_some() && t.root_name.is_some(), "{t:?}");

    let st = read("zipkin/zipkin-lens__trace-by-id-smartthings-oauth__smartthings-oauth-authorization.json").unwrap();
    let t = &parse_search(BackendKind::Zipkin, &st).unwrap().traces[0];
    assert_eq!((t.span_count, t.error_count), (Some(175), Some(2)));
    assert!(t.duration_nanos > 0 && t.root_name.is_some(), "{t:?}");

    let envoy = read("zipkin/zipkin-lens__trace-by-id-envoy__envoy.json").unwrap();
    let t = &parse_search(BackendKind::Zipkin, &envoy).unwrap().traces[0];
    assert_eq!((t.root_service.as_deref(), t.span_count), (None, Some(1)));

    let otel = read("jaeger-v3/jaeger-pr9263__v3-otel-demo-error-trimmed__error_timeout_masked.json").unwrap();
    let t = &parse_search(BackendKind::JaegerV3, &otel).unwrap().traces[0];
    assert_eq!(t.trace_id_hex.len(), 32);
    assert!(t.error_count.unwrap() > 0 && t.services.len() > 1, "{t:?}");

    // The OTLP reader behind api_v3 also takes Tempo's envelopes: base64 ids, enum names.
    let kiali = read("tempo/kiali__trace-by-id-v1__responseTrace.json").unwrap();
    let t = &parse_search(BackendKind::JaegerV3, &kiali).unwrap().traces[0];
    assert_eq!((t.span_count, t.trace_id_hex.len()), (Some(8), 32));
    let v2_trace = read("tempo/tempo-docs__trace-by-id-v2__pushing-spans-with-http.excerpt.json").unwrap();
    let t = &parse_search(BackendKind::JaegerV3, &v2_trace).unwrap().traces[0];
    assert_eq!(
        (t.trace_id_hex.as_str(), t.root_service.as_deref()),
        ("5b8efff798038103d269b633813fc700", Some("my.service"))
    );

    let v2 = read("tempo/tempo-docs__tag-values-v2__api_docs.excerpt.json").unwrap();
    assert_eq!(parse_services(BackendKind::Tempo, &v2).unwrap().first().map(String::as_str), Some("article-service"));
    let deps = read("jaeger/jaeger-ui__dependencies-data-small__small.json").unwrap();
    let links = parse_dependencies(BackendKind::Jaeger, &deps).unwrap();
    assert_eq!(
        (links[0].parent.as_str(), links[0].child.as_str(), links[0].call_count),
        ("Service1", "Service2", 30489)
    );
}

//! Grafana Tempo's HTTP query API (TEMPO-API.md). Search is TraceQL: a query typed by the user is
//! sent as is, and a form search (service, span name, tags, durations) is written as TraceQL here.
//! Tempo has no service or operation endpoints; those lists come from tag values
//! (`resource.service.name`, and `name` filtered by service). Times in requests are unix seconds.

use crate::BackendKind;
use crate::error::BackendError;
use crate::json::{Flex, from_body, i64_of, id_hex, pad_trace_id, u64_of};
use crate::request::{SearchRequest, div_ceil, div_floor, go_duration};
use crate::summary::{Operation, SearchResults, TagValue, TraceSummary, sorted_services};
use serde::Deserialize;
use std::collections::BTreeMap;

/// What Tempo calls a trace whose root span it has not seen.
const NO_ROOT: &str = "<root span not yet received>";

/// Scopes in the order people expect them; Tempo's own order is random (a Go map).
const SCOPE_ORDER: [&str; 6] = ["resource", "span", "intrinsic", "event", "link", "instrumentation"];

/// Query parameters of `GET /api/search`.
pub(crate) fn search_params(req: &SearchRequest) -> Result<Vec<(&'static str, String)>, BackendError> {
    req.validate()?;
    if req.remote_service().is_some() {
        return Err(BackendError::Unsupported { backend: BackendKind::Tempo, what: "remote service filter" });
    }
    let q = match req.traceql() {
        Some(q) => {
            let form_used = req.service().is_some()
                || req.operation().is_some()
                || !req.tags.is_empty()
                || req.min_duration_nanos.is_some()
                || req.max_duration_nanos.is_some();
            if form_used {
                return Err(BackendError::InvalidRequest(
                    "a TraceQL query cannot be combined with service, span name, tag or duration fields: put them in the query".to_owned(),
                ));
            }
            q.to_owned()
        }
        None => traceql_from_form(req),
    };
    let mut p = vec![("q", q)];
    if let Some(w) = req.window {
        p.push(("start", div_floor(w.start_nanos, 1_000_000_000).to_string()));
        p.push(("end", div_ceil(w.end_nanos, 1_000_000_000).to_string()));
    }
    if let Some(l) = req.limit {
        p.push(("limit", l.to_string()));
    }
    if let Some(s) = req.spans_per_spanset {
        p.push(("spss", s.to_string()));
    }
    Ok(p)
}

/// The search form as one TraceQL spanset filter (`{}` matches every trace). Durations are span
/// durations, as Jaeger's and Zipkin's are. Tag values that read as numbers or booleans are written
/// bare (`.http.status_code = 500` matches the int attribute OpenTelemetry records), others quoted.
pub fn traceql_from_form(req: &SearchRequest) -> String {
    let mut conds = Vec::new();
    if let Some(s) = req.service() {
        conds.push(format!("resource.service.name = {}", quote(s)));
    }
    if let Some(o) = req.operation() {
        conds.push(format!("name = {}", quote(o)));
    }
    for (k, v) in &req.tags {
        conds.push(condition(k, v));
    }
    if let Some(d) = req.min_duration_nanos {
        conds.push(format!("duration >= {}", go_duration(d)));
    }
    if let Some(d) = req.max_duration_nanos {
        conds.push(format!("duration <= {}", go_duration(d)));
    }
    if conds.is_empty() { "{}".to_owned() } else { format!("{{ {} }}", conds.join(" && ")) }
}

use spanlens_traceql::quote;

/// Intrinsics people type in a tag box, and the keyword values of the enum-typed ones.
const INTRINSICS: [&str; 8] =
    ["name", "status", "statusMessage", "kind", "rootName", "rootServiceName", "traceDuration", "duration"];
const STATUS_VALUES: [&str; 3] = ["ok", "error", "unset"];
const KIND_VALUES: [&str; 6] = ["unspecified", "internal", "server", "client", "producer", "consumer"];

/// One `key=value` tag as a TraceQL condition. Intrinsics (`status=error`, `kind=server`,
/// `span:name=x`) stay intrinsics with keyword values; anything else is an attribute.
fn condition(key: &str, value: &str) -> String {
    let bare = key.strip_prefix("span:").or_else(|| key.strip_prefix("trace:")).unwrap_or(key);
    let intrinsic = key.contains(':') || INTRINSICS.contains(&bare);
    if !intrinsic {
        return format!("{} = {}", attribute(key), literal(value));
    }
    let keyword = match bare {
        "status" => STATUS_VALUES.contains(&value),
        "kind" => KIND_VALUES.contains(&value),
        _ => false,
    };
    let value = if keyword || bare.ends_with("uration") { value.to_owned() } else { literal(value) };
    format!("{key} = {value}")
}

fn literal(v: &str) -> String {
    let numeric =
        !v.is_empty() && v.parse::<f64>().is_ok_and(f64::is_finite) && !v.starts_with('+') && !v.ends_with('.');
    if numeric || v == "true" || v == "false" { v.to_owned() } else { quote(v) }
}

/// A tag key as a TraceQL attribute: scoped keys stay, others become unscoped (`.key`); keys with
/// characters outside TraceQL's identifier set are quoted (`."k8s pod"`).
fn attribute(key: &str) -> String {
    let scoped =
        ["span.", "resource.", "event.", "link.", "instrumentation.", "."].iter().find(|p| key.starts_with(**p));
    let (scope, name) = match scoped {
        Some(p) => key.split_at(p.len()),
        None => (".", key),
    };
    let plain =
        !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | ':'));
    if plain { format!("{scope}{name}") } else { format!("{scope}{}", quote(name)) }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchResponse {
    traces: Option<Vec<TraceMeta>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct TraceMeta {
    #[serde(rename = "traceID")]
    trace_id: Option<String>,
    root_service_name: Option<String>,
    root_trace_name: Option<String>,
    start_time_unix_nano: Option<Flex>,
    duration_ms: Option<Flex>,
    span_set: Option<SpanSet>,
    span_sets: Option<Vec<SpanSet>>,
    service_stats: Option<BTreeMap<String, ServiceStats>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SpanSet {
    matched: Option<Flex>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ServiceStats {
    span_count: Option<Flex>,
    error_count: Option<Flex>,
}

pub(crate) fn parse_search(body: &[u8]) -> Result<SearchResults, BackendError> {
    let resp: SearchResponse = from_body("tempo search", body)?;
    let traces = resp.traces.unwrap_or_default().into_iter().map(summary_of).collect();
    Ok(SearchResults { traces, warnings: vec![] })
}

fn summary_of(t: TraceMeta) -> TraceSummary {
    let count = |f: &Option<Flex>| u64_of(f).and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
    // `spanSet` is the deprecated copy of `spanSets[0]`: count it only when `spanSets` is absent.
    let sets = match (t.span_sets, t.span_set) {
        (Some(sets), _) => sets,
        (None, Some(one)) => vec![one],
        (None, None) => vec![],
    };
    let matched = if sets.is_empty() { None } else { Some(sets.iter().filter_map(|s| u64_of(&s.matched)).sum()) };
    let stats = t.service_stats.unwrap_or_default();
    let (span_count, error_count) = if stats.is_empty() {
        (None, None)
    } else {
        (
            Some(stats.values().map(|s| count(&s.span_count)).sum()),
            Some(stats.values().map(|s| count(&s.error_count)).sum()),
        )
    };
    let services = sorted_services(stats.iter().map(|(k, s)| (k.clone(), count(&s.span_count))).collect());
    TraceSummary {
        trace_id_hex: pad_trace_id(&t.trace_id.as_deref().map(id_hex).unwrap_or_default()),
        root_service: t.root_service_name.filter(|n| !n.is_empty() && n != NO_ROOT),
        root_name: t.root_trace_name.filter(|n| !n.is_empty()),
        start_nanos: i64_of(&t.start_time_unix_nano).unwrap_or(0),
        duration_nanos: i64_of(&t.duration_ms).unwrap_or(0).saturating_mul(1_000_000),
        span_count,
        error_count,
        services,
        matched_spans: matched,
    }
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct TagNames {
    scopes: Option<Vec<Scope>>,
    tag_names: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Scope {
    name: String,
    tags: Option<Vec<String>>,
}

/// v2 `{"scopes":[{name,tags}]}` in a fixed scope order; a v1 `{"tagNames":[…]}` answer becomes one
/// scope named `""` (v1 does not say where a tag lives).
pub(crate) fn parse_tag_names(body: &[u8]) -> Result<Vec<(String, Vec<String>)>, BackendError> {
    let resp: TagNames = from_body("tempo tag names", body)?;
    let mut out: Vec<(String, Vec<String>)> =
        resp.scopes.unwrap_or_default().into_iter().map(|s| (s.name, s.tags.unwrap_or_default())).collect();
    let rank = |name: &str| SCOPE_ORDER.iter().position(|s| *s == name).unwrap_or(SCOPE_ORDER.len());
    spanlens_model::sorting::sort_by(&mut out, |a, b| rank(&a.0).cmp(&rank(&b.0)).then_with(|| a.0.cmp(&b.0)));
    if let Some(names) = resp.tag_names {
        out.push((String::new(), names));
    }
    Ok(out)
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct TagValues {
    tag_values: Option<Vec<TagValueItem>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum TagValueItem {
    Plain(String),
    Typed {
        #[serde(default, rename = "type")]
        kind: Option<String>,
        #[serde(default)]
        value: Option<Flex>,
    },
}

/// v2 typed values or v1 strings.
pub(crate) fn parse_tag_values(body: &[u8]) -> Result<Vec<TagValue>, BackendError> {
    let resp: TagValues = from_body("tempo tag values", body)?;
    Ok(resp
        .tag_values
        .unwrap_or_default()
        .into_iter()
        .map(|v| match v {
            TagValueItem::Plain(value) => TagValue { kind: "string".to_owned(), value },
            TagValueItem::Typed { kind, value } => TagValue {
                kind: kind.unwrap_or_else(|| "string".to_owned()),
                value: value.map(|v| v.as_text()).unwrap_or_default(),
            },
        })
        .collect())
}

/// Services are the values of `resource.service.name`.
pub(crate) fn parse_services(body: &[u8]) -> Result<Vec<String>, BackendError> {
    let mut names: Vec<String> = parse_tag_values(body)?.into_iter().map(|v| v.value).collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// Operations are the values of `name` (span names).
pub(crate) fn parse_operations(body: &[u8]) -> Result<Vec<Operation>, BackendError> {
    Ok(parse_services(body)?.into_iter().map(|name| Operation { name, span_kind: None }).collect())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BuildInfo {
    version: Option<String>,
    revision: Option<String>,
}

/// `buildinfo_url` answers (`{"version","revision","branch",…}`): the version, with the revision
/// when the version alone says little (`main-…` builds).
pub fn parse_buildinfo(body: impl AsRef<[u8]>) -> Result<String, BackendError> {
    let info: BuildInfo = from_body("tempo buildinfo", body.as_ref())?;
    let version = info.version.filter(|v| !v.is_empty()).unwrap_or_else(|| "unknown version".to_owned());
    Ok(match info.revision.filter(|r| !r.is_empty() && !version.contains(r.as_str())) {
        Some(rev) if version.starts_with("main") || version == "unknown version" => format!("{version} ({rev})"),
        _ => version,
    })
}

/// The TraceQL filter for the operations of `service`, optionally of one span kind.
pub(crate) fn operations_filter(service: &str, span_kind: Option<&str>) -> String {
    let mut f = format!("{{ resource.service.name = {}", quote(service));
    if let Some(k) = span_kind.map(str::trim).filter(|k| !k.is_empty()) {
        let k = k.to_ascii_lowercase();
        let k = k.strip_prefix("span_kind_").unwrap_or(&k);
        if k.chars().all(|c| c.is_ascii_lowercase()) {
            f.push_str(&format!(" && kind = {k}"));
        }
    }
    f.push_str(" }");
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{TimeWindow, query_string};

    #[test]
    fn form_search_becomes_traceql() {
        let req = SearchRequest {
            service: Some("shop \"eu\"".into()),
            operation: Some("GET /cart".into()),
            tags: vec![
                ("http.status_code".into(), "500".into()),
                ("span.db.system".into(), "postgres".into()),
                ("k8s pod".into(), "a".into()),
                ("flag".into(), "true".into()),
            ],
            min_duration_nanos: Some(100_000_000),
            max_duration_nanos: Some(1_500_000_000),
            window: Some(TimeWindow { start_nanos: 1_694_718_625_557_000_000, end_nanos: 1_694_722_225_000_000_001 }),
            limit: Some(20),
            spans_per_spanset: Some(3),
            ..Default::default()
        };
        assert_eq!(
            traceql_from_form(&req),
            r#"{ resource.service.name = "shop \"eu\"" && name = "GET /cart" && .http.status_code = 500 && span.db.system = "postgres" && ."k8s pod" = "a" && .flag = true && duration >= 100ms && duration <= 1500ms }"#
        );
        let url = query_string(&search_params(&req).unwrap());
        assert!(
            url.starts_with("?q=%7B%20resource.service.name%20%3D%20%22shop%20%5C%22eu%5C%22%22%20%26%26"),
            "{url}"
        );
        assert!(url.ends_with("&start=1694718625&end=1694722226&limit=20&spss=3"), "{url}");
        assert_eq!(traceql_from_form(&SearchRequest::default()), "{}");
        let intrinsics = SearchRequest {
            tags: vec![
                ("status".into(), "error".into()),
                ("kind".into(), "server".into()),
                ("span:name".into(), "GET".into()),
                ("rootName".into(), "x".into()),
                ("status".into(), "weird".into()),
            ],
            ..Default::default()
        };
        assert_eq!(
            traceql_from_form(&intrinsics),
            r#"{ status = error && kind = server && span:name = "GET" && rootName = "x" && status = "weird" }"#
        );
    }

    #[test]
    fn typed_traceql_is_sent_as_is() {
        let req = SearchRequest { traceql: Some(r#"{ status = error } | count() > 2"#.into()), ..Default::default() };
        assert_eq!(
            query_string(&search_params(&req).unwrap()),
            "?q=%7B%20status%20%3D%20error%20%7D%20%7C%20count%28%29%20%3E%202"
        );
        let both = SearchRequest { service: Some("x".into()), ..req };
        assert!(matches!(search_params(&both), Err(BackendError::InvalidRequest(_))));
    }

    #[test]
    fn operations_filter_by_kind() {
        assert_eq!(
            operations_filter("api", Some("SPAN_KIND_SERVER")),
            r#"{ resource.service.name = "api" && kind = server }"#
        );
        assert_eq!(operations_filter("api", Some("bad kind!")), r#"{ resource.service.name = "api" }"#);
    }

    // TEMPO-API.md §4.2 (the docs' own example is not valid JSON, so this is the proto shape).
    #[test]
    fn tag_names_in_a_stable_scope_order() {
        let body = r#"{"scopes":[{"name":"span","tags":["http.method"]},{"name":"intrinsic","tags":["duration","name"]},
          {"name":"resource","tags":["service.name"]},{"name":"future","tags":[]}],"metrics":{"inspectedBytes":"377046"}}"#;
        let names = parse_tag_names(body.as_bytes()).unwrap();
        let order: Vec<&str> = names.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(order, ["resource", "span", "intrinsic", "future"]);
        // §4.1, v1.
        let v1 = parse_tag_names(br#"{"tagNames":["a","b"],"metrics":{}}"#).unwrap();
        assert_eq!(v1, vec![(String::new(), vec!["a".to_owned(), "b".to_owned()])]);
    }

    // TEMPO-API.md §6 (no recorded body): Prometheus `PrometheusVersion` fields.
    #[test]
    fn buildinfo() {
        let body = br#"{"version":"2.6.1","revision":"b7ef2ac","branch":"HEAD","buildUser":"","buildDate":"","goVersion":"go1.23"}"#;
        assert_eq!(parse_buildinfo(body).unwrap(), "2.6.1");
        assert_eq!(parse_buildinfo(br#"{"version":"main-b7ef2ac","revision":"b7ef2ac"}"#).unwrap(), "main-b7ef2ac");
        assert_eq!(parse_buildinfo(br#"{"version":"main","revision":"b7ef2ac"}"#).unwrap(), "main (b7ef2ac)");
        assert_eq!(parse_buildinfo(b"{}").unwrap(), "unknown version");
    }

    #[test]
    fn search_stats_and_spansets() {
        let body = r#"{"traces":[{"traceID":"2f3e0cee77ae5dc9c17ade3689eb2e54","rootServiceName":"<root span not yet received>",
          "startTimeUnixNano":"1700000000000000000","durationMs":12,
          "spanSets":[{"spans":[],"matched":4},{"spans":[],"matched":2}],"spanSet":{"spans":[],"matched":4},
          "serviceStats":{"api":{"spanCount":5,"errorCount":1},"db":{"spanCount":7}}}]}"#;
        let t = &parse_search(body.as_bytes()).unwrap().traces[0];
        assert_eq!(t.root_service, None);
        assert_eq!((t.span_count, t.error_count, t.matched_spans), (Some(12), Some(1), Some(6)));
        assert_eq!(t.services, vec![("db".into(), 7), ("api".into(), 5)]);
        assert_eq!(t.duration_nanos, 12_000_000);
    }
}

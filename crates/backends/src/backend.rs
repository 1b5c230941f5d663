//! A configured backend and the full request URLs for it. Every method returns `base + path + query`;
//! methods for endpoints that only some kinds have return `None` (or [`BackendError::Unsupported`])
//! for the others, so the app can offer only what a backend can do.

use crate::error::BackendError;
use crate::request::{SearchRequest, TimeWindow, div_ceil, div_floor, encode, query_string, rfc3339_nanos};
use crate::{BackendKind, jaeger, jaeger_v3, tempo, zipkin};

/// Serialisable (the shape of a `config.json` entry) so the app can remember backends people add.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Backend {
    /// Shown in the UI; unique within a configuration.
    pub name: String,
    pub kind: BackendKind,
    /// Base URL: a same-origin path such as `/tempo` (a proxy), or absolute `http(s)://host:port`.
    /// A trailing slash is tolerated. Tempo's `http_api_prefix` and Zipkin's `/zipkin` belong here.
    pub url: String,
}

impl Backend {
    pub fn new(name: impl Into<String>, kind: BackendKind, url: impl Into<String>) -> Backend {
        Backend { name: name.into(), kind, url: url.into() }
    }

    fn at(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.url.trim().trim_end_matches('/'))
    }

    /// One trace by id: Jaeger `/api/traces/{id}`, api_v3 `/api/v3/traces/{id}`, Tempo
    /// `/api/v2/traces/{id}`, Zipkin `/api/v2/trace/{id}`. Hex ids are lower-cased (Zipkin refuses
    /// upper case); other text (base64, which Jaeger accepts) is kept and percent-encoded.
    pub fn trace_url(&self, trace_id_hex: &str) -> String {
        let id = path_id(trace_id_hex);
        self.at(&match self.kind {
            BackendKind::Jaeger => format!("/api/traces/{id}"),
            BackendKind::JaegerV3 => format!("/api/v3/traces/{id}"),
            BackendKind::Tempo => format!("/api/v2/traces/{id}"),
            BackendKind::Zipkin => format!("/api/v2/trace/{id}"),
        })
    }

    /// [`Backend::trace_url`] limited to a time window, which lets Tempo read only the blocks of that
    /// range and Jaeger only those days (much faster on large stores). A trace partly outside the
    /// window may come back incomplete or not at all, so widen a known start time by some minutes.
    /// Zipkin has no such parameters and gets the plain URL.
    pub fn trace_url_in_window(&self, trace_id_hex: &str, window: TimeWindow) -> String {
        let (start, end) = (window.start_nanos, window.end_nanos);
        let p: Vec<(&str, String)> = match self.kind {
            BackendKind::Jaeger => {
                vec![("start", div_floor(start, 1_000).to_string()), ("end", div_ceil(end, 1_000).to_string())]
            }
            // v2.10+ read these (snake_case, accepted by every later version); older ones ignore them.
            BackendKind::JaegerV3 => vec![("start_time", rfc3339_nanos(start)), ("end_time", rfc3339_nanos(end))],
            BackendKind::Tempo => vec![
                ("start", div_floor(start, 1_000_000_000).to_string()),
                ("end", div_ceil(end, 1_000_000_000).to_string()),
            ],
            BackendKind::Zipkin => vec![],
        };
        format!("{}{}", self.trace_url(trace_id_hex), query_string(&p))
    }

    /// Where to ask again when [`Backend::trace_url`] answers 404 because the server predates the v2
    /// endpoint: Tempo's v1 `/api/traces/{id}` (body `{"batches":[…]}`, which the importer reads
    /// too). An empty 404 is also Tempo's "no such trace", so a 404 from both means not found.
    /// `None` for the other kinds.
    pub fn trace_url_fallback(&self, trace_id_hex: &str) -> Option<String> {
        match self.kind {
            BackendKind::Tempo => Some(self.at(&format!("/api/traces/{}", path_id(trace_id_hex)))),
            _ => None,
        }
    }

    /// A cheap request that tells whether the backend is there (the "test connection" button).
    pub fn probe_url(&self) -> String {
        self.at(match self.kind {
            BackendKind::Jaeger => "/api/services",
            BackendKind::JaegerV3 => "/api/v3/services",
            BackendKind::Tempo => "/api/echo",
            BackendKind::Zipkin => "/api/v2/services",
        })
    }

    /// Tempo's version information (`{"version","revision",…}`).
    pub fn buildinfo_url(&self) -> Option<String> {
        (self.kind == BackendKind::Tempo).then(|| self.at("/api/status/buildinfo"))
    }

    /// The service list. Tempo has no such endpoint: it is the values of `resource.service.name`.
    pub fn services_url(&self) -> String {
        self.at(match self.kind {
            BackendKind::Jaeger => "/api/services",
            BackendKind::JaegerV3 => "/api/v3/services",
            BackendKind::Tempo => "/api/v2/search/tag/resource.service.name/values",
            BackendKind::Zipkin => "/api/v2/services",
        })
    }

    /// The operations (span names) of `service`, optionally of one span kind (`server`, `client`…;
    /// ignored by Zipkin). Tempo: the values of `name` among that service's spans.
    pub fn operations_url(&self, service: &str, span_kind: Option<&str>) -> String {
        match self.kind {
            BackendKind::Jaeger => self.at(&format!("/api/operations{}", jaeger::operations_query(service, span_kind))),
            BackendKind::JaegerV3 => {
                self.at(&format!("/api/v3/operations{}", jaeger_v3::operations_query(service, span_kind)))
            }
            BackendKind::Tempo => self.at(&format!(
                "/api/v2/search/tag/name/values{}",
                query_string(&[("q", tempo::operations_filter(service, span_kind))])
            )),
            BackendKind::Zipkin => {
                self.at(&format!("/api/v2/spans{}", query_string(&[("serviceName", service.to_owned())])))
            }
        }
    }

    /// The search request. api_v3: `/api/v3/traces` (whole traces, every version); see also
    /// [`Backend::trace_summaries_url`]. Errors for bad input or filters the backend cannot apply.
    pub fn search_url(&self, req: &SearchRequest) -> Result<String, BackendError> {
        Ok(match self.kind {
            BackendKind::Jaeger => self.at(&format!("/api/traces{}", query_string(&jaeger::search_params(req)?))),
            BackendKind::JaegerV3 => {
                self.at(&format!("/api/v3/traces{}", query_string(&jaeger_v3::search_params(req)?)))
            }
            BackendKind::Tempo => self.at(&format!("/api/search{}", query_string(&tempo::search_params(req)?))),
            BackendKind::Zipkin => self.at(&format!("/api/v2/traces{}", query_string(&zipkin::search_params(req)?))),
        })
    }

    /// api_v3 `/api/v3/trace-summaries` (Jaeger v2.19+; older servers answer 404): a search that
    /// returns summaries instead of whole traces.
    pub fn trace_summaries_url(&self, req: &SearchRequest) -> Result<String, BackendError> {
        match self.kind {
            BackendKind::JaegerV3 => {
                Ok(self.at(&format!("/api/v3/trace-summaries{}", query_string(&jaeger_v3::search_params(req)?))))
            }
            kind => Err(BackendError::Unsupported { backend: kind, what: "trace summaries endpoint" }),
        }
    }

    /// The service dependency graph, Jaeger and Zipkin only. Takes **milliseconds**, the unit both
    /// endpoints use (`endTs` epoch ms, `lookback` ms); a non-positive lookback is left out so the
    /// server's default applies.
    pub fn dependencies_url(&self, end_ts_millis: i64, lookback_millis: i64) -> Option<String> {
        let mut p = vec![("endTs", end_ts_millis.to_string())];
        if lookback_millis > 0 {
            p.push(("lookback", lookback_millis.to_string()));
        }
        match self.kind {
            BackendKind::Jaeger => Some(self.at(&format!("/api/dependencies{}", query_string(&p)))),
            BackendKind::Zipkin => Some(self.at(&format!("/api/v2/dependencies{}", query_string(&p)))),
            _ => None,
        }
    }

    /// Tempo v2 tag names, optionally of one scope (`resource`, `span`, `intrinsic`, `event`, `link`,
    /// `instrumentation`) and restricted by a TraceQL filter.
    pub fn tag_names_url(&self, scope: Option<&str>, query: Option<&str>) -> Option<String> {
        (self.kind == BackendKind::Tempo).then(|| {
            let mut p = Vec::new();
            if let Some(s) = scope.filter(|s| !s.is_empty()) {
                p.push(("scope", s.to_owned()));
            }
            if let Some(q) = query.filter(|q| !q.trim().is_empty()) {
                p.push(("q", q.to_owned()));
            }
            self.at(&format!("/api/v2/search/tags{}", query_string(&p)))
        })
    }

    /// Tempo v2 values of a tag given as a TraceQL identifier (`resource.service.name`, `.http.method`,
    /// `status`), restricted by a TraceQL filter (Tempo ignores a filter it cannot parse).
    pub fn tag_values_url(&self, tag: &str, query: Option<&str>) -> Option<String> {
        (self.kind == BackendKind::Tempo).then(|| {
            let mut p = Vec::new();
            if let Some(q) = query.filter(|q| !q.trim().is_empty()) {
                p.push(("q", q.to_owned()));
            }
            self.at(&format!("/api/v2/search/tag/{}/values{}", encode(tag.trim()), query_string(&p)))
        })
    }

    /// Tempo v1 values of a plain attribute name (`service.name`), for servers without the v2
    /// endpoint; [`crate::parse_tag_values`] reads both answers.
    pub fn tag_values_v1_url(&self, tag: &str) -> Option<String> {
        (self.kind == BackendKind::Tempo).then(|| self.at(&format!("/api/search/tag/{}/values", encode(tag.trim()))))
    }

    /// Tempo v1 tag names, for servers without the v2 endpoint.
    pub fn tag_names_v1_url(&self) -> Option<String> {
        (self.kind == BackendKind::Tempo).then(|| self.at("/api/search/tags"))
    }

    /// Zipkin: services `service` calls (`remoteEndpoint.serviceName` of its spans).
    pub fn remote_services_url(&self, service: &str) -> Option<String> {
        (self.kind == BackendKind::Zipkin).then(|| {
            self.at(&format!("/api/v2/remoteServices{}", query_string(&[("serviceName", service.to_owned())])))
        })
    }

    /// Zipkin: tag keys the server indexes for autocompletion (`AUTOCOMPLETE_KEYS`).
    pub fn autocomplete_keys_url(&self) -> Option<String> {
        (self.kind == BackendKind::Zipkin).then(|| self.at("/api/v2/autocompleteKeys"))
    }

    pub fn autocomplete_values_url(&self, key: &str) -> Option<String> {
        (self.kind == BackendKind::Zipkin)
            .then(|| self.at(&format!("/api/v2/autocompleteValues{}", query_string(&[("key", key.to_owned())]))))
    }

    /// Zipkin: several traces in one request. The server wants at least two distinct ids, so `None`
    /// for fewer (use [`Backend::trace_url`] for one); duplicates are dropped.
    pub fn trace_many_url(&self, ids: &[&str]) -> Option<String> {
        if self.kind != BackendKind::Zipkin {
            return None;
        }
        let mut unique: Vec<String> = Vec::new();
        for id in ids {
            let id = path_id(id);
            if !id.is_empty() && !unique.contains(&id) {
                unique.push(id);
            }
        }
        (unique.len() >= 2).then(|| self.at(&format!("/api/v2/traceMany?traceIds={}", unique.join(","))))
    }
}

/// A trace id for a URL path: trimmed, lower-cased when hex, percent-encoded otherwise.
fn path_id(id: &str) -> String {
    let id = id.trim();
    if id.bytes().all(|b| b.is_ascii_hexdigit()) { id.to_ascii_lowercase() } else { encode(id) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(kind: BackendKind, url: &str) -> Backend {
        Backend::new("x", kind, url)
    }

    #[test]
    fn trace_urls() {
        let id = "5B8EFFF798038103D269B633813FC700";
        assert_eq!(
            b(BackendKind::Jaeger, "http://jaeger:16686/").trace_url(id),
            "http://jaeger:16686/api/traces/5b8efff798038103d269b633813fc700"
        );
        assert_eq!(b(BackendKind::JaegerV3, "/jaeger").trace_url("1"), "/jaeger/api/v3/traces/1");
        assert_eq!(
            b(BackendKind::Tempo, "/tempo").trace_url(id),
            "/tempo/api/v2/traces/5b8efff798038103d269b633813fc700"
        );
        assert_eq!(b(BackendKind::Tempo, "/tempo").trace_url_fallback("ab").unwrap(), "/tempo/api/traces/ab");
        assert_eq!(b(BackendKind::Zipkin, "").trace_url(" abc "), "/api/v2/trace/abc");
        assert_eq!(b(BackendKind::Jaeger, "/").trace_url("W47/95gD+A=="), "/api/traces/W47%2F95gD%2BA%3D%3D");
        assert_eq!(b(BackendKind::Jaeger, "/j").trace_url_fallback("a"), None);
        let w = TimeWindow { start_nanos: 1_700_000_000_123_456_789, end_nanos: 1_700_000_600_000_000_001 };
        assert_eq!(
            b(BackendKind::Jaeger, "/j").trace_url_in_window("ab", w),
            "/j/api/traces/ab?start=1700000000123456&end=1700000600000001"
        );
        assert_eq!(
            b(BackendKind::JaegerV3, "/j").trace_url_in_window("ab", w),
            "/j/api/v3/traces/ab?start_time=2023-11-14T22%3A13%3A20.123456789Z&end_time=2023-11-14T22%3A23%3A20.000000001Z"
        );
        assert_eq!(
            b(BackendKind::Tempo, "/t").trace_url_in_window("ab", w),
            "/t/api/v2/traces/ab?start=1700000000&end=1700000601"
        );
        assert_eq!(b(BackendKind::Zipkin, "/z").trace_url_in_window("ab", w), "/z/api/v2/trace/ab");
    }

    #[test]
    fn discovery_urls() {
        let t = b(BackendKind::Tempo, "https://t.example/prefix/");
        assert_eq!(t.probe_url(), "https://t.example/prefix/api/echo");
        assert_eq!(t.buildinfo_url().unwrap(), "https://t.example/prefix/api/status/buildinfo");
        assert_eq!(t.services_url(), "https://t.example/prefix/api/v2/search/tag/resource.service.name/values");
        assert_eq!(
            t.operations_url("cart", Some("server")),
            "https://t.example/prefix/api/v2/search/tag/name/values?q=%7B%20resource.service.name%20%3D%20%22cart%22%20%26%26%20kind%20%3D%20server%20%7D"
        );
        assert_eq!(
            t.tag_names_url(Some("span"), Some("{ .a = 1 }")).unwrap(),
            "https://t.example/prefix/api/v2/search/tags?scope=span&q=%7B%20.a%20%3D%201%20%7D"
        );
        assert_eq!(t.tag_names_url(None, None).unwrap(), "https://t.example/prefix/api/v2/search/tags");
        assert_eq!(
            t.tag_values_url("resource.\"k8s pod\"", None).unwrap(),
            "https://t.example/prefix/api/v2/search/tag/resource.%22k8s%20pod%22/values"
        );
        assert_eq!(t.dependencies_url(1, 2), None);
        assert_eq!(
            t.tag_values_v1_url("service.name").unwrap(),
            "https://t.example/prefix/api/search/tag/service.name/values"
        );
        assert_eq!(t.tag_names_v1_url().unwrap(), "https://t.example/prefix/api/search/tags");
        let j = b(BackendKind::Jaeger, "/jaeger");
        assert_eq!(j.probe_url(), "/jaeger/api/services");
        assert_eq!(j.operations_url("a/b", Some("server")), "/jaeger/api/operations?service=a%2Fb&spanKind=server");
        assert_eq!(
            j.dependencies_url(1_700_000_000_000, 604_800_000).unwrap(),
            "/jaeger/api/dependencies?endTs=1700000000000&lookback=604800000"
        );
        assert_eq!(j.tag_names_url(None, None), None);
        let v3 = b(BackendKind::JaegerV3, "/j");
        assert_eq!(v3.probe_url(), "/j/api/v3/services");
        assert_eq!(v3.operations_url("foo", Some("server")), "/j/api/v3/operations?service=foo&span_kind=server");
        assert_eq!(v3.operations_url("foo", None), "/j/api/v3/operations?service=foo");
        let z = b(BackendKind::Zipkin, "http://z:9411/zipkin");
        assert_eq!(z.probe_url(), "http://z:9411/zipkin/api/v2/services");
        assert_eq!(
            z.operations_url("front end", Some("server")),
            "http://z:9411/zipkin/api/v2/spans?serviceName=front%20end"
        );
        assert_eq!(z.remote_services_url("a").unwrap(), "http://z:9411/zipkin/api/v2/remoteServices?serviceName=a");
        assert_eq!(z.autocomplete_keys_url().unwrap(), "http://z:9411/zipkin/api/v2/autocompleteKeys");
        assert_eq!(z.autocomplete_values_url("env").unwrap(), "http://z:9411/zipkin/api/v2/autocompleteValues?key=env");
        assert_eq!(z.dependencies_url(5, 0).unwrap(), "http://z:9411/zipkin/api/v2/dependencies?endTs=5");
        assert_eq!(z.trace_many_url(&["A", "b", "a"]).unwrap(), "http://z:9411/zipkin/api/v2/traceMany?traceIds=a,b");
        assert_eq!(z.trace_many_url(&["a", "a"]), None);
        assert_eq!(j.trace_many_url(&["a", "b"]), None);
    }

    #[test]
    fn search_urls() {
        let req = SearchRequest { service: Some("api".into()), limit: Some(5), ..Default::default() };
        assert_eq!(b(BackendKind::Jaeger, "/j").search_url(&req).unwrap(), "/j/api/traces?service=api&limit=5");
        assert_eq!(
            b(BackendKind::Tempo, "/t").search_url(&req).unwrap(),
            "/t/api/search?q=%7B%20resource.service.name%20%3D%20%22api%22%20%7D&limit=5"
        );
        assert_eq!(b(BackendKind::Zipkin, "/z").search_url(&req).unwrap(), "/z/api/v2/traces?serviceName=api&limit=5");
        let windowed = SearchRequest {
            window: Some(crate::TimeWindow { start_nanos: 0, end_nanos: 1_000_000_000 }),
            ..req.clone()
        };
        assert_eq!(
            b(BackendKind::JaegerV3, "/j").trace_summaries_url(&windowed).unwrap(),
            "/j/api/v3/trace-summaries?query.service_name=api&query.start_time_min=1970-01-01T00%3A00%3A00Z&query.start_time_max=1970-01-01T00%3A00%3A01Z&query.num_traces=5"
        );
        assert!(
            b(BackendKind::JaegerV3, "/j")
                .search_url(&windowed)
                .unwrap()
                .starts_with("/j/api/v3/traces?query.service_name=api")
        );
        assert!(matches!(b(BackendKind::Tempo, "/t").trace_summaries_url(&req), Err(BackendError::Unsupported { .. })));
    }
}

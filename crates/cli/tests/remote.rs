//! `spanlens search` and `spanlens fetch` against a tiny HTTP server started in the test, answering
//! with the recorded backend responses of `../shared/fixtures/backend-api`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

/// A recorded response body, or `None` (a loud skip) when the corpus is missing; under `CI=true` a
/// missing corpus fails the test, like every other suite over `../shared`.
fn recorded(rel: &str) -> Option<Vec<u8>> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/backend-api").join(rel);
    if !p.exists() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{} is missing (required when CI=true)", p.display());
        eprintln!("*** SKIPPED: fixture {rel} not found ***");
        return None;
    }
    Some(std::fs::read(&p).unwrap())
}

/// A path (without query) and the fixed answer for it; any other path gets an empty 404, which is
/// also what Tempo and api_v3 servers without an endpoint answer.
struct Route {
    path: String,
    status: u16,
    body: Vec<u8>,
}

fn route(path: &str, status: u16, body: impl Into<Vec<u8>>) -> Route {
    Route { path: path.to_owned(), status, body: body.into() }
}

/// The server's base URL (`http://127.0.0.1:PORT`) and the request heads it received, in order.
struct Server {
    base: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn request_lines(&self) -> Vec<String> {
        self.requests.lock().unwrap().iter().map(|r| r.lines().next().unwrap_or("").to_owned()).collect()
    }
}

fn serve(routes: Vec<Route>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&requests);
    // Detached: it dies with the test process.
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let target = head.split_whitespace().nth(1).unwrap_or("").to_owned();
            let path = target.split('?').next().unwrap_or("");
            seen.lock().unwrap().push(head.clone());
            let (status, body) =
                routes.iter().find(|r| r.path == path).map_or((404, &[][..]), |r| (r.status, r.body.as_slice()));
            let header = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(header.as_bytes()).ok();
            stream.write_all(body).ok();
        }
    });
    Server { base, requests }
}

fn spanlens(args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_spanlens"))
        .args(args)
        // The server is local; a proxy from the environment would only get in the way.
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .output()
        .expect("run spanlens");
    (out.status.code().unwrap_or(-1), out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn json_lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn fetch_jaeger_writes_the_body_as_received_and_converts_it() {
    let Some(body) = recorded("jaeger/jaeger-ui-2017__get-trace-by-id__2992f2a5b5d037a8aabffd08ef384237.json") else {
        return;
    };
    let server = serve(vec![route("/api/traces/2992f2a5b5d037a8aabffd08ef384237", 200, body.clone())]);
    let backend = format!("jaeger={}/", server.base);
    let (code, out, err) = spanlens(&["fetch", "--backend", &backend, "2992F2A5B5D037A8AABFFD08EF384237"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, body);

    let (code, out, err) =
        spanlens(&["fetch", "--backend", &backend, "--format", "otlp-json", "2992f2a5b5d037a8aabffd08ef384237"]);
    assert_eq!(code, 0, "{err}");
    let otlp: Value = serde_json::from_slice(&out).unwrap();
    let spans: usize = otlp["resourceSpans"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["scopeSpans"].as_array().unwrap())
        .map(|s| s["spans"].as_array().unwrap().len())
        .sum();
    assert_eq!(spans, 2, "the manifest's span count");
}

#[test]
fn fetch_tempo_falls_back_to_v1_on_404() {
    let Some(body) = recorded("tempo/kiali__trace-by-id-v1__responseTrace.json") else { return };
    let id = "3ba55609c3cde49649cd77d1f9dcd936";
    let server = serve(vec![
        route(&format!("/api/v2/traces/{id}"), 404, ""),
        route(&format!("/api/traces/{id}"), 200, body.clone()),
    ]);
    let (code, out, err) = spanlens(&["fetch", "--backend", &format!("tempo={}", server.base), id]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, body);
    let lines = server.request_lines();
    assert_eq!(lines, [format!("GET /api/v2/traces/{id} HTTP/1.1"), format!("GET /api/traces/{id} HTTP/1.1")]);
}

#[test]
fn fetch_zipkin_and_not_found() {
    let Some(body) = recorded("zipkin/zipkin-lens__trace-by-id-yelp__yelp.json") else { return };
    let server = serve(vec![route("/zipkin/api/v2/trace/a03ee8fff1dcd9b9", 200, body.clone())]);
    let backend = format!("zipkin={}/zipkin", server.base);
    let (code, out, err) = spanlens(&["fetch", "--backend", &backend, "a03ee8fff1dcd9b9"]);
    assert_eq!((code, out), (0, body), "{err}");
    let (code, out, err) = spanlens(&["fetch", "--backend", &backend, "0123456789abcdef"]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains("zipkin trace 0123456789abcdef: not found"), "{err}");
    assert!(err.contains("/zipkin/api/v2/trace/0123456789abcdef"), "{err}");
}

#[test]
fn search_tempo_prints_summaries_and_sends_the_query() {
    let Some(body) = recorded("tempo/kiali__search-traceql__response.json") else { return };
    let server = serve(vec![route("/api/search", 200, body)]);
    let (code, out, err) = spanlens(&[
        "search",
        "--backend",
        &format!("tempo={}", server.base),
        "-q",
        "{ .http.status_code = 200 }",
        "--limit",
        "20",
        "--spss",
        "3",
        "--lookback",
        "1h",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    let t = &lines[0];
    assert_eq!(t["traceId"], "100cb753c787ed5657c8d88dafc176ed");
    assert_eq!(t["rootService"], "istio-ingressgateway.istio-system");
    assert_eq!(t["rootName"], "productpage.bookinfo.svc.cluster.local:9080/productpage");
    assert_eq!(t["startNanos"], 1_701_778_055_570_888_000_i64);
    assert_eq!(t["durationNanos"], 9_000_000);
    assert_eq!(t["matchedSpans"], 6);
    assert!(t["services"].is_array());
    let request = &server.request_lines()[0];
    assert!(request.starts_with("GET /api/search?q=%7B%20.http.status_code%20%3D%20200%20%7D"), "{request}");
    for param in ["limit=20", "spss=3", "start=", "end="] {
        assert!(request.contains(param), "{param} missing: {request}");
    }
}

#[test]
fn search_jaeger_v3_uses_summaries_then_falls_back_to_traces() {
    let (Some(summaries), Some(traces)) = (
        recorded("jaeger-v3/jaeger__v3-trace-summaries__FindTraceSummaries.json"),
        recorded("jaeger-v3/jaeger__v3-find-traces__FindTraces.json"),
    ) else {
        return;
    };
    let server = serve(vec![route("/api/v3/trace-summaries", 200, summaries)]);
    let (code, out, err) =
        spanlens(&["search", "--backend", &format!("jaeger-v3={}", server.base), "--service", "frontend"]);
    assert_eq!(code, 0, "{err}");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    let expected = serde_json::json!({
        "traceId": "00000000000000000000000000000001", "rootService": "frontend", "rootName": "HTTP GET /",
        "startNanos": 1_000_000_000_000_i64, "durationNanos": 1_000_000_000, "spanCount": 2, "errorCount": 1,
        "services": [["frontend", 2]], "matchedSpans": null
    });
    assert_eq!(lines[0], expected);
    let request = &server.request_lines()[0];
    assert!(
        request.starts_with("GET /api/v3/trace-summaries?query.service_name=frontend&query.start_time_min="),
        "{request}"
    );

    // An older server: trace-summaries is an empty 404, the whole-trace search answers.
    let old = serve(vec![route("/api/v3/traces", 200, traces)]);
    let (code, out, err) = spanlens(&["search", "--backend", &format!("jaeger-v3={}", old.base), "--service", "foo"]);
    assert_eq!(code, 0, "{err}");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["traceId"], "00000000000000000000000000000001");
    assert_eq!(lines[0]["rootName"], "foobar");
    assert_eq!(lines[0]["errorCount"], 1);
    let paths: Vec<String> = old.request_lines().iter().map(|l| l.split('?').next().unwrap().to_owned()).collect();
    assert_eq!(paths, ["GET /api/v3/trace-summaries", "GET /api/v3/traces"]);
}

#[test]
fn backend_errors_exit_1_with_the_backends_message_and_no_credentials() {
    let envelope = r#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":500,"msg":"storage unavailable: cassandra timeout"}]}"#;
    let server = serve(vec![route("/api/traces", 500, envelope), route("/api/traces/abc", 500, envelope)]);
    let host = server.base.trim_start_matches("http://");
    let backend = format!("jaeger=http://alice:hunter2@{host}");
    for args in [vec!["search", "--backend", &backend, "--service", "x"], vec!["fetch", "--backend", &backend, "abc"]] {
        let (code, out, err) = spanlens(&args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(out.is_empty());
        assert!(err.contains("HTTP 500: storage unavailable: cassandra timeout"), "{err}");
        assert!(err.contains(&format!("GET http://{host}/api/traces")), "{err}");
        assert!(!err.contains("hunter2") && !err.contains("alice"), "{err}");
    }
    // The credentials went to the server as Basic auth ("alice:hunter2").
    let requests = server.requests.lock().unwrap().clone();
    assert!(
        requests.iter().all(|r| r.contains("authorization: Basic YWxpY2U6aHVudGVyMg==")
            || r.contains("Authorization: Basic YWxpY2U6aHVudGVyMg==")),
        "{requests:?}"
    );
}

#[test]
fn unreachable_and_silent_backends_exit_1() {
    // A port nobody listens on any more.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let backend = format!("tempo=http://bob:pa55word@127.0.0.1:{port}");
    let (code, _, err) = spanlens(&["fetch", "--backend", &backend, "ab"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&format!("GET http://127.0.0.1:{port}/api/v2/traces/ab")), "{err}");
    assert!(!err.contains("pa55word") && !err.contains("bob"), "{err}");

    // Accepts, reads, never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(1).collect();
        std::thread::sleep(std::time::Duration::from_secs(10));
        drop(held);
    });
    let started = std::time::Instant::now();
    let (code, _, err) = spanlens(&["search", "--backend", &format!("zipkin=http://{addr}"), "--timeout", "1"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no answer within 1 s"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(8));
}

#[test]
fn usage_errors_exit_2() {
    let cases: [(&[&str], &str); 6] = [
        (&["search", "--backend", "prometheus=http://localhost:9090"], "unknown backend kind \"prometheus\""),
        (&["search", "--backend", "tempo"], "--backend expects KIND=URL"),
        (&["fetch", "--backend", "tempo=ftp://carol:s3cret@host", "ab"], "only http:// and https://"),
        (&["fetch", "--backend", "tempo=http://t"], "missing TRACE_ID"),
        (&["search", "--service", "x"], "missing --backend"),
        (&["search", "--backend", "zipkin=http://z", "--max-duration", "2 parsecs"], "--max-duration"),
    ];
    for (args, expected) in cases {
        let (code, out, err) = spanlens(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty());
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!err.contains("s3cret") && !err.contains("carol"), "{err}");
    }
    let (code, out, _) = spanlens(&["--help"]);
    assert_eq!(code, 0);
    let help = String::from_utf8(out).unwrap();
    assert!(help.contains("search ...") && help.contains("fetch ..."));
    let (code, out, _) = spanlens(&["search", "--help"]);
    assert_eq!(code, 0);
    assert!(String::from_utf8(out).unwrap().contains("--min-duration"));
}

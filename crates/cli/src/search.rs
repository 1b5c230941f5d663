//! `spanlens search --backend KIND=URL [filters]`: searches a live backend and prints one JSON line
//! per trace summary, so results pipe into `jq` or a CI check.
//!
//! The request is a `SearchRequest` of `spanlens-backends`, which builds each backend's URL and reads
//! its answer; this module parses flags, picks the endpoint (api_v3 summaries with a fallback) and
//! prints.

use crate::remote::{self, Client, DEFAULT_TIMEOUT_SECS, Target};
use serde_json::json;
use spanlens_backends::{
    BackendKind, SearchRequest, SearchResults, TimeWindow, parse_duration_text, parse_logfmt_tags, search_from_response,
};
use spanlens_formats::import::text::parse_rfc3339_nanos;
use std::io::Write as _;
use std::process::ExitCode;

const HELP: &str = "\
spanlens search --backend KIND=URL [FILTERS...]

Searches a trace backend and prints one JSON object per trace found:
  {\"traceId\",\"rootService\",\"rootName\",\"startNanos\",\"durationNanos\",\"spanCount\",
   \"errorCount\",\"services\":[[\"svc\",spans],...],\"matchedSpans\"}
Fields the backend does not report are null. Warnings the backend sends go to stderr.

OPTIONS:
    --backend KIND=URL    KIND is jaeger, jaeger-v3, tempo or zipkin; URL is http:// or https://,
                          may include a path prefix and user:password@ (sent as Basic auth,
                          never printed)
    --service S           service name
    --operation O         operation / span name
    --tags 'k=v k2=\"a b\"' tag conditions (logfmt), all must match
    --lookback D          search the last D (e.g. 15m, 1h, 48h; units ns us ms s m h)
    --start T, --end T    window bounds: RFC 3339 (2026-01-02T15:04:05Z) or nanoseconds since
                          the epoch; --end defaults to now; --lookback may replace --start
    --min-duration D      e.g. 100ms
    --max-duration D      e.g. 2s
    --limit N             at most N traces
    -q, --query TRACEQL   Tempo only: a TraceQL query (instead of the filters above)
    --spss N              Tempo only: spans per spanset
    --timeout SECS        connect and read timeout, default 30
    -h, --help            print this help

Without --start, --end or --lookback the backend's default window applies, except on jaeger-v3,
which needs one: the last hour. --end alone searches the hour before it.

Exit status: 0 ok (also when nothing matched); 1 the backend answered with an error or could not
be reached; 2 usage error.
";

/// api_v3 refuses a search without a window; this is the one the command picks then.
const DEFAULT_V3_LOOKBACK_NANOS: i64 = 3_600_000_000_000;

struct Args {
    target: Target,
    request: SearchRequest,
    timeout_secs: u64,
}

pub fn run(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{HELP}");
        return ExitCode::SUCCESS;
    }
    let args = match parse_args(args) {
        Ok(a) => a,
        Err(problem) => return remote::usage("search", &problem, HELP),
    };
    let client = Client::new(&args.target, args.timeout_secs);
    let results = match search(&client, &args.target, &args.request) {
        Ok(r) => r,
        Err(message) => return remote::failure("search", &message),
    };
    for warning in &results.warnings {
        eprintln!("spanlens search: warning: {}", spanlens_backends::strip_credentials(warning));
    }
    print_results(&results)
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut target = None;
    let mut request = SearchRequest::default();
    let mut timeout_secs = DEFAULT_TIMEOUT_SECS;
    let (mut lookback, mut start, mut end) = (None, None, None);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        // `--flag=value` is accepted as well as `--flag value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next().cloned()).ok_or_else(|| format!("{flag} needs a value"));
        let duration = |text: String| parse_duration_text(&text).map_err(|e| format!("{flag}: {e}"));
        let number = |text: String| {
            text.trim().parse::<u32>().map_err(|_| format!("{flag} expects a whole number, got {text:?}"))
        };
        match flag {
            "--backend" => target = Some(remote::parse_backend(&value()?)?),
            "--service" => request.service = Some(value()?),
            "--operation" => request.operation = Some(value()?),
            "--tags" => request.tags = parse_logfmt_tags(&value()?).map_err(|e| format!("--tags: {e}"))?,
            "--lookback" => lookback = Some(duration(value()?)?),
            "--start" => start = Some(timestamp(flag, &value()?)?),
            "--end" => end = Some(timestamp(flag, &value()?)?),
            "--min-duration" => request.min_duration_nanos = Some(duration(value()?)?),
            "--max-duration" => request.max_duration_nanos = Some(duration(value()?)?),
            "--limit" => request.limit = Some(number(value()?)?),
            "-q" | "--query" => request.traceql = Some(value()?),
            "--spss" => request.spans_per_spanset = Some(number(value()?)?),
            "--timeout" => timeout_secs = remote::parse_timeout(&value()?)?,
            other if other.starts_with('-') => return Err(format!("unknown option {other:?}")),
            other => return Err(format!("unexpected argument {other:?} (filters are options, see --help)")),
        }
    }
    let target = target.ok_or("missing --backend KIND=URL")?;
    if start.is_some() && lookback.is_some() {
        return Err("give either --start or --lookback, not both".to_owned());
    }
    let needs_window = target.kind() == BackendKind::JaegerV3;
    if start.is_some() || lookback.is_some() || end.is_some() || needs_window {
        let end = end.unwrap_or_else(now_nanos);
        let window = match start {
            Some(start) => TimeWindow { start_nanos: start, end_nanos: end },
            None => TimeWindow::lookback(end, lookback.unwrap_or(DEFAULT_V3_LOOKBACK_NANOS)),
        };
        if window.start_nanos >= window.end_nanos {
            return Err("the window's start must be before its end".to_owned());
        }
        request.window = Some(window);
    }
    Ok(Args { target, request, timeout_secs })
}

/// RFC 3339, or an integer taken as nanoseconds since the epoch (what the JSON output prints).
fn timestamp(flag: &str, text: &str) -> Result<i64, String> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<i64>().map_err(|_| format!("{flag}: {text:?} is out of range"));
    }
    parse_rfc3339_nanos(t)
        .ok_or_else(|| format!("{flag} expects RFC 3339 (2026-01-02T15:04:05Z) or epoch nanoseconds, got {text:?}"))
}

fn now_nanos() -> i64 {
    // A clock before 1970 is not worth failing over: the window is then simply "up to the epoch".
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// Runs the search. api_v3 first asks `trace-summaries` (small answers); servers before Jaeger v2.19
/// answer that with an empty 404, and then the whole-trace `traces` search gives the same summaries.
fn search(client: &Client, target: &Target, request: &SearchRequest) -> Result<SearchResults, String> {
    let kind = target.kind();
    let url = if kind == BackendKind::JaegerV3 {
        let summaries = target.backend.trace_summaries_url(request).map_err(|e| e.to_string())?;
        let answer = client.get(&summaries)?;
        if !(answer.status == 404 && answer.body.iter().all(u8::is_ascii_whitespace)) {
            return search_from_response(kind, answer.status, &answer.body)
                .map_err(|e| format!("{e} (GET {summaries})"));
        }
        target.backend.search_url(request)
    } else {
        target.backend.search_url(request)
    };
    let url = url.map_err(|e| e.to_string())?;
    let answer = client.get(&url)?;
    search_from_response(kind, answer.status, &answer.body).map_err(|e| format!("{e} (GET {url})"))
}

fn print_results(results: &SearchResults) -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for t in &results.traces {
        let line = json!({
            "traceId": t.trace_id_hex,
            "rootService": t.root_service,
            "rootName": t.root_name,
            "startNanos": t.start_nanos,
            "durationNanos": t.duration_nanos,
            "spanCount": t.span_count,
            "errorCount": t.error_count,
            "services": t.services,
            "matchedSpans": t.matched_spans,
        });
        match writeln!(out, "{line}") {
            Ok(()) => {}
            // `| head` closing the pipe is the reader's choice, not a failure.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return ExitCode::SUCCESS,
            Err(e) => return remote::failure("search", &format!("writing output: {e}")),
        }
    }
    match out.flush() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            remote::failure("search", &format!("writing output: {e}"))
        }
        _ => ExitCode::SUCCESS,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, String> {
        parse_args(&args.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn flags_become_a_search_request() {
        let a = parse(&[
            "--backend=jaeger=http://j:16686",
            "--service",
            "api",
            "--tags",
            "error=true http.url=\"a b\"",
            "--start",
            "2026-01-02T00:00:00Z",
            "--end=1767315600000000000",
            "--min-duration",
            "100ms",
            "--limit",
            "5",
        ])
        .unwrap();
        let r = &a.request;
        assert_eq!(r.service.as_deref(), Some("api"));
        assert_eq!(r.tags, vec![("error".into(), "true".into()), ("http.url".into(), "a b".into())]);
        assert_eq!(
            r.window,
            Some(TimeWindow { start_nanos: 1_767_312_000_000_000_000, end_nanos: 1_767_315_600_000_000_000 })
        );
        assert_eq!((r.min_duration_nanos, r.limit), (Some(100_000_000), Some(5)));
        assert_eq!(a.timeout_secs, DEFAULT_TIMEOUT_SECS);
    }

    #[test]
    fn windows_and_usage_errors() {
        let a = parse(&["--backend", "tempo=http://t", "--lookback", "1h", "--end", "7200000000000"]).unwrap();
        assert_eq!(a.request.window, Some(TimeWindow { start_nanos: 3_600_000_000_000, end_nanos: 7_200_000_000_000 }));
        assert_eq!(parse(&["--backend", "zipkin=http://z"]).unwrap().request.window, None);
        let end_only = parse(&["--backend", "zipkin=http://z", "--end", "7200000000000"]).unwrap();
        assert_eq!(
            end_only.request.window,
            Some(TimeWindow { start_nanos: 3_600_000_000_000, end_nanos: 7_200_000_000_000 })
        );
        let v3 = parse(&["--backend", "jaeger-v3=http://j"]).unwrap().request.window.unwrap();
        assert_eq!(v3.lookback_nanos(), DEFAULT_V3_LOOKBACK_NANOS);
        for (args, expected) in [
            (&["--service", "x"][..], "missing --backend"),
            (&["--backend", "tempo=http://t", "--lookback", "1h", "--start", "5"][..], "not both"),
            (&["--backend", "tempo=http://t", "--start", "yesterday"][..], "RFC 3339"),
            (&["--backend", "tempo=http://t", "--limit", "x"][..], "whole number"),
            (&["--backend", "tempo=http://t", "--min-duration", "5"][..], "unit"),
            (&["--backend", "tempo=http://t", "--bogus"][..], "unknown option"),
            (&["--backend", "tempo=http://t", "stray"][..], "unexpected argument"),
            (&["--backend"][..], "needs a value"),
        ] {
            let e = parse(args).err().unwrap();
            assert!(e.contains(expected), "{args:?}: {e}");
        }
    }
}

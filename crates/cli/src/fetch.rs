//! `spanlens fetch --backend KIND=URL TRACE_ID`: one trace from a live backend, to stdout.
//!
//! By default the body is written exactly as the backend sent it (scripts may want the backend's own
//! format); `--format` instead imports it with `spanlens-formats` and writes it in one of the export
//! formats, the same path `spanlens convert` takes.

use crate::remote::{self, Answer, Client, DEFAULT_TIMEOUT_SECS, Target};
use spanlens_backends::{error_from_response, trace_notice};
use spanlens_formats::export::ExportFormat;
use spanlens_formats::import::import_bytes;
use spanlens_model::TraceSetBuilder;
use std::io::Write as _;
use std::process::ExitCode;

const HELP: &str = "\
spanlens fetch --backend KIND=URL [--format FORMAT] [--timeout SECS] TRACE_ID

Fetches one trace by id and writes it to stdout: by default the body exactly as the backend
returned it (Jaeger JSON, OTLP JSON, Tempo's v2 or v1 envelope, Zipkin v2 JSON).
Tempo is asked on /api/v2/traces/ID first and on /api/traces/ID when that answers 404.
Notices the backend sends beside the trace (Tempo: a partial trace) go to stderr.

OPTIONS:
    --backend KIND=URL    KIND is jaeger, jaeger-v3, tempo or zipkin; URL is http:// or https://,
                          may include a path prefix and user:password@ (sent as Basic auth,
                          never printed)
    --format FORMAT       convert the trace to otlp-json, jaeger-json or zipkin-json
    --timeout SECS        connect and read timeout, default 30
    -h, --help            print this help

Exit status: 0 ok; 1 not found, a backend error, an unreachable backend or (with --format) a
body that does not import; 2 usage error.
";

struct Args {
    target: Target,
    trace_id: String,
    format: Option<ExportFormat>,
    timeout_secs: u64,
}

pub fn run(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{HELP}");
        return ExitCode::SUCCESS;
    }
    let args = match parse_args(args) {
        Ok(a) => a,
        Err(problem) => return remote::usage("fetch", &problem, HELP),
    };
    let client = Client::new(&args.target, args.timeout_secs);
    let answer = match fetch(&client, &args.target, &args.trace_id) {
        Ok(a) => a,
        Err(message) => return remote::failure("fetch", &message),
    };
    if let Some(notice) = trace_notice(args.target.kind(), &answer.body) {
        eprintln!("spanlens fetch: note: {}", spanlens_backends::strip_credentials(&notice));
    }
    match args.format {
        None => write_raw(&answer.body),
        Some(format) => convert(&answer.body, &args.trace_id, format),
    }
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let (mut target, mut format, mut trace_id) = (None, None, None);
    let mut timeout_secs = DEFAULT_TIMEOUT_SECS;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next().cloned()).ok_or_else(|| format!("{flag} needs a value"));
        match flag {
            "--backend" => target = Some(remote::parse_backend(&value()?)?),
            "--format" => {
                let name = value()?;
                let f = ExportFormat::from_name(name.trim())
                    .ok_or_else(|| format!("--format must be otlp-json, jaeger-json or zipkin-json, got {name:?}"))?;
                format = Some(f);
            }
            "--timeout" => timeout_secs = remote::parse_timeout(&value()?)?,
            other if other.starts_with('-') && other.len() > 1 => return Err(format!("unknown option {other:?}")),
            id if trace_id.is_none() => trace_id = Some(id.trim().to_owned()),
            extra => return Err(format!("one trace id at a time (unexpected {extra:?})")),
        }
    }
    let target = target.ok_or("missing --backend KIND=URL")?;
    let trace_id = trace_id.filter(|id| !id.is_empty()).ok_or("missing TRACE_ID")?;
    Ok(Args { target, trace_id, format, timeout_secs })
}

/// GETs the trace; a 404 is retried on the fallback URL (Tempo v1) when the kind has one.
fn fetch(client: &Client, target: &Target, trace_id: &str) -> Result<Answer, String> {
    let mut url = target.backend.trace_url(trace_id);
    let mut answer = client.get(&url)?;
    if answer.status == 404
        && let Some(fallback) = target.backend.trace_url_fallback(trace_id)
    {
        url = fallback;
        answer = client.get(&url)?;
    }
    if answer.is_success() {
        return Ok(answer);
    }
    let endpoint = format!("{} trace {trace_id}", target.kind());
    let error = error_from_response(target.kind(), &endpoint, answer.status, &answer.text());
    Err(format!("{error} (GET {url})"))
}

fn write_raw(body: &[u8]) -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match out.write_all(body).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // `| head` closing the pipe is the reader's choice, not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => remote::failure("fetch", &format!("writing output: {e}")),
    }
}

fn convert(body: &[u8], trace_id: &str, format: ExportFormat) -> ExitCode {
    let mut builder = TraceSetBuilder::new();
    if let Err(e) = import_bytes(body, &format!("trace {trace_id}"), &mut builder) {
        return remote::failure("fetch", &format!("the answer does not import: {e}"));
    }
    let set = builder.finish();
    for (kind, n) in set.warning_counts() {
        eprintln!("warning: {n} × {}", kind.as_str());
    }
    crate::output::write_stdout(&set, format, "fetch")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, String> {
        parse_args(&args.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn arguments() {
        let a = parse(&["--backend", "tempo=http://t", "--format=otlp-json", "--timeout", "3", " AB12 "]).unwrap();
        assert_eq!((a.trace_id.as_str(), a.format, a.timeout_secs), ("AB12", Some(ExportFormat::OtlpJson), 3));
        for (args, expected) in [
            (&["--backend", "tempo=http://t"][..], "missing TRACE_ID"),
            (&["ab"][..], "missing --backend"),
            (&["--backend", "tempo=http://t", "a", "b"][..], "one trace id"),
            (&["--backend", "tempo=http://t", "--format", "csv", "a"][..], "--format must be"),
            (&["--backend", "tempo=http://t", "--timeout", "0", "a"][..], "--timeout"),
        ] {
            let e = parse(args).err().unwrap();
            assert!(e.contains(expected), "{args:?}: {e}");
        }
    }
}

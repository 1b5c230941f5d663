//! What a search asks for, the user-text parsers behind the search form (logfmt tags, duration text),
//! and the small encoders every backend module shares (query strings, Go durations, RFC 3339).

use crate::error::{BackendError, clip};

/// A time window in nanoseconds since the Unix epoch, `start < end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TimeWindow {
    pub start_nanos: i64,
    pub end_nanos: i64,
}

impl TimeWindow {
    /// The `lookback_nanos` before `end_nanos` ("last hour"). The crate has no clock: pass now.
    pub fn lookback(end_nanos: i64, lookback_nanos: i64) -> TimeWindow {
        TimeWindow { start_nanos: end_nanos.saturating_sub(lookback_nanos.max(0)), end_nanos }
    }

    pub fn lookback_nanos(&self) -> i64 {
        self.end_nanos.saturating_sub(self.start_nanos)
    }
}

/// One search, in the terms of the search form; each backend module turns it into its own parameters.
/// Fields a backend does not understand are rejected (Tempo `q` on Zipkin) rather than dropped, so a
/// search never silently means something else.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    pub service: Option<String>,
    /// Operation (Jaeger), span name (Zipkin, Tempo `name`).
    pub operation: Option<String>,
    /// Tag conditions, ANDed (see [`parse_logfmt_tags`]). An empty value means "has the key" on Zipkin.
    pub tags: Vec<(String, String)>,
    /// `None` leaves the window to the backend (Jaeger: 2 days, Zipkin: 1 day, Tempo: recent data
    /// only); api_v3 requires one. api_v3 wants the end slightly in the future to include "now".
    pub window: Option<TimeWindow>,
    pub min_duration_nanos: Option<i64>,
    pub max_duration_nanos: Option<i64>,
    /// Maximum traces; `None` for the backend's default (Jaeger 100, api_v3 100, Tempo 20, Zipkin 10).
    pub limit: Option<u32>,
    /// Tempo only: a TraceQL query, sent as is. Other filters are then not allowed.
    pub traceql: Option<String>,
    /// Tempo only: spans per spanset in the answer (`spss`, Tempo's default 3).
    pub spans_per_spanset: Option<u32>,
    /// Zipkin only: `remoteServiceName`.
    pub remote_service: Option<String>,
}

impl SearchRequest {
    /// Blank strings count as absent: a cleared form field is `Some("")`.
    pub(crate) fn service(&self) -> Option<&str> {
        self.service.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    pub(crate) fn operation(&self) -> Option<&str> {
        self.operation.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    pub(crate) fn traceql(&self) -> Option<&str> {
        self.traceql.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    pub(crate) fn remote_service(&self) -> Option<&str> {
        self.remote_service.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    /// Checks what every backend needs: a sane window, durations, limit.
    pub(crate) fn validate(&self) -> Result<(), BackendError> {
        let bad = |m: &str| Err(BackendError::InvalidRequest(m.to_owned()));
        if let Some(w) = self.window
            && w.start_nanos >= w.end_nanos
        {
            return bad("the search window's start must be before its end");
        }
        if self.min_duration_nanos.is_some_and(|d| d < 0) || self.max_duration_nanos.is_some_and(|d| d < 0) {
            return bad("durations cannot be negative");
        }
        if let (Some(min), Some(max)) = (self.min_duration_nanos, self.max_duration_nanos)
            && max < min
        {
            return bad("the maximum duration is shorter than the minimum");
        }
        if self.limit == Some(0) {
            return bad("the result limit must be at least 1");
        }
        Ok(())
    }
}

/// Parses Jaeger's tag box: logfmt `key=value key2="a b"`. A bare `key` means `key=true` (as logfmt,
/// and Jaeger UI, read it); `key=` keeps an empty value. Quoted values may use `\"`, `\\`, `\n`, `\t`.
pub fn parse_logfmt_tags(text: &str) -> Result<Vec<(String, String)>, BackendError> {
    let bad = |m: String| Err(BackendError::InvalidRequest(format!("tags: {m}")));
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(out);
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != '=') {
            if c == '"' {
                return bad(format!("a quote in a key, after {:?} (quote the value, not the key)", clip(&key, 40)));
            }
            key.push(c);
        }
        if key.is_empty() {
            return bad("`=` without a key before it".to_owned());
        }
        if chars.next_if_eq(&'=').is_none() {
            out.push((key, "true".to_owned()));
            continue;
        }
        let mut value = String::new();
        if chars.next_if_eq(&'"').is_some() {
            loop {
                match chars.next() {
                    None => return bad(format!("the quoted value of {:?} has no closing quote", clip(&key, 40))),
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some('n') => value.push('\n'),
                        Some('t') => value.push('\t'),
                        Some(c) => value.push(c),
                        None => return bad(format!("the value of {:?} ends with a lone backslash", clip(&key, 40))),
                    },
                    Some(c) => value.push(c),
                }
            }
            if chars.peek().is_some_and(|c| !c.is_whitespace()) {
                return bad(format!("put a space after the quoted value of {:?}", clip(&key, 40)));
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                if c == '"' {
                    return bad(format!("a quote inside the value of {:?}: quote the whole value", clip(&key, 40)));
                }
                value.push(c);
            }
        }
        out.push((key, value));
    }
}

/// Writes tags back as logfmt (to refill the tag box from a saved search), quoting values that need it;
/// [`parse_logfmt_tags`] reads it back unchanged.
pub fn format_logfmt_tags(tags: &[(String, String)]) -> String {
    let quote = |v: &str| {
        if !v.is_empty() && !v.chars().any(|c| c.is_whitespace() || c == '"' || c == '=' || c == '\\') {
            return v.to_owned();
        }
        let mut q = String::from('"');
        for c in v.chars() {
            match c {
                '"' => q.push_str("\\\""),
                '\\' => q.push_str("\\\\"),
                '\n' => q.push_str("\\n"),
                '\t' => q.push_str("\\t"),
                c => q.push(c),
            }
        }
        q.push('"');
        q
    };
    tags.iter().map(|(k, v)| format!("{k}={}", quote(v))).collect::<Vec<_>>().join(" ")
}

/// Parses duration text from the search form into nanoseconds: a number with a unit (`ns`, `us`/`µs`,
/// `ms`, `s`, `m`, `h`), possibly several (`1h30m`, as Go writes them), spaces allowed before a unit.
/// A bare number is refused: each backend would read it in a different unit.
pub fn parse_duration_text(text: &str) -> Result<i64, BackendError> {
    let bad = |m: &str| Err(BackendError::InvalidRequest(format!("duration {:?}: {m}", clip(text, 40))));
    // Spaces before a unit are a typing habit, not part of the syntax.
    let compact: String = text.split_whitespace().collect();
    if compact.is_empty() {
        return bad("empty");
    }
    if compact.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return bad("add a unit: ns, us, ms, s, m or h");
    }
    // TraceQL's parser reads Go's and Prometheus's duration syntax, as Tempo does.
    match spanlens_traceql::duration::parse_duration_nanos(&compact) {
        Some(nanos) => Ok(nanos),
        None => bad("expected a duration such as 100ms, 1.5s or 1h30m (units ns, us, ms, s, m, h, d)"),
    }
}

/// A duration as Go's `time.ParseDuration` reads it, in the largest unit that keeps it exact
/// (`1500ms`, `2s`, `250us`), which Jaeger, api_v3 and Tempo all accept.
pub(crate) fn go_duration(nanos: i64) -> String {
    let n = nanos.max(0);
    if n == 0 {
        return "0s".to_owned();
    }
    for (unit, scale) in [("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000)] {
        if n % scale == 0 {
            return format!("{}{unit}", n / scale);
        }
    }
    format!("{n}ns")
}

/// RFC 3339 in UTC with up to nine fraction digits, trailing zeros dropped, as Go's `RFC3339Nano`
/// writes it (api_v3 parses its time bounds with that layout).
pub(crate) fn rfc3339_nanos(nanos: i64) -> String {
    let secs = nanos.div_euclid(1_000_000_000);
    let frac = nanos.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut out = format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", sod / 3600, sod % 3600 / 60, sod % 60);
    if frac != 0 {
        let digits = format!("{frac:09}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Floor and ceiling division for unit conversions: window starts and minimums round down, window
/// ends and maximums round up, so a conversion never excludes what the user asked for.
pub(crate) fn div_floor(n: i64, d: i64) -> i64 {
    n.div_euclid(d)
}

pub(crate) fn div_ceil(n: i64, d: i64) -> i64 {
    let q = n.div_euclid(d);
    if n.rem_euclid(d) == 0 { q } else { q.saturating_add(1) }
}

/// Percent-encodes everything but RFC 3986 unreserved characters. Spaces become `%20`, not `+`,
/// which every backend's query parser reads the same way.
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A query string from name/value pairs, in order; names are written as given (they are constants).
pub(crate) fn query_string(params: &[(&str, String)]) -> String {
    if params.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
    format!("?{}", parts.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn logfmt_tags() {
        assert_eq!(
            parse_logfmt_tags(r#" error=true  http.status_code=200 msg="a b" q="say \"hi\"\\" "#).unwrap(),
            pairs(&[("error", "true"), ("http.status_code", "200"), ("msg", "a b"), ("q", "say \"hi\"\\")])
        );
        assert_eq!(parse_logfmt_tags("error").unwrap(), pairs(&[("error", "true")]));
        assert_eq!(parse_logfmt_tags("k= j=\"\"").unwrap(), pairs(&[("k", ""), ("j", "")]));
        assert_eq!(parse_logfmt_tags("url=http://x/?a=b").unwrap(), pairs(&[("url", "http://x/?a=b")]));
        assert_eq!(parse_logfmt_tags("  ").unwrap(), vec![]);
        for bad in ["=x", "k=\"open", "k=\"a\"b", "k=a\"b", "\"k\"=v", "k=\"a\\"] {
            let e = parse_logfmt_tags(bad).unwrap_err();
            assert!(matches!(e, BackendError::InvalidRequest(_)), "{bad}: {e:?}");
        }
    }

    #[test]
    fn logfmt_round_trips() {
        let tags = pairs(&[("a", "1"), ("b", "x y"), ("c", ""), ("d", "q\"\\")]);
        assert_eq!(format_logfmt_tags(&tags), r#"a=1 b="x y" c="" d="q\"\\""#);
        assert_eq!(parse_logfmt_tags(&format_logfmt_tags(&tags)).unwrap(), tags);
    }

    #[test]
    fn duration_text() {
        let ok = |s: &str| parse_duration_text(s).unwrap();
        assert_eq!(ok("1.5s"), 1_500_000_000);
        assert_eq!(ok("100ms"), 100_000_000);
        assert_eq!(ok(" 250 us "), 250_000);
        assert_eq!(ok("250µs"), 250_000);
        assert_eq!(ok("7ns"), 7);
        assert_eq!(ok("2m"), 120_000_000_000);
        assert_eq!(ok("1h30m"), 5_400_000_000_000);
        assert_eq!(ok(".5ms"), 500_000);
        assert_eq!(ok("0.0000000001s"), 0);
        for bad in ["", "10", "1.2.3s", "5 days", "s", "ms10", "-1s", "99999999999999999999999h", "3000000h"] {
            assert!(parse_duration_text(bad).is_err(), "{bad}");
        }
        assert!(parse_duration_text("10").unwrap_err().to_string().contains("add a unit"));
    }

    #[test]
    fn encoders() {
        assert_eq!(go_duration(1_500_000_000), "1500ms");
        assert_eq!(go_duration(2_000_000_000), "2s");
        assert_eq!(go_duration(250_000), "250us");
        assert_eq!(go_duration(7), "7ns");
        assert_eq!(go_duration(0), "0s");
        assert_eq!(rfc3339_nanos(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_nanos(1_694_718_625_557_000_000), "2023-09-14T19:10:25.557Z");
        assert_eq!(rfc3339_nanos(951_782_400_000_000_001), "2000-02-29T00:00:00.000000001Z");
        assert_eq!(rfc3339_nanos(-1), "1969-12-31T23:59:59.999999999Z");
        assert_eq!(rfc3339_nanos(i64::MAX), "2262-04-11T23:47:16.854775807Z");
        assert_eq!(encode("a b&c=d/é{}\""), "a%20b%26c%3Dd%2F%C3%A9%7B%7D%22");
        assert_eq!(div_floor(-1, 1000), -1);
        assert_eq!(div_ceil(1001, 1000), 2);
        assert_eq!(div_ceil(1000, 1000), 1);
    }

    #[test]
    fn validation() {
        let mut r = SearchRequest { window: Some(TimeWindow { start_nanos: 5, end_nanos: 5 }), ..Default::default() };
        assert!(r.validate().is_err());
        r.window = Some(TimeWindow::lookback(10, 3));
        assert_eq!(r.window.unwrap().start_nanos, 7);
        assert!(r.validate().is_ok());
        r.min_duration_nanos = Some(10);
        r.max_duration_nanos = Some(5);
        assert!(r.validate().is_err());
        r.max_duration_nanos = None;
        r.limit = Some(0);
        assert!(r.validate().is_err());
    }
}

//! `spanlens query -q 'METRICS' FILE...`: metrics queries print one JSON
//! object per series, `{"labels":{…},"timestampsNanos":[…],"values":[…],"exemplars":[…]}`.
//! Also the time arguments `--start`, `--end` (RFC3339, unix seconds, or unix
//! nanoseconds when longer than 10 digits, like Tempo) and `--step`
//! (a TraceQL duration such as `30s`, or seconds).

use serde_json::{Value as Json, json};
use spanlens_traceql::metrics::{LabelValue, MetricsResult, Series};

/// JSON has no NaN: empty buckets are `null`.
fn number(v: f64) -> Json {
    serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number)
}

fn label_json(v: &LabelValue) -> Json {
    match v {
        LabelValue::String(s) => Json::from(s.as_str()),
        LabelValue::Int(i) => Json::from(*i),
        LabelValue::Float(f) => number(*f),
        LabelValue::Bool(b) => Json::from(*b),
    }
}

/// One series as a JSON line, keys in reading order (`labels` first) and labels in the query's
/// order (`by(a, b)` then `p`/`__bucket`), which a JSON object built through a sorted map loses.
pub fn series_line(s: &Series) -> String {
    let text = |v: &Json| v.to_string();
    let labels: Vec<String> =
        s.labels.iter().map(|(k, v)| format!("{}:{}", text(&Json::from(k.as_str())), text(&label_json(v)))).collect();
    let exemplars: Vec<Json> = s
        .exemplars
        .iter()
        .map(|e| {
            json!({"traceId": e.trace_id, "spanId": e.span_id, "timestampNanos": e.timestamp_nanos, "value": number(e.value)})
        })
        .collect();
    let values: Vec<Json> = s.values.iter().map(|&v| number(v)).collect();
    format!(
        "{{\"labels\":{{{}}},\"timestampsNanos\":{},\"values\":{},\"exemplars\":{}}}",
        labels.join(","),
        text(&json!(s.timestamps_nanos)),
        text(&Json::Array(values)),
        text(&Json::Array(exemplars))
    )
}

pub fn result_lines(r: &MetricsResult) -> impl Iterator<Item = String> + '_ {
    r.series.iter().map(series_line)
}

/// A point in time: RFC3339, unix seconds (fractions allowed), or unix
/// nanoseconds (an integer of more than 10 digits).
pub fn parse_time_nanos(text: &str) -> Result<i64, String> {
    let t = text.trim();
    if t.contains('T') || (t.contains('-') && t.len() >= 10 && !t.starts_with('-')) {
        return parse_rfc3339(t).ok_or_else(|| format!("{text:?} is not an RFC3339 time"));
    }
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = t.parse().map_err(|_| format!("{text:?} is out of range"))?;
        return if t.len() > 10 {
            Ok(n)
        } else {
            n.checked_mul(1_000_000_000).ok_or_else(|| format!("{text:?} is out of range"))
        };
    }
    let secs: f64 = t.parse().map_err(|_| format!("{text:?} is not a time (RFC3339, unix seconds or nanoseconds)"))?;
    let nanos = (secs * 1e9).round();
    if !nanos.is_finite() || nanos.abs() > 9.2e18 {
        return Err(format!("{text:?} is out of range"));
    }
    Ok(nanos as i64)
}

/// A step: a TraceQL duration (`30s`, `1m30s`) or a number of seconds.
pub fn parse_step_nanos(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let nanos = match spanlens_traceql::duration::parse_duration_nanos(t) {
        Some(n) => n,
        None => {
            let secs: f64 = t.parse().map_err(|_| format!("{text:?} is not a duration (e.g. 30s, 1m)"))?;
            let n = (secs * 1e9).round();
            if !n.is_finite() || n.abs() > 9.2e18 {
                return Err(format!("{text:?} is out of range"));
            }
            n as i64
        }
    };
    if nanos <= 0 {
        return Err(format!("step {text:?} must be positive"));
    }
    Ok(nanos)
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
fn parse_rfc3339(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let s = t.get(from..from + len)?;
        if !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    if b.len() < 20
        || b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
    {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut frac_nanos = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let digits = t.get(start..i)?;
        if digits.is_empty() {
            return None;
        }
        let padded: String = digits.chars().chain(std::iter::repeat('0')).take(9).collect();
        frac_nanos = padded.parse().ok()?;
    }
    let offset_secs = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b.get(i + 3) == Some(&b':') => {
            let m = num(i + 1, 2)? * 3600 + num(i + 4, 2)? * 60;
            if *sign == b'+' { m } else { -m }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    secs.checked_mul(1_000_000_000)?.checked_add(frac_nanos)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// well-known civil-calendar arithmetic).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time_nanos("1700000000").unwrap(), 1_700_000_000_000_000_000);
        assert_eq!(parse_time_nanos("1700000000123456789").unwrap(), 1_700_000_000_123_456_789);
        assert_eq!(parse_time_nanos("1700000000.5").unwrap(), 1_700_000_000_500_000_000);
        assert_eq!(parse_time_nanos("2023-11-14T22:13:20Z").unwrap(), 1_700_000_000_000_000_000);
        assert_eq!(parse_time_nanos("2023-11-14T23:13:20.25+01:00").unwrap(), 1_700_000_000_250_000_000);
        assert_eq!(parse_time_nanos("1970-01-01T00:00:00Z").unwrap(), 0);
        for bad in ["", "x", "2023-13-01T00:00:00Z", "2023-11-14T22:13:20", "99999999999999999999", "1e300"] {
            assert!(parse_time_nanos(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lines_keep_label_order() {
        let s = Series {
            labels: vec![("z".into(), LabelValue::String("nil".into())), ("a".into(), LabelValue::Float(0.5))],
            timestamps_nanos: vec![10, 20],
            values: vec![1.5, f64::NAN],
            exemplars: Vec::new(),
        };
        let line = series_line(&s);
        assert_eq!(
            line,
            r#"{"labels":{"z":"nil","a":0.5},"timestampsNanos":[10,20],"values":[1.5,null],"exemplars":[]}"#
        );
        let v: Json = serde_json::from_str(&line).unwrap();
        assert_eq!(v["labels"]["a"], 0.5);
    }

    #[test]
    fn steps() {
        assert_eq!(parse_step_nanos("30s").unwrap(), 30_000_000_000);
        assert_eq!(parse_step_nanos("1m").unwrap(), 60_000_000_000);
        assert_eq!(parse_step_nanos("15").unwrap(), 15_000_000_000);
        assert_eq!(parse_step_nanos("0.5").unwrap(), 500_000_000);
        assert!(parse_step_nanos("0s").is_err());
        assert!(parse_step_nanos("-1").is_err());
        assert!(parse_step_nanos("soon").is_err());
    }
}

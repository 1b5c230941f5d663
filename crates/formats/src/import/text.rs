//! Small text decoders shared by the importers: ids (hex or base64), base64, RFC 3339 times, Go and
//! protobuf duration strings, and clamping of untrusted integers into the model's `i64` nanoseconds.
//!
//! Everything here returns `Option`/`Result` and never panics: the input is untrusted.

pub use spanlens_model::base64::decode_base64;
use spanlens_model::base64::decode_base64_into;
use spanlens_model::ids::{SpanId, TraceId, id_from_be_bytes, parse_hex_id, truncate_for_message};

fn is_hex(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Reads an id written as hex (any case, leading zeros possibly missing) or as base64 of its
/// big-endian bytes (Tempo, Python `json_format`, Jaeger api_v2). `max_bytes` is 16 for trace ids and
/// 8 for span ids. Returns the value and the width in bytes it was written with.
///
/// Exactly `2 * max_bytes` hex digits is hex; text with a non-hex character or `=` padding is base64;
/// any shorter all-hex text is hex that lost its leading zeros (Jaeger before 1.16, Tempo search).
pub fn parse_id(text: &str, max_bytes: usize) -> Result<(u128, u8), String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("is empty".to_owned());
    }
    if is_hex(text) && text.len() <= max_bytes * 2 {
        return parse_hex_id(text, max_bytes * 2).map_err(|e| e.to_string());
    }
    let mut buf = [0u8; 16];
    match decode_base64_into(text, &mut buf) {
        Some(len) if len == max_bytes || (max_bytes == 16 && len == 8) => {
            let bytes = buf.get(..len).unwrap_or(&[]);
            id_from_be_bytes(bytes).ok_or_else(|| format!("{:?} decodes to no bytes", truncate_for_message(text)))
        }
        Some(len) => Err(format!(
            "{:?} is neither {} hex digits nor base64 of {max_bytes} bytes (decodes to {len} bytes)",
            truncate_for_message(text),
            max_bytes * 2
        )),
        None => Err(format!("{:?} is neither hex nor base64", truncate_for_message(text))),
    }
}

/// Text that may stand for a span id when it is not hex (`span-A`): non-empty, printable and short
/// enough to be a name. Importers give such ids a stable value ([`TraceSetBuilder::text_span_id`]).
///
/// [`TraceSetBuilder::text_span_id`]: spanlens_model::TraceSetBuilder::text_span_id
pub fn is_text_id(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && t.len() <= 256 && !t.chars().any(char::is_control)
}

pub fn parse_trace_id(text: &str) -> Result<(TraceId, u8), String> {
    parse_id(text, 16).map(|(v, w)| (TraceId(v), w))
}

/// A span id; `Ok(None)` for the empty or all-zero id that producers write for "no parent".
pub fn parse_optional_span_id(text: &str) -> Result<Option<SpanId>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let (value, _) = parse_id(text, 8)?;
    Ok(if value == 0 { None } else { Some(SpanId(value as u64)) })
}

/// Unsigned nanoseconds (OTLP fixed64) into the model's signed nanoseconds. Values past `i64::MAX`
/// (for instance Go's zero `time.Time` wrapped into a u64) are clamped; `None` says it happened.
pub fn nanos_from_u64(value: u64) -> Option<i64> {
    i64::try_from(value).ok()
}

/// Microseconds (Jaeger, Zipkin) into nanoseconds, saturating.
pub fn micros_to_nanos(micros: i64) -> i64 {
    micros.saturating_mul(1_000)
}

/// Parses an RFC 3339 timestamp (`2017-01-26T16:46:31.639875Z`, `…+02:00`, up to 9 fraction digits)
/// into nanoseconds since the epoch. Years 0001-9999 are accepted; the result saturates at `i64`.
pub fn parse_rfc3339_nanos(text: &str) -> Option<i64> {
    let b = text.trim().as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0i64, |acc, &d| d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0')))
    };
    let year = num(0, 4)?;
    let month = num(5, 2)?;
    let day = num(8, 2)?;
    let hour = num(11, 2)?;
    let minute = num(14, 2)?;
    let second = num(17, 2)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut pos = 19;
    let mut frac_nanos = 0i64;
    if b.get(pos) == Some(&b'.') {
        pos += 1;
        let mut digits = 0;
        while let Some(&d) = b.get(pos).filter(|d| d.is_ascii_digit()) {
            if digits < 9 {
                frac_nanos = frac_nanos * 10 + i64::from(d - b'0');
                digits += 1;
            }
            pos += 1;
        }
        if digits == 0 {
            return None;
        }
        for _ in digits..9 {
            frac_nanos *= 10;
        }
    }
    let offset_seconds = match b.get(pos) {
        Some(b'Z' | b'z') if pos + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) if pos + 6 == b.len() && b.get(pos + 3) == Some(&b':') => {
            let value = num(pos + 1, 2)? * 3600 + num(pos + 4, 2)? * 60;
            if sign == b'-' { -value } else { value }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    Some(seconds.saturating_mul(1_000_000_000).saturating_add(frac_nanos))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses a duration string into nanoseconds: protobuf JSON (`"0.000100s"`, `"1.5s"`, `"-2s"`) and
/// Go `time.ParseDuration` syntax (`"100000ns"`, `"1h2m3.5s"`, `"250us"`, `"1µs"`, `"3ms"`).
pub fn parse_duration_nanos(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let number_len = rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
        let (number, after) = rest.split_at(number_len);
        let unit_len = after.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let unit_nanos: i128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() && frac.is_empty() {
            return None;
        }
        let whole_value: i128 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
        let mut frac_value: i128 = 0;
        let mut scale: i128 = 1;
        for d in frac.bytes().take(18) {
            if !d.is_ascii_digit() {
                return None;
            }
            frac_value = frac_value * 10 + i128::from(d - b'0');
            scale *= 10;
        }
        total =
            total.checked_add(whole_value.checked_mul(unit_nanos)?)?.checked_add(frac_value * unit_nanos / scale)?;
        rest = after;
    }
    let total = if negative { -total } else { total };
    i64::try_from(total).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_hex_and_base64() {
        assert_eq!(parse_id("5B8EFFF798038103D269B633813FC60C", 16).unwrap().0, 0x5b8efff798038103d269b633813fc60c);
        assert_eq!(parse_id("AAAAAAAAAAAAAAAAAAAAEQ==", 16).unwrap(), (0x11, 16));
        assert_eq!(parse_id("AAAAAAAAAAM=", 8).unwrap(), (3, 8));
        assert_eq!(parse_id("abc", 8).unwrap(), (0xabc, 8));
        assert!(parse_id("", 8).is_err());
        assert!(parse_id("!!!", 8).is_err());
        assert!(parse_id("AAAAAAAAAAAAAAAAAAAAEQ==", 8).is_err());
        assert_eq!(parse_optional_span_id("0000000000000000").unwrap(), None);
        // URL-safe, unpadded.
        assert_eq!(decode_base64("-_8").unwrap(), vec![0xfb, 0xff]);
        assert!(decode_base64("A").is_none());
    }

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339_nanos("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339_nanos("2017-01-26T16:46:31.639875Z"), Some(1_485_449_191_639_875_000));
        assert_eq!(parse_rfc3339_nanos("2017-01-26T18:46:31.639875+02:00"), Some(1_485_449_191_639_875_000));
        assert_eq!(parse_rfc3339_nanos("2015-09-03T16:40:00.841654024Z"), Some(1_441_298_400_841_654_024));
        assert_eq!(parse_rfc3339_nanos("2017-13-26T16:46:31Z"), None);
        assert_eq!(parse_rfc3339_nanos("garbage"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_nanos("0.000100s"), Some(100_000));
        assert_eq!(parse_duration_nanos("100000ns"), Some(100_000));
        assert_eq!(parse_duration_nanos("1h2m3.5s"), Some(3_723_500_000_000));
        assert_eq!(parse_duration_nanos("-1.5s"), Some(-1_500_000_000));
        assert_eq!(parse_duration_nanos("1µs"), Some(1_000));
        assert_eq!(parse_duration_nanos("0"), Some(0));
        assert_eq!(parse_duration_nanos("5"), None);
        assert_eq!(parse_duration_nanos("s"), None);
        assert_eq!(parse_duration_nanos("99999999999999999999h"), None);
    }
}

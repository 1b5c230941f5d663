//! Duration literals. Tempo first tries Prometheus syntax (`1d12h`, units up
//! to years, integers only) and then Go's `time.ParseDuration` (fractions,
//! `ns`/`us`/`µs`). Both yield integer nanoseconds.

const NS_PER_MS: u64 = 1_000_000;
const NS_PER_S: u64 = 1_000_000_000;
const NS_PER_M: u64 = 60 * NS_PER_S;
const NS_PER_H: u64 = 60 * NS_PER_M;
const NS_PER_D: u64 = 24 * NS_PER_H;
const NS_PER_W: u64 = 7 * NS_PER_D;
const NS_PER_Y: u64 = 365 * NS_PER_D;

/// Parses a duration literal (no sign) into nanoseconds.
pub fn parse_duration_nanos(text: &str) -> Option<i64> {
    parse_prometheus(text).or_else(|| parse_go(text))
}

/// Prometheus `model.ParseDuration`: `[0-9]+` followed by a unit, units in
/// strictly decreasing order, each at most once.
fn parse_prometheus(text: &str) -> Option<i64> {
    const UNITS: &[(&str, u64)] = &[
        ("y", NS_PER_Y),
        ("w", NS_PER_W),
        ("d", NS_PER_D),
        ("h", NS_PER_H),
        ("m", NS_PER_M),
        ("s", NS_PER_S),
        ("ms", NS_PER_MS),
    ];
    if text == "0" {
        return Some(0);
    }
    if text.is_empty() {
        return None;
    }
    let bytes = text.as_bytes();
    let mut pos = 0;
    let mut next_unit = 0;
    let mut total: u64 = 0;
    while pos < bytes.len() {
        let start = pos;
        while pos < bytes.len() && bytes[pos].is_ascii_digit() {
            pos += 1;
        }
        if pos == start {
            return None;
        }
        let number: u64 = text.get(start..pos)?.parse().ok()?;
        let unit_start = pos;
        while pos < bytes.len() && bytes[pos].is_ascii_alphabetic() {
            pos += 1;
        }
        let unit = text.get(unit_start..pos)?;
        let idx = UNITS.iter().position(|(u, _)| *u == unit)?;
        if idx < next_unit {
            return None;
        }
        next_unit = idx + 1;
        total = total.checked_add(number.checked_mul(UNITS[idx].1)?)?;
    }
    i64::try_from(total).ok()
}

/// Go `time.ParseDuration` for unsigned input.
fn parse_go(text: &str) -> Option<i64> {
    if text == "0" {
        return Some(0);
    }
    if text.is_empty() {
        return None;
    }
    let mut rest = text;
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int_part, after) = rest.split_at(int_len);
        let mut frac_part = "";
        let mut after = after;
        if let Some(stripped) = after.strip_prefix('.') {
            let frac_len = stripped.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &stripped[..frac_len];
            after = &stripped[frac_len..];
            if int_part.is_empty() && frac_part.is_empty() {
                return None;
            }
        } else if int_part.is_empty() {
            return None;
        }
        let unit_len =
            after.char_indices().find(|(_, c)| *c == '.' || c.is_ascii_digit()).map_or(after.len(), |(i, _)| i);
        let (unit, tail) = after.split_at(unit_len);
        let unit_ns: u64 = match unit {
            "ns" => 1,
            "us" | "\u{00b5}s" | "\u{03bc}s" => 1_000,
            "ms" => NS_PER_MS,
            "s" => NS_PER_S,
            "m" => NS_PER_M,
            "h" => NS_PER_H,
            _ => return None,
        };
        let whole: u64 = if int_part.is_empty() { 0 } else { int_part.parse().ok()? };
        let mut value = whole.checked_mul(unit_ns)?;
        if !frac_part.is_empty() {
            // Go keeps as many fraction digits as fit and scales in float.
            let mut frac: u64 = 0;
            let mut scale: f64 = 1.0;
            for d in frac_part.bytes() {
                let Some(next) = frac.checked_mul(10).and_then(|f| f.checked_add(u64::from(d - b'0'))) else {
                    break;
                };
                frac = next;
                scale *= 10.0;
            }
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
            let extra = (frac as f64 * (unit_ns as f64 / scale)) as u64;
            value = value.checked_add(extra)?;
        }
        total = total.checked_add(value)?;
        if total > i64::MAX as u64 {
            return None;
        }
        rest = tail;
    }
    i64::try_from(total).ok()
}

/// Formats nanoseconds the way Go's `time.Duration.String()` does
/// (`1m30s`, `1.5s`, `250ms`), which is how Tempo renders durations.
pub fn format_go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".to_string();
    }
    let neg = nanos < 0;
    let u = nanos.unsigned_abs();
    let sign = if neg { "-" } else { "" };
    if u < NS_PER_S {
        let (unit, div) = if u < 1_000 {
            ("ns", 1)
        } else if u < NS_PER_MS {
            ("µs", 1_000)
        } else {
            ("ms", NS_PER_MS)
        };
        return format!("{sign}{}{unit}", frac_str(u, div));
    }
    let mut out = String::from(sign);
    let h = u / NS_PER_H;
    let m = (u % NS_PER_H) / NS_PER_M;
    let s_ns = u % NS_PER_M;
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if h > 0 || m > 0 {
        out.push_str(&format!("{m}m"));
    }
    out.push_str(&format!("{}s", frac_str(s_ns, NS_PER_S)));
    out
}

fn frac_str(value: u64, div: u64) -> String {
    let whole = value / div;
    let frac = value % div;
    if frac == 0 {
        return whole.to_string();
    }
    let width = div.to_string().len() - 1;
    let digits = format!("{frac:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse_duration_nanos("1ns"), Some(1));
        assert_eq!(parse_duration_nanos("1us"), Some(1_000));
        assert_eq!(parse_duration_nanos("1µs"), Some(1_000));
        assert_eq!(parse_duration_nanos("1ms"), Some(1_000_000));
        assert_eq!(parse_duration_nanos("1.5m"), Some(90 * NS_PER_S as i64));
        assert_eq!(parse_duration_nanos("2d"), Some(2 * NS_PER_D as i64));
        assert_eq!(parse_duration_nanos("1y"), Some(NS_PER_Y as i64));
        assert_eq!(parse_duration_nanos("1d12h"), Some((NS_PER_D + 12 * NS_PER_H) as i64));
        assert_eq!(parse_duration_nanos("1h15m30.918273645s"), Some(4_530_918_273_645));
        assert_eq!(parse_duration_nanos(".24h"), Some((NS_PER_H as f64 * 0.24) as i64));
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(parse_duration_nanos("1.5d"), None);
        assert_eq!(parse_duration_nanos("1t"), None);
        assert_eq!(parse_duration_nanos("1s1h"), Some(3_601_000_000_000));
        assert_eq!(parse_duration_nanos("."), None);
        assert_eq!(parse_duration_nanos("99999999999999999999h"), None);
        assert_eq!(parse_duration_nanos("300y"), None);
    }

    #[test]
    fn formats_like_go() {
        assert_eq!(format_go_duration(3 * NS_PER_H as i64), "3h0m0s");
        assert_eq!(format_go_duration(90 * NS_PER_S as i64), "1m30s");
        assert_eq!(format_go_duration(1_500_000_000), "1.5s");
        assert_eq!(format_go_duration(250_000_000), "250ms");
        assert_eq!(format_go_duration(-5_000_000_000), "-5s");
    }
}

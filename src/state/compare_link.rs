//! Links to a comparison: `/compare/<a>/<b>?a=<a's load>&b=<b's load>`. Each side names its load the
//! way a trace link does (`load=`, `url=` or `backend=`), nested as one parameter, so the two traces
//! may come from different sources and a shared link reloads both.

use crate::state::LoadSelector;

/// The comparison of two traces, given their trace-page links (`/trace/<hex>?<load>`).
pub fn compare_href(a_href: &str, b_href: &str) -> Option<String> {
    let (a_hex, a_query) = split_trace_href(a_href)?;
    let (b_hex, b_query) = split_trace_href(b_href)?;
    let mut params = Vec::new();
    if !a_query.is_empty() {
        params.push(format!("a={}", encode(a_query)));
    }
    if !b_query.is_empty() {
        params.push(format!("b={}", encode(b_query)));
    }
    let query = if params.is_empty() { String::new() } else { format!("?{}", params.join("&")) };
    Some(format!("/compare/{a_hex}/{b_hex}{query}"))
}

/// The trace link of one side (`a=`/`b=` already decoded by the router), for "open in the trace view".
pub fn side_trace_href(hex: &str, side_query: Option<&str>) -> String {
    match side_query.filter(|q| !q.is_empty()) {
        Some(q) => format!("/trace/{hex}?{q}"),
        None => format!("/trace/{hex}"),
    }
}

/// Which load one side names (`load=3`, `url=…`, `backend=…`); none of them means "any load".
pub fn side_selector(side_query: Option<&str>) -> LoadSelector {
    let mut selector = LoadSelector::default();
    for pair in side_query.unwrap_or_default().split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = decode(value);
        match key {
            "load" => selector.load = value.parse().ok(),
            "url" => selector.url = Some(value),
            "backend" => selector.backend = Some(value),
            _ => {}
        }
    }
    selector
}

fn split_trace_href(href: &str) -> Option<(&str, &str)> {
    let rest = href.strip_prefix("/trace/")?;
    let (hex, query) = rest.split_once('?').unwrap_or((rest, ""));
    (!hex.is_empty()).then_some((hex, query))
}

/// Percent-encoding of everything but unreserved characters, as `encodeURIComponent` does (pure Rust,
/// so that links are tested natively).
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Percent-decoding; a malformed escape is kept as written.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_name_both_loads_and_round_trip() {
        let href = compare_href("/trace/abc?load=3", "/trace/def?url=http%3A%2F%2Fx%2Fa.json").unwrap();
        assert_eq!(href, "/compare/abc/def?a=load%3D3&b=url%3Dhttp%253A%252F%252Fx%252Fa.json");
        // The router hands each side decoded once.
        let a = side_selector(Some("load=3"));
        assert_eq!(a.load, Some(3));
        let b = side_selector(Some("url=http%3A%2F%2Fx%2Fa.json"));
        assert_eq!(b.url.as_deref(), Some("http://x/a.json"));
        assert_eq!(side_selector(Some("backend=prod%20eu")).backend.as_deref(), Some("prod eu"));
        assert_eq!(side_selector(None), LoadSelector::default());
        assert_eq!(side_trace_href("abc", Some("load=3")), "/trace/abc?load=3");
        assert_eq!(side_trace_href("abc", None), "/trace/abc");
    }

    #[test]
    fn plain_links_and_bad_input() {
        assert_eq!(compare_href("/trace/a", "/trace/b").as_deref(), Some("/compare/a/b"));
        assert_eq!(compare_href("/nope", "/trace/b"), None);
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%41"), "%zzA");
        assert_eq!(encode("a b&c"), "a%20b%26c");
    }
}

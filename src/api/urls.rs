//! Which URLs may be fetched, and how they are shown.

/// Accepts same-origin relative paths and http(s) URLs only: `?url=` comes from links other people
/// share, and nothing else (`javascript:`, `file:`, `data:`) belongs there.
pub fn is_allowed_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return true;
    }
    // A relative path has no scheme: no ':' before the first '/', '?' or '#'.
    let head = lower.split(['/', '?', '#']).next().unwrap_or("");
    !lower.is_empty() && !head.contains(':') && !lower.starts_with("//")
}

/// A URL with any `user:password@` removed, for messages and logs. Pure string work (no browser
/// API), so it also runs in native tests.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else { return url.to_owned() };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}{}", &url[..scheme_end + 3], &rest[at + 1..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_relative_urls_are_allowed() {
        for ok in ["https://h/x.json", "HTTP://h", "samples/checkout.json", "/api/traces/1", "a?b=c:d"] {
            assert!(is_allowed_url(ok), "{ok}");
        }
        for bad in ["javascript:alert(1)", "file:///etc/passwd", "data:text/plain,x", "//evil.example/x", "", " "] {
            assert!(!is_allowed_url(bad), "{bad}");
        }
    }

    #[test]
    fn credentials_never_show() {
        assert_eq!(redact("https://user:secret@h.example/x?y=1"), "https://h.example/x?y=1");
        assert_eq!(redact("https://token@h.example"), "https://h.example");
        assert_eq!(redact("https://h.example/a@b"), "https://h.example/a@b");
        assert_eq!(redact("samples/x.json"), "samples/x.json");
    }
}

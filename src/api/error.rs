//! What can go wrong with a request, as a typed value with a message for the banner. Every variant
//! names the endpoint, always redacted (no `user:password@`).

use thiserror::Error;

#[derive(Clone, Debug, Error, PartialEq)]
pub enum ApiError {
    #[error("{url}: only http(s) URLs and paths on this site can be loaded")]
    NotAllowed { url: String },
    #[error("{url} answered HTTP {status} {status_text}{}", excerpt_suffix(.body_excerpt))]
    Status {
        url: String,
        status: u16,
        status_text: String,
        body_excerpt: String,
        /// The answer's body (at most 64 KB), for the backend's own error message.
        body: String,
    },
    #[error(
        "{url} could not be reached ({detail}). Is the server up, and does it allow requests from this page's origin (CORS)? Serving spanlens from the same origin as the server, or behind a proxy that forwards to it, avoids CORS altogether."
    )]
    Network { url: String, detail: String },
    /// The answer's head came, then its body stopped short: the connection was closed or dropped
    /// (not a CORS problem: the browser let the head through).
    #[error(
        "{url}: the answer broke off {} ({detail}). The server, or a proxy in front of it, closed the connection before the end; try again, or save the answer and open the file.",
        how_far(*.received_bytes, *.expected_bytes)
    )]
    BrokenOff {
        url: String,
        /// Bytes read before the break, when the body was read piece by piece.
        received_bytes: Option<u64>,
        /// The announced length, or 0.
        expected_bytes: u64,
        detail: String,
    },
    #[error("{url} did not answer within {after_secs} s")]
    Timeout { url: String, after_secs: u32 },
    #[error("{url}: the answer could not be read: {message}")]
    Decode { url: String, message: String },
    #[error("{url}: the request was cancelled")]
    Aborted { url: String },
}

/// A size for messages and the progress bar: "1.5 MB" (MiB, one decimal).
pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0)
}

/// How far a body got before it broke off. The browser drops what it held of a body that errors
/// before anyone read it, so nothing read does not mean nothing was sent.
fn how_far(received: Option<u64>, expected: u64) -> String {
    match (received, expected) {
        (None, 0) => "before its end".to_owned(),
        (None, expected) => format!("before its end ({} announced)", megabytes(expected)),
        (Some(0), 0) => "before any of it could be read".to_owned(),
        (Some(0), expected) => format!("before any of its {} could be read", megabytes(expected)),
        (Some(received), 0) => format!("after {}", megabytes(received)),
        (Some(received), expected) => format!("after {} of {}", megabytes(received), megabytes(expected)),
    }
}

fn excerpt_suffix(body: &str) -> String {
    if body.is_empty() { String::new() } else { format!(": {body}") }
}

/// The start of a response body for an error message: one line, at most `max_chars` characters.
pub fn excerpt(body: &str, max_chars: usize) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_endpoint_and_the_cause() {
        let e = ApiError::Status {
            url: "/api/traces/1".to_owned(),
            status: 404,
            status_text: "Not Found".to_owned(),
            body_excerpt: "trace not found".to_owned(),
            body: "trace not found".to_owned(),
        };
        assert_eq!(e.to_string(), "/api/traces/1 answered HTTP 404 Not Found: trace not found");
        let e = ApiError::Timeout { url: "http://h/x".to_owned(), after_secs: 30 };
        assert_eq!(e.to_string(), "http://h/x did not answer within 30 s");
        let e = ApiError::Network { url: "http://h/x".to_owned(), detail: "TypeError".to_owned() };
        assert!(e.to_string().contains("CORS"));
        let e = ApiError::BrokenOff {
            url: "/api/traces/1".to_owned(),
            received_bytes: Some(3 * 1_048_576 / 2),
            expected_bytes: 4 * 1_048_576,
            detail: "network error".to_owned(),
        };
        assert_eq!(
            e.to_string(),
            "/api/traces/1: the answer broke off after 1.5 MB of 4.0 MB (network error). The server, or a proxy in \
             front of it, closed the connection before the end; try again, or save the answer and open the file."
        );
        assert!(!e.to_string().contains("CORS"));
        let e = ApiError::BrokenOff {
            url: "/x".to_owned(),
            received_bytes: Some(0),
            expected_bytes: 0,
            detail: "network error".to_owned(),
        };
        assert!(e.to_string().contains(": the answer broke off before any of it could be read (network error)."));
        let e = ApiError::BrokenOff {
            url: "/x".to_owned(),
            received_bytes: Some(0),
            expected_bytes: 1_048_576,
            detail: "network error".to_owned(),
        };
        assert!(e.to_string().contains("broke off before any of its 1.0 MB could be read (network error)"));
        let e = ApiError::BrokenOff {
            url: "/x".to_owned(),
            received_bytes: None,
            expected_bytes: 1_048_576,
            detail: "network error".to_owned(),
        };
        assert!(e.to_string().contains("broke off before its end (1.0 MB announced) (network error)"));
    }

    #[test]
    fn excerpts_are_one_short_line() {
        assert_eq!(excerpt("  a\\n b\\t c  ", 10), "a\\n b\\t c");
        assert_eq!(excerpt("line one\nline two", 100), "line one line two");
        assert_eq!(excerpt("ééééé", 3), "ééé…");
        assert_eq!(excerpt("", 3), "");
    }
}

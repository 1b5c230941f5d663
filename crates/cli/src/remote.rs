//! What `search` and `fetch` share: the `--backend KIND=URL` and `--timeout` options, and a blocking
//! GET that never lets credentials reach a message.
//!
//! URLs, response parsing and error wording come from `spanlens-backends`; this module only moves
//! bytes. Credentials in the URL (`http://user:pass@host`) are taken out before any URL is built and
//! sent as a Basic `Authorization` header instead, so no URL the commands print can carry them; every
//! message still goes through `strip_credentials` in case a server echoes something back.

use spanlens_backends::{Backend, BackendKind, strip_credentials};
use std::io::Read as _;
use std::process::ExitCode;
use std::time::Duration;

/// Exit status for a backend or transport failure (status 2 is for usage errors, as elsewhere).
pub const EXIT_BACKEND: u8 = 1;

/// Seconds to wait for a connection and for each answer when `--timeout` is not given.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;

/// Trace bodies are large but not unbounded; a runaway answer should fail, not exhaust memory.
const MAX_BODY_BYTES: u64 = 1 << 30;

/// A backend to talk to: its URLs are built from `backend`, whose URL has no credentials.
pub struct Target {
    pub backend: Backend,
    /// `Basic …` when the URL carried `user:password@`.
    authorization: Option<String>,
}

impl Target {
    pub fn kind(&self) -> BackendKind {
        self.backend.kind
    }
}

/// Parses `KIND=URL`. Messages never repeat the URL's credentials.
pub fn parse_backend(text: &str) -> Result<Target, String> {
    let shown = strip_credentials(text);
    let Some((kind, url)) = text.split_once('=') else {
        return Err(format!("--backend expects KIND=URL (e.g. tempo=http://localhost:3200), got {shown:?}"));
    };
    let kind: BackendKind = kind.parse().map_err(|e| format!("--backend: {e}"))?;
    let url = url.trim();
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!("--backend: the URL must start with http:// or https://, got {shown:?}"));
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(format!("--backend: only http:// and https:// URLs are supported, got {shown:?}"));
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let (authorization, host) = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            let pair = format!("{}:{}", percent_decode(user), percent_decode(password));
            (Some(format!("Basic {}", base64(pair.as_bytes()))), host)
        }
        None => (None, authority),
    };
    if host.is_empty() {
        return Err(format!("--backend: the URL has no host: {shown:?}"));
    }
    let backend = Backend::new(kind.as_str(), kind, format!("{scheme}://{host}{path}"));
    Ok(Target { backend, authorization })
}

/// Parses `--timeout SECS` (whole seconds, at least 1).
pub fn parse_timeout(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(secs) if secs > 0 => Ok(secs),
        _ => Err(format!("--timeout expects a whole number of seconds (at least 1), got {text:?}")),
    }
}

/// A backend's answer, whatever its status.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub struct Client {
    agent: ureq::Agent,
    authorization: Option<String>,
    timeout_secs: u64,
}

impl Client {
    pub fn new(target: &Target, timeout_secs: u64) -> Client {
        let timeout = Some(Duration::from_secs(timeout_secs));
        let config = ureq::Agent::config_builder()
            .timeout_connect(timeout)
            .timeout_recv_response(timeout)
            .timeout_recv_body(timeout)
            // Error statuses carry the backend's own message; the caller reads them.
            .http_status_as_error(false)
            // A proxy's redirect on the same host (`/zipkin` → `/zipkin/`) keeps the credentials; one
            // to another host does not get them.
            .redirect_auth_headers(ureq::config::RedirectAuthHeaders::SameHost)
            .user_agent(concat!("spanlens/", env!("CARGO_PKG_VERSION")))
            .build();
        Client { agent: config.into(), authorization: target.authorization.clone(), timeout_secs }
    }

    /// GETs `url` (built from a credential-free base). `Err` is a transport failure, worded for people
    /// and naming the URL.
    pub fn get(&self, url: &str) -> Result<Answer, String> {
        let mut request = self.agent.get(url).header("Accept", "application/json");
        if let Some(auth) = &self.authorization {
            request = request.header("Authorization", auth.as_str());
        }
        let fail = |what: String| strip_credentials(&format!("GET {url}: {what}"));
        let mut response = request.call().map_err(|e| fail(self.describe(&e)))?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        response
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .reader()
            .read_to_end(&mut body)
            .map_err(|e| fail(format!("reading the answer (HTTP {status}): {e}")))?;
        Ok(Answer { status, body })
    }

    fn describe(&self, e: &ureq::Error) -> String {
        match e {
            ureq::Error::Timeout(_) => format!("no answer within {} s (see --timeout)", self.timeout_secs),
            ureq::Error::HostNotFound => "host not found".to_owned(),
            ureq::Error::ConnectionFailed => "connection failed (is the backend running?)".to_owned(),
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                "connection refused (is the backend running?)".to_owned()
            }
            other => other.to_string(),
        }
    }
}

/// Prints a usage problem followed by the command's help, and returns status 2.
pub fn usage(command: &str, problem: &str, help: &str) -> ExitCode {
    eprintln!("spanlens {command}: {}\n", strip_credentials(problem));
    eprint!("{help}");
    ExitCode::from(2)
}

/// Prints a backend or transport failure and returns status 1.
pub fn failure(command: &str, message: &str) -> ExitCode {
    eprintln!("spanlens {command}: {}", strip_credentials(message));
    ExitCode::from(EXIT_BACKEND)
}

/// `%XX` escapes in userinfo (a password may contain `@` or `:` that way); bad escapes stay as typed.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(decoded) if b == b'%' => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Standard base64 with padding, for the Basic header (not worth a dependency).
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (k, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if k <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let cases =
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE=")];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn backend_urls_lose_their_credentials() {
        let t = parse_backend("tempo=http://al%40ice:s3cr%3At@tempo:3200/prefix").unwrap();
        assert_eq!(t.backend.url, "http://tempo:3200/prefix");
        assert_eq!(t.authorization.as_deref(), Some(format!("Basic {}", base64(b"al@ice:s3cr:t")).as_str()));
        let t = parse_backend("jaeger-v3=https://j:16686").unwrap();
        assert_eq!((t.kind(), t.authorization), (BackendKind::JaegerV3, None));
        for bad in ["tempo", "prometheus=http://x", "tempo=ftp://x", "tempo=localhost:3200", "tempo=http://u:p@"] {
            let e = parse_backend(bad).err().unwrap();
            assert!(!e.contains("u:p"), "{e}");
        }
        assert_eq!(parse_timeout("5"), Ok(5));
        assert!(parse_timeout("0").is_err() && parse_timeout("1.5").is_err());
    }
}

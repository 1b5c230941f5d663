//! Fetching trace files by URL (demo trace, `?url=`).

use js_sys::ArrayBuffer;
use wasm_bindgen::JsCast as _;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

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

/// A URL with any `user:password@` removed, for messages and logs.
pub fn redact(url: &str) -> String {
    match web_sys::Url::new(url) {
        Ok(parsed) if !parsed.username().is_empty() || !parsed.password().is_empty() => {
            parsed.set_username("");
            parsed.set_password("");
            parsed.href()
        }
        _ => url.to_owned(),
    }
}

pub async fn fetch_bytes(url: &str) -> Result<ArrayBuffer, String> {
    if !is_allowed_url(url) {
        return Err("only http(s) URLs and paths on this site can be loaded".to_owned());
    }
    let window = web_sys::window().ok_or("no window")?;
    let init = RequestInit::new();
    init.set_method("GET");
    let request = Request::new_with_str_and_init(url, &init).map_err(|_| "invalid URL".to_owned())?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| "network error (is the server reachable, and does it allow this origin?)".to_owned())?
        .dyn_into()
        .map_err(|_| "unexpected fetch result".to_owned())?;
    if !response.ok() {
        return Err(format!("HTTP {} {}", response.status(), response.status_text()));
    }
    let promise = response.array_buffer().map_err(|_| "could not read the response body".to_owned())?;
    JsFuture::from(promise)
        .await
        .map_err(|_| "the response body could not be read".to_owned())?
        .dyn_into::<ArrayBuffer>()
        .map_err(|_| "the response body is not binary data".to_owned())
}

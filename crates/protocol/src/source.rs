//! Where traces came from. A source travels with its load request through the worker and comes back
//! with the result, so the catalog can label every trace and a link can reload the same data.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TraceSource {
    /// Files dropped or picked together (stitched into traces as one load).
    Files { names: Vec<String> },
    /// A file fetched by URL (`?url=`, the demo).
    Url { url: String },
    /// A backend answer: its name (`jaeger`, `tempo`, `zipkin`) and the request that produced it.
    Backend { backend: String, request: String },
    /// Traces the user merged from several loads.
    Merged { parts: Vec<TraceSource> },
}

impl TraceSource {
    /// A short label for lists and chips: file names, the URL's last path segment, the backend.
    pub fn label(&self) -> String {
        match self {
            TraceSource::Files { names } => match names.as_slice() {
                [] => "files".to_owned(),
                [one] => one.clone(),
                [first, rest @ ..] => format!("{first} + {} more", rest.len()),
            },
            TraceSource::Url { url } => {
                let path = url.split(['?', '#']).next().unwrap_or(url);
                let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or(path);
                if last.is_empty() { url.clone() } else { last.to_owned() }
            }
            TraceSource::Backend { backend, request } => format!("{backend}: {request}"),
            TraceSource::Merged { parts } => {
                let labels: Vec<String> = parts.iter().map(TraceSource::label).collect();
                format!("merged: {}", labels.join(" + "))
            }
        }
    }

    /// The kind of source, for a badge: `files`, `url`, the backend's name, or `merged`.
    pub fn kind(&self) -> &str {
        match self {
            TraceSource::Files { .. } => "files",
            TraceSource::Url { .. } => "url",
            TraceSource::Backend { backend, .. } => backend,
            TraceSource::Merged { .. } => "merged",
        }
    }

    /// The URL that reloads this source, when one exists.
    pub fn url(&self) -> Option<&str> {
        match self {
            TraceSource::Url { url } => Some(url),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_source() {
        let files = |n: &[&str]| TraceSource::Files { names: n.iter().map(|s| (*s).to_owned()).collect() };
        assert_eq!(files(&["a.json"]).label(), "a.json");
        assert_eq!(files(&["a.json", "b.json", "c.json"]).label(), "a.json + 2 more");
        let url = TraceSource::Url { url: "https://h/x/trace.json?token=1#f".to_owned() };
        assert_eq!(url.label(), "trace.json");
        assert_eq!(url.url(), Some("https://h/x/trace.json?token=1#f"));
        let merged = TraceSource::Merged { parts: vec![files(&["a.json"]), url] };
        assert_eq!(merged.label(), "merged: a.json + trace.json");
        assert_eq!(merged.kind(), "merged");
        let backend = TraceSource::Backend { backend: "jaeger".to_owned(), request: "trace 1f".to_owned() };
        assert_eq!(backend.label(), "jaeger: trace 1f");
        assert_eq!(backend.url(), None);
    }
}

//! The app's optional `config.json`: backends an operator sets up for everyone,
//! `{"backends":[{"name":"prod","kind":"tempo","url":"/tempo"}]}`. Every problem is an error naming
//! the entry, because a half-read configuration shows people the wrong backends.

use crate::BackendKind;
use crate::backend::Backend;
use crate::error::{BackendError, clip, strip_credentials};
use serde::Deserialize;

#[derive(Deserialize)]
struct ConfigFile {
    backends: Option<Vec<Entry>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Entry {
    name: Option<String>,
    kind: Option<String>,
    url: Option<String>,
}

/// Parses `config.json`. Unknown top-level or entry keys are ignored (later versions may add some);
/// a missing `backends` list, a missing or duplicate name, an unknown kind and a URL that is neither
/// a same-origin path nor http(s) are errors.
pub fn parse_config(json: &str) -> Result<Vec<Backend>, BackendError> {
    let json = json.trim_start_matches('\u{feff}');
    let file: ConfigFile = serde_json::from_str(json).map_err(|e| {
        let text = e.to_string();
        let msg = text.replacen(&format!(" at line {} column {}", e.line(), e.column()), "", 1);
        BackendError::Config(format!("not valid JSON at line {}, column {}: {msg}", e.line(), e.column()))
    })?;
    let Some(entries) = file.backends else {
        return Err(BackendError::Config(
            r#"no "backends" list (expected {"backends":[{"name","kind","url"}]})"#.to_owned(),
        ));
    };
    let mut out: Vec<Backend> = Vec::with_capacity(entries.len());
    for (i, e) in entries.into_iter().enumerate() {
        let name = e.name.as_deref().map(str::trim).unwrap_or("");
        let at =
            if name.is_empty() { format!("backends[{i}]") } else { format!("backends[{i}] ({:?})", clip(name, 60)) };
        if name.is_empty() {
            return Err(BackendError::Config(format!("{at}: \"name\" is missing or empty")));
        }
        let kind_text = e.kind.as_deref().unwrap_or("");
        let kind: BackendKind = kind_text.parse().map_err(|_| {
            BackendError::Config(format!(
                "{at}: unknown \"kind\" {:?}; use one of jaeger, jaeger-v3, tempo, zipkin",
                clip(kind_text, 60)
            ))
        })?;
        let url = e.url.as_deref().map(str::trim).unwrap_or("");
        check_url(url).map_err(|m| BackendError::Config(format!("{at}: {m}")))?;
        if out.iter().any(|b| b.name.eq_ignore_ascii_case(name)) {
            return Err(BackendError::Config(format!("{at}: the name is used twice; names must be unique")));
        }
        out.push(Backend { name: name.to_owned(), kind, url: url.to_owned() });
    }
    Ok(out)
}

/// A same-origin path (`/tempo`) or an absolute http(s) URL without credentials.
fn check_url(url: &str) -> Result<(), String> {
    let shown = clip(&strip_credentials(url), 120);
    if url.starts_with('/') && !url.starts_with("//") {
        return Ok(());
    }
    let lower = url.to_ascii_lowercase();
    let rest = lower.strip_prefix("http://").or_else(|| lower.strip_prefix("https://"));
    let Some(rest) = rest else {
        return Err(format!(
            "\"url\" {shown:?} must be a path on this site such as /tempo (behind a proxy) or an http(s):// URL"
        ));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        // Browsers refuse to fetch such URLs, and the file would leak them to every visitor.
        return Err(format!("\"url\" {shown:?} holds credentials; let a proxy add them instead"));
    }
    if authority.is_empty() {
        return Err(format!("\"url\" {shown:?} has no host"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(json: &str) -> String {
        parse_config(json).unwrap_err().to_string()
    }

    #[test]
    fn reads_backends() {
        let json = r#"{"backends":[{"name":"prod","kind":"tempo","url":"/tempo"},
            {"name":" jaeger ","kind":"jaeger-v3","url":"https://jaeger.example:16686/","extra":1}],"theme":"dark"}"#;
        assert_eq!(
            parse_config(json).unwrap(),
            vec![
                Backend::new("prod", BackendKind::Tempo, "/tempo"),
                Backend::new("jaeger", BackendKind::JaegerV3, "https://jaeger.example:16686/")
            ]
        );
        assert_eq!(parse_config(r#"{"backends":[]}"#).unwrap(), vec![]);
    }

    #[test]
    fn explains_each_problem() {
        assert!(err("{").starts_with("config.json: not valid JSON at line 1, column 1"), "{}", err("{"));
        assert!(err("{}").contains("no \"backends\" list"));
        assert!(err(r#"{"backends":[{"kind":"tempo","url":"/t"}]}"#).contains("backends[0]: \"name\" is missing"));
        let e = err(r#"{"backends":[{"name":"a","kind":"elastic","url":"/t"}]}"#);
        assert!(e.contains(r#"backends[0] ("a"): unknown "kind" "elastic""#) && e.contains("jaeger-v3"), "{e}");
        let e = err(r#"{"backends":[{"name":"a","kind":"tempo","url":"/t"},{"name":"A","kind":"zipkin","url":"/z"}]}"#);
        assert!(e.contains("backends[1] (\"A\")") && e.contains("used twice"), "{e}");
        for bad in ["", "tempo:3200", "ftp://x", "//cdn/x", "http://", "javascript:alert(1)"] {
            let json = format!(r#"{{"backends":[{{"name":"a","kind":"tempo","url":{bad:?}}}]}}"#);
            assert!(err(&json).contains("\"url\""), "{bad}: {}", err(&json));
        }
        let e = err(r#"{"backends":[{"name":"a","kind":"tempo","url":"https://admin:hunter2@tempo.example/"}]}"#);
        assert!(e.contains("credentials") && !e.contains("hunter2") && e.contains("https://tempo.example/"), "{e}");
    }
}

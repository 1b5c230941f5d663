//! Telling what kind of backend sits at a URL (the "detect" button): fetch every URL of
//! [`probe_plan`], then hand the answers to [`detect_kind_from_probe`]. Each probe is an endpoint
//! only one kind answers with its own shape, so a wrong guess needs a server that imitates another.

use crate::BackendKind;
use crate::backend::Backend;
use serde_json::Value;

/// One probe's answer: which kind's probe URL was fetched, the status, the body as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeAnswer<'a> {
    pub probed: BackendKind,
    pub status: u16,
    pub body: &'a str,
}

/// The URLs to fetch, one per kind, in [`BackendKind::ALL`] order.
pub fn probe_plan(base_url: &str) -> Vec<(BackendKind, String)> {
    BackendKind::ALL.iter().map(|&k| (k, Backend::new("", k, base_url).probe_url())).collect()
}

/// Whether a probe answer is what that kind sends.
pub fn answer_matches(answer: &ProbeAnswer<'_>) -> bool {
    if !(200..300).contains(&answer.status) {
        return false;
    }
    let body = answer.body.trim_start_matches('\u{feff}').trim();
    let json = || serde_json::from_str::<Value>(body).ok();
    match answer.probed {
        // `http.Error(w, "echo", 200)`: the text and a newline.
        BackendKind::Tempo => body == "echo",
        // The envelope: `data` (a list, or null when empty) beside `errors`.
        BackendKind::Jaeger => json()
            .is_some_and(|v| v.get("data").is_some_and(|d| d.is_array() || d.is_null()) && v.get("errors").is_some()),
        // `{"services":[…]}`, or `{}` (proto3 JSON leaves an empty list out).
        BackendKind::JaegerV3 => json().is_some_and(|v| {
            v.as_object()
                .is_some_and(|o| o.is_empty() || (o.len() == 1 && o.get("services").is_some_and(Value::is_array)))
        }),
        // A bare list of strings.
        BackendKind::Zipkin => json().is_some_and(|v| v.as_array().is_some_and(|a| a.iter().all(Value::is_string))),
    }
}

/// The kind the answers point to, `None` when none matches. When a Jaeger server answers both of
/// its APIs (v1.60 to v2.20), the legacy one wins: it has dependencies and search on every version,
/// while api_v3 search summaries need v2.19.
pub fn detect_kind_from_probe(answers: &[ProbeAnswer<'_>]) -> Option<BackendKind> {
    let matched: Vec<BackendKind> = answers.iter().filter(|a| answer_matches(a)).map(|a| a.probed).collect();
    [BackendKind::Tempo, BackendKind::Zipkin, BackendKind::Jaeger, BackendKind::JaegerV3]
        .into_iter()
        .find(|k| matched.contains(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(probed: BackendKind, status: u16, body: &str) -> ProbeAnswer<'_> {
        ProbeAnswer { probed, status, body }
    }

    #[test]
    fn plan_covers_every_kind() {
        let plan = probe_plan("/x/");
        assert_eq!(plan[0], (BackendKind::Jaeger, "/x/api/services".to_owned()));
        assert_eq!(plan[2], (BackendKind::Tempo, "/x/api/echo".to_owned()));
        assert_eq!(plan.len(), 4);
    }

    #[test]
    fn detects_each_kind() {
        let miss = |k| a(k, 404, "404 page not found\n");
        let tempo = [
            miss(BackendKind::Jaeger),
            miss(BackendKind::JaegerV3),
            a(BackendKind::Tempo, 200, "echo\n"),
            miss(BackendKind::Zipkin),
        ];
        assert_eq!(detect_kind_from_probe(&tempo), Some(BackendKind::Tempo));
        let jaeger = [
            a(BackendKind::Jaeger, 200, r#"{"data":["a"],"total":1,"limit":0,"offset":0,"errors":null}"#),
            a(BackendKind::JaegerV3, 200, r#"{"services":["a"]}"#),
        ];
        assert_eq!(detect_kind_from_probe(&jaeger), Some(BackendKind::Jaeger));
        assert_eq!(detect_kind_from_probe(&jaeger[1..]), Some(BackendKind::JaegerV3));
        assert_eq!(
            detect_kind_from_probe(&[a(BackendKind::Zipkin, 200, r#"["backend","frontend"]"#)]),
            Some(BackendKind::Zipkin)
        );
        // A single-page app answering every path with its index page, or a JSON catch-all, is nothing.
        let spa = "<!doctype html><html></html>";
        let all: Vec<ProbeAnswer<'_>> = BackendKind::ALL.iter().map(|&k| a(k, 200, spa)).collect();
        assert_eq!(detect_kind_from_probe(&all), None);
        assert_eq!(
            detect_kind_from_probe(&[
                a(BackendKind::Zipkin, 200, r#"[1,2]"#),
                a(BackendKind::JaegerV3, 200, r#"{"services":1}"#)
            ]),
            None
        );
        assert_eq!(detect_kind_from_probe(&[]), None);
    }
}

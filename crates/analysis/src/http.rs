//! HTTP status codes on spans, for the status chips on waterfall rows: a 503 on a span that its
//! instrumentation did not mark as an error is exactly what an engineer hunting a failure needs to see.

use spanlens_model::{AnyValue, Span, TraceSet};

/// The attribute keys that carry an HTTP response status: the current semantic convention first,
/// then the older one (still what most Jaeger and Zipkin data uses).
const STATUS_KEYS: [&str; 2] = ["http.response.status_code", "http.status_code"];

/// The span's HTTP response status, from an integer or a numeric string attribute.
pub fn http_status(set: &TraceSet, span: &Span) -> Option<u16> {
    STATUS_KEYS.iter().find_map(|key| {
        let attr = span.attributes.iter().find(|a| set.resolve(a.key) == *key)?;
        let code = match &attr.value {
            AnyValue::Int(i) => *i,
            AnyValue::Str(s) => set.resolve(*s).trim().parse().ok()?,
            AnyValue::Float(f) if f.fract() == 0.0 => *f as i64,
            _ => return None,
        };
        u16::try_from(code).ok().filter(|c| (100..=599).contains(c))
    })
}

/// How a status reads at a glance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusClass {
    ServerError,
    ClientError,
}

/// 5xx and 4xx get a chip; everything else is unremarkable.
pub fn status_class(code: u16) -> Option<StatusClass> {
    match code {
        500..=599 => Some(StatusClass::ServerError),
        400..=499 => Some(StatusClass::ClientError),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{Val, build, s, trace};

    #[test]
    fn status_comes_from_either_convention_and_either_type() {
        let set = build(&[
            s(1, 0, 0, 10).attr("http.status_code", Val::Int(503)),
            s(2, 1, 1, 2).attr("http.response.status_code", Val::Str("404")),
            s(3, 1, 3, 2).attr("http.status_code", Val::Str("oops")),
            s(4, 1, 5, 2).attr("http.status_code", Val::Int(70000)),
            s(5, 1, 7, 2),
        ]);
        let t = trace(&set);
        let by_id = |id: u64| t.spans.iter().find(|sp| sp.span_id.0 == id).unwrap();
        assert_eq!(http_status(&set, by_id(1)), Some(503));
        assert_eq!(http_status(&set, by_id(2)), Some(404));
        assert_eq!(http_status(&set, by_id(3)), None);
        assert_eq!(http_status(&set, by_id(4)), None);
        assert_eq!(http_status(&set, by_id(5)), None);
        assert_eq!(status_class(503), Some(StatusClass::ServerError));
        assert_eq!(status_class(404), Some(StatusClass::ClientError));
        assert_eq!(status_class(200), None);
    }
}

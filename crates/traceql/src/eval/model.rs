//! Evaluation over spanlens-model traces: a [`SpanSource`] per trace plus
//! result shaping for the app and the CLI.

use super::pipeline::CompiledQuery;
use super::value::{AttrValue, Value};
use super::{Binding, NestedSet, SpanSource, Spanset};
use crate::ast::{AttrScope, Intrinsic, Query, SpanKind, Status};
use crate::error::{Error, Errors, line_col};
use serde::{Deserialize, Serialize};
use spanlens_model::{AnyValue, Attribute, Span, StatusCode, Sym, Trace, TraceSet};
use std::borrow::Cow;
use std::cell::OnceCell;

/// One trace of a [`TraceSet`] as the evaluator sees it.
pub struct ModelTrace<'a> {
    set: &'a TraceSet,
    trace: &'a Trace,
    nested: OnceCell<Vec<NestedSet>>,
}

impl<'a> ModelTrace<'a> {
    pub fn new(set: &'a TraceSet, trace: &'a Trace) -> Self {
        ModelTrace { set, trace, nested: OnceCell::new() }
    }

    fn span(&self, i: u32) -> Option<&'a Span> {
        self.trace.spans.get(i as usize)
    }

    fn str(&self, sym: Sym) -> Value<'a> {
        Value::Str(Cow::Borrowed(self.set.resolve(sym)))
    }

    fn convert(&self, v: &AnyValue) -> Value<'a> {
        match v {
            AnyValue::Str(s) => self.str(*s),
            AnyValue::Bool(b) => Value::Bool(*b),
            AnyValue::Int(i) => Value::Int(*i),
            AnyValue::Float(f) => Value::Float(*f),
            AnyValue::Array(items) => {
                // Homogeneous scalar arrays only; one element collapses to a scalar.
                let values: Vec<Value<'a>> = items.iter().map(|x| self.convert_scalar(x)).collect();
                let same = values.windows(2).all(|w| std::mem::discriminant(&w[0]) == std::mem::discriminant(&w[1]));
                if !same || values.iter().any(|v| matches!(v, Value::Nil)) {
                    return Value::Nil;
                }
                match values.len() {
                    0 => Value::Nil,
                    1 => values.into_iter().next().unwrap_or(Value::Nil),
                    _ => Value::Array(values.into_boxed_slice()),
                }
            }
            AnyValue::Bytes(_) | AnyValue::KvList(_) | AnyValue::Empty => Value::Nil,
        }
    }

    fn convert_scalar(&self, v: &AnyValue) -> Value<'a> {
        match v {
            AnyValue::Array(_) => Value::Nil,
            other => self.convert(other),
        }
    }

    fn find(&self, attrs: &'a [Attribute], key: Sym) -> Value<'a> {
        attrs.iter().find(|a| a.key == key).map_or(Value::Nil, |a| self.convert(&a.value))
    }

    fn root(&self) -> Option<&'a Span> {
        self.trace.root_span()
    }

    fn compute_nested(&self) -> Vec<NestedSet> {
        let tree = &self.trace.tree;
        let n = self.trace.spans.len();
        let left_of = |i: usize| -> i64 {
            let pre = i64::from(tree.preorder_pos.get(i).copied().unwrap_or(0));
            let depth = i64::from(tree.depth.get(i).copied().unwrap_or(0));
            1 + 2 * pre - depth
        };
        (0..n)
            .map(|i| {
                let left = left_of(i);
                let size = i64::from(tree.subtree_len.get(i).copied().unwrap_or(1));
                let parent = tree.parent_of(i as u32).map_or(-1, |p| left_of(p as usize));
                NestedSet { left, right: left + 2 * size - 1, parent }
            })
            .collect()
    }
}

fn hex16(id: u64) -> String {
    format!("{id:016x}")
}

impl SpanSource for ModelTrace<'_> {
    type Key = Option<Sym>;

    fn resolve_key(&self, name: &str) -> Option<Sym> {
        self.set.strings.get(name)
    }

    fn span_count(&self) -> u32 {
        u32::try_from(self.trace.spans.len()).unwrap_or(u32::MAX)
    }

    fn attribute(&self, at: Binding, scope: AttrScope, key: &Option<Sym>) -> Value<'_> {
        let (Some(key), Some(span)) = (*key, self.span(at.span)) else {
            return Value::Nil;
        };
        let resource = || self.set.resource(span).map_or(Value::Nil, |r| self.find(&r.attributes, key));
        match scope {
            AttrScope::Span => self.find(&span.attributes, key),
            AttrScope::Resource => resource(),
            AttrScope::None => match self.find(&span.attributes, key) {
                Value::Nil => resource(),
                v => v,
            },
            AttrScope::Event => {
                at.event.and_then(|e| span.events.get(e as usize)).map_or(Value::Nil, |e| self.find(&e.attributes, key))
            }
            AttrScope::Link => {
                at.link.and_then(|l| span.links.get(l as usize)).map_or(Value::Nil, |l| self.find(&l.attributes, key))
            }
            AttrScope::Instrumentation => self.set.scope(span).map_or(Value::Nil, |s| self.find(&s.attributes, key)),
        }
    }

    fn intrinsic(&self, at: Binding, intrinsic: Intrinsic) -> Value<'_> {
        let Some(span) = self.span(at.span) else {
            return Value::Nil;
        };
        let event = || at.event.and_then(|e| span.events.get(e as usize));
        let link = || at.link.and_then(|l| span.links.get(l as usize));
        match intrinsic {
            // An unknown end has no duration: `duration < 1ms` must not match a span that never
            // reported one, so it is nil like a missing attribute.
            Intrinsic::Duration => span.known_duration_nanos().map_or(Value::Nil, Value::DurationNanos),
            Intrinsic::Name => self.str(span.name),
            Intrinsic::Status => Value::Status(match span.status.code {
                StatusCode::Unset => Status::Unset,
                StatusCode::Ok => Status::Ok,
                StatusCode::Error => Status::Error,
            }),
            Intrinsic::StatusMessage => span.status.message.map_or(Value::Str(Cow::Borrowed("")), |m| self.str(m)),
            Intrinsic::Kind => Value::Kind(match span.kind {
                spanlens_model::SpanKind::Unspecified => SpanKind::Unspecified,
                spanlens_model::SpanKind::Internal => SpanKind::Internal,
                spanlens_model::SpanKind::Server => SpanKind::Server,
                spanlens_model::SpanKind::Client => SpanKind::Client,
                spanlens_model::SpanKind::Producer => SpanKind::Producer,
                spanlens_model::SpanKind::Consumer => SpanKind::Consumer,
            }),
            Intrinsic::ChildCount => {
                Value::Int(i64::try_from(self.trace.tree.children(at.span).len()).unwrap_or(i64::MAX))
            }
            Intrinsic::SpanId => Value::Str(Cow::Owned(hex16(span.span_id.0))),
            Intrinsic::ParentId => span.parent_span_id.map_or(Value::Nil, |p| Value::Str(Cow::Owned(hex16(p.0)))),
            Intrinsic::TraceId => Value::Str(Cow::Owned(format!("{:x}", self.trace.trace_id.0))),
            Intrinsic::TraceRootName => self.root().map_or(Value::Str(Cow::Borrowed("")), |r| self.str(r.name)),
            Intrinsic::TraceRootService => self.root().map_or(Value::Str(Cow::Borrowed("")), |r| self.str(r.service)),
            Intrinsic::TraceDuration => Value::DurationNanos(self.trace.duration_nanos()),
            Intrinsic::EventName => event().map_or(Value::Nil, |e| self.str(e.name)),
            Intrinsic::EventTimeSinceStart => {
                event().map_or(Value::Nil, |e| Value::DurationNanos(e.time_nanos.saturating_sub(span.start_nanos)))
            }
            Intrinsic::LinkTraceId => {
                link().map_or(Value::Nil, |l| Value::Str(Cow::Owned(format!("{:x}", l.trace_id.0))))
            }
            Intrinsic::LinkSpanId => link().map_or(Value::Nil, |l| Value::Str(Cow::Owned(hex16(l.span_id.0)))),
            Intrinsic::InstrumentationName => self.set.scope(span).map_or(Value::Nil, |s| self.str(s.name)),
            Intrinsic::InstrumentationVersion => {
                self.set.scope(span).and_then(|s| s.version).map_or(Value::Nil, |v| self.str(v))
            }
            Intrinsic::NestedSetLeft => Value::Int(self.nested_set(at.span).left),
            Intrinsic::NestedSetRight => Value::Int(self.nested_set(at.span).right),
            Intrinsic::NestedSetParent => Value::Int(self.nested_set(at.span).parent),
            Intrinsic::Parent => Value::Nil,
        }
    }

    fn event_count(&self, span: u32) -> u32 {
        self.span(span).map_or(0, |s| u32::try_from(s.events.len()).unwrap_or(u32::MAX))
    }

    fn link_count(&self, span: u32) -> u32 {
        self.span(span).map_or(0, |s| u32::try_from(s.links.len()).unwrap_or(u32::MAX))
    }

    fn nested_set(&self, span: u32) -> NestedSet {
        self.nested.get_or_init(|| self.compute_nested()).get(span as usize).copied().unwrap_or_default()
    }

    fn parent_span(&self, span: u32) -> Option<u32> {
        self.trace.tree.parent_of(span)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvalOptions {
    /// Stop after this many matching traces (in `TraceSet` order).
    pub limit: Option<usize>,
}

/// `select(...)` values of one span.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SelectedSpan {
    pub span: u32,
    pub values: Vec<(String, AttrValue)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpansetMatch {
    /// Indices into `Trace::spans`, sorted.
    pub spans: Vec<u32>,
    pub matched: usize,
    /// `by(...)` groups and aggregate values, e.g. `("count()", Int(3))`.
    pub attributes: Vec<(String, AttrValue)>,
    pub scalar: Option<AttrValue>,
    pub selected: Vec<SelectedSpan>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceMatch {
    /// Index into `TraceSet::traces`.
    pub trace_index: usize,
    pub trace_id: String,
    pub root_service: String,
    pub root_name: String,
    pub start_nanos: i64,
    pub duration_nanos: i64,
    pub spansets: Vec<SpansetMatch>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    pub traces: Vec<TraceMatch>,
    pub traces_inspected: usize,
    pub spans_inspected: usize,
}

/// Evaluates a checked query over every trace of `set`.
pub fn evaluate(query: &Query, set: &TraceSet, opts: &EvalOptions) -> Result<SearchResult, Error> {
    let compiled = CompiledQuery::compile(query, &|name| set.strings.get(name), "")?;
    let mut result = SearchResult::default();
    for (trace_index, trace) in set.traces.iter().enumerate() {
        if opts.limit.is_some_and(|l| result.traces.len() >= l) {
            break;
        }
        result.traces_inspected += 1;
        result.spans_inspected += trace.spans.len();
        let src = ModelTrace::new(set, trace);
        let sets = compiled.run(&src, vec![Spanset::all(src.span_count())])?;
        if sets.is_empty() {
            continue;
        }
        let root = trace.root_span();
        let spansets = sets.into_iter().map(|s| shape(&compiled, &src, s)).collect();
        result.traces.push(TraceMatch {
            trace_index,
            trace_id: trace.trace_id_hex(),
            root_service: root.map_or_else(String::new, |r| set.resolve(r.service).to_string()),
            root_name: root.map_or_else(String::new, |r| set.resolve(r.name).to_string()),
            start_nanos: trace.start_nanos,
            duration_nanos: trace.duration_nanos(),
            spansets,
        });
    }
    Ok(result)
}

fn shape(compiled: &CompiledQuery<Option<Sym>>, src: &ModelTrace<'_>, s: Spanset) -> SpansetMatch {
    let selected = if compiled.selects.is_empty() {
        Vec::new()
    } else {
        s.spans
            .iter()
            .map(|&span| SelectedSpan {
                span,
                values: compiled
                    .selects
                    .iter()
                    .map(|(label, e)| {
                        let v = e
                            .eval(src, Binding { span, event: None, link: None })
                            .map_or(AttrValue::Nil, |v| v.to_attr_value());
                        (label.clone(), v)
                    })
                    .collect(),
            })
            .collect()
    };
    SpansetMatch { matched: s.spans.len(), spans: s.spans, attributes: s.attributes, scalar: s.scalar, selected }
}

/// Parses, validates and evaluates `text`. Errors carry positions in `text`.
pub fn search(text: &str, set: &TraceSet, opts: &EvalOptions) -> Result<SearchResult, Errors> {
    let query = crate::check_extended(text)?;
    evaluate(&query, set, opts).map_err(|e| positioned(text, e))
}

/// An evaluation error with its line and column in `text` (checking errors already carry them).
fn positioned(text: &str, mut e: Error) -> Errors {
    let (line, col) = line_col(text, e.range.start);
    e.line = line;
    e.col = col;
    Errors(vec![e])
}

/// Parses, validates and evaluates `text` over one trace of `set` (the find box of a trace view):
/// the spans of every matching spanset, sorted and without repeats. Other traces are not touched,
/// so the cost is that of the trace shown, whatever else is loaded. Errors carry positions in `text`.
pub fn search_trace(text: &str, set: &TraceSet, trace_index: usize) -> Result<Vec<u32>, Errors> {
    let query = crate::check_extended(text)?;
    let Some(trace) = set.traces.get(trace_index) else { return Ok(Vec::new()) };
    let with_position = |e: Error| positioned(text, e);
    let compiled = CompiledQuery::compile(&query, &|name| set.strings.get(name), "").map_err(with_position)?;
    let src = ModelTrace::new(set, trace);
    let sets = compiled.run(&src, vec![Spanset::all(src.span_count())]).map_err(with_position)?;
    let mut spans: Vec<u32> = sets.into_iter().flat_map(|s| s.spans).collect();
    spans.sort_unstable();
    spans.dedup();
    Ok(spans)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use spanlens_model::{Resource, SpanId, TraceId, TraceSetBuilder};

    /// root(checkout) -> a(payments, 500) -> b(payments, 200); root -> c(db)
    fn sample() -> TraceSet {
        let mut b = TraceSetBuilder::new();
        let svc = |b: &mut TraceSetBuilder, name: &str| {
            let service = b.intern(name);
            let key = b.intern("service.name");
            let r = b.add_resource(Resource {
                service,
                attributes: vec![Attribute { key, value: AnyValue::Str(service) }].into_boxed_slice(),
                dropped_attributes_count: 0,
            });
            (service, r)
        };
        let (checkout, r0) = svc(&mut b, "checkout");
        let (payments, r1) = svc(&mut b, "payments");
        let (db, r2) = svc(&mut b, "db");
        let code = b.intern("http.status_code");
        let mut span = |id: u64, parent: Option<u64>, name: &str, service: Sym, res, status: Option<i64>| {
            let n = b.intern(name);
            let mut s = Span::new(SpanId(id), n, service, id as i64 * 10, 100 - id as i64);
            s.parent_span_id = parent.map(SpanId);
            s.resource = res;
            if let Some(c) = status {
                s.attributes = vec![Attribute { key: code, value: AnyValue::Int(c) }].into_boxed_slice();
            }
            b.push_span(TraceId(0xabc), 16, s);
        };
        span(1, None, "GET /", checkout, r0, None);
        span(2, Some(1), "charge", payments, r1, Some(500));
        span(3, Some(2), "retry", payments, r1, Some(200));
        span(4, Some(1), "query", db, r2, None);
        b.finish()
    }

    fn names(set: &TraceSet, q: &str) -> Vec<Vec<String>> {
        let r = search(q, set, &EvalOptions::default()).unwrap_or_else(|e| panic!("{q}: {e}"));
        r.traces
            .iter()
            .flat_map(|t| &t.spansets)
            .map(|s| s.spans.iter().map(|&i| set.resolve(set.traces[0].spans[i as usize].name).to_string()).collect())
            .collect()
    }

    #[test]
    fn filters_and_structure() {
        let set = sample();
        assert_eq!(
            names(&set, r#"{ span.http.status_code >= 500 && resource.service.name = "payments" }"#),
            [["charge"]]
        );
        assert_eq!(names(&set, r#"{ resource.service.name = "checkout" } > { }"#), [["charge", "query"]]);
        assert_eq!(names(&set, r#"{ name = "GET /" } >> { .http.status_code != nil }"#), [["charge", "retry"]]);
        assert_eq!(names(&set, r#"{ name = "retry" } << { }"#), [["GET /", "charge"]]);
        assert_eq!(names(&set, r#"{ name = "charge" } ~ { }"#), [["query"]]);
        assert_eq!(names(&set, "{ } !< { }"), [["retry", "query"]]);
        assert_eq!(names(&set, r#"{ name = "GET /" } &> { name = "query" }"#), [["GET /", "query"]]);
        assert_eq!(names(&set, "{ nestedSetParent = -1 }"), [["GET /"]]);
        assert_eq!(names(&set, "{ span:childCount = 2 }"), [["GET /"]]);
        assert_eq!(
            names(&set, r#"{ trace:id = "0000abc" && rootServiceName = "checkout" }"#),
            [["GET /", "charge", "retry", "query"]]
        );
        assert!(names(&set, r#"{ resource.service.name = "nope" }"#).is_empty());
    }

    #[test]
    fn search_trace_matches_search_for_that_trace_only() {
        let set = sample();
        for q in [
            r#"{ resource.service.name = "payments" }"#,
            r#"{ resource.service.name = "checkout" } > { }"#,
            "{ } | by(resource.service.name) | count() > 1",
            r#"{ resource.service.name = "nope" }"#,
        ] {
            let all = search(q, &set, &EvalOptions::default()).unwrap();
            let mut expected: Vec<u32> =
                all.traces.iter().flat_map(|t| t.spansets.iter().flat_map(|s| s.spans.iter().copied())).collect();
            expected.sort_unstable();
            expected.dedup();
            assert_eq!(search_trace(q, &set, 0).unwrap(), expected, "{q}");
        }
        assert_eq!(search_trace("{ }", &set, 7).unwrap(), Vec::<u32>::new(), "a missing trace matches nothing");
        let e = search_trace("{ 1 / 0 = 1 }", &set, 0).unwrap_err();
        assert_eq!((e.kind(), e.0[0].line, e.0[0].col), (crate::ErrorKind::Runtime, 1, 3));
        assert_eq!(search_trace("{ name = }", &set, 0).unwrap_err().kind(), crate::ErrorKind::Syntax);
    }

    #[test]
    fn parent_scope_extension() {
        let set = sample();
        assert_eq!(names(&set, r#"{ parent.resource.service.name = "payments" }"#), [["retry"]]);
        assert_eq!(names(&set, r#"{ parent.name = "GET /" }"#), [["charge", "query"]]);
        assert_eq!(names(&set, "{ parent.duration > 98ns }"), [["charge", "query"]]);
        assert_eq!(names(&set, "{ parent.http.status_code = 500 }"), [["retry"]]);
        assert_eq!(names(&set, "{ span.http.status_code = parent.span.http.status_code - 300 }"), [["retry"]]);
        // A root has no parent: its parent fields are nil.
        assert_eq!(names(&set, "{ parent.name = nil }"), [["GET /"]]);
        assert!(names(&set, r#"{ parent.name != "x" && name = "GET /" }"#).is_empty());
        // Tempo refuses all of these; `check` says so, `check_extended` (used by search) accepts.
        for q in ["{ parent.duration > 1s }", "({ } | count()) = ({ } | count())", "{ } | count() > avg(duration)"] {
            assert_eq!(crate::check(q).unwrap_err().kind(), crate::ErrorKind::Unsupported, "{q}");
            assert!(crate::check_extended(q).is_ok(), "{q}");
        }
        assert_eq!(crate::check_extended("{ parent }").unwrap_err().kind(), crate::ErrorKind::Unsupported);
        assert_eq!(
            crate::check_extended(r#"{ parent.duration > "x" }"#).unwrap_err().kind(),
            crate::ErrorKind::Validation
        );
    }

    #[test]
    fn pipeline_comparisons_and_scalar_arithmetic() {
        let set = sample();
        assert_eq!(
            names(
                &set,
                r#"({ resource.service.name = "payments" } | count()) > ({ resource.service.name = "db" } | count())"#
            ),
            [["charge", "retry", "query"]]
        );
        assert!(
            names(
                &set,
                r#"({ resource.service.name = "payments" } | count()) < ({ resource.service.name = "db" } | count())"#
            )
            .is_empty()
        );
        assert_eq!(names(&set, "({ } | count()) = ({ } | count())"), [["GET /", "charge", "retry", "query"]]);
        assert_eq!(
            names(&set, "({ } | count()) - ({ .http.status_code != nil } | count()) = 2"),
            [["GET /", "charge", "retry", "query"]]
        );
        assert!(names(&set, "({ .nope } | count()) = 0").is_empty(), "an empty side has no count");
        assert_eq!(names(&set, "{ } | max(duration) - min(duration) > 2ns"), [["GET /", "charge", "retry", "query"]]);
        assert!(names(&set, "{ } | max(duration) - min(duration) > 3ns").is_empty());
        let r = search("{ } | count() > sum(.http.status_code) / 1000", &set, &EvalOptions::default()).unwrap();
        assert_eq!(r.traces[0].spansets[0].attributes, [("count()".to_string(), AttrValue::Int(4))]);
        assert!(names(&set, "{ } | count() < min(.http.status_code) - 197").is_empty());
        // coalesce() merges the by() groups of a trace back into one spanset.
        assert_eq!(
            names(&set, "{ } | by(resource.service.name) | coalesce()"),
            [["GET /", "charge", "retry", "query"]]
        );
        assert_eq!(names(&set, "{ } | by(resource.service.name) | count() > 1 | coalesce()"), [["charge", "retry"]]);
    }

    #[test]
    fn pipelines_and_errors() {
        let set = sample();
        let r = search("{ } | by(resource.service.name) | count() > 1", &set, &EvalOptions::default()).unwrap();
        let attrs = &r.traces[0].spansets[0].attributes;
        assert_eq!(attrs[0], ("by(resource.service.name)".to_string(), AttrValue::String("payments".into())));
        assert_eq!(attrs[1], ("count()".to_string(), AttrValue::Int(2)));
        let r = search("{ .http.status_code = 200 } | select(resource.service.name)", &set, &EvalOptions::default())
            .unwrap();
        assert_eq!(r.traces[0].spansets[0].selected[0].values[0].1, AttrValue::String("payments".into()));
        let e = search("{ } | rate()", &set, &EvalOptions::default()).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Unsupported);
        let e = search("{ 1 / 0 = 1 }", &set, &EvalOptions::default()).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Runtime);
        assert_eq!((e.0[0].line, e.0[0].col), (1, 3));
    }
}

//! A `SpanSource` built from a semantics.jsonl case: Tempo's mock spans
//! with explicit scopes, intrinsics and nested-set numbers.

use serde_json::Value as Json;
use spanlens_traceql::ast::{AttrScope, Intrinsic, SpanKind, Status};
use spanlens_traceql::display::intrinsic_name;
use spanlens_traceql::eval::{AttrValue, Binding, NestedSet, SpanSource, Spanset, Value};
use std::borrow::Cow;

pub struct MockSpan {
    pub json: String,
    attrs: Vec<(Option<String>, Option<String>, Value<'static>)>,
    nested: NestedSet,
}

pub struct MockTrace {
    pub spans: Vec<MockSpan>,
}

pub fn parse_value(v: &Json) -> Value<'static> {
    let ty = v["type"].as_str().unwrap_or("nil");
    let val = &v["value"];
    let scalar = |ty: &str, val: &Json| -> Value<'static> {
        match ty {
            "string" => Value::Str(Cow::Owned(val.as_str().unwrap_or_default().to_string())),
            "int" => Value::Int(val.as_i64().unwrap_or_default()),
            "float" => Value::Float(val.as_f64().unwrap_or_default()),
            "bool" => Value::Bool(val.as_bool().unwrap_or_default()),
            "status" => Value::Status(match val.as_str() {
                Some("error") => Status::Error,
                Some("ok") => Status::Ok,
                _ => Status::Unset,
            }),
            "kind" => Value::Kind(match val.as_str() {
                Some("internal") => SpanKind::Internal,
                Some("client") => SpanKind::Client,
                Some("server") => SpanKind::Server,
                Some("producer") => SpanKind::Producer,
                Some("consumer") => SpanKind::Consumer,
                _ => SpanKind::Unspecified,
            }),
            _ => Value::Nil,
        }
    };
    if ty == "duration" {
        return Value::DurationNanos(v["value_ns"].as_i64().unwrap_or_default());
    }
    if let Some(elem) = ty.strip_suffix("[]") {
        let items: Vec<Value<'static>> =
            val.as_array().map(|a| a.iter().map(|x| scalar(elem, x)).collect()).unwrap_or_default();
        return match items.len() {
            0 => Value::Nil,
            1 => items.into_iter().next().unwrap_or(Value::Nil),
            _ => Value::Array(items.into_boxed_slice()),
        };
    }
    scalar(ty, val)
}

pub fn parse_attr_value(v: &Json) -> AttrValue {
    parse_value(v).to_attr_value()
}

impl MockTrace {
    /// All spans of all input spansets, plus the spansets as index lists.
    pub fn from_case(input: &[Json]) -> (MockTrace, Vec<Spanset>) {
        let mut spans = Vec::new();
        let mut sets = Vec::new();
        for set in input {
            let mut idx = Vec::new();
            for s in set["spans"].as_array().cloned().unwrap_or_default() {
                idx.push(spans.len() as u32);
                let attrs = s["attributes"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|x| {
                                (
                                    x["scope"].as_str().map(String::from),
                                    x["name"].as_str().or(x["intrinsic"].as_str()).map(String::from),
                                    parse_value(x),
                                )
                            })
                            .map(|(scope, name, v)| if scope.is_none() { (None, name, v) } else { (scope, name, v) })
                            .collect()
                    })
                    .unwrap_or_default();
                let ns = &s["nested_set"];
                let nested = NestedSet {
                    left: ns["left"].as_i64().unwrap_or(0),
                    right: ns["right"].as_i64().unwrap_or(0),
                    parent: ns["parent"].as_i64().unwrap_or(0),
                };
                spans.push(MockSpan { json: canonical(&s), attrs, nested });
            }
            sets.push(Spanset { spans: idx, ..Spanset::default() });
        }
        (MockTrace { spans }, sets)
    }

    fn find(&self, span: u32, scope: Option<&str>, name: &str) -> Value<'_> {
        let Some(s) = self.spans.get(span as usize) else {
            return Value::Nil;
        };
        s.attrs
            .iter()
            .find(|(sc, n, _)| sc.as_deref() == scope && n.as_deref() == Some(name))
            .map_or(Value::Nil, |(_, _, v)| v.reborrow())
    }
}

pub fn canonical(v: &Json) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

impl SpanSource for MockTrace {
    type Key = String;

    fn resolve_key(&self, name: &str) -> String {
        name.to_string()
    }

    fn span_count(&self) -> u32 {
        self.spans.len() as u32
    }

    fn attribute(&self, at: Binding, scope: AttrScope, key: &String) -> Value<'_> {
        let scope_name = match scope {
            AttrScope::None => {
                for s in ["none", "span", "resource"] {
                    let v = self.find(at.span, Some(s), key);
                    if v != Value::Nil {
                        return v;
                    }
                }
                return Value::Nil;
            }
            AttrScope::Span => "span",
            AttrScope::Resource => "resource",
            AttrScope::Event => "event",
            AttrScope::Link => "link",
            AttrScope::Instrumentation => "instrumentation",
        };
        self.find(at.span, Some(scope_name), key)
    }

    fn intrinsic(&self, at: Binding, intrinsic: Intrinsic) -> Value<'_> {
        let ns = self.nested_set(at.span);
        match intrinsic {
            Intrinsic::NestedSetLeft => Value::Int(ns.left),
            Intrinsic::NestedSetRight => Value::Int(ns.right),
            Intrinsic::NestedSetParent => Value::Int(ns.parent),
            other => self.find(at.span, None, intrinsic_name(other)),
        }
    }

    fn event_count(&self, _span: u32) -> u32 {
        0
    }

    fn link_count(&self, _span: u32) -> u32 {
        0
    }

    fn nested_set(&self, span: u32) -> NestedSet {
        self.spans.get(span as usize).map(|s| s.nested).unwrap_or_default()
    }
}

//! Borrowed serde structs covering every Jaeger JSON spelling (query JSON and protojson, camelCase
//! and snake_case) through aliases, plus the normalization of the many envelopes into a list of
//! traces.

use crate::import::json_scalar::Scalar;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// One JSON object that may be an envelope, a trace or a span: Jaeger's shapes overlap so much that
/// one lenient struct reads them all, and [`Top::into_traces`] sorts out which it was.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Node<'a> {
    // Span fields.
    #[serde(borrow, alias = "traceId", alias = "trace_id")]
    #[serde(rename = "traceID")]
    pub trace_id: Option<Scalar<'a>>,
    #[serde(borrow, rename = "spanID", alias = "spanId", alias = "span_id")]
    pub span_id: Option<Scalar<'a>>,
    #[serde(borrow, rename = "parentSpanID", alias = "parentSpanId", alias = "parent_span_id")]
    pub parent_span_id: Option<Scalar<'a>>,
    #[serde(borrow, rename = "operationName", alias = "operation_name")]
    pub operation_name: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub references: Option<Vec<Reference<'a>>>,
    #[serde(borrow, rename = "startTime", alias = "start_time")]
    pub start_time: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub duration: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub flags: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub tags: Option<Vec<Tag<'a>>>,
    #[serde(borrow)]
    pub logs: Option<Vec<Log<'a>>>,
    #[serde(borrow, rename = "processID", alias = "processId", alias = "process_id")]
    pub process_id: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub process: Option<Process<'a>>,
    #[serde(borrow)]
    pub warnings: Option<Vec<Scalar<'a>>>,
    // Trace fields.
    #[serde(borrow)]
    pub spans: Option<Vec<Node<'a>>>,
    #[serde(borrow, deserialize_with = "processes")]
    pub processes: Vec<(Scalar<'a>, Process<'a>)>,
    #[serde(borrow, rename = "processMap", alias = "process_map")]
    pub process_map: Option<Vec<ProcessMapping<'a>>>,
    // Envelope fields.
    #[serde(borrow)]
    pub data: Option<Data<'a>>,
    #[serde(borrow)]
    pub result: Option<Box<Node<'a>>>,
    #[serde(borrow)]
    pub errors: Option<Vec<ApiError<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Reference<'a> {
    #[serde(borrow, rename = "refType", alias = "ref_type")]
    pub ref_type: Option<Scalar<'a>>,
    #[serde(borrow, rename = "traceID", alias = "traceId", alias = "trace_id")]
    pub trace_id: Option<Scalar<'a>>,
    #[serde(borrow, rename = "spanID", alias = "spanId", alias = "span_id")]
    pub span_id: Option<Scalar<'a>>,
}

/// A tag in either spelling: `{key, type, value}` or `{key, vType, vStr|vBool|vInt64|vFloat64|vBinary}`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Tag<'a> {
    #[serde(borrow)]
    pub key: Option<Scalar<'a>>,
    #[serde(borrow, rename = "type", alias = "vType", alias = "v_type")]
    pub ty: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub value: Option<Scalar<'a>>,
    #[serde(borrow, rename = "vStr", alias = "v_str")]
    pub v_str: Option<Scalar<'a>>,
    #[serde(borrow, rename = "vBool", alias = "v_bool")]
    pub v_bool: Option<Scalar<'a>>,
    #[serde(borrow, rename = "vInt64", alias = "v_int64")]
    pub v_int64: Option<Scalar<'a>>,
    #[serde(borrow, rename = "vFloat64", alias = "v_float64")]
    pub v_float64: Option<Scalar<'a>>,
    #[serde(borrow, rename = "vBinary", alias = "v_binary")]
    pub v_binary: Option<Scalar<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Log<'a> {
    #[serde(borrow)]
    pub timestamp: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub fields: Option<Vec<Tag<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Process<'a> {
    #[serde(borrow, rename = "serviceName", alias = "service_name")]
    pub service_name: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub tags: Option<Vec<Tag<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProcessMapping<'a> {
    #[serde(borrow, rename = "processId", alias = "process_id", alias = "processID")]
    pub process_id: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub process: Option<Process<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ApiError<'a> {
    #[serde(borrow)]
    pub code: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub msg: Option<Scalar<'a>>,
    #[serde(borrow, rename = "traceID")]
    pub trace_id: Option<Scalar<'a>>,
}

/// `data` holds an array of traces (API) or one trace (UI state dump).
pub struct Data<'a>(pub Vec<Node<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for Data<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Data<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of traces or one trace object")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Data<'de>, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Data)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Data<'de>, A::Error> {
                Node::deserialize(de::value::MapAccessDeserializer::new(map)).map(|n| Data(vec![n]))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Data<'de>, E> {
                Ok(Data(Vec::new()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// `processes` is a map `{p1: Process}`; kept in file order as pairs.
fn processes<'de: 'a, 'a, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<(Scalar<'a>, Process<'a>)>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<(Scalar<'de>, Process<'de>)>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a map of process ids to processes")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(entry) = map.next_entry()? {
                out.push(entry);
            }
            Ok(out)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
    }
    deserializer.deserialize_any(V)
}

/// The whole document: one node or an array of nodes.
pub enum Top<'a> {
    One(Box<Node<'a>>),
    Many(Vec<Node<'a>>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Top<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Top<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a Jaeger JSON object or array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Top<'de>, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Top::Many)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Top<'de>, A::Error> {
                Node::deserialize(de::value::MapAccessDeserializer::new(map)).map(|n| Top::One(Box::new(n)))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A trace after envelope normalization: its spans, the processes they may refer to, and messages.
#[derive(Default)]
pub struct TraceDoc<'a> {
    pub trace_id: Option<Scalar<'a>>,
    pub spans: Vec<Node<'a>>,
    pub processes: Vec<(Scalar<'a>, Process<'a>)>,
    /// Trace-level warnings and API errors, as text.
    pub warnings: Vec<String>,
    /// A `Batch`'s process: applies to spans without one of their own.
    pub batch_process: Option<Process<'a>>,
    pub errors: Vec<String>,
}

impl<'a> Top<'a> {
    pub fn into_traces(self) -> Vec<TraceDoc<'a>> {
        let mut out = Vec::new();
        match self {
            Top::One(node) => flatten(*node, &mut out, 0),
            Top::Many(nodes) => {
                // An array of bare spans (anonymizer, Elasticsearch) forms one pseudo-trace document;
                // spans carry their own trace ids, so several traces still come out right.
                let mut loose = TraceDoc::default();
                for node in nodes {
                    if node.spans.is_some() || node.data.is_some() || node.result.is_some() {
                        flatten(node, &mut out, 0);
                    } else {
                        loose.spans.push(node);
                    }
                }
                if !loose.spans.is_empty() {
                    out.push(loose);
                }
            }
        }
        out
    }
}

fn flatten<'a>(mut node: Node<'a>, out: &mut Vec<TraceDoc<'a>>, depth: u8) {
    let mut errors = Vec::new();
    for e in node.errors.take().unwrap_or_default() {
        let msg = e.msg.as_ref().and_then(Scalar::as_str).unwrap_or("(no message)");
        let code = e.code.as_ref().and_then(Scalar::as_i64).map_or(String::new(), |c| format!(" (code {c})"));
        errors.push(format!("the server reported an error{code}: {msg}"));
    }
    if depth < 2 {
        if let Some(data) = node.data.take() {
            for child in data.0 {
                flatten(child, out, depth + 1);
            }
        }
        if let Some(result) = node.result.take() {
            flatten(*result, out, depth + 1);
        }
    }
    let spans = node.spans.take().unwrap_or_default();
    let mut processes = std::mem::take(&mut node.processes);
    for mapping in node.process_map.take().unwrap_or_default() {
        if let (Some(id), Some(process)) = (mapping.process_id, mapping.process) {
            processes.push((id, process));
        }
    }
    let warnings =
        node.warnings.take().unwrap_or_default().iter().filter_map(|w| w.as_str().map(str::to_owned)).collect();
    if !spans.is_empty() || !errors.is_empty() {
        out.push(TraceDoc {
            trace_id: node.trace_id.take(),
            spans,
            processes,
            warnings,
            batch_process: node.process.take(),
            errors,
        });
    }
}

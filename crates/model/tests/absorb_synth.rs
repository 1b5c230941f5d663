//! Absorbing every trace of a synthetic set reproduces its content. An integration test because
//! spanlens-synth depends on this crate: only here are its sets and ours the same types.
#![allow(clippy::unwrap_used)]

use spanlens_model::{AbsorbContext, Attribute, Span, TraceSet, TraceSetBuilder};
use spanlens_synth::{SynthOptions, generate};

fn attrs(set: &TraceSet, a: &[Attribute]) -> String {
    a.iter().map(|a| format!("{}={}", set.resolve(a.key), a.value.display(&set.strings))).collect::<Vec<_>>().join(",")
}

fn describe_span(set: &TraceSet, s: &Span) -> String {
    let resource = set.resource(s).map(|r| format!("{}[{}]", set.resolve(r.service), attrs(set, &r.attributes)));
    let scope = set.scope(s).map(|c| format!("{}@{:?}", set.resolve(c.name), c.version.map(|v| set.resolve(v))));
    let events: Vec<String> = s
        .events
        .iter()
        .map(|e| format!("{}@{}[{}]", set.resolve(e.name), e.time_nanos, attrs(set, &e.attributes)))
        .collect();
    format!(
        "{} {:?} {}+{} {} {} {:?} {:?} {:?} [{}] {resource:?} {scope:?} {events:?} links={} src={:?}",
        s.span_id,
        s.parent_span_id,
        s.start_nanos,
        s.duration_nanos,
        set.resolve(s.name),
        set.resolve(s.service),
        s.kind,
        s.status.code,
        s.status.message.map(|m| set.resolve(m)),
        attrs(set, &s.attributes),
        s.links.len(),
        set.sources.get(s.source.0 as usize).map(|x| &x.name),
    )
}

#[test]
fn absorbing_every_synthetic_trace_reproduces_the_set() {
    let original = generate(&SynthOptions { spans: 3000, traces: 12, seed: 7, deep_chain: true });
    let mut builder = TraceSetBuilder::new();
    let mut ctx = AbsorbContext::new(&original);
    for i in 0..original.traces.len() {
        assert!(builder.absorb_trace(&mut ctx, i));
    }
    let copy = builder.finish();
    assert_eq!(copy.traces.len(), original.traces.len());
    for (a, b) in original.traces.iter().zip(&copy.traces) {
        assert_eq!(
            (a.trace_id, a.trace_id_width_bytes, a.start_nanos, a.end_nanos),
            (b.trace_id, b.trace_id_width_bytes, b.start_nanos, b.end_nanos)
        );
        assert_eq!(a.tree, b.tree, "same parents, children and order");
        let da: Vec<String> = a.spans.iter().map(|s| describe_span(&original, s)).collect();
        let db: Vec<String> = b.spans.iter().map(|s| describe_span(&copy, s)).collect();
        assert_eq!(da, db);
    }
    assert_eq!(copy.warnings, original.warnings);
    assert_eq!(copy.sources, original.sources);
    assert!(copy.resources.len() <= original.resources.len(), "resources are copied at most once");
}

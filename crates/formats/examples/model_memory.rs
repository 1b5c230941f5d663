//! Memory of the model: bytes per span excluding attribute payload, and peak RSS while importing.
//!
//! `cargo run --release -p spanlens-formats --example model_memory -- [SPANS] [otlp-json|jaeger-json]`
//!
//! The parent generates `SPANS` synthetic spans (default 1,000,000), writes them to a temporary file
//! and runs itself again on that file, so the child's peak RSS (`VmHWM` in /proc/self/status) covers
//! only reading the file and importing it, not generating it.

use spanlens_formats::export::{self, ExportFormat};
use spanlens_formats::import::import_bytes;
use spanlens_model::{Attribute, Event, Link, Span, TraceSet, TraceSetBuilder};
use spanlens_synth::{SynthOptions, generate};
use std::mem::size_of;

fn status_kib(field: &str) -> u64 {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    text.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Bytes the span arenas and trees hold, capacity included; attribute, event and link contents and
/// strings are payload and reported separately.
fn model_bytes(set: &TraceSet) -> (usize, usize) {
    let mut structure = 0;
    let mut payload = set.strings.payload_bytes();
    for t in &set.traces {
        structure += t.spans.capacity() * size_of::<Span>();
        let tree = &t.tree;
        structure += 4
            * (tree.parent.capacity()
                + tree.child_offsets.capacity()
                + tree.child_indices.capacity()
                + tree.roots.capacity()
                + tree.preorder.capacity()
                + tree.preorder_pos.capacity()
                + tree.subtree_len.capacity()
                + tree.depth.capacity())
            + tree.missing_parent.capacity();
        for s in &t.spans {
            payload += s.attributes.len() * size_of::<Attribute>()
                + s.events.len() * size_of::<Event>()
                + s.links.len() * size_of::<Link>()
                + s.events.iter().map(|e| e.attributes.len() * size_of::<Attribute>()).sum::<usize>();
        }
    }
    (structure, payload)
}

fn child(path: &str) {
    let before_kib = status_kib("VmHWM:");
    let bytes = std::fs::read(path).unwrap_or_default();
    let mut builder = TraceSetBuilder::new();
    if let Err(e) = import_bytes(&bytes, path, &mut builder) {
        eprintln!("import failed: {e}");
        std::process::exit(1);
    }
    let set = builder.finish();
    let spans = set.span_count().max(1);
    let (structure, payload) = model_bytes(&set);
    let peak_kib = status_kib("VmHWM:");
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!("file: {:.1} MiB, {spans} spans", mib(bytes.len() as u64));
    println!(
        "model structure: {:.1} bytes/span (Span {} B + tree), payload {:.1} bytes/span",
        structure as f64 / spans as f64,
        size_of::<Span>(),
        payload as f64 / spans as f64
    );
    println!(
        "peak RSS while importing: {:.1} MiB ({:.2}x the file; baseline before reading {:.1} MiB)",
        mib(peak_kib * 1024),
        (peak_kib * 1024) as f64 / bytes.len().max(1) as f64,
        mib(before_kib * 1024)
    );
    drop(set);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let (Some("--import"), Some(path)) = (args.get(1).map(String::as_str), args.get(2)) {
        child(path);
        return;
    }
    let spans = args.get(1).and_then(|s| s.replace('_', "").parse().ok()).unwrap_or(1_000_000);
    let format = args.get(2).and_then(|f| ExportFormat::from_name(f)).unwrap_or(ExportFormat::OtlpJson);
    let set = generate(&SynthOptions { spans, traces: (spans / 1000).max(1), seed: 42, deep_chain: false });
    let path = std::env::temp_dir().join(format!("spanlens-model-memory-{spans}.{}.json", format.as_str()));
    let written = std::fs::File::create(&path).and_then(|f| export::write(&set, format, std::io::BufWriter::new(f)));
    drop(set);
    if let Err(e) = written {
        eprintln!("writing {}: {e}", path.display());
        std::process::exit(1);
    }
    println!("{} spans as {}:", spans, format.as_str());
    let status =
        std::env::current_exe().and_then(|exe| std::process::Command::new(exe).arg("--import").arg(&path).status());
    let _ = std::fs::remove_file(&path);
    if !status.is_ok_and(|s| s.success()) {
        std::process::exit(1);
    }
}

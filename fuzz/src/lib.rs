//! What every fuzz target does with its input: import it, build the trace set (tree building runs on
//! whatever the importer accepted), export it in every format, and import the OTLP export again.
//! Any panic, overflow, stack overflow or out-of-memory along the way is a finding.

use spanlens_model::TraceSetBuilder;
use spanlens_formats::export::{self, ExportFormat};
use spanlens_formats::import::{ImportError, import_bytes};

pub fn run(data: &[u8], target: &str, import: impl Fn(&[u8], &str, &mut TraceSetBuilder) -> Result<(), ImportError>) {
    let mut builder = TraceSetBuilder::new();
    builder.begin_source("fuzz-input", target, data.len() as u64);
    if let Err(e) = import(data, "fuzz-input", &mut builder) {
        // Errors must name the file they are about.
        assert_eq!(e.file, "fuzz-input");
    }
    let set = builder.finish();
    if set.span_count() == 0 {
        return;
    }
    for format in ExportFormat::ALL {
        let bytes = export::to_vec(&set, format);
        if format == ExportFormat::OtlpJson {
            let mut again = TraceSetBuilder::new();
            let _ = import_bytes(&bytes, "fuzz-export", &mut again);
            let _ = again.finish();
        }
    }
}

#![no_main]

use libfuzzer_sys::fuzz_target;
use spanlens_model::TraceSetBuilder;
use spanlens_formats::import::{StreamingImport, import_bytes};

// Differential: streaming the input in chunks must give exactly what importing it whole gives (the
// same summary or error, the same model). The first byte picks the chunk size, so chunk boundaries
// land everywhere: inside keys, strings, escapes and between elements.
fuzz_target!(|data: &[u8]| {
    let Some((&first, input)) = data.split_first() else { return };
    let chunk = usize::from(first % 64) + 1;

    let mut whole = TraceSetBuilder::new();
    let expected = import_bytes(input, "fuzz.json", &mut whole);

    let mut streamed = TraceSetBuilder::new();
    let mut import = StreamingImport::new("fuzz.json", input.len(), &mut streamed);
    for piece in input.chunks(chunk) {
        import.push(piece);
    }
    let got = import.finish();

    assert_eq!(got, expected, "summary or error differs with {chunk}-byte chunks");
    assert!(streamed.finish() == whole.finish(), "model differs with {chunk}-byte chunks");
});

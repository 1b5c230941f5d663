#![no_main]

use libfuzzer_sys::fuzz_target;
use spanlens_formats::import::import_bytes;

// Detection and dispatch (gzip, BOM, format sniffing) in front of every importer.
fuzz_target!(|data: &[u8]| spanlens_fuzz::run(data, "import_bytes", |bytes, file, builder| {
    import_bytes(bytes, file, builder).map(|_| ())
}));

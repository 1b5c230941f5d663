#![no_main]

use libfuzzer_sys::fuzz_target;
use spanlens_formats::import::jaeger_protojson;

fuzz_target!(|data: &[u8]| spanlens_fuzz::run(data, "jaeger_protojson", jaeger_protojson::import));

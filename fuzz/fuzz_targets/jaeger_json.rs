#![no_main]

use libfuzzer_sys::fuzz_target;
use spanlens_formats::import::jaeger_json;

fuzz_target!(|data: &[u8]| spanlens_fuzz::run(data, "jaeger_json", jaeger_json::import));

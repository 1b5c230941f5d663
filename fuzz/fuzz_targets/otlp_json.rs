#![no_main]

use libfuzzer_sys::fuzz_target;
use spanlens_formats::import::otlp_json;

fuzz_target!(|data: &[u8]| spanlens_fuzz::run(data, "otlp_json", otlp_json::import));

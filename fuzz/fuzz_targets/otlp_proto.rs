#![no_main]

use libfuzzer_sys::fuzz_target;
use spanlens_formats::import::otlp_proto;

fuzz_target!(|data: &[u8]| spanlens_fuzz::run(data, "otlp_proto", otlp_proto::import));

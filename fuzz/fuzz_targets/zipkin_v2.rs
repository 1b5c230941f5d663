#![no_main]

use libfuzzer_sys::fuzz_target;
use spanlens_formats::import::zipkin_v2;

fuzz_target!(|data: &[u8]| spanlens_fuzz::run(data, "zipkin_v2", zipkin_v2::import));

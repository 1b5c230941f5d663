#![no_main]

use libfuzzer_sys::fuzz_target;
use spanlens_formats::import::chrome;

fuzz_target!(|data: &[u8]| spanlens_fuzz::run(data, "chrome", chrome::import));

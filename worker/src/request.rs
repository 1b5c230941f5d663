//! One load request: every file imported as its chunks arrive, then the model encoded and sent.

use crate::inbox::Inbox;
use crate::{get, message, post, set_field};
use js_sys::{Array, ArrayBuffer, Uint8Array};
use spanlens_formats::import::{ImportError, Position, StreamingImport};
use spanlens_model::TraceSetBuilder;
use spanlens_protocol::{self as protocol, LoadResult};
use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;
use web_sys::DedicatedWorkerGlobalScope;

/// One file or buffer of a request.
enum Input {
    /// A file whose contents arrive as `chunk` messages.
    File {
        name: String,
        size: u64,
    },
    Bytes {
        name: String,
        bytes: ArrayBuffer,
    },
}

impl Input {
    fn size(&self) -> u64 {
        match self {
            Input::File { size, .. } => *size,
            Input::Bytes { bytes, .. } => u64::from(bytes.byte_length()),
        }
    }
}

fn inputs_of(data: &JsValue) -> Vec<Input> {
    let names = get(data, "names");
    if names.is_object() {
        let sizes = Array::from(&get(data, "sizes"));
        return Array::from(&names)
            .iter()
            .enumerate()
            .map(|(i, name)| Input::File {
                name: name.as_string().unwrap_or_else(|| format!("file {}", i + 1)),
                size: sizes.get(i as u32).as_f64().map_or(0, |s| s as u64),
            })
            .collect();
    }
    let name = get(data, "name").as_string().unwrap_or_else(|| "trace".to_owned());
    match get(data, "bytes").dyn_into::<ArrayBuffer>() {
        Ok(bytes) => vec![Input::Bytes { name, bytes }],
        Err(_) => Vec::new(),
    }
}

fn now_millis() -> f64 {
    js_sys::Date::now()
}

/// Imports every input of request `id`. `read_millis` is the time until a file's last byte was in;
/// `parse_millis` is the parsing left after that (most of it overlaps the read), plus `finish`.
pub async fn handle(scope: &DedicatedWorkerGlobalScope, data: &JsValue, id: u32, inbox: &Inbox) {
    let inputs = inputs_of(data);
    let bytes_total: u64 = inputs.iter().map(Input::size).sum();
    let mut builder = TraceSetBuilder::new();
    let mut errors = Vec::new();
    let mut bytes_done = 0u64;
    let (mut read_millis, mut parse_millis) = (0.0, 0.0);

    for input in inputs {
        let t0 = now_millis();
        let size = input.size();
        let (name, import) = match input {
            Input::File { name, size } => {
                let mut import = StreamingImport::new(&name, usize::try_from(size).unwrap_or(0), &mut builder);
                loop {
                    let Some(chunk) = inbox.next().await else { return };
                    if let Ok(buffer) = get(&chunk, "bytes").dyn_into::<ArrayBuffer>() {
                        let bytes = Uint8Array::new(&buffer);
                        import.push_with(bytes.length() as usize, |dst| bytes.copy_to(dst));
                        progress(scope, id, bytes_done + import.len() as u64, bytes_total, &name);
                    } else if let Some(reason) = get(&chunk, "error").as_string() {
                        import.abandon();
                        errors.push(ImportError::new(&name, "unknown", Position::Unknown, reason));
                        break (name, None);
                    } else {
                        break (name, Some(import));
                    }
                }
            }
            Input::Bytes { name, bytes } => {
                let mut import = StreamingImport::new(&name, bytes.byte_length() as usize, &mut builder);
                let view = Uint8Array::new(&bytes);
                import.push_with(view.length() as usize, |dst| view.copy_to(dst));
                (name, Some(import))
            }
        };
        bytes_done += size;
        progress(scope, id, bytes_done, bytes_total, &name);
        let t1 = now_millis();
        read_millis += t1 - t0;
        if let Some(Err(e)) = import.map(StreamingImport::finish) {
            errors.push(e);
        }
        parse_millis += now_millis() - t1;
    }

    let t2 = now_millis();
    let set = builder.finish();
    parse_millis += now_millis() - t2;
    let result = LoadResult { set, errors, bytes_total, read_millis, parse_millis };
    match protocol::encode_parts(result) {
        Ok(parts) => {
            let buffers: Array = parts.iter().map(|p| JsValue::from(Uint8Array::from(p.as_slice()).buffer())).collect();
            drop(parts);
            let msg = message(protocol::MSG_DONE, id);
            set_field(&msg, "payload", &buffers);
            post(scope, &msg, Some(&buffers));
        }
        Err(e) => {
            let msg = message(protocol::MSG_FAILED, id);
            set_field(&msg, "error", &JsValue::from_str(&e));
            post(scope, &msg, None);
        }
    }
}

fn progress(scope: &DedicatedWorkerGlobalScope, id: u32, done: u64, total: u64, file: &str) {
    let msg = message(protocol::MSG_PROGRESS, id);
    set_field(&msg, "done", &JsValue::from(done as f64));
    set_field(&msg, "total", &JsValue::from(total as f64));
    set_field(&msg, "file", &JsValue::from_str(file));
    post(scope, &msg, None);
}

//! The parsing Web Worker: reads files slice by slice with `FileReaderSync`, imports them with the
//! pure-Rust importers, and sends the model back as one transferred `ArrayBuffer`.
//!
//! Parsing here keeps the page responsive while a 100 MB file loads, and the progress messages
//! drive the progress bar.

use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use spanlens_model::TraceSetBuilder;
use spanlens_model::import::{ImportError, Position, import_bytes};
use spanlens_protocol::{self as protocol, LoadResult};
use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, File, FileReaderSync, MessageEvent};

mod warm_up;

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let handler_scope = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        handle_request(&handler_scope, &event.data());
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page; the handler must outlive this function.
    on_message.forget();
    // Messages posted before the handler existed would be lost, so the UI queues until this arrives.
    // The warm-up runs first: a request arriving meanwhile would have to wait for it anyway.
    let ready = message(protocol::MSG_READY, 0);
    match warm_up::run() {
        Some(encoded) => {
            let buffer = Uint8Array::from(encoded.as_slice()).buffer();
            set_field(&ready, "warmup", &buffer);
            post(&scope, &ready, Some(&Array::of1(&buffer)));
        }
        None => post(&scope, &ready, None),
    }
}

fn now_millis() -> f64 {
    js_sys::Date::now()
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn message(kind: &str, id: u32) -> Object {
    let obj = Object::new();
    set_field(&obj, "kind", &JsValue::from_str(kind));
    set_field(&obj, "id", &JsValue::from(id));
    obj
}

fn set_field(obj: &Object, key: &str, value: &JsValue) {
    // Reflect::set on a plain fresh object cannot fail.
    Reflect::set(obj, &JsValue::from_str(key), value).ok();
}

fn post(scope: &DedicatedWorkerGlobalScope, msg: &Object, transfer: Option<&Array>) {
    let result = match transfer {
        Some(list) => scope.post_message_with_transfer(msg, list),
        None => scope.post_message(msg),
    };
    if let Err(e) = result {
        web_sys::console::error_2(&JsValue::from_str("spanlens worker: postMessage failed"), &e);
    }
}

/// One file or buffer of a request.
enum Input {
    File(File),
    Bytes { name: String, bytes: Vec<u8> },
}

impl Input {
    fn name(&self) -> String {
        match self {
            Input::File(f) => f.name(),
            Input::Bytes { name, .. } => name.clone(),
        }
    }

    fn size(&self) -> u64 {
        match self {
            Input::File(f) => f.size() as u64,
            Input::Bytes { bytes, .. } => bytes.len() as u64,
        }
    }
}

fn inputs_of(data: &JsValue) -> Vec<Input> {
    let files = get(data, "files");
    if !files.is_undefined() && !files.is_null() {
        return Array::from(&files).iter().filter_map(|f| f.dyn_into::<File>().ok()).map(Input::File).collect();
    }
    let name = get(data, "name").as_string().unwrap_or_else(|| "trace".to_owned());
    let bytes = get(data, "bytes");
    match bytes.dyn_into::<ArrayBuffer>() {
        Ok(buffer) => vec![Input::Bytes { name, bytes: Uint8Array::new(&buffer).to_vec() }],
        Err(_) => Vec::new(),
    }
}

fn handle_request(scope: &DedicatedWorkerGlobalScope, data: &JsValue) {
    let id = get(data, "id").as_f64().map_or(0, |v| v as u32);
    let inputs = inputs_of(data);
    let bytes_total: u64 = inputs.iter().map(Input::size).sum();
    let mut builder = TraceSetBuilder::new();
    let mut errors = Vec::new();
    let mut bytes_done = 0u64;
    let (mut read_millis, mut parse_millis) = (0.0, 0.0);

    for input in inputs {
        let name = input.name();
        let t0 = now_millis();
        let bytes = match input {
            Input::File(file) => match read_file(scope, id, &file, bytes_done, bytes_total) {
                Ok(b) => b,
                Err(message) => {
                    errors.push(ImportError::new(&name, "unknown", Position::Unknown, message));
                    bytes_done += file.size() as u64;
                    continue;
                }
            },
            Input::Bytes { bytes, .. } => bytes,
        };
        bytes_done += bytes.len() as u64;
        progress(scope, id, bytes_done, bytes_total, &name);
        let t1 = now_millis();
        read_millis += t1 - t0;
        if let Err(e) = import_bytes(&bytes, &name, &mut builder) {
            errors.push(e);
        }
        parse_millis += now_millis() - t1;
    }

    let t2 = now_millis();
    let set = builder.finish();
    parse_millis += now_millis() - t2;
    let result = LoadResult { set, errors, bytes_total, read_millis, parse_millis };
    match protocol::encode(&result) {
        Ok(encoded) => {
            let buffer = Uint8Array::from(encoded.as_slice()).buffer();
            let msg = message(protocol::MSG_DONE, id);
            set_field(&msg, "payload", &buffer);
            post(scope, &msg, Some(&Array::of1(&buffer)));
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

/// Reads a `File` in slices so progress can be reported and no single JS string or buffer has to
/// hold the whole file (V8 caps strings near 512 MB).
fn read_file(
    scope: &DedicatedWorkerGlobalScope,
    id: u32,
    file: &File,
    done_before: u64,
    total: u64,
) -> Result<Vec<u8>, String> {
    let reader = FileReaderSync::new().map_err(|_| "this browser cannot read files in a worker".to_owned())?;
    let size = file.size();
    let mut bytes = Vec::with_capacity(size as usize);
    let mut offset = 0.0;
    while offset < size {
        let end = (offset + protocol::READ_CHUNK_BYTES).min(size);
        let slice = file.slice_with_f64_and_f64(offset, end).map_err(|_| "could not slice the file".to_owned())?;
        let buffer =
            reader.read_as_array_buffer(&slice).map_err(|_| format!("could not read the file at byte {offset}"))?;
        let chunk = Uint8Array::new(&buffer);
        let start = bytes.len();
        bytes.resize(start + chunk.length() as usize, 0);
        // Copies straight into our buffer; `to_vec` would allocate a second copy per slice.
        chunk.copy_to(&mut bytes[start..]);
        offset = end;
        progress(scope, id, done_before + offset as u64, total, &file.name());
    }
    Ok(bytes)
}

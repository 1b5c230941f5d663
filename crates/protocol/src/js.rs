//! The envelope a message travels in between threads: `{ message: Uint8Array, buffers: [ArrayBuffer] }`.
//! The message is postcard-encoded (small), the buffers are transferred, so a file slice or a parsed
//! result is never copied. These two names are the only field names on the wire.

use crate::messages::{decode_message, encode_message};
use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast as _, JsValue};

const MESSAGE: &str = "message";
const BUFFERS: &str = "buffers";

/// An envelope ready for `postMessage`, with the list of buffers to transfer.
pub struct Envelope {
    pub value: Object,
    pub transfer: Array,
}

pub fn wrap<T: Serialize>(message: &T, buffers: &[ArrayBuffer]) -> Result<Envelope, String> {
    let bytes = encode_message(message)?;
    let value = Object::new();
    let transfer: Array = buffers.iter().map(JsValue::from).collect();
    // Setting a property on a fresh plain object cannot fail.
    Reflect::set(&value, &JsValue::from_str(MESSAGE), &Uint8Array::from(bytes.as_slice())).ok();
    Reflect::set(&value, &JsValue::from_str(BUFFERS), &transfer).ok();
    Ok(Envelope { value, transfer })
}

/// The message and buffers of an envelope; an error for anything else that was posted.
pub fn unwrap<T: DeserializeOwned>(value: &JsValue) -> Result<(T, Vec<ArrayBuffer>), String> {
    let bytes = Reflect::get(value, &JsValue::from_str(MESSAGE))
        .ok()
        .and_then(|v| v.dyn_into::<Uint8Array>().ok())
        .ok_or("a worker message without its encoded body")?
        .to_vec();
    let message = decode_message(&bytes)?;
    let list = Reflect::get(value, &JsValue::from_str(BUFFERS)).unwrap_or(JsValue::UNDEFINED);
    let buffers = if Array::is_array(&list) {
        Array::from(&list).iter().filter_map(|b| b.dyn_into::<ArrayBuffer>().ok()).collect()
    } else {
        Vec::new()
    };
    Ok((message, buffers))
}

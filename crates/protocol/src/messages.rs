//! The typed messages between the UI thread and the parsing worker. Each one travels as an envelope
//! (see [`crate::js`]): the message itself postcard-encoded, plus the `ArrayBuffer`s it carries,
//! which are transferred rather than copied. No field name is spelled anywhere else.

use crate::TraceSource;
use serde::{Deserialize, Serialize};

/// One file or buffer of a load request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputMeta {
    pub name: String,
    pub size: u64,
    /// The bytes are the request's own buffer (a fetched URL) instead of following as chunks.
    pub inline: bool,
}

/// UI → worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    /// Starts request `id`. Inline inputs carry their bytes as the envelope's buffers, in order; the
    /// other inputs' contents follow as [`ToWorker::Chunk`]s, file by file.
    Load { id: u32, source: TraceSource, inputs: Vec<InputMeta> },
    /// A slice of file `file` of request `id`. Files are read on the UI thread and sent over because
    /// a worker reading a `File` itself stops reading whenever it is busy parsing, and the point is to
    /// overlap the two.
    Chunk { id: u32, file: u32, part: ChunkPart },
    /// Stops request `id` (its source was closed while it loaded).
    Cancel { id: u32 },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ChunkPart {
    /// The envelope's one buffer holds the next bytes.
    Data,
    /// The file is complete.
    End,
    /// The file could not be read; the reason is shown to the user.
    Failed(String),
}

/// Worker → UI.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// The worker's handler is installed (messages posted before it would be lost). With `warm_up`,
    /// the envelope's buffer is an encoded warm-up result for the UI thread's own warm-up.
    Ready {
        warm_up: bool,
    },
    Progress {
        id: u32,
        file: String,
        bytes_done: u64,
        bytes_total: u64,
    },
    /// Request `id` is parsed: the envelope's buffers are the parts of [`crate::encode_parts`].
    Done {
        id: u32,
    },
    Failed {
        id: u32,
        error: String,
    },
}

impl FromWorker {
    /// The request a message is about (`None` for `Ready`).
    pub fn request_id(&self) -> Option<u32> {
        match self {
            FromWorker::Ready { .. } => None,
            FromWorker::Progress { id, .. } | FromWorker::Done { id } | FromWorker::Failed { id, .. } => Some(*id),
        }
    }
}

pub fn encode_message<T: Serialize>(message: &T) -> Result<Vec<u8>, String> {
    postcard::to_allocvec(message).map_err(|e| format!("could not encode a worker message: {e}"))
}

pub fn decode_message<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, String> {
    postcard::from_bytes(bytes).map_err(|e| format!("could not decode a worker message: {e}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn messages_round_trip() {
        let load = ToWorker::Load {
            id: 7,
            source: TraceSource::Files { names: vec!["a.json".to_owned(), "b.pb".to_owned()] },
            inputs: vec![
                InputMeta { name: "a.json".to_owned(), size: 12, inline: false },
                InputMeta { name: "b.pb".to_owned(), size: 3, inline: false },
            ],
        };
        let chunk = ToWorker::Chunk { id: 7, file: 1, part: ChunkPart::Failed("gone".to_owned()) };
        for m in [load, chunk, ToWorker::Cancel { id: 3 }] {
            assert_eq!(decode_message::<ToWorker>(&encode_message(&m).unwrap()).unwrap(), m);
        }
        let progress = FromWorker::Progress { id: 2, file: "x".to_owned(), bytes_done: 5, bytes_total: 9 };
        assert_eq!(decode_message::<FromWorker>(&encode_message(&progress).unwrap()).unwrap(), progress);
        assert_eq!(progress.request_id(), Some(2));
        assert_eq!(FromWorker::Ready { warm_up: true }.request_id(), None);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode_message::<ToWorker>(&[0xff, 0xff, 0xff]).is_err());
        assert!(decode_message::<FromWorker>(&[]).is_err());
    }
}

//! The typed messages between the UI thread and the parsing worker. Each one travels as an envelope
//! (see [`crate::js`]): the message itself postcard-encoded, plus the `ArrayBuffer`s it carries,
//! which are transferred rather than copied. No field name is spelled anywhere else.

use crate::{SearchAnswer, TraceSource};
use serde::{Deserialize, Serialize};
use spanlens_backends::BackendKind;

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
    /// Starts request `id`: a backend's search answer (a 2xx body) of `kind`, whose bytes are the
    /// envelope's one buffer. The browser assembles a fetched body off the UI thread
    /// (`Response.arrayBuffer()`), and the search parser needs the whole body anyway, so it comes in
    /// one piece rather than as chunks. The worker parses it into summaries and answers
    /// [`FromWorker::Found`], or [`FromWorker::Failed`] with the parser's message. Error statuses
    /// never come here: their bodies are short and read on the UI thread.
    Search { id: u32, kind: BackendKind },
    /// Stops request `id` (its source was closed while it loaded, or a newer search replaced it).
    Cancel { id: u32 },
}

impl ToWorker {
    /// The request a message is about.
    pub fn request_id(&self) -> u32 {
        match self {
            ToWorker::Load { id, .. }
            | ToWorker::Chunk { id, .. }
            | ToWorker::Search { id, .. }
            | ToWorker::Cancel { id } => *id,
        }
    }
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
    /// The worker's wasm is up (what was posted before it, its loader kept and replays). With `warm_up`,
    /// the envelope's buffer is an encoded warm-up result for the UI thread's own warm-up.
    Ready {
        warm_up: bool,
        /// When the worker was created and when its wasm started, in milliseconds since the epoch
        /// (a worker's clock has its own origin), for harnesses that break a load's time down.
        created_epoch_millis: f64,
        main_epoch_millis: f64,
    },
    Progress {
        id: u32,
        file: String,
        bytes_done: u64,
        bytes_total: u64,
    },
    /// Parts of request `id`'s result ([`crate::encode_parts`]), in order, the head first: the
    /// envelope's buffers. A large result's parts are posted as they are encoded, so that decoding
    /// starts before the last one is encoded.
    Parts {
        id: u32,
    },
    /// Request `id` is parsed: the envelope's buffers are the parts of [`crate::encode_parts`] that
    /// no [`FromWorker::Parts`] message carried before (for a small result, all of them).
    Done {
        id: u32,
    },
    Failed {
        id: u32,
        error: String,
    },
    /// Search request `id` is parsed. The summaries are small (a few hundred bytes a trace), so they
    /// travel in the message itself.
    Found {
        id: u32,
        answer: SearchAnswer,
    },
}

impl FromWorker {
    /// The request a message is about (`None` for `Ready`).
    pub fn request_id(&self) -> Option<u32> {
        match self {
            FromWorker::Ready { .. } => None,
            FromWorker::Progress { id, .. }
            | FromWorker::Parts { id }
            | FromWorker::Done { id }
            | FromWorker::Failed { id, .. }
            | FromWorker::Found { id, .. } => Some(*id),
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
        for kind in BackendKind::ALL {
            let search = ToWorker::Search { id: 9, kind };
            assert_eq!(decode_message::<ToWorker>(&encode_message(&search).unwrap()).unwrap(), search);
            assert_eq!(search.request_id(), 9);
        }
        let progress = FromWorker::Progress { id: 2, file: "x".to_owned(), bytes_done: 5, bytes_total: 9 };
        assert_eq!(decode_message::<FromWorker>(&encode_message(&progress).unwrap()).unwrap(), progress);
        assert_eq!(progress.request_id(), Some(2));
        for m in [FromWorker::Parts { id: 3 }, FromWorker::Done { id: 3 }] {
            assert_eq!(decode_message::<FromWorker>(&encode_message(&m).unwrap()).unwrap(), m);
            assert_eq!(m.request_id(), Some(3));
        }
        let ready = FromWorker::Ready { warm_up: true, created_epoch_millis: 1.0, main_epoch_millis: 2.0 };
        assert_eq!(ready.request_id(), None);
    }

    #[test]
    fn a_search_answer_round_trips() {
        use spanlens_backends::{SearchResults, TraceSummary};
        let summary = |i: usize| TraceSummary {
            trace_id_hex: format!("{i:032x}"),
            root_service: i.is_multiple_of(2).then(|| "frontend".to_owned()),
            root_name: Some(format!("GET /item/{i} \u{e9}")),
            start_nanos: 1_700_000_000_000_000_000 + i as i64,
            duration_nanos: -5 + i as i64,
            span_count: Some(20),
            error_count: i.is_multiple_of(3).then_some(i),
            services: vec![("frontend".to_owned(), 12), ("cart".to_owned(), 8)],
            matched_spans: i.is_multiple_of(5).then_some(u64::MAX),
        };
        let answer = SearchAnswer {
            results: SearchResults {
                traces: (0..1500).map(summary).collect(),
                warnings: vec!["trace 1f not found".to_owned()],
            },
            bytes: 22_000_000,
            parse_millis: 123.5,
            body_in_epoch_millis: 1_764_926_400_000.25,
        };
        let found = FromWorker::Found { id: 4, answer };
        let bytes = encode_message(&found).unwrap();
        assert_eq!(decode_message::<FromWorker>(&bytes).unwrap(), found);
        assert_eq!(found.request_id(), Some(4));
        // Compact: what crosses to the UI thread is a small fraction of the 22 MB body.
        assert!(bytes.len() < 200 * 1500, "{} bytes", bytes.len());
        let empty = FromWorker::Found { id: 5, answer: SearchAnswer::default() };
        assert_eq!(decode_message::<FromWorker>(&encode_message(&empty).unwrap()).unwrap(), empty);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode_message::<ToWorker>(&[0xff, 0xff, 0xff]).is_err());
        assert!(decode_message::<FromWorker>(&[]).is_err());
        // A search naming a kind nobody knows is refused, not guessed.
        let mut search = encode_message(&ToWorker::Search { id: 1, kind: BackendKind::Tempo }).unwrap();
        if let Some(at) = search.windows(5).position(|w| w == b"tempo") {
            search[at..at + 5].copy_from_slice(b"tampo");
        }
        assert!(decode_message::<ToWorker>(&search).is_err());
    }
}

//! Every HTTP request the app makes goes through here (the `?url=` load and the demo today; the
//! backends next): `gloo-net` with a timeout, cancellation through `AbortController`, and one typed
//! error that names the endpoint without its credentials.

mod abort;
pub(crate) mod early;
mod error;
mod fetch;
mod urls;

pub use abort::{Abort, AbortHook};
pub use error::{ApiError, megabytes};
pub use fetch::{BodyStream, FetchOptions, fetch_bytes, fetch_stream, fetch_text};
pub use urls::{is_allowed_url, redact};

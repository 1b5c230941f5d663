//! A backend's search answer as the worker sends it back: the summaries the result list and the
//! scatter plot need, not the full traces (a Jaeger answer of 1,500 traces is 20 MB of JSON, its
//! summaries a few hundred kilobytes).

use serde::{Deserialize, Serialize};
use spanlens_backends::SearchResults;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchAnswer {
    pub results: SearchResults,
    /// The body's length.
    pub bytes: u64,
    /// Time the worker spent parsing the body once its last byte was in.
    pub parse_millis: f64,
    /// When the worker had the body's last byte, in ms since the epoch (`Date.now()`, a clock both
    /// threads share), so the UI can place the parse on its own timeline.
    pub body_in_epoch_millis: f64,
}

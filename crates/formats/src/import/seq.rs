//! Streaming list and object helpers for the seed-based JSON importers.
//!
//! Serde's `DeserializeSeed` lets a visitor carry `&mut TraceSetBuilder` down the document, so spans
//! go straight into the builder with no intermediate tree. These helpers remove the boilerplate of
//! "for each element, run this seed" and accept `null` wherever a list or object is expected, because
//! Go producers write nil slices and maps as `null`.

use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use std::fmt;

/// Produces the seed for each element of a JSON array. Seeds push their results into `self`.
pub trait Each<'de> {
    type Seed<'x>: DeserializeSeed<'de, Value = ()>
    where
        Self: 'x;
    /// What the array holds, for error messages ("an array of spans").
    fn expecting(&self) -> &'static str;
    fn seed(&mut self, index: usize) -> Self::Seed<'_>;
}

/// Runs `E`'s seed on every element of an array (or nothing for `null`) and returns `E`.
pub struct List<E>(pub E);

impl<'de, E: Each<'de>> DeserializeSeed<'de> for List<E> {
    type Value = E;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<E, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, E: Each<'de>> Visitor<'de> for List<E> {
    type Value = E;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0.expecting())
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<E, A::Error> {
        let mut index = 0usize;
        while seq.next_element_seed(self.0.seed(index))?.is_some() {
            index += 1;
        }
        Ok(self.0)
    }
    fn visit_unit<Er: de::Error>(self) -> Result<E, Er> {
        Ok(self.0)
    }
}

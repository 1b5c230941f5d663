//! Numbering the distinct symbols of a pass over spans (a trace's services), in order of first
//! appearance, without hashing every span's symbol.

use crate::Sym;
use std::collections::HashMap;

/// Symbols this low are looked up by index in a table; higher ones (a service interned after a
/// million attribute values) in a hash map, so that the table stays small whatever the set's string
/// table holds (256 KiB at most).
const DENSE_SYMS: usize = 1 << 16;

/// Slots `0, 1, 2, …` for symbols in the order they are first seen.
#[derive(Default)]
pub struct SymSlots {
    /// By symbol index: the slot plus one, 0 for none yet.
    dense: Vec<u32>,
    sparse: HashMap<Sym, u32, foldhash::fast::FixedState>,
    len: u32,
}

impl SymSlots {
    /// The slot of `sym`, and whether this is its first appearance.
    pub fn slot(&mut self, sym: Sym) -> (usize, bool) {
        let index = sym.index();
        let next = self.len;
        let (slot, new) = if index < DENSE_SYMS {
            if index >= self.dense.len() {
                self.dense.resize(index + 1, 0);
            }
            match self.dense.get_mut(index) {
                Some(&mut stored) if stored != 0 => (stored - 1, false),
                Some(empty) => {
                    *empty = next + 1;
                    (next, true)
                }
                None => (next, true),
            }
        } else {
            match self.sparse.get(&sym) {
                Some(&stored) => (stored, false),
                None => {
                    self.sparse.insert(sym, next);
                    (next, true)
                }
            }
        };
        if new {
            self.len += 1;
        }
        (slot as usize, new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_follow_first_appearance_on_both_sides_of_the_table() {
        let sym = |i: usize| Sym::from_index(i).unwrap_or_else(|| unreachable!());
        let mut slots = SymSlots::default();
        let seen: Vec<(usize, bool)> =
            [5, DENSE_SYMS + 7, 5, 0, DENSE_SYMS + 7, 3_000_000, 0].into_iter().map(|i| slots.slot(sym(i))).collect();
        assert_eq!(seen, [(0, true), (1, true), (0, false), (2, true), (1, false), (3, true), (2, false)]);
        // The table grew to the highest dense symbol only.
        assert_eq!(slots.dense.len(), 6);
    }
}

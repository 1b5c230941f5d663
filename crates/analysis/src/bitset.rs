//! A fixed-size bit set over span indices (or pre-order positions).
//!
//! A `Vec<bool>` would cost 1 MB per million spans and a `HashSet` far more; 64 spans per word keeps
//! collapse state, filter masks and critical-path flags at 125 KB per million spans and lets range
//! counts use popcount.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BitSet {
    words: Vec<u64>,
    len: usize,
}

impl BitSet {
    /// An empty set able to hold indices `0..len`.
    pub fn new(len: usize) -> Self {
        BitSet { words: vec![0; len.div_ceil(64)], len }
    }

    /// A set holding every index `0..len`.
    pub fn full(len: usize) -> Self {
        let mut set = BitSet { words: vec![u64::MAX; len.div_ceil(64)], len };
        set.clear_tail();
        set
    }

    pub fn from_indices(len: usize, indices: impl IntoIterator<Item = u32>) -> Self {
        let mut set = BitSet::new(len);
        for i in indices {
            set.insert(i);
        }
        set
    }

    /// Capacity (not the number of members; see [`BitSet::count`]).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the words match the capacity: a set decoded from elsewhere (the parsing worker's
    /// message) is checked before use, as one that does not could hold members past its capacity.
    pub fn is_well_formed(&self) -> bool {
        self.words.len() == self.len.div_ceil(64)
            && self.words.last().is_none_or(|w| self.len.is_multiple_of(64) || w >> (self.len % 64) == 0)
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// Whether `index` is a member; out-of-range indices are not.
    #[inline]
    pub fn contains(&self, index: u32) -> bool {
        self.words.get(index as usize / 64).is_some_and(|w| w >> (index % 64) & 1 == 1)
    }

    /// Adds `index`; out-of-range indices are ignored. Returns whether it was newly added.
    #[inline]
    pub fn insert(&mut self, index: u32) -> bool {
        if index as usize >= self.len {
            return false;
        }
        match self.words.get_mut(index as usize / 64) {
            Some(w) => {
                let bit = 1u64 << (index % 64);
                let added = *w & bit == 0;
                *w |= bit;
                added
            }
            None => false,
        }
    }

    /// Removes `index`. Returns whether it was a member.
    #[inline]
    pub fn remove(&mut self, index: u32) -> bool {
        match self.words.get_mut(index as usize / 64) {
            Some(w) => {
                let bit = 1u64 << (index % 64);
                let was = *w & bit != 0;
                *w &= !bit;
                was
            }
            None => false,
        }
    }

    pub fn set(&mut self, index: u32, member: bool) {
        if member {
            self.insert(index);
        } else {
            self.remove(index);
        }
    }

    pub fn clear(&mut self) {
        self.words.iter_mut().for_each(|w| *w = 0);
    }

    /// Number of members.
    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Number of members in `from..to` (clamped to the capacity), by popcount.
    pub fn count_range(&self, from: usize, to: usize) -> usize {
        let to = to.min(self.len);
        if from >= to {
            return 0;
        }
        let (first, last) = (from / 64, (to - 1) / 64);
        let mut total = 0usize;
        for (wi, &w) in self.words.iter().enumerate().take(last + 1).skip(first) {
            let mut word = w;
            if wi == first {
                word &= u64::MAX << (from % 64);
            }
            if wi == last {
                let keep = to - wi * 64;
                if keep < 64 {
                    word &= (1u64 << keep) - 1;
                }
            }
            total += word.count_ones() as usize;
        }
        total
    }

    /// Members in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(wi, &w)| {
            let mut word = w;
            std::iter::from_fn(move || {
                if word == 0 {
                    return None;
                }
                let bit = word.trailing_zeros();
                word &= word - 1;
                Some((wi * 64) as u32 + bit)
            })
        })
    }

    /// The indices in exactly one of the two sets, ascending; `None` when there are more than
    /// `limit` or the sizes differ. Word-wise, so comparing two million-span sets costs microseconds.
    pub fn differences(&self, other: &BitSet, limit: usize) -> Option<Vec<u32>> {
        if self.len != other.len {
            return None;
        }
        let mut out = Vec::new();
        for (wi, (a, b)) in self.words.iter().zip(&other.words).enumerate() {
            let mut word = a ^ b;
            while word != 0 {
                if out.len() == limit {
                    return None;
                }
                out.push((wi * 64) as u32 + word.trailing_zeros());
                word &= word - 1;
            }
        }
        Some(out)
    }

    /// Adds every member of `other`.
    pub fn union_with(&mut self, other: &BitSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
        self.clear_tail();
    }

    fn clear_tail(&mut self) {
        let rem = self.len % 64;
        if rem != 0
            && let Some(last) = self.words.last_mut()
        {
            *last &= (1u64 << rem) - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_is_well_formed_when_its_words_match_its_capacity() {
        assert!(BitSet::full(130).is_well_formed());
        assert!(BitSet::full(128).is_well_formed());
        assert!(BitSet::new(0).is_well_formed());
        assert!(!BitSet { words: vec![0; 2], len: 200 }.is_well_formed(), "too few words");
        assert!(!BitSet { words: vec![0, 0, 1 << 3], len: 130 }.is_well_formed(), "a member past the capacity");
    }

    #[test]
    fn members_counts_and_ranges() {
        let mut s = BitSet::new(200);
        for i in [0, 5, 63, 64, 130, 199] {
            assert!(s.insert(i));
        }
        assert!(!s.insert(5));
        assert!(!s.insert(200), "out of range is ignored");
        assert!(!s.contains(1000));
        assert_eq!(s.count(), 6);
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![0, 5, 63, 64, 130, 199]);
        assert_eq!(s.count_range(5, 65), 3);
        assert_eq!(s.count_range(6, 63), 0);
        assert_eq!(s.count_range(0, 1000), 6);
        assert_eq!(s.count_range(64, 64), 0);
        assert!(s.remove(63));
        assert_eq!(s.count_range(0, 200), 5);
        assert_eq!(BitSet::full(70).count(), 70);
        assert_eq!(BitSet::full(70).count_range(60, 70), 10);
    }
}

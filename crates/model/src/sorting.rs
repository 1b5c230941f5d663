//! Stable sorts that share one copy of the standard library's sort code.
//!
//! Every `sort_by` or `sort_by_key` call with its own closure instantiates the standard sort anew
//! (quicksort, driftsort, small-sorts and merges: 1–10 kB of wasm each). In the UI bundle that was
//! 262 functions, 9.5% of its code (`twiggy` over a build that keeps names). The sorts here instead
//! sort positions, through one instantiation, and then move the elements once:
//! - [`sort_by`] compares through a `dyn` closure: for lists a person reads (table rows, names,
//!   graph nodes), where a comparison costs more than the indirection;
//! - [`sort_by_u64_key`] sorts `(key, position)` pairs by their natural order: one instantiation for
//!   every caller, no comparison through a closure, the key computed once per element. Keys that are
//!   not `u64` map to one with [`ascending_i64`] or [`descending_u64`].
//!
//! Both are stable, as `slice::sort_by` is. They are for lists of up to some ten thousand
//! elements: moving the elements along the permutation's cycles misses the cache once a list no
//! longer fits in it (natively, a million `u32`s by a key: 158–178 ms here, 36–45 ms with
//! `sort_by_key`). Sorts over every span of a trace (tree children, the critical path, a search's
//! matches in screen order) keep the standard sort.

use std::cmp::Ordering;

/// Sorts `v` stably by `compare`, as `v.sort_by(compare)` does.
pub fn sort_by<T>(v: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    let Ok(len) = u32::try_from(v.len()) else {
        // More elements than positions: only natively, and never for the lists this is for.
        v.sort_by(compare);
        return;
    };
    if len < 2 {
        return;
    }
    let mut order: Vec<u32> = (0..len).collect();
    {
        let items: &[T] = v;
        let mut by_position = |a: u32, b: u32| match (items.get(a as usize), items.get(b as usize)) {
            (Some(x), Some(y)) => compare(x, y),
            _ => Ordering::Equal,
        };
        sort_positions(&mut order, &mut by_position);
    }
    permute(v, &mut order);
}

/// Sorts `v` stably by a `u64` key, as `v.sort_by_key(key)` does (`key` is called once per element).
pub fn sort_by_u64_key<T>(v: &mut [T], mut key: impl FnMut(&T) -> u64) {
    let Ok(len) = u32::try_from(v.len()) else {
        v.sort_by_key(key);
        return;
    };
    if len < 2 {
        return;
    }
    let mut keyed: Vec<(u64, u32)> = v.iter().zip(0..len).map(|(item, i)| (key(item), i)).collect();
    // Distinct positions make the pairs distinct: an unstable sort of them is the stable order.
    keyed.sort_unstable();
    let mut order: Vec<u32> = keyed.into_iter().map(|(_, i)| i).collect();
    permute(v, &mut order);
}

/// A key that orders `i64`s ascending as `u64`s do.
pub fn ascending_i64(x: i64) -> u64 {
    (x as u64) ^ (1 << 63)
}

/// A key that orders `u64`s descending (`Reverse`), as an ascending `u64` key.
pub fn descending_u64(x: u64) -> u64 {
    !x
}

/// The one instantiation of the standard sort that [`sort_by`] goes through.
fn sort_positions(order: &mut [u32], compare: &mut dyn FnMut(u32, u32) -> Ordering) {
    order.sort_by(|&a, &b| compare(a, b));
}

/// Rearranges `v` so that position `k` holds what was at `order[k]`, one cycle of the permutation at
/// a time (no copy of the elements). `order` must be a permutation of `0..v.len()`; it is used up.
fn permute<T>(v: &mut [T], order: &mut [u32]) {
    for start in 0..order.len() {
        let mut at = start;
        while let Some(slot) = order.get_mut(at) {
            let from = *slot as usize;
            // Marks `at` as placed; a cycle already walked ends at once.
            *slot = at as u32;
            if from == start || from == at {
                break;
            }
            // `v[at]` holds the cycle's first element, carried along until its place comes.
            v.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator: the tests need many orders, not good randomness.
    fn numbers(seed: u64, len: usize, modulo: u64) -> Vec<u64> {
        let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x % modulo
            })
            .collect()
    }

    #[test]
    fn sort_by_equals_the_standard_stable_sort() {
        for len in [0, 1, 2, 3, 7, 20, 33, 100, 1000, 4099] {
            for modulo in [1, 2, 5, 1000, u64::MAX] {
                // (key, original position): ties must keep their order.
                let items: Vec<(u64, usize)> =
                    numbers((len as u64).wrapping_add(modulo), len, modulo).into_iter().zip(0..).collect();
                let mut ours = items.clone();
                let mut std_sorted = items.clone();
                sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
                std_sorted.sort_by_key(|a| a.0);
                assert_eq!(ours, std_sorted, "len {len}, modulo {modulo}");
                let mut reversed = items.clone();
                let mut std_reversed = items;
                sort_by(&mut reversed, |a, b| b.0.cmp(&a.0));
                std_reversed.sort_by_key(|b| std::cmp::Reverse(b.0));
                assert_eq!(reversed, std_reversed, "len {len}, modulo {modulo}, descending");
            }
        }
    }

    #[test]
    fn sort_by_u64_key_equals_the_standard_stable_sort() {
        for len in [0, 1, 2, 3, 7, 20, 33, 100, 1000, 4099] {
            for modulo in [1, 3, 1000, u64::MAX] {
                let items: Vec<(u64, String)> = numbers((len as u64 * 7).wrapping_add(modulo), len, modulo)
                    .into_iter()
                    .map(|k| (k, format!("v{k}")))
                    .collect();
                let items: Vec<(u64, String, usize)> =
                    items.into_iter().zip(0..).map(|((k, s), i)| (k, s, i)).collect();
                let mut ours = items.clone();
                let mut std_sorted = items;
                sort_by_u64_key(&mut ours, |x| x.0);
                std_sorted.sort_by_key(|x| x.0);
                assert_eq!(ours, std_sorted, "len {len}, modulo {modulo}");
            }
        }
    }

    #[test]
    fn keys_order_signed_and_descending_values() {
        let mut signed = vec![3i64, -1, i64::MIN, 0, i64::MAX, -7, 3];
        let mut expected = signed.clone();
        sort_by_u64_key(&mut signed, |&x| ascending_i64(x));
        expected.sort();
        assert_eq!(signed, expected);
        let mut down = vec![(5u64, 'a'), (9, 'b'), (5, 'c'), (0, 'd'), (u64::MAX, 'e')];
        sort_by_u64_key(&mut down, |x| descending_u64(x.0));
        assert_eq!(down, vec![(u64::MAX, 'e'), (9, 'b'), (5, 'a'), (5, 'c'), (0, 'd')]);
    }

    #[test]
    fn permute_applies_any_permutation() {
        for len in [1usize, 2, 5, 64, 257] {
            for seed in 0..20 {
                // A random permutation: positions sorted by random keys.
                let keys = numbers(seed * 1000 + len as u64, len, u64::MAX);
                let mut order: Vec<u32> = (0..len as u32).collect();
                order.sort_by_key(|&i| keys[i as usize]);
                let expected: Vec<u32> = order.clone();
                let mut v: Vec<u32> = (0..len as u32).collect();
                permute(&mut v, &mut order);
                assert_eq!(v, expected, "len {len}, seed {seed}");
            }
        }
    }
}

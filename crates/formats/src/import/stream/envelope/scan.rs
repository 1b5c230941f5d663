//! The scan of a value the envelope does not interpret: it only finds where the value ends.

use super::MAX_VALUE_DEPTH;

/// The scan of one value whose bytes are not interpreted: strings, depth, or a bare scalar token.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct ValueScan {
    pub(super) depth: u32,
    in_string: bool,
    escaped: bool,
    /// A number or literal (`true`, `null`): ends at the first delimiter.
    scalar: bool,
    started: bool,
}

/// Bytes that matter inside a container value outside strings; everything else is skipped in bulk.
const fn structural() -> [bool; 256] {
    let mut t = [false; 256];
    t[b'"' as usize] = true;
    t[b'{' as usize] = true;
    t[b'}' as usize] = true;
    t[b'[' as usize] = true;
    t[b']' as usize] = true;
    t[b'\n' as usize] = true;
    t
}
static STRUCTURAL: [bool; 256] = structural();

pub(super) enum ScanEnd {
    Done,
    More,
    TooDeep,
}

/// Advances `pos` over one JSON value (resuming `scan`); a scalar token ends before its delimiter.
pub(super) fn scan_value(scan: &mut ValueScan, bytes: &[u8], pos: &mut usize, one_per_line: &mut bool) -> ScanEnd {
    let rest = bytes.get(*pos..).unwrap_or(&[]);
    let mut i = 0;
    if !scan.started {
        let Some(&first) = rest.first() else { return ScanEnd::More };
        scan.started = true;
        scan.scalar = !matches!(first, b'{' | b'[' | b'"');
    }
    if scan.scalar {
        // Numbers and literals: up to the next delimiter (which belongs to the envelope).
        match rest.iter().position(|&b| matches!(b, b',' | b'}' | b']') || is_json_ws(b)) {
            Some(n) => {
                *pos += n;
                return ScanEnd::Done;
            }
            None => {
                *pos = bytes.len();
                return ScanEnd::More;
            }
        }
    }
    while i < rest.len() {
        if scan.in_string {
            // Only a quote or a backslash matters inside a string: find the next one in bulk.
            let Some(tail) = rest.get(i..) else { break };
            if scan.escaped {
                scan.escaped = false;
                i += 1;
                continue;
            }
            match find_quote_or_backslash(tail) {
                Some(n) => {
                    i += n;
                    if rest.get(i) == Some(&b'\\') {
                        scan.escaped = true;
                    } else {
                        scan.in_string = false;
                        if scan.depth == 0 {
                            *pos += i + 1;
                            return ScanEnd::Done;
                        }
                    }
                    i += 1;
                }
                None => i = rest.len(),
            }
            continue;
        }
        let Some(tail) = rest.get(i..) else { break };
        let Some(n) = tail.iter().position(|&b| STRUCTURAL[usize::from(b)]) else { break };
        i += n;
        match rest.get(i) {
            Some(b'"') => scan.in_string = true,
            Some(b'{' | b'[') => {
                scan.depth += 1;
                if scan.depth > MAX_VALUE_DEPTH {
                    *pos += i;
                    return ScanEnd::TooDeep;
                }
            }
            Some(b'}' | b']') => {
                scan.depth = scan.depth.saturating_sub(1);
                if scan.depth == 0 {
                    *pos += i + 1;
                    return ScanEnd::Done;
                }
            }
            Some(b'\n') => *one_per_line = false,
            _ => {}
        }
        i += 1;
    }
    *pos = bytes.len();
    ScanEnd::More
}

/// The first `"` or `\\` in `bytes`: eight bytes at a time (SWAR), since most of a trace's bytes
/// are inside strings and a byte loop would cost a noticeable part of the parse itself.
pub(super) fn find_quote_or_backslash(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(word) = bytes.get(at..at + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        let w = u64::from_le_bytes(word);
        let hits = bytes_equal(w, b'"') | bytes_equal(w, b'\\');
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let tail = bytes.get(at..)?;
    tail.iter().position(|&b| b == b'"' || b == b'\\').map(|n| at + n)
}

/// The high bit of each byte of `word` that equals `b`, exactly (no borrow crosses bytes, so a
/// match cannot flag its neighbour).
pub(super) fn bytes_equal(word: u64, b: u8) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let x = word ^ (u64::from(b) * 0x0101_0101_0101_0101);
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// JSON's whitespace (narrower than ASCII's: no form feed).
pub(crate) fn is_json_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

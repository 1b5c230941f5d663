//! Base64 as trace data writes it (OTLP JSON ids and bytes, Tempo's ids, Jaeger binary tags): standard
//! or URL-safe, padding optional. Shared by the importers and the backend client. Never panics.

/// Decodes standard or URL-safe base64, with or without `=` padding. Returns `None` on any invalid
/// character or impossible length.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 3);
    decode_base64_with(text, |b| {
        out.push(b);
        true
    })?;
    Some(out)
}

/// Decodes base64 into a fixed buffer (ids: no allocation on the hot path). Returns the length.
pub fn decode_base64_into(text: &str, buf: &mut [u8; 16]) -> Option<usize> {
    let mut len = 0usize;
    decode_base64_with(text, |b| match buf.get_mut(len) {
        Some(slot) => {
            *slot = b;
            len += 1;
            true
        }
        None => false,
    })?;
    Some(len)
}

fn decode_base64_with(text: &str, mut emit: impl FnMut(u8) -> bool) -> Option<()> {
    let body = text.trim_end_matches('=');
    if text.len() - body.len() > 2 {
        return None;
    }
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for c in body.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            if !emit((acc >> bits) as u8) {
                return None;
            }
            acc &= (1 << bits) - 1;
        }
    }
    // A single leftover sextet cannot encode a byte: the length is impossible.
    if bits >= 6 {
        return None;
    }
    Some(())
}

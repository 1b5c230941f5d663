//! Strings: scanned eight bytes at a time, borrowed from the input unless they hold escapes.

use super::{JsonError, Mode, RawStr, Reader, STRING_STOP, stop_mask, to_text};

/// The length of a string's contents when nothing in it needs decoding: `bytes` starts just after
/// the opening quote, and the result is where the closing quote is. `None` at a backslash, a control
/// character, or the end of `bytes`.
#[inline]
pub(crate) fn plain_string_len(bytes: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let Ok(arr) = <[u8; 8]>::try_from(chunk) else { break };
        let mask = stop_mask(u64::from_le_bytes(arr));
        if mask != 0 {
            let at = i + (mask.trailing_zeros() / 8) as usize;
            return (bytes.get(at) == Some(&b'"')).then_some(at);
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if STRING_STOP[b as usize] {
            return (b == b'"').then_some(i);
        }
        i += 1;
    }
    None
}
use std::borrow::Cow;

impl<'a> Reader<'a> {
    /// Reads the string at the cursor (which must be at its opening quote) as a value: control
    /// characters and lone surrogates are errors.
    #[inline]
    pub fn string_raw(&mut self) -> Result<RawStr<'a>, JsonError> {
        self.string_in(Mode::Text)
    }

    #[inline(always)]
    pub(super) fn string_in(&mut self, mode: Mode) -> Result<RawStr<'a>, JsonError> {
        let bytes = self.bytes;
        let start = self.pos + 1;
        let mut i = start;
        while let Some(chunk) = bytes.get(i..i + 8) {
            let Ok(arr) = <[u8; 8]>::try_from(chunk) else { break };
            let mask = stop_mask(u64::from_le_bytes(arr));
            if mask != 0 {
                return self.string_stop(start, i + (mask.trailing_zeros() / 8) as usize, mode);
            }
            i += 8;
        }
        while let Some(&b) = bytes.get(i) {
            if STRING_STOP[b as usize] {
                return self.string_stop(start, i, mode);
            }
            i += 1;
        }
        Err(self.eof("a string"))
    }

    /// Finishes a string whose scan stopped at `at` (a quote, a backslash or a control character).
    #[inline(always)]
    fn string_stop(&mut self, start: usize, at: usize, mode: Mode) -> Result<RawStr<'a>, JsonError> {
        match self.bytes.get(at) {
            Some(b'"') => {
                self.pos = at + 1;
                Ok(RawStr::Borrowed(self.bytes.get(start..at).unwrap_or(&[])))
            }
            _ => self.string_slow(start, at, mode).map(RawStr::Owned),
        }
    }

    /// The slow path, from `start` with the first backslash or control character at `at`: decodes
    /// escapes as serde_json does in `mode`.
    #[cold]
    fn string_slow(&mut self, start: usize, at: usize, mode: Mode) -> Result<Vec<u8>, JsonError> {
        const CONTROL: &str = "control character (\\u0000-\\u001F) found while parsing a string";
        let mut out = self.bytes.get(start..at).unwrap_or(&[]).to_vec();
        let mut i = at;
        loop {
            let Some(&b) = self.bytes.get(i) else { return Err(self.eof("a string")) };
            match b {
                b'"' => {
                    self.pos = i + 1;
                    return Ok(out);
                }
                b'\\' => {
                    let Some(&e) = self.bytes.get(i + 1) else { return Err(self.eof("a string")) };
                    i += 2;
                    match e {
                        b'"' => out.push(b'"'),
                        b'\\' => out.push(b'\\'),
                        b'/' => out.push(b'/'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let first = self.hex4(i)?;
                            i += 4;
                            let paired = (0xD800..0xDC00).contains(&first)
                                && self.bytes.get(i) == Some(&b'\\')
                                && self.bytes.get(i + 1) == Some(&b'u');
                            let second = if paired { Some(self.hex4(i + 2)?) } else { None };
                            let c = match second {
                                Some(second) if (0xDC00..0xE000).contains(&second) => {
                                    i += 6;
                                    0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                                }
                                _ => first,
                            };
                            match char::from_u32(c) {
                                Some(ch) => out.extend_from_slice(ch.encode_utf8(&mut [0u8; 4]).as_bytes()),
                                // A lone surrogate: an error in a value, tolerated in keys and in
                                // skipped values (serde_json does not validate those).
                                None if mode == Mode::Text => {
                                    return Err(self.error_at(i, "lone leading surrogate in hex escape", false));
                                }
                                None => out.extend_from_slice("\u{fffd}".as_bytes()),
                            }
                        }
                        _ => return Err(self.error_at(i - 1, "invalid escape", false)),
                    }
                }
                0..=0x1f if mode != Mode::Key => return Err(self.error_at(i, CONTROL, false)),
                _ => {
                    out.push(b);
                    i += 1;
                }
            }
        }
    }

    fn hex4(&self, at: usize) -> Result<u32, JsonError> {
        let mut value = 0u32;
        for k in 0..4 {
            let Some(&b) = self.bytes.get(at + k) else { return Err(self.eof("a string")) };
            let d = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => return Err(self.error_at(at + k, "invalid escape", false)),
            };
            value = value << 4 | u32::from(d);
        }
        Ok(value)
    }

    /// The bytes from the cursor on, for a caller that matches a common spelling itself and then
    /// moves the cursor with [`Self::rewind`].
    pub fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or(&[])
    }

    /// The string at the cursor as text, or `None` (nothing consumed) when the value is not a string.
    #[inline]
    pub fn text(&mut self) -> Result<Option<Cow<'a, str>>, JsonError> {
        if self.peek() != Some(b'"') {
            return Ok(None);
        }
        let start = self.pos;
        let raw = self.string_raw()?;
        to_text(raw).map(Some).map_err(|()| self.error_at(start + 1, "invalid unicode code point", false))
    }
}

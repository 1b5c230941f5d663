//! A byte-level JSON reader for the OTLP importers: a cursor over the input with just the operations
//! the importer needs (enter an object or array, next key, read a scalar, skip a value), so no
//! generic deserializer machinery sits between the bytes and the model.
//!
//! Strings borrow from the input unless they hold escapes and are scanned eight bytes at a time.
//! Keys, ids and skipped values are never UTF-8-validated (serde_json does not either); interned text
//! is validated only the first time it is seen (`Interner::intern_bytes`); other text always is.
//! Structural nesting is bounded at [`MAX_DEPTH`] levels like serde_json's, so the importer's
//! recursive descent cannot overflow the stack; skipped values are walked iteratively and may nest
//! without limit.
//!
//! Errors carry serde_json's wording and a 1-based line and column, computed only when an error
//! happens.

use crate::import::json_scalar::Scalar;
use spanlens_model::interner::same_bytes;
use std::borrow::Cow;
use std::fmt;

mod skip;
mod strings;

pub(crate) use strings::plain_string_len;

/// Containers the importer may descend into before the file is rejected (serde_json's limit).
pub(crate) const MAX_DEPTH: u32 = 128;

/// A syntax or structure error with its position.
#[derive(Clone, Debug)]
pub(crate) struct JsonError {
    message: String,
    line: usize,
    column: usize,
    eof: bool,
    recursion: bool,
}

impl JsonError {
    pub fn line(&self) -> usize {
        self.line
    }

    pub fn column(&self) -> usize {
        self.column
    }

    /// Whether the input ended early.
    pub fn is_eof(&self) -> bool {
        self.eof
    }

    /// The message with a hint for the failures users actually hit (as `explain_json_error` does for
    /// serde_json errors).
    pub fn explain(&self) -> String {
        if self.recursion {
            format!(
                "{self}: the JSON nests deeper than 128 levels, which no trace format needs (hostile or corrupt input)"
            )
        } else if self.eof {
            format!("{self}: the file ends early (truncated download or copy?)")
        } else {
            self.to_string()
        }
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at line {} column {}", self.message, self.line, self.column)
    }
}

/// Bytes that end the fast string scan: `"`, `\` and control characters.
const fn string_stops() -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        table[i] = true;
        i += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
}
static STRING_STOP: [bool; 256] = string_stops();

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Nonzero when some byte of `v` is `"`, `\` or below 0x20; its lowest set bit is in the first such
/// byte (higher bits may be borrow artefacts).
#[inline(always)]
fn stop_mask(v: u64) -> u64 {
    let quote = v ^ (ONES * u64::from(b'"'));
    let backslash = v ^ (ONES * u64::from(b'\\'));
    let zero_in = |x: u64| x.wrapping_sub(ONES) & !x;
    let control = v.wrapping_sub(ONES * 0x20) & !v;
    (zero_in(quote) | zero_in(backslash) | control) & HIGHS
}

/// How strictly a string is read, following serde_json: values are validated, object keys (read as
/// bytes) may hold control characters and lone surrogates, skipped values may hold lone surrogates.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Text,
    Key,
    Skip,
}

/// A string as it appears in the input.
pub(crate) enum RawStr<'a> {
    /// No escapes: the bytes between the quotes.
    Borrowed(&'a [u8]),
    /// Escapes decoded.
    Owned(Vec<u8>),
}

pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: u32,
    skip_stack: Vec<u8>,
}

impl RawStr<'_> {
    pub fn bytes(&self) -> &[u8] {
        match self {
            RawStr::Borrowed(b) => b,
            RawStr::Owned(v) => v,
        }
    }
}

/// Converts a decoded string to text (validating UTF-8).
fn to_text(raw: RawStr<'_>) -> Result<Cow<'_, str>, ()> {
    match raw {
        RawStr::Borrowed(b) => std::str::from_utf8(b).map(Cow::Borrowed).map_err(|_| ()),
        RawStr::Owned(v) => String::from_utf8(v).map(Cow::Owned).map_err(|_| ()),
    }
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0, depth: 0, skip_stack: Vec::new() }
    }

    // ----- errors -----

    /// An error at byte `at`.
    #[cold]
    fn error_at(&self, at: usize, message: impl Into<String>, eof: bool) -> JsonError {
        let at = at.min(self.bytes.len());
        let before = self.bytes.get(..at).unwrap_or(&[]);
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let column = if eof { at - line_start } else { at - line_start + 1 };
        JsonError { message: message.into(), line, column, eof, recursion: false }
    }

    /// A string just read is not UTF-8.
    #[cold]
    pub fn utf8_error(&self) -> JsonError {
        self.error_at(self.pos.saturating_sub(1), "invalid unicode code point", false)
    }

    /// The cursor, for [`Self::rewind`].
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Goes back to a position taken with [`Self::position`] at the same nesting level, to read a
    /// value again another way.
    pub fn rewind(&mut self, pos: usize) {
        self.pos = pos;
    }

    #[cold]
    fn error(&self, message: &str) -> JsonError {
        self.error_at(self.pos, message, false)
    }

    #[cold]
    fn eof(&self, what: &str) -> JsonError {
        self.error_at(self.bytes.len(), format!("EOF while parsing {what}"), true)
    }

    /// `invalid type: <found>, expected <expecting>` for the value at the cursor (or the matching
    /// syntax error when there is no value).
    #[cold]
    pub fn invalid_type(&mut self, expecting: &str) -> JsonError {
        self.skip_ws();
        let found = match self.peek_raw() {
            None => return self.eof("a value"),
            Some(b'"') => "string",
            Some(b'-' | b'0'..=b'9') => "number",
            Some(b't' | b'f') => "boolean",
            Some(b'n') => "null",
            Some(b'{') => "map",
            Some(b'[') => "sequence",
            Some(_) => return self.error("expected value"),
        };
        self.error(&format!("invalid type: {found}, expected {expecting}"))
    }

    // ----- whitespace and structure -----

    #[inline(always)]
    fn peek_raw(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline(always)]
    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if b == b' ' || b == b'\n' || b == b'\r' || b == b'\t' {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    /// The first byte of the next value, after whitespace.
    #[inline]
    pub fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.peek_raw()
    }

    /// After the document: only whitespace may follow.
    pub fn end(&mut self) -> Result<(), JsonError> {
        self.skip_ws();
        if self.pos < self.bytes.len() { Err(self.error("trailing characters")) } else { Ok(()) }
    }

    #[inline]
    fn descend(&mut self) -> Result<(), JsonError> {
        if self.depth >= MAX_DEPTH {
            let mut e = self.error("recursion limit exceeded");
            e.recursion = true;
            return Err(e);
        }
        self.depth += 1;
        Ok(())
    }

    /// Enters the object at the cursor, or fails naming `expecting`.
    #[inline]
    pub fn object(&mut self, expecting: &str) -> Result<Fields, JsonError> {
        if self.peek() != Some(b'{') {
            return Err(self.invalid_type(expecting));
        }
        self.descend()?;
        self.pos += 1;
        Ok(Fields { first: true })
    }

    /// Like [`Self::object`], but `null` is accepted (and consumed) as `None`.
    #[inline]
    pub fn object_or_null(&mut self, expecting: &str) -> Result<Option<Fields>, JsonError> {
        match self.peek() {
            Some(b'n') => self.null().map(|()| None),
            _ => self.object(expecting).map(Some),
        }
    }

    /// Enters the array at the cursor; `null` is an empty list (Go writes nil slices so). Anything
    /// else fails naming `expecting`.
    #[inline]
    pub fn array_or_null(&mut self, expecting: &str) -> Result<Items, JsonError> {
        match self.peek() {
            Some(b'[') => {
                self.descend()?;
                self.pos += 1;
                Ok(Items { first: true, open: true })
            }
            Some(b'n') => self.null().map(|()| Items { first: true, open: false }),
            _ => Err(self.invalid_type(expecting)),
        }
    }

    /// Enters the array at the cursor (the caller has seen `[`).
    pub fn array(&mut self) -> Result<Items, JsonError> {
        self.skip_ws();
        self.descend()?;
        self.pos += 1;
        Ok(Items { first: true, open: true })
    }

    /// Consumes `null`.
    pub fn null(&mut self) -> Result<(), JsonError> {
        self.literal(b"null")
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), JsonError> {
        self.skip_ws();
        let end = self.pos + word.len();
        match self.bytes.get(self.pos..end) {
            Some(got) if got == word => {
                self.pos = end;
                Ok(())
            }
            _ => {
                // Report where the first differing byte is, or EOF when the input stops first.
                for (i, &w) in word.iter().enumerate() {
                    match self.bytes.get(self.pos + i) {
                        None => return Err(self.eof("a value")),
                        Some(&b) if b != w => return Err(self.error_at(self.pos + i, "expected ident", false)),
                        Some(_) => {}
                    }
                }
                Err(self.error("expected ident"))
            }
        }
    }

    /// The next key of the object being read (`None` after its closing brace), with the cursor left
    /// at its value.
    #[inline]
    pub fn next_key(&mut self, fields: &mut Fields) -> Result<Option<Cow<'a, [u8]>>, JsonError> {
        self.skip_ws();
        match self.peek_raw() {
            Some(b'}') => {
                self.pos += 1;
                self.depth -= 1;
                return Ok(None);
            }
            Some(b',') if !fields.first => {
                self.pos += 1;
                self.skip_ws();
                match self.peek_raw() {
                    Some(b'"') => {}
                    Some(b'}') => return Err(self.error("trailing comma")),
                    None => return Err(self.eof("an object")),
                    Some(_) => return Err(self.error("key must be a string")),
                }
            }
            Some(b'"') if fields.first => {}
            None => return Err(self.eof("an object")),
            Some(_) if fields.first => return Err(self.error("key must be a string")),
            Some(_) => return Err(self.error("expected `,` or `}`")),
        }
        fields.first = false;
        let key = match self.string_in(Mode::Key)? {
            RawStr::Borrowed(b) => Cow::Borrowed(b),
            RawStr::Owned(v) => Cow::Owned(v),
        };
        self.skip_ws();
        match self.peek_raw() {
            Some(b':') => self.pos += 1,
            None => return Err(self.eof("an object")),
            Some(_) => return Err(self.error("expected `:`")),
        }
        Ok(Some(key))
    }

    /// Like [`Self::next_key`], but first tries `quoted` (the key expected next, written `"name":`):
    /// exporters write fields in a fixed order without whitespace, so most keys are then matched
    /// with one comparison instead of a scan. An empty `quoted` expects nothing.
    #[inline(always)]
    pub fn next_key_or(
        &mut self,
        fields: &mut Fields,
        quoted: &'static [u8],
    ) -> Result<Option<Cow<'a, [u8]>>, JsonError> {
        let at = if fields.first {
            self.pos
        } else if self.bytes.get(self.pos) == Some(&b',') {
            self.pos + 1
        } else {
            usize::MAX
        };
        if quoted.len() > 3
            && let Some(got) = self.bytes.get(at..at.saturating_add(quoted.len()))
            && same_bytes(got, quoted)
        {
            self.pos = at + quoted.len();
            fields.first = false;
            return Ok(Some(Cow::Borrowed(quoted.get(1..quoted.len() - 2).unwrap_or(&[]))));
        }
        self.next_key(fields)
    }

    /// Whether the array being read has another element (the cursor is then at it).
    #[inline]
    pub fn next_item(&mut self, items: &mut Items) -> Result<bool, JsonError> {
        if !items.open {
            return Ok(false);
        }
        self.skip_ws();
        match self.peek_raw() {
            Some(b']') => {
                self.pos += 1;
                self.depth -= 1;
                items.open = false;
                return Ok(false);
            }
            Some(b',') if !items.first => {
                self.pos += 1;
                self.skip_ws();
                if self.peek_raw() == Some(b']') {
                    return Err(self.error("trailing comma"));
                }
            }
            None => return Err(self.eof("a list")),
            Some(_) if !items.first => return Err(self.error("expected `,` or `]`")),
            Some(_) => {}
        }
        items.first = false;
        Ok(true)
    }

    // ----- scalars -----

    /// Any value: scalars as they are, objects and arrays skipped and reported by kind.
    pub fn scalar(&mut self) -> Result<Scalar<'a>, JsonError> {
        match self.peek() {
            Some(b'"') => self.text().map(|t| Scalar::Str(t.unwrap_or_default())),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal(b"true").map(|()| Scalar::Bool(true)),
            Some(b'f') => self.literal(b"false").map(|()| Scalar::Bool(false)),
            Some(b'n') => self.null().map(|()| Scalar::Null),
            Some(b'{') => self.skip().map(|()| Scalar::Container("an object")),
            Some(b'[') => self.skip().map(|()| Scalar::Container("an array")),
            None => Err(self.eof("a value")),
            Some(_) => Err(self.error("expected value")),
        }
    }

    /// A JSON number, as serde_json classifies it: `U64`, negative `I64`, else `F64`.
    pub fn number(&mut self) -> Result<Scalar<'a>, JsonError> {
        let start = self.pos;
        let (negative, value, exact) = self.scan_number()?;
        if exact {
            return Ok(if !negative {
                Scalar::U64(value)
            } else if value == 0 {
                Scalar::F64(-0.0)
            } else if value <= 1 << 63 {
                Scalar::I64((value as i64).wrapping_neg())
            } else {
                Scalar::F64(-(value as f64))
            });
        }
        let text = std::str::from_utf8(self.bytes.get(start..self.pos).unwrap_or(&[])).unwrap_or("");
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Scalar::F64(f)),
            _ => Err(self.error_at(start, "number out of range", false)),
        }
    }

    /// Checks the syntax of the number at the cursor and moves past it. Returns its sign, its
    /// magnitude, and whether that magnitude is exact (an integer that fits in a u64).
    #[inline]
    fn scan_number(&mut self) -> Result<(bool, u64, bool), JsonError> {
        let bytes = self.bytes;
        let mut i = self.pos;
        let negative = bytes.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        let mut value = 0u64;
        let mut exact = true;
        match bytes.get(i) {
            Some(b'0') => {
                i += 1;
                if bytes.get(i).is_some_and(u8::is_ascii_digit) {
                    return Err(self.error_at(i, "invalid number", false));
                }
            }
            Some(b'1'..=b'9') => {
                while let Some(&d) = bytes.get(i).filter(|d| d.is_ascii_digit()) {
                    match value.checked_mul(10).and_then(|v| v.checked_add(u64::from(d - b'0'))) {
                        Some(v) => value = v,
                        None => exact = false,
                    }
                    i += 1;
                }
            }
            None => return Err(self.eof("a value")),
            Some(_) => return Err(self.error_at(i, "invalid number", false)),
        }
        if bytes.get(i) == Some(&b'.') {
            exact = false;
            i = self.required_digits(i + 1)?;
        }
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            exact = false;
            i += 1;
            if matches!(bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            i = self.required_digits(i)?;
        }
        self.pos = i;
        Ok((negative, value, exact))
    }

    /// The position after the digits starting at `i`, of which a fraction or exponent needs one.
    fn required_digits(&self, start: usize) -> Result<usize, JsonError> {
        let digits = self.bytes.get(start..).unwrap_or(&[]).iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 {
            return Ok(start + digits);
        }
        Err(if start >= self.bytes.len() { self.eof("a value") } else { self.error_at(start, "invalid number", false) })
    }
}

/// State of an object being read with [`Reader::next_key`].
pub(crate) struct Fields {
    first: bool,
}

/// State of an array being read with [`Reader::next_item`].
pub(crate) struct Items {
    first: bool,
    open: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(text: &str) -> Result<String, String> {
        let mut r = Reader::new(text.as_bytes());
        let s = r.scalar().map_err(|e| e.to_string())?;
        r.end().map_err(|e| e.to_string())?;
        Ok(format!("{s:?}"))
    }

    #[test]
    fn scalars_match_serde_json_classification() {
        assert_eq!(scalar("12").unwrap(), "U64(12)");
        assert_eq!(scalar("-12").unwrap(), "I64(-12)");
        assert_eq!(scalar("-9223372036854775808").unwrap(), "I64(-9223372036854775808)");
        assert_eq!(scalar("18446744073709551615").unwrap(), "U64(18446744073709551615)");
        assert_eq!(scalar("18446744073709551616").unwrap(), "F64(1.8446744073709552e19)");
        assert_eq!(scalar("1.5e3").unwrap(), "F64(1500.0)");
        assert_eq!(scalar(" \"a\\u00e9\\n\" ").unwrap(), "Str(\"aé\\n\")");
        assert_eq!(scalar("\"\\ud83d\\ude00\"").unwrap(), "Str(\"😀\")");
        assert_eq!(scalar("\"héllo wörld, a longer one\"").unwrap(), "Str(\"héllo wörld, a longer one\")");
        assert_eq!(scalar("[1,{\"a\":[]}]").unwrap(), "Container(\"an array\")");
        assert_eq!(scalar("null").unwrap(), "Null");
        for bad in ["01", "1.", "-", "1e", "\"\\ud800\"", "\"a\u{1}\"", "[1,]", "{\"a\":1,}", "tru", "1 2", "1e999"] {
            assert!(scalar(bad).is_err(), "{bad} should fail");
        }
        assert!(scalar("\"abc").unwrap_err().starts_with("EOF while parsing a string"));
    }

    #[test]
    fn string_scan_finds_stops_in_every_lane() {
        for len in 0..40 {
            let body = "x".repeat(len);
            assert_eq!(scalar(&format!("\"{body}\"")).unwrap(), format!("Str({body:?})"));
            assert_eq!(scalar(&format!("\"{body}\\\"\"")).unwrap(), format!("Str(\"{body}\\\"\")"));
            assert!(scalar(&format!("\"{body}\u{7}\"")).is_err());
        }
        let mut r = Reader::new(b"\"\xff\"");
        assert!(r.scalar().is_err());
    }

    #[test]
    fn deep_skip_is_iterative_and_errors_have_positions() {
        let deep = "[".repeat(200_000) + &"]".repeat(200_000);
        let mut r = Reader::new(deep.as_bytes());
        r.skip().unwrap();
        let mut r = Reader::new(b"{\n  \"a\": x}");
        let e = r.skip().unwrap_err();
        assert_eq!((e.line(), e.column()), (2, 8));
        assert_eq!(e.to_string(), "expected value at line 2 column 8");
    }
}

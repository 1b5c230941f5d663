//! An incremental scanner over the top of a JSON document (or a sequence of documents, JSON Lines):
//! it follows object keys along a few known paths (`data`, `resourceSpans`, `result.resourceSpans`,
//! `trace.batches`, …) and, inside the array found at such a path, reports each element's byte range
//! as soon as the element's closing bracket has arrived. Everything that is not an element (the
//! envelope: `{"data":[`, `],"total":1,"errors":null}`) is copied into a small *skeleton* document in
//! which the array is left empty; the caller parses that skeleton when the document ends, with the
//! same importer, so envelope members (`errors`, `status`, a second trace source) have exactly the
//! effect they have on the whole document.
//!
//! With a *nested* key (Jaeger: `spans`), an element that is an object is not reported whole: its
//! members are copied into an element skeleton, except the array under that key, whose elements
//! are reported one by one ([`Event::SubItem`]) as they complete; the element skeleton (the trace
//! object with `"spans":[]`) comes with [`Event::ItemEnd`]. So a Jaeger answer, one trace of 100,000
//! spans, is parsed span by span while it arrives instead of after its last byte.
//!
//! Nothing here validates JSON: elements are checked by their importer, and the skeleton when it is
//! parsed. The scanner only tracks strings and bracket depth, with no recursion, and gives up
//! (`broken`) on input that cannot be JSON of the expected shape.

/// Containers nested deeper than this inside one value are left to the whole-document import:
/// serde_json stops at 128 levels for the whole document, and the element's depth in it is added.
pub(crate) const MAX_VALUE_DEPTH: u32 = 100;

/// One complete element of an item array: its bytes are `start..end` of the scanner's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Item {
    pub start: usize,
    pub end: usize,
    /// Its position in its array (for messages).
    pub index: usize,
}

/// What [`Envelope::next`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Event {
    Item(Item),
    /// An element of the nested array inside the current (object) item.
    SubItem(Item),
    /// An object element of the nested array starts at buffer offset `start` (only when offered,
    /// see [`Envelope::offering_sub_items`]): the caller reads it in place and reports where it
    /// ended ([`Envelope::sub_item_read`]), or has it scanned into a [`Event::SubItem`]
    /// ([`Envelope::scan_sub_item`]), or waits for more bytes (the event then comes again).
    SubStart {
        start: usize,
    },
    /// An object item, read member by member, closed at buffer offset `end`; its skeleton (the
    /// object with its nested arrays left empty) is in [`Envelope::take_item_skeleton`].
    ItemEnd {
        end: usize,
        index: usize,
    },
    /// A document closed at buffer offset `end`; its skeleton is in [`Envelope::take_skeleton`].
    DocumentEnd {
        end: usize,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    /// Between documents (before the first one, or after one ended).
    DocumentStart,
    /// After `{` (`first`) or `,` in an object on the path: a key, or `}` when `first`.
    Key { first: bool },
    /// Inside a key string on the path.
    InKey,
    /// After a key: `:`.
    Colon,
    /// After `:`: the value decides whether to descend, stream elements, or copy.
    Value,
    /// After a member's value: `,` or `}`.
    AfterMember,
    /// Copying a value that is not on the path into the skeleton.
    Skip,
    /// After an item array's `[` (`first`) or a `,` in it: an element, or `]` when `first`.
    Element { first: bool },
    /// Inside an element.
    InElement,
    /// At an object element of the nested array, offered to the caller ([`Event::SubStart`]).
    SubStart,
    /// After an element: `,` or `]`.
    AfterElement,
}

/// The incremental scanner; see the module docs.
pub(crate) struct Envelope {
    /// Paths (key sequences from the document root) whose value is an array of items.
    paths: &'static [&'static [&'static [u8]]],
    /// The key, inside an object item, whose array's elements are reported one by one.
    nested: Option<&'static [u8]>,
    /// Reading the members of an object item (see `nested`): copies go to `item_skeleton`.
    in_item: bool,
    /// Inside the nested array of that item: `Element`/`InElement`/`AfterElement` are its states.
    in_sub: bool,
    sub_index: usize,
    /// Whether object elements of the nested array are offered to the caller to read in place.
    offer_sub_items: bool,
    item_skeleton: Vec<u8>,
    /// Next byte to look at, as an offset in the caller's buffer.
    pub pos: usize,
    at: At,
    /// Keys of the objects entered along a path (a prefix of some path).
    open: Vec<&'static [u8]>,
    /// The key being read (only keys on a path level are collected).
    key: Vec<u8>,
    key_escaped: bool,
    value: ValueScan,
    /// The value being copied is a whole document (a top-level array).
    root_skip: bool,
    element_start: usize,
    index: usize,
    skeleton: Vec<u8>,
    /// Documents that ended.
    pub documents: usize,
    /// Item arrays met (over all documents).
    pub arrays: usize,
    /// Whether every document sat on its own line (what JSON Lines needs), as far as the scanner
    /// sees: a raw newline inside a string (invalid JSON, but a JSON Lines reader splits there) is
    /// not seen; compare [`Self::newlines_between`] with the input's newline count to be sure.
    pub one_document_per_line: bool,
    /// Newlines met between documents.
    pub newlines_between: usize,
    newline_since_document: bool,
    /// Set when the input cannot be the expected shape; holds the buffer offset of the problem.
    pub broken: Option<usize>,
}

impl Envelope {
    pub fn new(paths: &'static [&'static [&'static [u8]]], start: usize) -> Self {
        Envelope {
            paths,
            nested: None,
            in_item: false,
            in_sub: false,
            sub_index: 0,
            offer_sub_items: false,
            item_skeleton: Vec::new(),
            pos: start,
            at: At::DocumentStart,
            open: Vec::new(),
            key: Vec::new(),
            key_escaped: false,
            value: ValueScan::default(),
            root_skip: false,
            element_start: 0,
            index: 0,
            skeleton: Vec::new(),
            documents: 0,
            arrays: 0,
            one_document_per_line: true,
            newlines_between: 0,
            newline_since_document: false,
            broken: None,
        }
    }

    /// Reports the elements of `key`'s array inside object items one by one (see the module docs).
    pub fn with_nested(mut self, key: Option<&'static [u8]>) -> Self {
        self.nested = key;
        self
    }

    /// Offers object elements of the nested array to the caller ([`Event::SubStart`]) instead of
    /// scanning them first: a reader that finds the element's end itself saves a pass over it.
    pub fn offering_sub_items(mut self, offer: bool) -> Self {
        self.offer_sub_items = offer;
        self
    }

    /// The element offered by [`Event::SubStart`] was read; it ended at buffer offset `end`.
    pub fn sub_item_read(&mut self, bytes: &[u8], end: usize) {
        // A newline between tokens means the document is not on one line, as the scan would note.
        let element = bytes.get(self.element_start..end).unwrap_or(&[]);
        if self.one_document_per_line && element.contains(&b'\n') {
            let mut scan = ValueScan::default();
            let mut at = 0;
            scan_value(&mut scan, element, &mut at, &mut self.one_document_per_line);
        }
        self.pos = end;
        self.sub_index += 1;
        self.at = At::AfterElement;
    }

    /// The element offered by [`Event::SubStart`] is to be scanned and reported as a
    /// [`Event::SubItem`] after all.
    pub fn scan_sub_item(&mut self) {
        self.value = ValueScan::default();
        self.at = At::InElement;
    }

    /// The skeleton of the object item that just ended (see [`Event::ItemEnd`]).
    pub fn take_item_skeleton(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.item_skeleton)
    }

    /// Where copied envelope bytes go: the item's skeleton while inside an object item.
    fn sink(&mut self) -> &mut Vec<u8> {
        if self.in_item { &mut self.item_skeleton } else { &mut self.skeleton }
    }

    /// The skeleton of the document that just ended (see [`Event::DocumentEnd`]).
    pub fn take_skeleton(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.skeleton)
    }

    /// Whether the input so far ended cleanly after at least one whole document.
    pub fn complete(&self) -> bool {
        self.broken.is_none() && self.at == At::DocumentStart && self.documents >= 1
    }

    /// Whether the scan is between documents (nothing of a document pending).
    pub fn between_documents(&self) -> bool {
        self.at == At::DocumentStart
    }

    /// The first buffer offset still needed: bytes before it may be dropped (then call [`Self::shift`]).
    pub fn keep_from(&self) -> usize {
        if matches!(self.at, At::InElement | At::SubStart) { self.element_start } else { self.pos }
    }

    /// The caller dropped the first `n` bytes of its buffer.
    pub fn shift(&mut self, n: usize) {
        self.pos = self.pos.saturating_sub(n);
        self.element_start = self.element_start.saturating_sub(n);
        self.broken = self.broken.map(|b| b.saturating_sub(n));
    }

    /// The array being read, for messages: "`data`", "`trace.resourceSpans`", or "the envelope"
    /// when the input ended outside any item array.
    pub fn container(&self) -> String {
        if self.open.is_empty() {
            return "the envelope".to_owned();
        }
        let keys: Vec<String> = self.open.iter().map(|k| String::from_utf8_lossy(k).into_owned()).collect();
        let nested = String::from_utf8_lossy(self.nested.unwrap_or_default());
        match (self.in_item, self.in_sub) {
            (true, true) => format!("`{}[{}].{nested}`", keys.join("."), self.index),
            (true, false) => format!("`{}[{}]`", keys.join("."), self.index),
            _ => format!("`{}`", keys.join(".")),
        }
    }

    fn fail(&mut self) {
        if self.broken.is_none() {
            self.broken = Some(self.pos);
        }
    }

    /// Scans forward; `None` when the bytes run out (or the scan broke) before the next event.
    pub fn next(&mut self, bytes: &[u8]) -> Option<Event> {
        while self.broken.is_none() {
            match self.at {
                At::InElement => return self.scan_element(bytes),
                At::SubStart => return Some(Event::SubStart { start: self.element_start }),
                At::Skip => {
                    if let Some(event) = self.scan_skip(bytes)? {
                        return Some(event);
                    }
                    continue;
                }
                At::InKey => {
                    self.scan_key(bytes)?;
                    continue;
                }
                _ => {}
            }
            let b = *bytes.get(self.pos)?;
            if is_json_ws(b) {
                if b == b'\n' {
                    if self.at == At::DocumentStart {
                        self.newline_since_document = true;
                        self.newlines_between += 1;
                    } else {
                        self.one_document_per_line = false;
                    }
                }
                if self.at != At::DocumentStart && !matches!(self.at, At::Element { .. } | At::AfterElement) {
                    self.sink().push(b);
                }
                self.pos += 1;
                continue;
            }
            match (self.at, b) {
                (At::DocumentStart, b'{') => {
                    self.start_document();
                    self.open.clear();
                    self.copy_step(b, At::Key { first: true });
                }
                (At::DocumentStart, b'[') => {
                    // Not an envelope: the whole document goes to the skeleton.
                    self.start_document();
                    self.open.clear();
                    self.value = ValueScan::default();
                    self.root_skip = true;
                    self.at = At::Skip;
                }
                (At::Key { .. }, b'"') => {
                    self.key.clear();
                    self.key_escaped = false;
                    self.copy_step(b, At::InKey);
                }
                (At::Key { first: true } | At::AfterMember, b'}') => {
                    self.sink().push(b);
                    self.pos += 1;
                    if self.in_item {
                        // Values inside an item are copied, never entered: this closes the item.
                        self.in_item = false;
                        self.at = At::AfterElement;
                        let index = self.index;
                        self.index += 1;
                        return Some(Event::ItemEnd { end: self.pos, index });
                    }
                    if self.open.pop().is_none() {
                        return Some(self.end_document());
                    }
                    self.at = At::AfterMember;
                }
                (At::AfterMember, b',') => self.copy_step(b, At::Key { first: false }),
                (At::Colon, b':') => self.copy_step(b, At::Value),
                (At::Value, _) => self.value_start(b),
                (At::Element { .. }, b'{') if self.nested.is_some() && !self.in_item => {
                    self.in_item = true;
                    self.item_skeleton.clear();
                    self.copy_step(b, At::Key { first: true });
                }
                (At::Element { .. }, b'{') if self.in_sub && self.offer_sub_items => {
                    self.element_start = self.pos;
                    self.at = At::SubStart;
                }
                (At::Element { .. }, _) if b != b']' => {
                    self.element_start = self.pos;
                    self.value = ValueScan::default();
                    self.at = At::InElement;
                }
                (At::Element { first: true } | At::AfterElement, b']') if self.in_sub => {
                    self.in_sub = false;
                    self.copy_step(b, At::AfterMember);
                }
                (At::Element { first: true } | At::AfterElement, b']') => {
                    self.open.pop();
                    self.copy_step(b, At::AfterMember);
                }
                (At::AfterElement, b',') => {
                    self.pos += 1;
                    self.at = At::Element { first: false };
                }
                _ => self.fail(),
            }
        }
        None
    }

    fn start_document(&mut self) {
        if self.documents > 0 && !self.newline_since_document {
            self.one_document_per_line = false;
        }
        self.newline_since_document = false;
        self.skeleton.clear();
    }

    fn end_document(&mut self) -> Event {
        self.documents += 1;
        self.at = At::DocumentStart;
        Event::DocumentEnd { end: self.pos }
    }

    fn copy_step(&mut self, b: u8, next: At) {
        self.sink().push(b);
        self.pos += 1;
        self.at = next;
    }

    /// A member's value: descend into an object on a path, stream an item array, or copy it.
    fn value_start(&mut self, b: u8) {
        if self.in_item {
            if b == b'[' && self.nested.is_some_and(|k| k == self.key.as_slice()) {
                self.in_sub = true;
                self.sub_index = 0;
                self.copy_step(b, At::Element { first: true });
            } else {
                self.value = ValueScan::default();
                self.at = At::Skip;
            }
            return;
        }
        let depth = self.open.len();
        let matches = |path: &&[&[u8]]| {
            path.len() > depth
                && path.iter().zip(self.open.iter()).all(|(a, b)| a == b)
                && path.get(depth).is_some_and(|k| *k == self.key.as_slice())
        };
        let full = self.paths.iter().find(|p| matches(p) && p.len() == depth + 1).and_then(|p| p.get(depth));
        let prefix = self.paths.iter().find(|p| matches(p) && p.len() > depth + 1).and_then(|p| p.get(depth));
        match (b, full, prefix) {
            (b'[', Some(key), _) => {
                self.open.push(key);
                self.arrays += 1;
                self.index = 0;
                self.copy_step(b, At::Element { first: true });
            }
            (b'{', _, Some(key)) => {
                self.open.push(key);
                self.copy_step(b, At::Key { first: true });
            }
            _ => {
                self.value = ValueScan::default();
                self.at = At::Skip;
            }
        }
    }

    /// Reads a key on a path level into `self.key` (raw bytes, escapes kept: a key spelled with
    /// escapes simply matches no path and its value is copied, which is still exact).
    fn scan_key(&mut self, bytes: &[u8]) -> Option<()> {
        let rest = bytes.get(self.pos..)?;
        for (offset, &b) in rest.iter().enumerate() {
            if self.key_escaped {
                self.key_escaped = false;
            } else if b == b'\\' {
                self.key_escaped = true;
            } else if b == b'"' {
                let end = self.pos + offset + 1;
                let copied = rest.get(..=offset).unwrap_or(&[]);
                if self.in_item { &mut self.item_skeleton } else { &mut self.skeleton }.extend_from_slice(copied);
                self.pos = end;
                self.at = At::Colon;
                return Some(());
            }
            // Keys on a path are short; a long one cannot match, so only its length is kept bounded.
            if self.key.len() < 64 {
                self.key.push(b);
            }
        }
        if self.in_item { &mut self.item_skeleton } else { &mut self.skeleton }.extend_from_slice(rest);
        self.pos = bytes.len();
        None
    }

    /// Copies a value that is not on a path; `Some(Some(event))` when it was a whole document.
    fn scan_skip(&mut self, bytes: &[u8]) -> Option<Option<Event>> {
        let start = self.pos;
        let done = scan_value(&mut self.value, bytes, &mut self.pos, &mut self.one_document_per_line);
        let copied = bytes.get(start..self.pos).unwrap_or(&[]);
        if self.in_item { &mut self.item_skeleton } else { &mut self.skeleton }.extend_from_slice(copied);
        match done {
            ScanEnd::More => None,
            ScanEnd::TooDeep => {
                self.fail();
                None
            }
            ScanEnd::Done if self.root_skip => {
                // A document that was one array, copied whole.
                self.root_skip = false;
                Some(Some(self.end_document()))
            }
            ScanEnd::Done => {
                self.at = At::AfterMember;
                Some(None)
            }
        }
    }

    /// Scans to the element's end; `None` when the bytes run out first.
    fn scan_element(&mut self, bytes: &[u8]) -> Option<Event> {
        match scan_value(&mut self.value, bytes, &mut self.pos, &mut self.one_document_per_line) {
            ScanEnd::More => None,
            ScanEnd::TooDeep => {
                self.fail();
                None
            }
            ScanEnd::Done => {
                self.at = At::AfterElement;
                if self.in_sub {
                    let item = Item { start: self.element_start, end: self.pos, index: self.sub_index };
                    self.sub_index += 1;
                    return Some(Event::SubItem(item));
                }
                let item = Item { start: self.element_start, end: self.pos, index: self.index };
                self.index += 1;
                Some(Event::Item(item))
            }
        }
    }
}

mod scan;
pub(crate) use scan::is_json_ws;
use scan::{ScanEnd, ValueScan, scan_value};

#[cfg(test)]
mod tests;

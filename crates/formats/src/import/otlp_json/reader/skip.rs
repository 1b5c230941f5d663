//! Skipping values the importer does not read: validated like the rest, and walked iteratively so
//! that a skipped value may nest without limit.

use super::{JsonError, Mode, Reader};

impl Reader<'_> {
    /// Skips one value of any kind, validating it. Iterative: nesting depth is unbounded here.
    pub fn skip(&mut self) -> Result<(), JsonError> {
        let mut stack = std::mem::take(&mut self.skip_stack);
        stack.clear();
        let result = self.skip_with(&mut stack);
        self.skip_stack = stack;
        result
    }

    fn skip_with(&mut self, stack: &mut Vec<u8>) -> Result<(), JsonError> {
        'value: loop {
            self.skip_ws();
            match self.peek_raw() {
                Some(b'{') => {
                    self.pos += 1;
                    self.skip_ws();
                    match self.peek_raw() {
                        Some(b'}') => self.pos += 1,
                        Some(b'"') => {
                            stack.push(b'{');
                            self.skip_key()?;
                            continue 'value;
                        }
                        None => return Err(self.eof("an object")),
                        Some(_) => return Err(self.error("key must be a string")),
                    }
                }
                Some(b'[') => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek_raw() == Some(b']') {
                        self.pos += 1;
                    } else {
                        stack.push(b'[');
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    self.string_in(Mode::Skip)?;
                }
                Some(b'-' | b'0'..=b'9') => {
                    // Syntax only: serde_json does not range-check numbers it skips.
                    self.scan_number()?;
                }
                Some(b't') => self.literal(b"true")?,
                Some(b'f') => self.literal(b"false")?,
                Some(b'n') => self.literal(b"null")?,
                None => return Err(self.eof("a value")),
                Some(_) => return Err(self.error("expected value")),
            }
            // After a complete value: close containers until one expects another element.
            loop {
                let Some(&open) = stack.last() else { return Ok(()) };
                self.skip_ws();
                match (open, self.peek_raw()) {
                    (_, Some(b',')) => {
                        self.pos += 1;
                        self.skip_ws();
                        if open == b'{' {
                            match self.peek_raw() {
                                Some(b'"') => self.skip_key()?,
                                Some(b'}') => return Err(self.error("trailing comma")),
                                None => return Err(self.eof("an object")),
                                Some(_) => return Err(self.error("key must be a string")),
                            }
                        } else if self.peek_raw() == Some(b']') {
                            return Err(self.error("trailing comma"));
                        }
                        continue 'value;
                    }
                    (b'{', Some(b'}')) | (b'[', Some(b']')) => {
                        self.pos += 1;
                        stack.pop();
                    }
                    (b'{', None) => return Err(self.eof("an object")),
                    (_, None) => return Err(self.eof("a list")),
                    (b'{', Some(_)) => return Err(self.error("expected `,` or `}`")),
                    (_, Some(_)) => return Err(self.error("expected `,` or `]`")),
                }
            }
        }
    }

    /// Skips an object key (cursor at its quote) and the colon after it.
    fn skip_key(&mut self) -> Result<(), JsonError> {
        self.string_in(Mode::Skip)?;
        self.skip_ws();
        match self.peek_raw() {
            Some(b':') => {
                self.pos += 1;
                Ok(())
            }
            None => Err(self.eof("an object")),
            Some(_) => Err(self.error("expected `:`")),
        }
    }
}

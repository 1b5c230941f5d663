//! The protobuf wire layer of the OTLP importer: a bounds-checked cursor that reads varints, keys,
//! length-delimited fields and fixed-width numbers, returning errors instead of panicking.

/// A decoding failure at a byte offset of the message being read.
pub(super) struct WireError {
    pub(super) offset: usize,
    pub(super) message: String,
}

/// A bounds-checked cursor over one message.
pub(super) struct Reader<'a> {
    pub(super) buf: &'a [u8],
    pub(super) pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn err<T>(&self, message: impl Into<String>) -> Result<T, WireError> {
        Err(WireError { offset: self.pos, message: message.into() })
    }

    pub(super) fn varint(&mut self) -> Result<u64, WireError> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let Some(&b) = self.buf.get(self.pos) else {
                return self.err("the data ends inside a varint (truncated file?)");
            };
            self.pos += 1;
            if shift == 63 && b > 1 {
                return self.err("a varint is longer than 64 bits");
            }
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        self.err("a varint is longer than 10 bytes")
    }

    pub(super) fn key(&mut self) -> Result<(u32, u8), WireError> {
        let key = self.varint()?;
        let field = u32::try_from(key >> 3).unwrap_or(0);
        if field == 0 {
            return self.err("field number 0 is invalid");
        }
        Ok((field, (key & 7) as u8))
    }

    pub(super) fn take(&mut self, len: usize) -> Result<&'a [u8], WireError> {
        let end = self.pos.checked_add(len).filter(|&e| e <= self.buf.len());
        match end.and_then(|e| self.buf.get(self.pos..e)) {
            Some(slice) => {
                self.pos += len;
                Ok(slice)
            }
            None => self.err(format!("a field of {len} bytes runs past the end of its message (truncated file?)")),
        }
    }

    pub(super) fn len_delimited(&mut self) -> Result<&'a [u8], WireError> {
        let len = self.varint()?;
        match usize::try_from(len) {
            Ok(len) => self.take(len),
            Err(_) => self.err("a length does not fit in memory"),
        }
    }

    pub(super) fn fixed64(&mut self) -> Result<u64, WireError> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    }

    pub(super) fn fixed32(&mut self) -> Result<u32, WireError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes(b.try_into().unwrap_or([0; 4])))
    }

    pub(super) fn skip(&mut self, wire: u8) -> Result<(), WireError> {
        match wire {
            0 => self.varint().map(drop),
            1 => self.take(8).map(drop),
            2 => self.len_delimited().map(drop),
            5 => self.take(4).map(drop),
            other => self.err(format!("wire type {other} is not used by OTLP (corrupt data?)")),
        }
    }

    pub(super) fn string(&mut self) -> Result<&'a str, WireError> {
        let start = self.pos;
        let bytes = self.len_delimited()?;
        std::str::from_utf8(bytes)
            .map_err(|_| WireError { offset: start, message: "a string is not valid UTF-8".to_owned() })
    }

    pub(super) fn done(&self) -> bool {
        self.pos >= self.buf.len()
    }
}

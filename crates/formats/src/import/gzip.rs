//! gzip decompression (pure Rust, so it also runs in wasm), with a cap on the output size so that a
//! small "zip bomb" cannot exhaust memory.

use flate2::read::MultiGzDecoder;
use std::io::{ErrorKind, Read};

/// Decompressed input larger than this is refused. wasm32 cannot address more than 4 GiB anyway.
pub const MAX_DECOMPRESSED_BYTES: u64 = 4 * 1024 * 1024 * 1024 - 1;

pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// What decompression gave.
#[derive(Debug)]
pub struct Gunzipped {
    pub data: Vec<u8>,
    /// The compressed stream ended early (a cut download): `data` is what it decompressed to before
    /// the cut, and this says so for the truncation warning.
    pub cut: Option<String>,
}

/// Decompresses gzip input (several concatenated members are allowed, as `cat a.gz b.gz` makes).
pub fn gunzip(bytes: &[u8]) -> Result<Gunzipped, String> {
    gunzip_capped(bytes, MAX_DECOMPRESSED_BYTES)
}

pub(crate) fn gunzip_capped(bytes: &[u8], max_bytes: u64) -> Result<Gunzipped, String> {
    // Compressed traces are typically 5-20× smaller; start there and let the Vec grow.
    let guess = bytes.len().saturating_mul(8).min(64 * 1024 * 1024);
    let mut out = Vec::with_capacity(guess);
    let mut reader = MultiGzDecoder::new(bytes).take(max_bytes.saturating_add(1));
    let mut cut = None;
    if let Err(e) = reader.read_to_end(&mut out) {
        // `read_to_end` keeps what was read before the error. An early end of the compressed stream
        // is what a truncated download looks like: keep that prefix so the importer can salvage the
        // complete spans in it. Anything else (bad header, corrupt data) loses the whole file.
        if e.kind() != ErrorKind::UnexpectedEof || out.is_empty() {
            return Err(format!("the gzip data is corrupt or truncated: {e}"));
        }
        cut = Some(format!(
            "the gzip stream is cut off after {} compressed bytes (it decompressed to {} bytes before the cut)",
            bytes.len(),
            out.len()
        ));
    }
    if out.len() as u64 > max_bytes {
        return Err(format!(
            "the file decompresses to more than {} MiB, which is more than this viewer can hold",
            max_bytes / (1024 * 1024)
        ));
    }
    Ok(Gunzipped { data: out, cut })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn round_trip_and_cap() {
        let data = vec![b'x'; 10_000];
        let packed = gz(&data);
        assert!(is_gzip(&packed));
        let whole = gunzip(&packed).unwrap();
        assert_eq!(whole.data, data);
        assert!(whole.cut.is_none());
        assert!(gunzip_capped(&packed, 9_999).unwrap_err().contains("more than"));
        assert!(gunzip(&[0x1f, 0x8b, 8, 0, 0, 0]).unwrap_err().contains("corrupt or truncated"));
    }

    #[test]
    fn a_cut_stream_keeps_what_it_decompressed() {
        // Varied text, so the compressed stream is long enough to cut in the middle.
        let data: Vec<u8> =
            (0..200_000u32).flat_map(|i| format!("{},", i.wrapping_mul(2_654_435_761)).into_bytes()).collect();
        let packed = gz(&data);
        for cut in [packed.len() / 2, packed.len() - 5] {
            let got = gunzip(&packed[..cut]).unwrap();
            assert!(got.cut.as_deref().is_some_and(|m| m.contains("cut off")), "cut at {cut}");
            assert!(!got.data.is_empty() && data.starts_with(&got.data), "cut at {cut}");
        }
    }
}

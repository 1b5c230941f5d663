//! gzip decompression (pure Rust, so it also runs in wasm), with a cap on the output size so that a
//! small "zip bomb" cannot exhaust memory.

use flate2::read::MultiGzDecoder;
use std::io::Read;

/// Decompressed input larger than this is refused. wasm32 cannot address more than 4 GiB anyway.
pub const MAX_DECOMPRESSED_BYTES: u64 = 4 * 1024 * 1024 * 1024 - 1;

pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Decompresses gzip input (several concatenated members are allowed, as `cat a.gz b.gz` makes).
pub fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    gunzip_capped(bytes, MAX_DECOMPRESSED_BYTES)
}

pub(crate) fn gunzip_capped(bytes: &[u8], max_bytes: u64) -> Result<Vec<u8>, String> {
    // Compressed traces are typically 5-20× smaller; start there and let the Vec grow.
    let guess = bytes.len().saturating_mul(8).min(64 * 1024 * 1024);
    let mut out = Vec::with_capacity(guess);
    let mut reader = MultiGzDecoder::new(bytes).take(max_bytes.saturating_add(1));
    reader.read_to_end(&mut out).map_err(|e| format!("the gzip data is corrupt or truncated: {e}"))?;
    if out.len() as u64 > max_bytes {
        return Err(format!(
            "the file decompresses to more than {} MiB, which is more than this viewer can hold",
            max_bytes / (1024 * 1024)
        ));
    }
    Ok(out)
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
        assert_eq!(gunzip(&packed).unwrap(), data);
        assert!(gunzip_capped(&packed, 9_999).unwrap_err().contains("more than"));
        assert!(gunzip(&packed[..packed.len() / 2]).unwrap_err().contains("corrupt or truncated"));
    }
}

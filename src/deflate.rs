//! Raw DEFLATE (RFC 1951) where the broker compresses: the SAML Redirect binding's messages
//! (Bindings §3.4.4.1) and the memory store's records (`session/records.rs`).
//!
//! One compressor per thread, reset for each message: building a fresh one (its hash tables and
//! window) cost 100–125 µs, more than compressing a 1–2 KB message (issue 13). Level 1: the
//! inputs are small and written once; the default level's search was 1.2 % of a login's CPU.

use std::cell::RefCell;
use std::io::Read;

thread_local! {
    static DEFLATE: RefCell<flate2::Compress> = RefCell::new(flate2::Compress::new(flate2::Compression::fast(), false));
}

/// `input` compressed; `None` only if the compressor fails (it cannot when writing to memory,
/// kept as a value instead of a panic).
pub fn compress(input: &[u8]) -> Option<Vec<u8>> {
    DEFLATE.with(|state| {
        let mut c = state.try_borrow_mut().ok()?;
        c.reset();
        let mut out = Vec::with_capacity(input.len() / 2 + 128);
        loop {
            let consumed = usize::try_from(c.total_in()).unwrap_or(usize::MAX).min(input.len());
            match c.compress_vec(&input[consumed..], &mut out, flate2::FlushCompress::Finish) {
                Ok(flate2::Status::StreamEnd) => return Some(out),
                // Output full: make room and go on.
                Ok(_) => out.reserve(out.capacity().max(256)),
                Err(_) => return None,
            }
        }
    })
}

/// `input` decompressed, or `None` when it is not raw DEFLATE or would exceed `limit` bytes.
pub fn decompress(input: &[u8], limit: u64) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len().saturating_mul(2));
    flate2::read::DeflateDecoder::new(input)
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .ok()?;
    (out.len() as u64 <= limit).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_limit() {
        let text = "<samlp:AuthnRequest ID=\"_a\"/>".repeat(40);
        let packed = compress(text.as_bytes()).unwrap();
        assert!(packed.len() < text.len() / 4, "{} bytes", packed.len());
        assert_eq!(decompress(&packed, 10_000).unwrap(), text.as_bytes());
        // Twice on one thread: the state is reset between messages.
        assert_eq!(compress(text.as_bytes()).unwrap(), packed);
        assert_eq!(decompress(&packed, text.len() as u64 - 1), None, "over the limit");
        assert_eq!(decompress(b"not deflate at all", 10_000), None);
    }
}

//! Raw DEFLATE (RFC 1951) for the SAML Redirect binding's messages (Bindings §3.4.4.1): the
//! AuthnRequest the broker sends, the LogoutRequest/Response it receives.
//!
//! One compressor and one decompressor per thread, reset for each message: a fresh compressor
//! (its hash tables and window) cost 126 µs for a 700-byte input, the reset one 15 µs; a reset
//! decompressor 8 µs (miniz_oxide, level 1; issue 13). Level 1: the inputs are small and written
//! once.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use std::cell::RefCell;

thread_local! {
    static DEFLATE: RefCell<Compress> = RefCell::new(Compress::new(Compression::fast(), false));
    static INFLATE: RefCell<Decompress> = RefCell::new(Decompress::new(false));
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
            match c.compress_vec(&input[consumed..], &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => return Some(out),
                // Output full: make room and go on.
                Ok(_) => out.reserve(out.capacity().max(256)),
                Err(_) => return None,
            }
        }
    })
}

/// `input` decompressed, or `None` when it is not one complete raw DEFLATE stream or would
/// exceed `limit` bytes.
pub fn decompress(input: &[u8], limit: u64) -> Option<Vec<u8>> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    INFLATE.with(|state| {
        let mut d = state.try_borrow_mut().ok()?;
        d.reset(false);
        let mut out = Vec::with_capacity(input.len().saturating_mul(3).min(limit.saturating_add(1)));
        loop {
            let consumed = usize::try_from(d.total_in()).unwrap_or(usize::MAX).min(input.len());
            let before = (d.total_in(), d.total_out());
            // `None`, not `Finish`: miniz_oxide takes `Finish` as "all output fits at once" and
            // fails when the output outgrows its first guess.
            match d.decompress_vec(&input[consumed..], &mut out, FlushDecompress::None) {
                Ok(Status::StreamEnd) => return (out.len() <= limit).then_some(out),
                Ok(_) if out.len() > limit => return None,
                // Room left and nothing moved: the input ended before the stream did.
                Ok(_) if out.len() < out.capacity() && before == (d.total_in(), d.total_out()) => return None,
                // Output full: grow, but never much past one byte over the limit.
                Ok(_) => out.reserve(out.capacity().max(256).min(limit.saturating_add(1) - out.len())),
                Err(_) => return None,
            }
        }
    })
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
        assert_eq!(decompress(&packed[..packed.len() / 2], 10_000), None, "truncated");
        // The decompressor is reset between messages too.
        assert_eq!(decompress(&packed, 10_000).unwrap(), text.as_bytes());
        let big = vec![b'a'; 100_000];
        let packed = compress(&big).unwrap();
        assert_eq!(decompress(&packed, 100_000).unwrap(), big, "grows past its first guess");
        assert_eq!(decompress(&packed, 99_999), None);
    }
}

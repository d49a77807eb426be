//! The request id: taken from `X-Request-Id` when a proxy in front set a sane one (so one id
//! follows the request through nginx and the broker), generated otherwise; echoed in the response,
//! recorded in the application log's request span and in every audit line the request causes
//! (`crate::audit::with_request_id`).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderName, HeaderValue};
use tracing::Instrument;

/// The header (a name built at compile time: a `&str` name is parsed on every use).
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// A proxy's id is kept only if it is short and plain: it is written into logs and the audit
/// trail, so nothing a client controls may be long or carry structure.
fn sane(v: &str) -> bool {
    (1..=64).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

fn generate() -> String {
    use rand::RngCore;
    let mut b = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut b);
    // Hex by table: one `format!` per byte was a visible share of every request (issue 13).
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = String::with_capacity(2 * b.len());
    for x in b {
        id.push(char::from(HEX[usize::from(x >> 4)]));
        id.push(char::from(HEX[usize::from(x & 0x0f)]));
    }
    id
}

/// Middleware: assign the id, run the request inside its span and audit scope, echo it.
pub async fn assign(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| sane(v))
        .map(str::to_owned)
        .unwrap_or_else(generate);
    let span = tracing::info_span!("request", request_id = %id);
    let mut res = crate::audit::with_request_id(id.clone(), next.run(req).instrument(span)).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HEADER, v);
    }
    res
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_short_plain_ids_are_taken_over() {
        assert!(super::sane("3f2a-9c_1.edge:7"));
        assert!(!super::sane(""));
        assert!(!super::sane(&"a".repeat(65)));
        assert!(!super::sane("a b") && !super::sane("a\"b") && !super::sane("{\"x\":1}"));
        let g = super::generate();
        assert!(g.len() == 24 && super::sane(&g));
        assert!(g.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)), "{g}");
    }
}

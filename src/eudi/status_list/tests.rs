//! Status lists: the draft's examples (Appendix C / §4.1), limits, and the HTTP source's cache.

use super::*;
use crate::clock::SystemClock;
use crate::dev::wallet::pid_issuer::pack_statuses;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[test]
fn the_one_bit_example_decodes() {
    let l = StatusList::decode(1, "eNrbuRgAAhcBXQ").unwrap();
    assert_eq!(l.list, vec![0xB9, 0xA3]);
    let expected = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1];
    let got: Vec<u8> = (0..16).map(|i| l.get(i).unwrap()).collect();
    assert_eq!(got, expected);
    assert_eq!(l.get(16), None);
}

#[test]
fn the_two_bit_example_decodes() {
    let l = StatusList::decode(2, "eNo76fITAAPfAgc").unwrap();
    assert_eq!(l.list, vec![0xC9, 0x44, 0xF9]);
    let got: Vec<u8> = (0..12).map(|i| l.get(i).unwrap()).collect();
    assert_eq!(got, [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]);
}

#[test]
fn four_and_eight_bits_round_trip_through_the_dev_packer() {
    for bits in [1u8, 2, 4, 8] {
        let max = if bits == 8 { 255 } else { (1u8 << bits) - 1 };
        let statuses: Vec<u8> = (0..40u8).map(|i| i % (max.saturating_add(1).max(2))).map(|s| s.min(max)).collect();
        let l = StatusList::decode(u64::from(bits), &pack_statuses(&statuses, bits).unwrap()).unwrap();
        let got: Vec<u8> = (0..40).map(|i| l.get(i).unwrap()).collect();
        assert_eq!(got, statuses, "bits {bits}");
    }
}

#[test]
fn bad_bits_and_bad_encodings_are_refused() {
    assert_eq!(
        StatusList::decode(3, "eNrbuRgAAhcBXQ"),
        Err(WalletError::StatusList("bits = 3".into()))
    );
    assert_eq!(
        StatusList::decode(1, "not*base64"),
        Err(WalletError::StatusList("lst not base64url".into()))
    );
    assert_eq!(StatusList::decode(1, "AAAA"), Err(WalletError::StatusList("lst not zlib".into())));
}

#[test]
fn a_zlib_bomb_stops_at_the_limit() {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&vec![0u8; (MAX_LIST + 1024) as usize]).unwrap();
    let lst = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(z.finish().unwrap());
    assert_eq!(StatusList::decode(1, &lst), Err(WalletError::StatusList("lst too large".into())));
}

fn token_with(claims: serde_json::Value) -> String {
    let enc = |v: &serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
    format!("{}.{}.sig", enc(&serde_json::json!({"alg": "ES256"})), enc(&claims))
}

#[test]
fn the_cache_lasts_for_ttl_bounded_by_exp_and_an_hour() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
    let life = |c| cache_life(&token_with(c), now);
    assert_eq!(life(serde_json::json!({ "ttl": 300 })), Some(Duration::from_secs(300)));
    assert_eq!(
        life(serde_json::json!({ "ttl": 300, "exp": 1_000_100 })),
        Some(Duration::from_secs(100))
    );
    assert_eq!(life(serde_json::json!({ "exp": 1_900_000 })), Some(MAX_CACHE));
    assert_eq!(life(serde_json::json!({ "exp": 999_000 })), None);
    assert_eq!(life(serde_json::json!({})), None);
}

/// A one-route HTTP server on 127.0.0.1:0 answering every request with `body`; counts requests.
async fn serve(body: String) -> (url::Url, Arc<AtomicUsize>, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let task = tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            let resp = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/statuslist+jwt\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(resp.as_bytes()).await;
        }
    });
    (url::Url::parse(&format!("http://{addr}/status/1")).unwrap(), hits, task)
}

#[tokio::test]
async fn the_http_source_fetches_once_within_the_ttl() {
    let token = token_with(serde_json::json!({ "ttl": 600 }));
    let (uri, hits, task) = serve(token.clone()).await;
    let client = crate::tls::http_client_builder().unwrap().build().unwrap();
    let source = HttpStatusSource::new(client, Arc::new(SystemClock), true);
    assert_eq!(source.status_list_token(&uri).await.unwrap(), token);
    assert_eq!(source.status_list_token(&uri).await.unwrap(), token);
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    task.abort();
}

#[tokio::test]
async fn the_http_source_refuses_plain_http_outside_development() {
    let client = crate::tls::http_client_builder().unwrap().build().unwrap();
    let source = HttpStatusSource::new(client, Arc::new(SystemClock), false);
    let uri = url::Url::parse("http://127.0.0.1:9/status").unwrap();
    assert_eq!(
        source.status_list_token(&uri).await.unwrap_err(),
        WalletError::StatusUnavailable("http is not https".into())
    );
}

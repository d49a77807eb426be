//! Compression of the records a live login keeps, for the memory store only (`records.rs` says
//! which records and why only there): zstd at level 1 with a built-in raw-content dictionary.
//!
//! A record is a few hundred bytes of JSON whose field names and common values (levels, methods,
//! claim and scope names) repeat from record to record but hardly within one, so plain DEFLATE
//! took only a quarter to a third off; primed with this dictionary, zstd takes two thirds off an
//! SSO session (685 → 221 bytes) in about 8 µs, and opens it in 3 µs (issue 13, RSS per live
//! login). What remains is mostly random ids.
//!
//! Compressed records exist only inside this process and die with it, so the dictionary may change
//! from one version to the next; a better one only needs to be pasted here. It holds no personal
//! data: field names, claim names and the fixed vocabulary of the broker's own values.

use std::cell::RefCell;
use zstd::bulk::{Compressor, Decompressor};

/// Level 1: the records are small and written on the login path.
const LEVEL: i32 = 1;

/// Typical record text: SSO session, grant, refresh token and participation, in the order and
/// spelling serde writes them (a raw-content dictionary: zstd matches against these bytes).
const DICTIONARY: &[u8] = br#"{"upstream_session":null}"scopes":["openid","profile","address","birth","nationality","offline_access","org"],"issued_at":17,"expires_at":17,"state":{"state":"active"}}{"client_id":"","sid":"","sub":"","since":17,"last":17,"level":"substantial","session_key":""}{"id":"","client_id":"","sub":"","scopes":["openid","profile","offline_access"],"claims":{"academic_title":"","artistic_name":"","document_type":"ID","issuing_state":"D","email":"","org":"","id_token_claims":[],"organisation":{"id":"","name":"","legal_form":"","seat":""},"level":"high","amr":["eid"],"auth_time":17,"sid":"","created_at":17,"expires_at":17}{"grant_id":"","family":"","client_id":"","scopes":["openid","profile","offline_access"],"issued_at":17,"expires_at":17,"state":{"state":"active"}}{"id":"","subject":"DE/DE/","method":"elster","level":"substantial","amr":["pop","hwk"],"auth_time":17,"attributes":{"address":{"country":"D","locality":"","postal_code":"","street_address":"str. "},"birth_family_name":"","birthdate":"19","family_name":"","given_name":"","nationalities":["D"],"place_of_birth":{"locality":""}},"organisation":null,"created_at":17,"last_used":17,"consents":[{"client_id":"","claims":["address","birth_family_name","birthdate","family_name","given_name","nationalities","place_of_birth","scope:address","scope:birth","scope:nationality","scope:offline_access","scope:openid","scope:profile","sub"]}],"upstream_session":null}"#;

thread_local! {
    // One context per thread with the dictionary loaded once: loading it builds tables, which
    // would cost more than compressing a record.
    static PACKER: RefCell<Option<Compressor<'static>>> = RefCell::new(Compressor::with_dictionary(LEVEL, DICTIONARY).ok());
    static UNPACKER: RefCell<Option<Decompressor<'static>>> = RefCell::new(Decompressor::with_dictionary(DICTIONARY).ok());
}

/// `json` compressed, or `None` when the compressor is not available (the record is then kept
/// as it is).
pub(super) fn pack(json: &[u8]) -> Option<Vec<u8>> {
    PACKER.with(|p| p.try_borrow_mut().ok()?.as_mut()?.compress(json).ok())
}

/// A record compressed by [`pack`], or `None` when it does not decompress to at most `limit`
/// bytes.
pub(super) fn unpack(packed: &[u8], limit: usize) -> Option<Vec<u8>> {
    UNPACKER.with(|u| u.try_borrow_mut().ok()?.as_mut()?.decompress(packed, limit).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_shrinks_by_more_than_half_and_comes_back() {
        let session = br#"{"id":"v_ijb_9OZdp3K0D0fmxRSepUtzegfFPDvRleg8UBT_4","subject":"DE/DE/1caa4eff2ed14683300a622a3b4e2df2","method":"eid","level":"high","amr":["eid"],"auth_time":1796320182,"attributes":{"address":{"country":"D","locality":"Potsdam","postal_code":"14469","street_address":"Hauptstrasse 1"},"birth_family_name":"Gabler","birthdate":"1964-08-12","family_name":"Mustermann","given_name":"Erika","nationalities":["D"],"place_of_birth":{"locality":"Berlin"}},"organisation":null,"created_at":1796320182,"last_used":1796320182,"consents":[{"client_id":"demo","claims":["birthdate","family_name","given_name","scope:offline_access","scope:openid","scope:profile","sub"]}],"upstream_session":null}"#;
        let packed = pack(session).unwrap();
        assert!(packed.len() * 2 < session.len(), "{} of {} bytes", packed.len(), session.len());
        assert_eq!(unpack(&packed, session.len()).unwrap(), session);
        // Bounded: a record never expands past the limit it is opened with.
        assert_eq!(unpack(&packed, session.len() - 1), None);
        assert_eq!(unpack(b"not zstd", 4096), None);
    }
}

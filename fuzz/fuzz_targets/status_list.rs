//! A token status list's `lst` (draft-ietf-oauth-status-list §4.1: base64url of a zlib-compressed
//! bit array) with every `bits` value, then lookups at indexes taken from the input. Must never
//! panic and never inflate without bound.
#![no_main]

use buergerkonto::eudi::status_list::StatusList;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let bits = u64::from(first % 9);
    let Ok(lst) = std::str::from_utf8(rest) else { return };
    if let Ok(list) = StatusList::decode(bits, lst) {
        for idx in [0, 1, 7, 8, 1 << 20, u64::MAX] {
            let _ = list.get(idx);
        }
    }
});

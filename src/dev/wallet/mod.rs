//! The development EUDI wallet pieces (development only): the PID provider and the test wallet page.

pub mod page;
pub mod pid_issuer;

pub use page::routes;

use pid_issuer::{DevPidIssuer, HolderKey, MintOptions};
use serde_json::Value;

/// Where the development PID provider's files lie (relative to the configuration's base directory).
pub const DEV_PID_DIR: &str = "certs/dev/eudi";

/// The test persons of the test wallet, `(id, name, PID claims)`: the PID-DE reference person, and
/// one born on an unknown day and month (`00`, as the card writes it).
pub fn persons() -> Vec<(&'static str, &'static str, Value)> {
    let erika = pid_issuer::sample_person();
    let mut max = erika.clone();
    if let Some(m) = max.as_object_mut() {
        m.insert("given_name".into(), "MAX".into());
        m.insert("birthdate".into(), "1961-00-00".into());
        m.insert("place_of_birth".into(), serde_json::json!({"locality": "HAMBURG"}));
        m.remove("birth_family_name");
    }
    vec![("erika", "Erika Mustermann", erika), ("max", "Max Mustermann (1961-00-00)", max)]
}

/// A presentation (SD-JWT VC with KB-JWT) of a freshly minted PID of `person` for the checked
/// request: the claims the DCQL query names are disclosed, nothing else; the PID carries a status
/// list entry at `status_uri` (served by the test wallet).
pub fn mint_presentation(
    base: &std::path::Path,
    person: &str,
    req: &page::CheckedRequest,
    status_uri: &str,
    now: i64,
) -> Result<String, String> {
    let (_, _, claims) = persons()
        .into_iter()
        .find(|(id, _, _)| *id == person)
        .ok_or_else(|| format!("unknown test person {person:?}"))?;
    let issuer = DevPidIssuer::from_dir(&base.join(DEV_PID_DIR)).map_err(|e| e.to_string())?;
    let holder = HolderKey::generate().map_err(|e| e.to_string())?;
    let mut opts = MintOptions::valid_from(now);
    opts.status = Some((status_uri.to_owned(), now.unsigned_abs() % 1024));
    let issued = issuer.mint(&claims, &holder, &opts).map_err(|e| e.to_string())?;
    let keep: Vec<String> = req.dcql["credentials"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["claims"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["path"][0].as_str().map(str::to_owned))
        .collect();
    let keep: Vec<&str> = keep.iter().map(String::as_str).collect();
    holder
        .bind(&issued.present(&keep), &req.client_id, &req.nonce, now)
        .map_err(|e| e.to_string())
}

/// The status list token of the development PIDs: 1024 entries, all valid.
pub fn status_list(base: &std::path::Path, uri: &str, now: i64) -> Result<String, String> {
    let issuer = DevPidIssuer::from_dir(&base.join(DEV_PID_DIR)).map_err(|e| e.to_string())?;
    issuer
        .status_list_token(uri, &[0u8; 1024], 1, now, Some(300))
        .map_err(|e| e.to_string())
}

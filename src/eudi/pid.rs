//! The German PID (SD-JWT VC `urn:eudi:pid:de:1`) after verification, mapped to our claims.
//!
//! Values are kept as the PID provider wrote them: German PID strings are UPPER CASE (PID-DE
//! reference; the card's machine-readable form). Turning them into a display form ("Erika
//! Mustermann") is not the broker's job: relying parties get what the state attested. Nothing of
//! the raw presentation (disclosures, salts, signatures, holder key) leaves [`Pid`].

use crate::eudi::error::WalletError;
use crate::identity::{Attributes, UpstreamSubject};
use base64::Engine;
use serde_json::{json, Map, Value};

/// A PID claim a relying party's scopes can need (DCQL claim paths, OpenID4VP §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PidClaim {
    /// `family_name`.
    FamilyName,
    /// `given_name`.
    GivenName,
    /// `birthdate` (unknown parts `00`).
    Birthdate,
    /// `place_of_birth` (object: `locality`, `region`, `country`).
    PlaceOfBirth,
    /// `birth_family_name`.
    BirthFamilyName,
    /// `nationalities` (ISO 3166-1 alpha-2 codes).
    Nationalities,
    /// `address` (object).
    Address,
}

impl PidClaim {
    /// The PID claims a relying party's scopes need (the scope table of docs/relying-parties.md
    /// §3): `profile` → names and birth date, `address`, `birth` → place of birth and birth
    /// family name, `nationality`. Other scopes need nothing of the PID. Sorted, without repeats.
    pub fn for_scopes<'a>(scopes: impl IntoIterator<Item = &'a str>) -> Vec<PidClaim> {
        let mut out: Vec<PidClaim> = scopes
            .into_iter()
            .flat_map(|s| match s {
                "profile" => &[Self::FamilyName, Self::GivenName, Self::Birthdate][..],
                "address" => &[Self::Address][..],
                "birth" => &[Self::PlaceOfBirth, Self::BirthFamilyName][..],
                "nationality" => &[Self::Nationalities][..],
                _ => &[][..],
            })
            .copied()
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The claim's name in the SD-JWT VC PID (PID rulebook, SD-JWT VC encoding).
    pub fn name(self) -> &'static str {
        match self {
            Self::FamilyName => "family_name",
            Self::GivenName => "given_name",
            Self::Birthdate => "birthdate",
            Self::PlaceOfBirth => "place_of_birth",
            Self::BirthFamilyName => "birth_family_name",
            Self::Nationalities => "nationalities",
            Self::Address => "address",
        }
    }
}

/// A verified PID: only the values the broker uses, as given by the PID provider.
#[derive(Clone, PartialEq, Eq)]
pub struct Pid {
    /// The credential type (`vct`) that was presented.
    pub vct: String,
    /// `family_name`, as given (upper case).
    pub family_name: String,
    /// `given_name` (all given names, space separated), as given.
    pub given_name: String,
    /// `birthdate` exactly as given, unknown parts `00` kept (`1964-00-00`).
    pub birthdate: String,
    /// `place_of_birth`.
    pub place_of_birth: Option<PlaceOfBirth>,
    /// `birth_family_name`.
    pub birth_family_name: Option<String>,
    /// `nationalities`.
    pub nationalities: Vec<String>,
    /// `address`.
    pub address: Option<PidAddress>,
}

impl std::fmt::Debug for Pid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Personal data: never in a log.
        f.debug_struct("Pid").field("vct", &self.vct).finish_non_exhaustive()
    }
}

/// `place_of_birth` of the PID.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlaceOfBirth {
    /// `locality`.
    pub locality: Option<String>,
    /// `region`.
    pub region: Option<String>,
    /// `country` (ISO 3166-1 alpha-2).
    pub country: Option<String>,
}

/// `address` of the PID.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PidAddress {
    /// `formatted`.
    pub formatted: Option<String>,
    /// `street_address`.
    pub street_address: Option<String>,
    /// `house_number`.
    pub house_number: Option<String>,
    /// `postal_code`.
    pub postal_code: Option<String>,
    /// `locality`.
    pub locality: Option<String>,
    /// `region`.
    pub region: Option<String>,
    /// `country`.
    pub country: Option<String>,
}

impl Pid {
    /// Build from the disclosed claims of a verified SD-JWT VC. `family_name`, `given_name`,
    /// `birthdate` and `place_of_birth` are required: the subject is derived from them (the
    /// query always asks for them, [`crate::eudi::dcql::SUBJECT_BASIS`]).
    pub fn from_claims(vct: &str, claims: &Value) -> Result<Self, WalletError> {
        let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
        let required = |name: &str| {
            text(name)
                .map(str::to_owned)
                .ok_or_else(|| WalletError::PidIncomplete(format!("{name} missing")))
        };
        let place_of_birth = match claims.get("place_of_birth") {
            Some(Value::Object(o)) => {
                let part = |k: &str| {
                    o.get(k)
                        .and_then(Value::as_str)
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                };
                Some(PlaceOfBirth {
                    locality: part("locality"),
                    region: part("region"),
                    country: part("country"),
                })
            }
            // Older PID encodings give the place as one string.
            Some(Value::String(s)) if !s.trim().is_empty() => Some(PlaceOfBirth {
                locality: Some(s.trim().to_owned()),
                ..PlaceOfBirth::default()
            }),
            _ => None,
        }
        .filter(|p| p != &PlaceOfBirth::default())
        .ok_or_else(|| WalletError::PidIncomplete("place_of_birth missing".into()))?;
        let address = claims.get("address").and_then(Value::as_object).map(|o| {
            let part = |k: &str| {
                o.get(k)
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            };
            PidAddress {
                formatted: part("formatted"),
                street_address: part("street_address"),
                house_number: part("house_number"),
                postal_code: part("postal_code"),
                locality: part("locality"),
                region: part("region"),
                country: part("country"),
            }
        });
        let nationalities = claims
            .get("nationalities")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self {
            vct: vct.to_owned(),
            family_name: required("family_name")?,
            given_name: required("given_name")?,
            birthdate: required("birthdate")?,
            place_of_birth: Some(place_of_birth),
            birth_family_name: text("birth_family_name").map(str::to_owned),
            nationalities,
            address: address.filter(|a| a != &PidAddress::default()),
        })
    }

    /// Our claims (docs/relying-parties.md), shaped as the eID mapping shapes them
    /// (src/saml/mapping.rs): `given_name`, `family_name`, `birthdate` (see [`birthdate`]),
    /// `place_of_birth` and `address` as objects, `birth_family_name`, `nationalities`.
    pub fn attributes(&self) -> Attributes {
        let mut out = Attributes::new();
        out.insert("given_name".into(), json!(self.given_name));
        out.insert("family_name".into(), json!(self.family_name));
        if let Some(b) = birthdate(&self.birthdate) {
            out.insert("birthdate".into(), json!(b));
        }
        if let Some(p) = &self.place_of_birth {
            let m = object(&[("locality", &p.locality), ("region", &p.region), ("country", &p.country)]);
            if !m.is_empty() {
                out.insert("place_of_birth".into(), Value::Object(m));
            }
        }
        if let Some(b) = &self.birth_family_name {
            out.insert("birth_family_name".into(), json!(b));
        }
        if !self.nationalities.is_empty() {
            out.insert("nationalities".into(), json!(self.nationalities));
        }
        if let Some(a) = &self.address {
            // OIDC Core §5.1.1 has no house number: it joins the street as on a letter.
            let street = match (&a.street_address, &a.house_number) {
                (Some(s), Some(n)) => Some(format!("{s} {n}")),
                (s, _) => s.clone(),
            };
            let m = object(&[
                ("street_address", &street),
                ("locality", &a.locality),
                ("postal_code", &a.postal_code),
                ("region", &a.region),
                ("country", &a.country),
                ("formatted", &a.formatted),
            ]);
            if !m.is_empty() {
                out.insert("address".into(), Value::Object(m));
            }
        }
        out
    }

    /// The account binding. The PID carries no stable person identifier (no bPK2 equivalent), so
    /// the subject is `eudi-pid:` + base64url(HMAC-SHA-256(`key`, family name ‖ given names ‖
    /// birth date ‖ place of birth)), each part trimmed, inner whitespace collapsed, upper-cased,
    /// separated by U+001F. Limits (docs/eudi-wallet.md): a change of name (marriage) or a
    /// corrected register entry gives a new subject; two people with equal name, birth date and
    /// place share one. The key keeps the value from being recomputed from public data.
    pub fn subject(&self, key: &[u8]) -> UpstreamSubject {
        let pob = self.place_of_birth.clone().unwrap_or_default();
        let parts = [
            Some(self.family_name.as_str()),
            Some(self.given_name.as_str()),
            Some(self.birthdate.as_str()),
            pob.locality.as_deref(),
            pob.region.as_deref(),
            pob.country.as_deref(),
        ];
        let mut input = String::from("eudi-pid-subject-v1");
        for p in parts {
            input.push('\u{1f}');
            input.push_str(&normalise(p.unwrap_or("")));
        }
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key);
        let tag = aws_lc_rs::hmac::sign(&key, input.as_bytes());
        UpstreamSubject(format!(
            "eudi-pid:{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag.as_ref())
        ))
    }
}

/// Trim, collapse whitespace, upper-case: the form the subject is computed on.
fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_uppercase()
}

fn object(parts: &[(&str, &Option<String>)]) -> Map<String, Value> {
    parts
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| ((*k).to_owned(), json!(v))))
        .collect()
}

/// PID `birthdate` → our `birthdate` claim (OIDC Core §5.1). The German PID writes unknown parts
/// as `00` (`1964-00-00`, `1964-08-00`); [`Pid`] keeps that as given. The claim gets the full date
/// when it is a real date, the year alone (`YYYY`, allowed by §5.1) when month or day is unknown,
/// and nothing when the year is unknown or the value is no date.
pub fn birthdate(raw: &str) -> Option<String> {
    let mut parts = raw.trim().split('-');
    let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 || !(y.chars().chain(m.chars()).chain(d.chars())).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (year, month, day): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if year == 0 {
        return None;
    }
    if month == 0 || day == 0 {
        return Some(format!("{year:04}"));
    }
    chrono::NaiveDate::from_ymd_opt(year, month, day).map(|d| d.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests;

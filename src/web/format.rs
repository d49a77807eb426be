//! Claim values as a person reads them (issue 15 item 4), one place for the consent page, the
//! session page and the demo relying party: dates in words (`12. August 1964`, en `12 August
//! 1964`; partial dates as given, OIDC Core §5.1 `birthdate`), countries and nationalities by
//! name (ISO 3166-1 alpha-2 and alpha-3, and the ICAO Doc 9303 codes the German eID writes, where
//! Germany is `D`), addresses in German postal order (DIN 5008: street, postal code and town,
//! then the country only when it is not Germany). Unknown codes are shown as given, never dropped.

use super::Locale;
use serde_json::Value;

mod countries;

pub use countries::{country, nationality};

const MONTHS_DE: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_name(locale: Locale, month: u32) -> Option<&'static str> {
    let i = usize::try_from(month.checked_sub(1)?).ok()?;
    match locale {
        Locale::De => MONTHS_DE.get(i).copied(),
        Locale::En => MONTHS_EN.get(i).copied(),
    }
}

/// A date of the OIDC `birthdate` shape (Core §5.1: `YYYY-MM-DD`, `YYYY`, or `0000-MM-DD` when
/// the year is withheld; we also read `YYYY-MM`) in words. Anything else is shown as given.
pub fn date(locale: Locale, raw: &str) -> String {
    let parts: Vec<&str> = raw.trim().split('-').collect();
    let num = |s: &str| {
        (s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty())
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let words = match parts.as_slice() {
        [y] if y.len() == 4 => num(y).filter(|y| *y > 0).map(|y| y.to_string()),
        [y, m] if y.len() == 4 && m.len() == 2 => match (num(y), num(m).and_then(|m| month_name(locale, m))) {
            (Some(y), Some(m)) if y > 0 => Some(format!("{m} {y}")),
            _ => None,
        },
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            let (y, m, d) = (num(y), num(m), num(d));
            match (y, m, d) {
                // Year withheld (Core §5.1): day and month only.
                (Some(0), Some(m), Some(d)) if chrono::NaiveDate::from_ymd_opt(2000, m, d).is_some() => {
                    month_name(locale, m).map(|mn| day_month(locale, d, mn))
                }
                (Some(y), Some(m), Some(d)) => i32::try_from(y)
                    .ok()
                    .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, m, d))
                    .and_then(|_| month_name(locale, m))
                    .map(|mn| format!("{} {y}", day_month(locale, d, mn))),
                _ => None,
            }
        }
        _ => None,
    };
    words.unwrap_or_else(|| raw.to_owned())
}

fn day_month(locale: Locale, day: u32, month: &str) -> String {
    match locale {
        // DIN 5008: the day as an ordinal with a full stop.
        Locale::De => format!("{day}. {month}"),
        Locale::En => format!("{day} {month}"),
    }
}

/// A moment (seconds since the epoch) in words, in UTC: `12. August 2026, 14:03 UTC`.
pub fn moment(locale: Locale, unix: i64) -> String {
    let Some(t) = chrono::DateTime::from_timestamp(unix, 0) else {
        return unix.to_string();
    };
    let day = date(locale, &t.format("%Y-%m-%d").to_string());
    format!("{day}, {} UTC", t.format("%H:%M"))
}

/// An OIDC Core §5.1.1 address in German postal order, one line each: street, postal code and
/// town, and the country by name only when it is not Germany. `formatted` alone is kept as sent.
pub fn address(locale: Locale, a: &serde_json::Map<String, Value>) -> Vec<String> {
    let part = |k: &str| a.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let town = [part("postal_code"), part("locality")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let country = part("country").filter(|c| !countries::is_germany(c)).map(|c| country(locale, c));
    let lines: Vec<String> = [
        part("street_address").map(str::to_owned),
        Some(town).filter(|t| !t.is_empty()),
        country,
    ]
    .into_iter()
    .flatten()
    .collect();
    if lines.is_empty() {
        return part("formatted")
            .map(|f| f.lines().map(str::to_owned).collect())
            .unwrap_or_default();
    }
    lines
}

/// The German eID's document type codes (TR-03127) by name.
fn document_type(locale: Locale, code: &str) -> String {
    let de = locale == Locale::De;
    match code.trim() {
        "ID" if de => "Personalausweis".into(),
        "ID" => "German ID card".into(),
        "UB" if de => "eID-Karte für Unionsbürger".into(),
        "UB" => "eID card for EU citizens".into(),
        "AR" | "AS" | "AF" if de => "Elektronischer Aufenthaltstitel".into(),
        "AR" | "AS" | "AF" => "Electronic residence permit".into(),
        other => other.to_owned(),
    }
}

/// A claim value as lines a person reads, by claim name (docs/relying-parties.md).
pub fn claim(locale: Locale, name: &str, v: &Value) -> Vec<String> {
    match (name, v) {
        ("birthdate", Value::String(s)) => vec![date(locale, s)],
        ("nationalities", Value::Array(a)) => {
            vec![a
                .iter()
                .filter_map(Value::as_str)
                .map(|c| nationality(locale, c))
                .collect::<Vec<_>>()
                .join(", ")]
        }
        ("issuing_state", Value::String(s)) => vec![country(locale, s)],
        ("document_type", Value::String(s)) => vec![document_type(locale, s)],
        ("address", Value::Object(o)) => address(locale, o),
        ("place_of_birth", Value::Object(o)) => {
            // Identity Assurance `place_of_birth`: locality, and a country other than Germany.
            let place = address(locale, o);
            if place.is_empty() {
                vec![plain(v)]
            } else {
                vec![place.join(", ")]
            }
        }
        ("org", Value::Object(o)) => {
            let part = |k: &str| o.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
            let first = [
                part("name"),
                part("legal_form").filter(|f| !part("name").is_some_and(|n| n.ends_with(f))),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            [Some(first).filter(|f| !f.is_empty()), part("seat").map(str::to_owned)]
                .into_iter()
                .flatten()
                .collect()
        }
        (_, Value::Object(o)) => o
            .iter()
            .filter(|(k, _)| *k != "id")
            .map(|(_, v)| plain(v))
            .filter(|s| !s.is_empty())
            .collect(),
        _ => vec![plain(v)],
    }
}

/// Any JSON value as plain text (strings unquoted, lists comma-separated).
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(plain).collect::<Vec<_>>().join(", "),
        Value::Null => String::new(),
        Value::Object(o) => o.values().map(plain).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests;

//! Countries and nationalities by name. Codes are ISO 3166-1 alpha-2 and alpha-3; ICAO Doc 9303
//! Part 3 §5 uses the alpha-3 codes except for Germany (`D`) and adds codes for people without a
//! state's nationality (`XXA` stateless, `XXB`/`XXC` refugees, `XXX` unspecified), the United
//! Nations (`UNO`, `UNA`, `UNK`), Kosovo (`RKS`) and the British nationality classes (`GBD` …),
//! all of which the German eID may write. Unknown codes are shown as given.

use crate::web::Locale;

/// `(alpha-2, alpha-3, country de, nationality de, country en, nationality en)`.
const COUNTRIES: &[(&str, &str, &str, &str, &str, &str)] = &[
    ("DE", "DEU", "Deutschland", "deutsch", "Germany", "German"),
    // EU
    ("AT", "AUT", "Österreich", "österreichisch", "Austria", "Austrian"),
    ("BE", "BEL", "Belgien", "belgisch", "Belgium", "Belgian"),
    ("BG", "BGR", "Bulgarien", "bulgarisch", "Bulgaria", "Bulgarian"),
    ("CY", "CYP", "Zypern", "zyprisch", "Cyprus", "Cypriot"),
    ("CZ", "CZE", "Tschechien", "tschechisch", "Czechia", "Czech"),
    ("DK", "DNK", "Dänemark", "dänisch", "Denmark", "Danish"),
    ("EE", "EST", "Estland", "estnisch", "Estonia", "Estonian"),
    ("ES", "ESP", "Spanien", "spanisch", "Spain", "Spanish"),
    ("FI", "FIN", "Finnland", "finnisch", "Finland", "Finnish"),
    ("FR", "FRA", "Frankreich", "französisch", "France", "French"),
    ("GR", "GRC", "Griechenland", "griechisch", "Greece", "Greek"),
    ("HR", "HRV", "Kroatien", "kroatisch", "Croatia", "Croatian"),
    ("HU", "HUN", "Ungarn", "ungarisch", "Hungary", "Hungarian"),
    ("IE", "IRL", "Irland", "irisch", "Ireland", "Irish"),
    ("IT", "ITA", "Italien", "italienisch", "Italy", "Italian"),
    ("LT", "LTU", "Litauen", "litauisch", "Lithuania", "Lithuanian"),
    ("LU", "LUX", "Luxemburg", "luxemburgisch", "Luxembourg", "Luxembourgish"),
    ("LV", "LVA", "Lettland", "lettisch", "Latvia", "Latvian"),
    ("MT", "MLT", "Malta", "maltesisch", "Malta", "Maltese"),
    ("NL", "NLD", "Niederlande", "niederländisch", "Netherlands", "Dutch"),
    ("PL", "POL", "Polen", "polnisch", "Poland", "Polish"),
    ("PT", "PRT", "Portugal", "portugiesisch", "Portugal", "Portuguese"),
    ("RO", "ROU", "Rumänien", "rumänisch", "Romania", "Romanian"),
    ("SE", "SWE", "Schweden", "schwedisch", "Sweden", "Swedish"),
    ("SI", "SVN", "Slowenien", "slowenisch", "Slovenia", "Slovenian"),
    ("SK", "SVK", "Slowakei", "slowakisch", "Slovakia", "Slovak"),
    // EEA, Switzerland
    ("IS", "ISL", "Island", "isländisch", "Iceland", "Icelandic"),
    ("LI", "LIE", "Liechtenstein", "liechtensteinisch", "Liechtenstein", "Liechtenstein"),
    ("NO", "NOR", "Norwegen", "norwegisch", "Norway", "Norwegian"),
    ("CH", "CHE", "Schweiz", "schweizerisch", "Switzerland", "Swiss"),
    // Others often seen in German administration
    ("GB", "GBR", "Vereinigtes Königreich", "britisch", "United Kingdom", "British"),
    ("US", "USA", "Vereinigte Staaten", "amerikanisch", "United States", "American"),
    ("TR", "TUR", "Türkei", "türkisch", "Türkiye", "Turkish"),
    ("UA", "UKR", "Ukraine", "ukrainisch", "Ukraine", "Ukrainian"),
    ("RU", "RUS", "Russland", "russisch", "Russia", "Russian"),
    ("SY", "SYR", "Syrien", "syrisch", "Syria", "Syrian"),
    ("AF", "AFG", "Afghanistan", "afghanisch", "Afghanistan", "Afghan"),
    ("IQ", "IRQ", "Irak", "irakisch", "Iraq", "Iraqi"),
    ("IR", "IRN", "Iran", "iranisch", "Iran", "Iranian"),
    ("RS", "SRB", "Serbien", "serbisch", "Serbia", "Serbian"),
    ("XK", "RKS", "Kosovo", "kosovarisch", "Kosovo", "Kosovan"),
    (
        "BA",
        "BIH",
        "Bosnien und Herzegowina",
        "bosnisch-herzegowinisch",
        "Bosnia and Herzegovina",
        "Bosnian",
    ),
    ("AL", "ALB", "Albanien", "albanisch", "Albania", "Albanian"),
    (
        "MK",
        "MKD",
        "Nordmazedonien",
        "nordmazedonisch",
        "North Macedonia",
        "North Macedonian",
    ),
    ("MD", "MDA", "Moldau", "moldauisch", "Moldova", "Moldovan"),
    ("VN", "VNM", "Vietnam", "vietnamesisch", "Viet Nam", "Vietnamese"),
    ("CN", "CHN", "China", "chinesisch", "China", "Chinese"),
    ("IN", "IND", "Indien", "indisch", "India", "Indian"),
    ("MA", "MAR", "Marokko", "marokkanisch", "Morocco", "Moroccan"),
    ("CA", "CAN", "Kanada", "kanadisch", "Canada", "Canadian"),
];

/// ICAO codes for nationality classes without a country: `(code, de, en)`. ICAO 9303 Part 3 §5.
const SPECIAL: &[(&str, &str, &str)] = &[
    ("XXA", "staatenlos", "stateless"),
    (
        "XXB",
        "Flüchtling (Genfer Flüchtlingskonvention)",
        "refugee (1951 Refugee Convention)",
    ),
    ("XXC", "Flüchtling (sonstiger)", "refugee (other)"),
    ("XXX", "ungeklärt", "unspecified"),
    ("UNO", "Vereinte Nationen", "United Nations"),
    (
        "UNA",
        "Vereinte Nationen (Sonderorganisation)",
        "United Nations (specialised agency)",
    ),
    ("UNK", "Kosovo (UNMIK)", "Kosovo (UNMIK)"),
    ("EUE", "Europäische Union", "European Union"),
    ("GBD", "britisch (Überseegebiete)", "British Overseas Territories citizen"),
    ("GBN", "britisch (National Overseas)", "British National (Overseas)"),
    ("GBO", "britisch (Overseas Citizen)", "British Overseas citizen"),
    ("GBP", "britisch (Protected Person)", "British protected person"),
    ("GBS", "britisch (Subject)", "British subject"),
];

fn find(code: &str) -> Option<&'static (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str)> {
    let c = code.trim().to_ascii_uppercase();
    // ICAO writes Germany as `D` (Doc 9303 Part 3 §5), the German eID too.
    let c = if c == "D" { "DEU".to_owned() } else { c };
    COUNTRIES.iter().find(|row| row.0 == c || row.1 == c)
}

fn special(code: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    let c = code.trim().to_ascii_uppercase();
    SPECIAL.iter().find(|row| row.0 == c)
}

/// Whether a code names Germany (`D`, `DE`, `DEU`).
pub fn is_germany(code: &str) -> bool {
    find(code).is_some_and(|row| row.0 == "DE")
}

/// A country by name (`D` → `Deutschland` / `Germany`); unknown codes as given.
pub fn country(locale: Locale, code: &str) -> String {
    match (find(code), special(code)) {
        (Some(row), _) => if locale == Locale::De { row.2 } else { row.4 }.to_owned(),
        (None, Some(s)) => if locale == Locale::De { s.1 } else { s.2 }.to_owned(),
        (None, None) => code.to_owned(),
    }
}

/// A nationality by name (`D` → `deutsch` / `German`, `XXA` → `staatenlos`); unknown codes as given.
pub fn nationality(locale: Locale, code: &str) -> String {
    match (find(code), special(code)) {
        (Some(row), _) => if locale == Locale::De { row.3 } else { row.5 }.to_owned(),
        (None, Some(s)) => if locale == Locale::De { s.1 } else { s.2 }.to_owned(),
        (None, None) => code.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_unique_and_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for row in COUNTRIES {
            assert_eq!(row.0.len(), 2, "{row:?}");
            assert_eq!(row.1.len(), 3, "{row:?}");
            assert!(seen.insert(row.0) && seen.insert(row.1), "duplicate {row:?}");
        }
        for row in SPECIAL {
            assert!(seen.insert(row.0), "duplicate {row:?}");
        }
        // EU 27 + EEA 3 + CH, GB, US, TR at least.
        for c in [
            "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL",
            "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO", "CH", "GB", "US", "TR",
        ] {
            assert!(find(c).is_some(), "{c}");
        }
    }
}

//! The scope → claim table that relying parties read (docs/relying-parties.md §3) is the one the
//! code releases by (`oidc_provider::claims::SCOPE_CLAIMS`): every scope and each of its claims,
//! in both directions, so the document cannot promise a claim the code does not release, nor hide
//! one it does.

use buergerkonto::oidc_provider::claims::{claims_of_scope, SCOPE_CLAIMS};
use std::collections::{BTreeMap, BTreeSet};

const DOC: &str = include_str!("../../docs/relying-parties.md");

/// Backticked names in a table cell, leaving out explanations in `(…)` and object members in `{…}`.
fn names(cell: &str) -> BTreeSet<String> {
    let mut depth = 0usize;
    let mut outside = String::new();
    for c in cell.chars() {
        match c {
            '(' | '{' => depth += 1,
            ')' | '}' => depth = depth.saturating_sub(1),
            _ if depth == 0 => outside.push(c),
            _ => {}
        }
    }
    outside.split('`').skip(1).step_by(2).map(str::to_owned).collect()
}

/// Rows of the table whose header starts with `| scope | claims`: scope → claims.
fn doc_table(doc: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut lines = doc.lines().skip_while(|l| !l.starts_with("| scope | claims"));
    assert!(lines.next().is_some(), "docs/relying-parties.md has no `| scope | claims` table");
    let mut table = BTreeMap::new();
    for line in lines.skip(1).take_while(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let scope: Vec<String> = names(cells[1]).into_iter().collect();
        assert_eq!(scope.len(), 1, "one scope per row: {line}");
        let previous = table.insert(scope[0].clone(), names(cells[2]));
        assert!(previous.is_none(), "scope {} listed twice", scope[0]);
    }
    table
}

#[test]
fn relying_party_doc_lists_exactly_the_scope_claim_table() {
    let doc = doc_table(DOC);
    for (scope, claims) in SCOPE_CLAIMS {
        let code: BTreeSet<String> = claims.iter().map(|c| c.to_string()).collect();
        let documented = doc
            .get(*scope)
            .unwrap_or_else(|| panic!("scope {scope} is not in docs/relying-parties.md"));
        assert_eq!(documented, &code, "claims of scope {scope}: docs/relying-parties.md vs claims.rs");
    }
    for (scope, claims) in &doc {
        let code: BTreeSet<String> = claims_of_scope(scope).iter().map(|c| c.to_string()).collect();
        assert_eq!(claims, &code, "documented scope {scope} vs claims.rs");
    }
    assert!(
        doc.contains_key("offline_access"),
        "offline_access is documented (no claims of its own)"
    );
}

#[test]
fn the_table_parser_sees_what_a_reader_sees() {
    let t = doc_table(
        "x\n| scope | claims | when |\n|---|---|---|\n| `a` | `b`, `c` (see `d`) | `e` |\n| `o` | `o` {`m`, n} | x |\n| `z` | — | |\n\nafter\n| `y` | `q` | |\n",
    );
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(t.len(), 3);
    assert_eq!(t["a"], set(&["b", "c"]));
    assert_eq!(t["o"], set(&["o"]));
    assert!(t["z"].is_empty());
}

//! The dependency direction of the broker's modules (issue 14 item 1; docs/architecture.md, "Module
//! map"). Every top-level module of `src/` sits in one layer; a module may name (`crate::…`) only
//! modules of lower layers, so no cycle can form. Modules of the domain (everything below
//! `config`) must not use axum: handlers and responses live at the edge.
//!
//! The check reads the source text: every `crate::<module>` path and every `use crate::{…}`
//! group outside test code. Test code (a `#[cfg(test)]` module, `tests.rs`, `test_support.rs`) may
//! reach anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Bottom to top. Modules in one layer must not import each other either.
const LAYERS: &[&[&str]] = &[
    // Standard output as a batching line sink, under the audit trail that writes through it.
    &["stdout_lines"],
    &["clock", "ids", "escape", "deflate", "tls", "secret", "audit"],
    &["trust"],
    &["identity"],
    &["keys", "session"],
    &["saml", "oidc_upstream", "eudi"],
    &["authenticators"],
    &["oidc_provider"],
    &["login"],
    &["logout"],
    // The edge: settings are built by `config`, which knows every domain module; `state` is the
    // axum state; pages, handlers, simulators and the router above them.
    &["config"],
    &["state"],
    &["web"],
    &["http"],
    &["dev"],
    &["app"],
];

/// The first layer of the edge: modules below it are the domain.
const EDGE_FROM: &str = "config";

/// Known violations still being removed (issue 14), each `(from, to)`. The test fails on any
/// violation not listed here and on any entry that no longer occurs, so this list only shrinks.
const KNOWN: &[(&str, &str)] = &[];

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The source without comments and without its test module (by convention the last item).
fn production_text(text: &str) -> String {
    let mut kept = String::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]") {
            break;
        }
        if t.starts_with("//") {
            continue;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    kept
}

/// The first segments of every path in a `use crate::{…}` group, at any nesting depth of its
/// top level (`a::b`, `c::{d, e}`, `f` give `a`, `c`, `f`).
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut at_start = true;
    let mut word = String::new();
    for ch in group.chars() {
        match ch {
            '{' => {
                depth += 1;
                at_start = false;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => at_start = true,
            c if at_start && depth == 0 && (c.is_alphanumeric() || c == '_') => word.push(c),
            _ => {
                if at_start && !word.is_empty() {
                    heads.push(std::mem::take(&mut word));
                    at_start = false;
                }
            }
        }
    }
    if !word.is_empty() {
        heads.push(word);
    }
    heads
}

/// Every crate module a text names, plus `axum` when it uses axum.
fn references(text: &str) -> BTreeSet<String> {
    let mut refs = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let end = matching_brace(group).unwrap_or(group.len());
            refs.extend(group_heads(&group[..end]));
        } else {
            let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            refs.insert(name);
        }
        rest = after;
    }
    if text.contains("axum::") || text.contains("use axum") {
        refs.insert("axum".to_owned());
    }
    refs
}

fn matching_brace(s: &str) -> Option<usize> {
    let mut depth = 1;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `from → to` edges between top-level modules, each with the files that cause it.
fn edges() -> BTreeMap<(String, String), BTreeSet<String>> {
    let root = src_dir();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut edges: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for path in files {
        let rel = path.strip_prefix(&root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        let top = rel.split('/').next().unwrap_or_default().trim_end_matches(".rs").to_owned();
        let name = path.file_name().unwrap_or_default().to_string_lossy().to_string();
        if matches!(top.as_str(), "lib" | "main") || name == "tests.rs" || name == "test_support.rs" || rel.contains("/tests/") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for to in references(&production_text(&text)) {
            if to != top {
                edges.entry((top.clone(), to)).or_default().insert(rel.clone());
            }
        }
    }
    edges
}

#[test]
fn modules_depend_only_downwards() {
    let layer: BTreeMap<&str, usize> = LAYERS
        .iter()
        .enumerate()
        .flat_map(|(i, l)| l.iter().map(move |m| (*m, i)))
        .collect();
    let edge_from = layer[EDGE_FROM];
    let mut unplaced = BTreeSet::new();
    let mut violations = BTreeMap::new();
    for ((from, to), files) in edges() {
        let Some(&lf) = layer.get(from.as_str()) else {
            unplaced.insert(from.clone());
            continue;
        };
        let bad = if to == "axum" {
            lf < edge_from
        } else {
            match layer.get(to.as_str()) {
                Some(&lt) => lt >= lf,
                // `crate::foo` where foo is not a top-level module: a function or type of lib.rs.
                None => false,
            }
        };
        if bad {
            violations.insert((from, to), files);
        }
    }
    // Top-level modules that no layer names.
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    for p in files {
        let rel = p.strip_prefix(src_dir()).unwrap_or(&p).to_string_lossy().replace('\\', "/");
        let top = rel.split('/').next().unwrap_or_default().trim_end_matches(".rs").to_owned();
        if !matches!(top.as_str(), "lib" | "main") && !layer.contains_key(top.as_str()) {
            unplaced.insert(top);
        }
    }
    assert!(
        unplaced.is_empty(),
        "top-level modules in no layer of tests/it/layers.rs: {unplaced:?}"
    );

    let known: BTreeSet<(String, String)> = KNOWN.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect();
    let new: Vec<String> = violations
        .iter()
        .filter(|(k, _)| !known.contains(*k))
        .map(|((a, b), f)| format!("{a} -> {b} ({})", f.iter().cloned().collect::<Vec<_>>().join(", ")))
        .collect();
    let stale: Vec<&(String, String)> = known.iter().filter(|k| !violations.contains_key(*k)).collect();
    assert!(
        new.is_empty(),
        "modules import upwards or sideways (see docs/architecture.md):\n{}",
        new.join("\n")
    );
    assert!(stale.is_empty(), "fixed, remove from KNOWN in tests/it/layers.rs: {stale:?}");
}

#[test]
fn the_checker_sees_grouped_and_nested_imports() {
    let text =
        "use crate::{a::B, c::{d, e::F}, g};\nfn x() { crate::h::i(); }\n// crate::comment\n#[cfg(test)]\nmod tests { use crate::t; }";
    let refs = references(&production_text(text));
    let want: BTreeSet<String> = ["a", "c", "g", "h"].iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(refs, want);
}

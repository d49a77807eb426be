//! `[audit]`: where the audit trail goes (issue 12 item 3; docs/operations.md, "Audit trail").

use super::Problems;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAudit {
    #[serde(default)]
    pub sink: Option<String>,
    #[serde(default)]
    pub file: Option<PathBuf>,
}

/// `[audit]`, validated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AuditConfig {
    /// One JSON line per event on standard output, beside the application log (default).
    #[default]
    Stdout,
    /// Appended to this file, reopened on SIGHUP.
    File(PathBuf),
}

pub(super) fn validate(raw: RawAudit, p: &mut Problems) -> AuditConfig {
    match (raw.sink.as_deref(), raw.file) {
        (None | Some("stdout"), None) => AuditConfig::Stdout,
        (None | Some("stdout"), Some(_)) => {
            p.push("audit.file: only with audit.sink = \"file\"");
            AuditConfig::Stdout
        }
        (Some("file"), Some(path)) => {
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            if !dir.is_dir() {
                p.push(format!("audit.file: directory {} does not exist", dir.display()));
            }
            AuditConfig::File(path)
        }
        (Some("file"), None) => {
            p.push("audit.file: required with audit.sink = \"file\"");
            AuditConfig::Stdout
        }
        (Some(other), _) => {
            p.push(format!("audit.sink: {other:?} is not \"stdout\" or \"file\""));
            AuditConfig::Stdout
        }
    }
}

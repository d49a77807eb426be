//! CRLs from files, reloaded when a file changes on disk (no restart needed). A file that becomes
//! unreadable or unparsable fails closed: the anchor refuses logins until it is fixed.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::SystemTime;
use webpki::{CertRevocationList, OwnedCertRevocationList};

/// Why the CRLs of an anchor cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
#[error("CRL {path}: {reason}")]
pub struct CrlError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

struct Loaded {
    stamps: Vec<Option<SystemTime>>,
    crls: Arc<Vec<CertRevocationList<'static>>>,
}

/// The CRLs of one anchor.
pub struct CrlSet {
    files: Vec<PathBuf>,
    loaded: RwLock<Option<Loaded>>,
}

impl CrlSet {
    /// A set of files (nothing read yet).
    pub fn new(files: Vec<PathBuf>) -> Self {
        Self {
            files,
            loaded: RwLock::new(None),
        }
    }

    /// Whether any CRL is configured.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The current CRLs, re-read if any file's modification time changed since the last read.
    pub fn current(&self) -> Result<Arc<Vec<CertRevocationList<'static>>>, CrlError> {
        let stamps: Vec<Option<SystemTime>> = self
            .files
            .iter()
            .map(|f| std::fs::metadata(f).and_then(|m| m.modified()).ok())
            .collect();
        if let Ok(guard) = self.loaded.read() {
            if let Some(l) = guard.as_ref().filter(|l| l.stamps == stamps) {
                return Ok(l.crls.clone());
            }
        }
        let mut crls = Vec::with_capacity(self.files.len());
        for f in &self.files {
            let err = |reason: String| CrlError {
                path: f.display().to_string(),
                reason,
            };
            let bytes = std::fs::read(f).map_err(|e| err(e.to_string()))?;
            let der = pem_or_der(&bytes, "X509 CRL").ok_or_else(|| err("not a PEM or DER CRL".into()))?;
            let owned = OwnedCertRevocationList::from_der(&der).map_err(|e| err(format!("{e:?}")))?;
            crls.push(CertRevocationList::Owned(owned));
        }
        let crls = Arc::new(crls);
        tracing::info!(files = self.files.len(), "CRLs (re)loaded");
        if let Ok(mut guard) = self.loaded.write() {
            *guard = Some(Loaded {
                stamps,
                crls: crls.clone(),
            });
        }
        Ok(crls)
    }
}

/// DER from a PEM block with `label`, or the bytes themselves when they are not PEM.
pub fn pem_or_der(bytes: &[u8], label: &str) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(bytes).ok();
    match text.filter(|t| t.contains("-----BEGIN")) {
        Some(t) => {
            let begin = format!("-----BEGIN {label}-----");
            let end = format!("-----END {label}-----");
            let start = t.find(&begin)? + begin.len();
            let stop = t[start..].find(&end)? + start;
            let b64: String = t[start..stop].chars().filter(|c| !c.is_whitespace()).collect();
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).ok()
        }
        None => Some(bytes.to_vec()),
    }
}

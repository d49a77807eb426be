//! Collecting configuration problems, and the one error that lists them all.

use std::fmt;
use std::path::Path;

/// Every problem found in a configuration, one line each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The problems, in file order.
    pub problems: Vec<String>,
}

impl ConfigError {
    /// An error with one problem.
    pub fn single(problem: String) -> Self {
        Self { problems: vec![problem] }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            f.write_str(p)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Accumulates problems during validation.
#[derive(Debug, Default)]
pub struct Problems {
    list: Vec<String>,
}

impl Problems {
    /// Record a problem (`"<key path>: <what is wrong>"`).
    pub fn push(&mut self, problem: impl Into<String>) {
        self.list.push(problem.into());
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Record a problem unless `path` is a readable regular file.
    pub fn check_readable_file(&mut self, field: &str, path: &Path) {
        match std::fs::metadata(path) {
            Ok(m) if m.is_file() => {
                if let Err(e) = std::fs::File::open(path) {
                    self.push(format!("{field}: key file {} is not readable: {e}", path.display()));
                }
            }
            Ok(_) => self.push(format!("{field}: {} is not a file", path.display())),
            Err(e) => self.push(format!("{field}: missing file {}: {e}", path.display())),
        }
    }

    /// Record a problem when a production configuration points at committed development material.
    pub fn check_not_dev_material(&mut self, field: &str, path: &Path, development: bool) {
        if !development && path.components().any(|c| c.as_os_str() == "dev") && path.components().any(|c| c.as_os_str() == "certs") {
            self.push(format!(
                "{field}: {} is development material (certs/dev/) and is refused outside development configuration",
                path.display()
            ));
        }
    }

    /// Parse an absolute http(s) URL, recording a problem if it is not one.
    pub fn url(&mut self, field: &str, value: &str) -> Option<url::Url> {
        match url::Url::parse(value) {
            Ok(u) if (u.scheme() == "https" || u.scheme() == "http") && u.host().is_some() => Some(u),
            Ok(_) => {
                self.push(format!("{field}: malformed URL {value:?}: must be an absolute http(s) URL"));
                None
            }
            Err(e) => {
                self.push(format!("{field}: malformed URL {value:?}: {e}"));
                None
            }
        }
    }

    /// Turn the collected problems into a result.
    pub fn finish(self) -> Result<(), ConfigError> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(ConfigError { problems: self.list })
        }
    }
}

/// Whether a URL's host is a loopback address or `localhost` (development is allowed only there).
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

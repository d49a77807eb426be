//! [`Untrusted`]: a string taken from a message (an algorithm URI, a Transform list, a status code
//! or message) that must reach errors and logs only escaped and shortened.
//!
//! A raw value in a log line is an injection vector: a newline inside an `Algorithm` attribute would
//! forge a second line in the text log format, control characters could rewrite a terminal. Both
//! `Display` and `Debug` print the value quoted, with Rust's `escape_debug` (so `\n`, `\r`, `\u{1b}`
//! and quotes are visible escapes, never raw), and cut after [`Untrusted::MAX_SHOWN`] characters.

use std::fmt;

/// A message-supplied string; prints escaped and truncated. Compare with [`Untrusted::as_str`].
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Untrusted(String);

impl Untrusted {
    /// At most this many characters of the value are shown.
    pub const MAX_SHOWN: usize = 96;

    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value: for comparisons, never for logs or pages.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The raw value.
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl From<&str> for Untrusted {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl From<String> for Untrusted {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl PartialEq<str> for Untrusted {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Untrusted {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for Untrusted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        let mut chars = self.0.chars();
        for c in chars.by_ref().take(Self::MAX_SHOWN) {
            write!(f, "{}", c.escape_debug())?;
        }
        if chars.next().is_some() {
            write!(f, "…({} bytes)", self.0.len())?;
        }
        f.write_str("\"")
    }
}

impl fmt::Debug for Untrusted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_long_values_cut() {
        let forged = Untrusted::new("http://x\n2026-12-01T10:00:00Z  INFO login ok user=admin\r\u{1b}[2J\"");
        let shown = forged.to_string();
        assert!(
            !shown.contains('\n') && !shown.contains('\r') && !shown.contains('\u{1b}'),
            "{shown}"
        );
        assert!(
            shown.contains("\\n2026") && shown.contains("\\u{1b}") && shown.contains("\\\""),
            "{shown}"
        );
        assert_eq!(format!("{forged:?}"), shown);
        let long = Untrusted::new("a".repeat(10_000));
        let shown = long.to_string();
        assert!(shown.len() < Untrusted::MAX_SHOWN + 30, "{}", shown.len());
        assert!(shown.ends_with("…(10000 bytes)\""));
        assert_eq!(long.as_str().len(), 10_000);
    }
}

//! The audit trail (issue 12 item 3): one JSON line per step of a login that a data-protection
//! officer must be able to reconstruct — who (a per-client pseudonym), where (client, method),
//! how strongly (level), when, and in which request. The schema is in docs/operations.md
//! ("Audit trail").
//!
//! What never goes in: names, birth dates, addresses, upstream identifiers (eID PersonIdentifier,
//! ELSTER pseudonyms, certificate subjects, bank `sub`s). The only subject is the pairwise `sub`
//! the relying party itself sees (OIDC Core §8.1), which is useless without that client's data.
//! Callers pass only the fields of [`AuditEvent`]; there is no free-text field to leak into.
//!
//! Domain code emits through the [`Audit`] handle the broker context carries; the request id
//! comes from a task-local set by the HTTP edge ([`with_request_id`]), so no axum type reaches the
//! domain.

mod sink;

pub use sink::{AuditSink, FileSink, MemorySink, StdoutSink};

use serde::Serialize;
use std::future::Future;
use std::sync::Arc;

/// The version of the line format; bumped when a field changes meaning or disappears.
pub const SCHEMA: u32 = 1;

/// The step a line records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// The upstream method was started for a relying party's request.
    LoginStarted,
    /// The upstream returned an identity.
    UpstreamSucceeded,
    /// The upstream returned a failure (`reason` names its class).
    UpstreamFailed,
    /// The login satisfies the client's requirement at `level`.
    LevelReached,
    /// The login does not satisfy the client (`reason`): no code.
    LoginRefused,
    /// The person approved the release of data.
    ConsentGiven,
    /// The person refused it.
    ConsentDenied,
    /// An authorization code was issued.
    CodeIssued,
    /// Tokens were issued (`reason`: the grant type).
    TokensIssued,
    /// A rotated refresh token came back after its grace: the family was revoked.
    RefreshReuseDetected,
    /// The broker session ended by logout (`reason`: who asked).
    Logout,
    /// The broker session ran out; the client's participation ended.
    SessionExpired,
}

/// One event, before it is stamped with time and request id.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEvent {
    event: EventKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    client: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

impl AuditEvent {
    /// An event of `kind` with no fields yet.
    pub fn new(kind: EventKind) -> Self {
        Self {
            event: kind,
            client: None,
            method: None,
            level: None,
            sub: None,
            reason: None,
        }
    }
    /// The relying party's `client_id`.
    pub fn client(mut self, id: &str) -> Self {
        self.client = Some(id.to_owned());
        self
    }
    /// The upstream method id (`eid`, `elster`, …).
    pub fn method(mut self, id: &str) -> Self {
        self.method = Some(id.to_owned());
        self
    }
    /// The trust level (required at `login_started`, reached afterwards).
    pub fn level(mut self, level: impl std::fmt::Display) -> Self {
        self.level = Some(level.to_string());
        self
    }
    /// The pairwise (or public) `sub` this client sees — never an upstream identifier.
    pub fn subject(mut self, sub: &str) -> Self {
        self.sub = Some(sub.to_owned());
        self
    }
    /// The event name as written (a metrics label).
    pub fn kind_name(&self) -> &'static str {
        match self.event {
            EventKind::LoginStarted => "login_started",
            EventKind::UpstreamSucceeded => "upstream_succeeded",
            EventKind::UpstreamFailed => "upstream_failed",
            EventKind::LevelReached => "level_reached",
            EventKind::LoginRefused => "login_refused",
            EventKind::ConsentGiven => "consent_given",
            EventKind::ConsentDenied => "consent_denied",
            EventKind::CodeIssued => "code_issued",
            EventKind::TokensIssued => "tokens_issued",
            EventKind::RefreshReuseDetected => "refresh_reuse_detected",
            EventKind::Logout => "logout",
            EventKind::SessionExpired => "session_expired",
        }
    }
    /// The method as a metrics label (`none` when not known).
    pub fn method_label(&self) -> String {
        self.method.clone().unwrap_or_else(|| "none".into())
    }
    /// The level as a metrics label (`none` when not known).
    pub fn level_label(&self) -> String {
        self.level.clone().unwrap_or_else(|| "none".into())
    }
    /// A stable reason class from a fixed vocabulary (a `&'static str`, so no input can reach it).
    pub fn reason(mut self, reason: &'static str) -> Self {
        self.reason = Some(reason);
        self
    }
}

/// The line as written.
#[derive(Serialize)]
struct Line<'a> {
    audit: u32,
    time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
    #[serde(flatten)]
    event: &'a AuditEvent,
}

/// Where audit lines go. Cheap to clone.
#[derive(Clone)]
pub struct Audit {
    sink: Arc<dyn AuditSink>,
}

impl std::fmt::Debug for Audit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Audit")
    }
}

impl Audit {
    /// Write to `sink`.
    pub fn new(sink: Arc<dyn AuditSink>) -> Self {
        Self { sink }
    }

    /// Write nothing (tools and tests that do not look at the trail).
    pub fn discard() -> Self {
        Self::new(Arc::new(sink::Discard))
    }

    /// Record `event` at `now` (Unix seconds, the broker's clock).
    pub fn emit(&self, now: i64, event: AuditEvent) {
        let time = chrono::DateTime::from_timestamp(now, 0)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default();
        let line = Line {
            audit: SCHEMA,
            time,
            request_id: current_request_id(),
            event: &event,
        };
        match serde_json::to_string(&line) {
            Ok(text) => self.sink.write_line(&text),
            Err(e) => tracing::error!(error = %e, "audit event could not be serialised"),
        }
    }

    /// Reopen the sink's file (after log rotation moved it; SIGHUP).
    pub fn reopen(&self) {
        self.sink.reopen();
    }
}

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Run `fut` with `id` as the request id of every audit line it emits.
pub async fn with_request_id<F: Future>(id: String, fut: F) -> F::Output {
    REQUEST_ID.scope(id, fut).await
}

/// The request id of the running request, if any (background work has none).
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

#[cfg(test)]
mod tests;

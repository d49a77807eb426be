//! Code issuance (RFC 6749 §4.1.2, OIDC Core §3.1.2.5): the [`Grant`] (what this login releases
//! to this client) and a single-use [`AuthorizationCode`] stored by the SHA-256 of a random
//! 256-bit code, with TTL `oidc.code_ttl` (≤ 60 s).

use super::pending::random_id;
use super::session::{sid_for, BrokerSession};
use crate::audit::{AuditEvent, EventKind};
use crate::ids::AuthCode;
use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::records::{AuthorizationCode, Grant, PendingAuthorization};
use crate::oidc_provider::{claims, subject};
use crate::session::{RecordKind, StoreError};

/// Why no code was issued.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// The client vanished from configuration.
    #[error("unknown client")]
    UnknownClient,
    /// No level holds any more (the session ran out between checks).
    #[error("session no longer valid")]
    SessionExpired,
    /// Subject derivation failed.
    #[error(transparent)]
    Subject(#[from] subject::SubjectError),
    /// Store failure.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The store id of a code: SHA-256, base64url (the token side looks codes up the same way).
pub fn code_store_id(code: &str) -> String {
    crate::ids::store_id(code)
}

/// Create the grant and the code; returns the code to send. Logout needs to know which clients
/// got tokens in this session, with which `sid` (issue 11): `since` is the time of this client's
/// first code in the session as the caller read it (`participants::since`), kept by the
/// participation this writes.
pub async fn issue_code(
    ctx: &Broker,
    pending: &PendingAuthorization,
    session: &BrokerSession,
    now: i64,
    save_session: bool,
    since: Option<i64>,
) -> Result<AuthCode, IssueError> {
    let oidc = ctx.oidc();
    let client = ctx.client(pending.client_id.as_str()).ok_or(IssueError::UnknownClient)?;
    let level = session
        .effective_level(now, |l| ctx.sessions().limits_for(l))
        .filter(|l| *l >= pending.required_level)
        .ok_or(IssueError::SessionExpired)?;
    let sub = subject::subject_for(oidc, client, &session.subject)?;
    let released = claims::release(
        &pending.scopes,
        client.claims.as_deref(),
        &session.attributes,
        session.organisation.as_ref(),
    );
    // Claims requested for the ID token (OIDC Core §5.5) – only those actually released.
    let id_token_claims = pending
        .id_token_claims
        .iter()
        .filter(|c| released.contains_key(*c))
        .cloned()
        .collect();
    let organisation = if released.contains_key("org") {
        session.organisation.clone()
    } else {
        None
    };
    // The code's lifetime plus the longest token's: a code redeemed at the last moment still
    // finds a grant that outlives its tokens, so redemption need not rewrite it (one store
    // round trip less per token request, issue 13).
    let lifetime = oidc.code_ttl
        + [Some(client.access_token_ttl), Some(client.id_token_ttl), client.refresh_token_ttl]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or_default();
    let grant = Grant {
        id: crate::ids::GrantId::new(random_id()),
        client_id: client.id.clone(),
        sub,
        scopes: pending.scopes.clone(),
        claims: released,
        id_token_claims,
        organisation,
        level,
        amr: session.amr.clone(),
        auth_time: session.auth_time,
        sid: sid_for(&session.id, &client.id),
        created_at: now,
        expires_at: now.saturating_add(lifetime.as_secs() as i64),
    };
    let code = AuthCode::generate();
    let record = AuthorizationCode {
        grant_id: grant.id.clone(),
        client_id: client.id.clone(),
        redirect_uri: pending.redirect_uri.clone(),
        code_challenge: pending.code_challenge.clone(),
        nonce: pending.nonce.clone(),
        expires_at: now.saturating_add(oidc.code_ttl.as_secs() as i64),
        sid: Some(grant.sid.clone()),
        refresh_scopes: grant.scopes.iter().any(|s| s == "offline_access").then(|| grant.scopes.clone()),
    };
    // The session (when changed), the participation, the grant, the replay marker and the code in
    // one round trip (issue 13). The marker is written with the code, not at redemption, so that a
    // second redemption racing the first still finds it and revokes the grant (RFC 6749 §4.1.2).
    let code_key = code.store_key();
    let mut batch = ctx.records().batch();
    if save_session {
        super::session::queue_save(&mut batch, |l| ctx.sessions().limits_for(l), session, now)?;
    }
    let session_key = session.id.store_key();
    crate::oidc_provider::participants::queue_remember(ctx, &mut batch, &grant, &session_key, since, now)?;
    batch.put(RecordKind::Grant, grant.id.as_str(), &grant, lifetime)?;
    crate::oidc_provider::token::authorization_code::queue_issued(&mut batch, &code_key, &grant.id)?;
    batch.put(RecordKind::AuthorizationCode, &code_key, &record, oidc.code_ttl)?;
    batch.run().await?;
    ctx.audit(
        AuditEvent::new(EventKind::CodeIssued)
            .client(client.id.as_str())
            .method(session.method.as_str())
            .level(grant.level)
            .subject(&grant.sub),
    );
    Ok(code)
}

//! `GET` and `POST /authorize` (OIDC Core §3.1.2.1). The checks run in this order, each in its own
//! file: client and redirect URI (pages until verified), request shape, scope, PKCE, prompt and
//! max_age, the `claims` parameter, the trust policy, `idp_hint`. Then the request is parked and
//! the SSO session decides between reuse, login and a `prompt=none` error. Every outcome after
//! the checks carries the browser binding (binding.rs) for the edge to set as a cookie.

use super::acr::{self, AcrRequest};
use super::browser::Browser;
use super::check_max_age::check_max_age;
use super::check_prompt::{check_prompt, Prompt};
use super::client_policy::{self, Login};
use super::errors::{codes, AuthorizeError, ErrorCode, OAuthError, ReturnTo};
use super::next::{Next, Outcome, Problem};
use super::params::RawParams;
use super::sso::{self, Ask, Decision};
use super::{binding, flow, methods, pending, session, start};
use super::{check_claims, check_client::check_client, check_pkce::check_pkce, check_request::check_request, check_scope::check_scope};
use crate::ids::{CodeChallenge, Nonce, OAuthState, PendingId};
use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::records::PendingAuthorization;
use crate::oidc_provider::settings::ClientConfig;

/// An authorization request (query of a `GET`, form body of a `POST`), in the language `locale`
/// the edge negotiated (stored with the request).
pub async fn authorize(ctx: &Broker, p: &RawParams, locale: &str, browser: &Browser) -> Outcome {
    let now = ctx.clock().unix();
    let mut pending = match validate(ctx, p, now) {
        Ok(v) => v,
        Err(AuthorizeError::Page(e)) => return Next::page(e, locale).into(),
        Err(AuthorizeError::Redirect(to, error)) => return Next::RpError { to, error }.into(),
    };
    pending.locale = locale.to_owned();
    let to = ReturnTo {
        redirect_uri: pending.redirect_uri.clone(),
        state: pending.state.clone(),
    };
    let Some(client) = ctx.client(pending.client_id.as_str()) else {
        return Next::page(Problem::UnknownClient, locale).into();
    };

    // Bind the request to this browser (issue 9 item 1): reuse its binding value if it has one
    // (parallel logins in several tabs), else a fresh one; the record keeps only the hash.
    let bind = browser.binding.clone().unwrap_or_else(binding::fresh);
    pending.binding = binding::digest(&bind);
    Outcome {
        next: decide_and_go(ctx, browser, client, pending, now, to).await,
        session: None,
        binding: Some(bind),
    }
}

/// SSO reuse, login, or the `prompt=none` error, for a verified and bound request.
async fn decide_and_go(
    ctx: &Broker,
    browser: &Browser,
    client: &ClientConfig,
    mut pending: PendingAuthorization,
    now: i64,
    to: ReturnTo,
) -> Next {
    let locale = pending.locale.clone();
    // The browser's SSO session, if any.
    let existing = match &browser.session {
        Some(id) if pending::plausible_id(id.expose()) => match session::load(ctx.records(), id).await {
            Ok(s) => s,
            Err(e) => return Next::page(e, &locale),
        },
        _ => None,
    };
    pending.session_id = existing.as_ref().map(|s| s.id.clone());
    let ask = Ask {
        prompt: Prompt::from_values(&pending.prompt),
        required: pending.required_level,
        max_age: pending.max_age,
    };
    // The same per-client check a fresh login passes (client_policy.rs, issue 9 item 3).
    let required = pending.required_level;
    let client_check = |s: &session::BrokerSession, level| {
        let login = Login {
            method: ctx.methods().get(s.method.as_str()).map(|m| m.as_ref()),
            level,
            has_organisation: s.organisation.is_some(),
        };
        client_policy::check(client, login, required)
    };
    let limits = |l| ctx.sessions().limits_for(l);
    match sso::decide(ask, existing.as_ref(), client_check, now, limits) {
        Decision::Fail(error) => Next::RpError { to, error },
        Decision::Reuse(_) => {
            let Some(mut s) = existing else {
                return Next::page(Problem::Internal, &locale);
            };
            s.touch(now, limits);
            pending.authenticated = true;
            // The touched session is stored with the code or the parked request (one round trip).
            flow::proceed(ctx, pending, s, now, false, true).await
        }
        Decision::Login => {
            if let Some(hint) = pending.idp_hint.clone() {
                // idp_hint skips the choice page (design brief §3); already checked in `validate`.
                return start::start_method(ctx, pending, &hint, now).await;
            }
            match pending::save(ctx, &pending, now).await {
                Ok(true) => Next::ToChoice { pending_id: pending.id },
                Ok(false) => Next::page(Problem::Expired, &locale),
                Err(e) => Next::page(e, &locale),
            }
        }
    }
}

/// All checks; the parked request on success.
fn validate(ctx: &Broker, p: &RawParams, now: i64) -> Result<PendingAuthorization, AuthorizeError> {
    let (client, redirect_uri) = check_client(ctx, p).map_err(AuthorizeError::Page)?;
    let to = ReturnTo {
        redirect_uri: redirect_uri.clone(),
        // `state` is echoed even if another check fails (RFC 6749 §4.1.2.1), unless duplicated.
        state: p.get("state").map(OAuthState::from),
    };
    let fail = |e: OAuthError| AuthorizeError::Redirect(to.clone(), e);
    check_request(p).map_err(fail)?;
    let scopes = check_scope(client, p).map_err(fail)?;
    let code_challenge = check_pkce(p).map_err(fail)?;
    let prompt = check_prompt(p).map_err(fail)?;
    let max_age = check_max_age(p).map_err(fail)?;
    let claims = match p.get("claims") {
        Some(text) => {
            check_claims::parse(text).map_err(|_| fail(OAuthError::new(ErrorCode::InvalidRequest, "the claims parameter is malformed")))?
        }
        None => check_claims::ClaimsRequest::default(),
    };
    let acr_request = AcrRequest {
        acr_values: p.list("acr_values"),
        essential: claims.essential_acr.clone(),
    };
    let best = methods::best_available(ctx.methods(), client);
    let requirement = acr::required_level(client.min_level, &acr_request, best).map_err(|_| fail(codes::UNMET))?;
    let idp_hint = p.get("idp_hint").map(str::to_owned);
    if let Some(hint) = &idp_hint {
        methods::check_idp_hint(ctx.methods(), client, hint, requirement.level).map_err(fail)?;
    }
    Ok(PendingAuthorization {
        id: PendingId::new(pending::random_id()),
        client_id: client.id.clone(),
        redirect_uri,
        scopes,
        state: to.state.clone(),
        nonce: p.get("nonce").map(Nonce::from),
        code_challenge: CodeChallenge::new(code_challenge),
        required_level: requirement.level,
        essential_acr: requirement.essential,
        id_token_claims: claims.id_token,
        userinfo_claims: claims.userinfo,
        max_age,
        prompt,
        locale: String::new(),
        login_hint: p.get("login_hint").map(str::to_owned),
        idp_hint,
        created_at: now,
        csrf: pending::random_id(),
        session_id: None,
        method: None,
        authenticated: false,
        binding: String::new(),
    })
}

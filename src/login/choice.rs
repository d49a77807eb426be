//! The login choice, `GET /login/{id}`: only methods that reach the required level and that the
//! client allows (issue 5 item 4). The edge renders the page, with the levels explained in plain
//! words.

use super::next::{ChoiceView, MethodChoice, Next, Problem};
use super::{methods, pending};
use crate::oidc_provider::broker::Broker;

/// What the choice page of request `id` shows. `lang` is a language the person switched to
/// (`?lang=`, a supported tag): the switch sticks for the rest of this login (upstream page,
/// consent, errors).
pub async fn choice(ctx: &Broker, id: &str, lang: Option<&str>) -> Next {
    let now = ctx.clock().unix();
    let mut p = match pending::load(ctx, id, now).await {
        Ok(Some(p)) => p,
        Ok(None) => return Next::page(Problem::Expired, lang.unwrap_or("de")),
        Err(e) => return Next::page(e, "de"),
    };
    let locale = lang.map(str::to_owned).unwrap_or_else(|| p.locale.clone());
    if locale != p.locale {
        p.locale = locale.clone();
        if let Err(e) = pending::save(ctx, &p, now).await {
            return Next::page(e, &locale);
        }
    }
    let Some(client) = ctx.client(&p.client_id) else {
        return Next::page(Problem::Expired, &locale);
    };
    let methods = methods::eligible(ctx.methods(), client, p.required_level)
        .into_iter()
        .map(|m| MethodChoice {
            id: m.id().as_str().to_owned(),
            label: m.label(&locale),
            max_level: m.max_level(),
        })
        .collect();
    Next::Choice(ChoiceView {
        pending_id: p.id,
        locale,
        client_name: client.name.clone(),
        required: p.required_level,
        methods,
        csrf: p.csrf,
    })
}

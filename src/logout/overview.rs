//! The relying parties a broker session issued codes to ([`Participation`]s), found by computing
//! each registered client's `sid` for the session (oidc_provider/participants.rs): for the
//! citizen's `/session` page and for ending the session.

use crate::login::session::sid_for;
use crate::oidc_provider::broker::Broker;
use crate::oidc_provider::participants::{self, Participation};
use crate::session::StoreError;

/// The participations of the session with cookie value `session_id`, earliest first.
pub async fn participations(broker: &Broker, session_id: &crate::ids::SessionId) -> Result<Vec<Participation>, StoreError> {
    let key = session_id.store_key();
    let mut out = Vec::new();
    for c in broker.clients() {
        let sid = sid_for(session_id, &c.id);
        if let Some(p) = participants::find(broker.records(), &sid).await? {
            // Defence in depth: the record must name this session.
            if p.session_key == key && p.client_id == c.id.as_str() {
                out.push(p);
            }
        }
    }
    out.sort_by_key(|p| p.since);
    Ok(out)
}

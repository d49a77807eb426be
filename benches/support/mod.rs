//! Shared machinery of the login and scale benches (`benches/login.rs`, `benches/scale.rs`): a
//! release broker **process** (`buergerkonto serve`) whose CPU time is read from `/proc`, an eID
//! IdP in the bench process that answers the broker's AuthnRequests with Governikus-shaped
//! Responses (the library's simulator message code and `saml-xmlsec`, used as a library, so the
//! IdP's signing never counts as the broker's CPU), the browser side of the whole login, and the
//! Redis clean-up guard every bench holds while it writes keys.

pub mod broker;
pub mod flow;
pub mod idp;
pub mod store;
pub mod web;

/// The load average of the machine (`/proc/loadavg`: 1, 5, 15 minutes), printed beside every
/// figure: the machine is shared, so a figure means little without it.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".into())
}

/// The CPU model and core count, for the report header.
pub fn machine() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    format!("{cores} CPUs ({model})")
}

/// An environment variable as a number, or the default.
pub fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// The Redis the benches use (`REDIS_URL`, default the local one).
pub fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// The `p`-th percentile of sorted microseconds, in milliseconds.
pub fn percentile_ms(sorted_us: &[u64], p: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let i = ((sorted_us.len() as f64 - 1.0) * p).round() as usize;
    sorted_us[i.min(sorted_us.len() - 1)] as f64 / 1000.0
}

//! The template environment: templates from `templates/`, compiled into the binary (no files to
//! deploy), auto-escaped (minijinja escapes `.html` templates by default).

use minijinja::Environment;
use std::sync::OnceLock;

static ENV: OnceLock<Environment<'static>> = OnceLock::new();

fn env() -> &'static Environment<'static> {
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, src) in [
            ("base.html", include_str!("../../templates/base.html")),
            ("choice.html", include_str!("../../templates/choice.html")),
            ("consent.html", include_str!("../../templates/consent.html")),
            ("error.html", include_str!("../../templates/error.html")),
            ("upstream_error.html", include_str!("../../templates/upstream_error.html")),
            ("post_form.html", include_str!("../../templates/post_form.html")),
            ("dev_login.html", include_str!("../../templates/dev_login.html")),
            ("restart.html", include_str!("../../templates/restart.html")),
            ("logout_confirm.html", include_str!("../../templates/logout_confirm.html")),
            ("logged_out.html", include_str!("../../templates/logged_out.html")),
            ("session.html", include_str!("../../templates/session.html")),
            ("start.html", include_str!("../../templates/start.html")),
            ("not_found.html", include_str!("../../templates/not_found.html")),
            ("easy_language.html", include_str!("../../templates/easy_language.html")),
            ("wallet.html", include_str!("../../templates/wallet.html")),
        ] {
            if let Err(e) = env.add_template(name, src) {
                tracing::error!(template = name, error = %e, "template does not compile");
            }
        }
        env
    })
}

/// A template failed to render (a programming error; logged, shown as a generic page).
#[derive(Debug, thiserror::Error)]
#[error("template {name}: {reason}")]
pub struct RenderError {
    name: &'static str,
    reason: String,
}

/// Render a template with a serialisable context.
pub fn render(name: &'static str, ctx: impl serde::Serialize) -> Result<String, RenderError> {
    env().get_template(name).and_then(|t| t.render(ctx)).map_err(|e| RenderError {
        name,
        reason: e.to_string(),
    })
}

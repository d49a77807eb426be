//! (HTTP edge) The wallet page, `GET /wallet/start/{handle}` and again after "Weiter" while the
//! wallet has not answered: the same-device button (a link with the wallet URL, OpenID4VP 1.0
//! §5.7), the cross-device QR code (an SVG drawn here with the `qrcode` crate: no third-party
//! service sees the request), the warning that the code belongs to this screen only (cross-device
//! flows are phishable, §13.3), and the "Weiter" button that polls without JavaScript.

use crate::eudi::flow::WalletFlow;
use crate::eudi::transaction::{Flow, Handle};
use crate::login::wallet_return::Waiting;
use crate::state::AppState;
use crate::web::{render_page, Locale};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Serialize)]
struct Texts {
    title: &'static str,
    note: Option<&'static str>,
    same_title: &'static str,
    same_text: &'static str,
    open_wallet: &'static str,
    cross_title: &'static str,
    cross_text: &'static str,
    warning: &'static str,
    warning_text: &'static str,
    qr_caption: &'static str,
    dev_cross: &'static str,
    #[serde(rename = "continue")]
    cont: &'static str,
}

fn texts(locale: Locale, waiting: Option<&Waiting>) -> Texts {
    let de = locale == Locale::De;
    let pick = |d: &'static str, e: &'static str| if de { d } else { e };
    Texts {
        title: pick("Mit der EUDI-Wallet anmelden", "Log in with the EUDI Wallet"),
        note: waiting.map(|w| match w {
            Waiting::Open => pick(
                "Die Wallet hat noch nicht geantwortet. Bitte bestätigen Sie die Anfrage in der Wallet und wählen Sie dann „Weiter“.",
                "The wallet has not answered yet. Please confirm the request in your wallet, then choose “Continue”.",
            ),
            Waiting::ContinueWhereTheWalletReturned => pick(
                "Die Wallet hat geantwortet. Die Anmeldung geht in dem Browserfenster weiter, das die Wallet geöffnet hat.",
                "The wallet has answered. The login continues in the browser window the wallet opened.",
            ),
        }),
        same_title: pick("Wallet auf diesem Gerät", "Wallet on this device"),
        same_text: pick(
            "Öffnen Sie Ihre Wallet-App auf diesem Gerät. Sie zeigt, welche Daten aus Ihrem Personalausweis-Nachweis (PID) übermittelt werden.",
            "Open your wallet app on this device. It shows which data from your identity credential (PID) will be shared.",
        ),
        open_wallet: pick("Wallet öffnen", "Open wallet"),
        cross_title: pick("Wallet auf einem anderen Gerät", "Wallet on another device"),
        cross_text: pick(
            "Scannen Sie den Code mit der Wallet auf Ihrem Smartphone. Wählen Sie danach hier „Weiter“.",
            "Scan the code with the wallet on your smartphone. Then choose “Continue” here.",
        ),
        warning: pick("Dieser Code gilt nur für diesen Bildschirm.", "This code belongs to this screen only."),
        warning_text: pick(
            "Scannen Sie ihn nur, wenn Sie die Anmeldung selbst hier begonnen haben. Wer Ihnen einen Code schickt oder zeigt, will sich mit Ihrer Identität anmelden.",
            "Scan it only if you started this login here yourself. Anyone who sends or shows you a code wants to log in with your identity.",
        ),
        qr_caption: pick("QR-Code für die Wallet", "QR code for the wallet"),
        dev_cross: pick(
            "Entwicklung: die Test-Wallet als zweites Gerät öffnen (statt den Code zu scannen)",
            "Development: open the test wallet as the second device (instead of scanning the code)",
        ),
        cont: pick("Weiter", "Continue"),
    }
}

/// The QR code of `data` as an inline SVG named `label` (no XML declaration: it sits inside the
/// HTML; the label is plain text the caller chose, escaped here all the same).
pub fn qr_svg(data: &str, label: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build();
    let start = svg.find("<svg")?;
    let named = format!("<svg role=\"img\" aria-label=\"{}\"", crate::web::escape(label));
    Some(svg[start..].replacen("<svg", &named, 1))
}

/// The page for a live transaction.
pub fn page(state: &AppState, flow: &WalletFlow, handle: &Handle, locale: Locale, waiting: Option<&Waiting>) -> Response {
    let cross = flow.wallet_url(handle, Flow::CrossDevice);
    let w = texts(locale, waiting);
    let Some(qr) = qr_svg(&cross, w.qr_caption) else {
        tracing::error!("QR code not drawn");
        return crate::web::PageError::Unavailable.render(state.site(), locale);
    };
    let same = flow.wallet_url(handle, Flow::SameDevice);
    // Development: the button opens the built-in test wallet (/dev/wallet) with the same query, as
    // no wallet app answers `openid4vp://` on a developer's machine. The QR code stays real.
    let dev = |url: &str| match (flow.settings().development, url.split_once("://")) {
        (true, Some((_, query))) => Some(flow.url(&format!("/dev/wallet{query}"))),
        _ => None,
    };
    let dev_cross_url = dev(&cross);
    let same = dev(&same).unwrap_or(same);
    let ctx = minijinja::context! {
        w => &w,
        wallet_url => same,
        qr_svg => qr,
        dev_cross_url => dev_cross_url,
        poll_action => format!("/wallet/poll/{}", handle.as_str()),
    };
    let mut res = render_page(state.site(), "wallet.html", locale, w.title, None, ctx).into_response();
    // The page carries the handle: never cached.
    res.headers_mut()
        .insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_an_inline_svg_without_style_or_script() {
        let svg = qr_svg(
            "openid4vp://?client_id=x509_hash%3Aabc&request_uri=https%3A%2F%2Flocalhost%2Fwallet%2Frequest%2Fh",
            "QR <code>",
        )
        .unwrap();
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\"QR &lt;code&gt;\""), "{svg}");
        assert!(
            !svg.contains("<?xml") && !svg.contains("style=") && !svg.contains("<script"),
            "{svg}"
        );
        assert!(svg.contains("<path") || svg.contains("<rect"), "{svg}");
    }
}

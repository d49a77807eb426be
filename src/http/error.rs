//! Mapping errors to responses at the edge. The person or client sees a stable, generic message;
//! the detail goes to the log only (style guide: no internal detail, no stack trace to the user).

use crate::session::StoreError;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use http::StatusCode;

/// Errors a handler may return that are not protocol errors of their own.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// The session store is unreachable: fail closed (503), never continue without it.
    #[error("store unavailable: {0}")]
    StoreUnavailable(String),
    /// Anything unexpected.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(m) => Self::StoreUnavailable(m),
            other => Self::Internal(other.to_string()),
        }
    }
}

/// Render as JSON (`{"error": …}`) instead of a page: for API endpoints.
#[derive(Debug)]
pub struct JsonError(pub AppError);

impl AppError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::StoreUnavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "server_error"),
        }
    }

    fn log(&self) {
        tracing::error!(error = %self, "request failed");
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let (status, _) = self.status_and_code();
        let (de, en) = match self {
            Self::StoreUnavailable(_) => (
                "Der Dienst ist vorübergehend nicht verfügbar. Bitte versuchen Sie es in einigen Minuten erneut.",
                "The service is temporarily unavailable. Please try again in a few minutes.",
            ),
            Self::Internal(_) => (
                "Es ist ein interner Fehler aufgetreten. Bitte versuchen Sie es später erneut.",
                "An internal error occurred. Please try again later.",
            ),
        };
        let mut res = Html(crate::web::simple_page(status.as_u16(), de, en)).into_response();
        *res.status_mut() = status;
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut()
                .insert(http::header::RETRY_AFTER, http::HeaderValue::from_static("30"));
        }
        res
    }
}

impl IntoResponse for JsonError {
    fn into_response(self) -> Response {
        self.0.log();
        let (status, code) = self.0.status_and_code();
        let mut res = (status, Json(serde_json::json!({ "error": code }))).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut()
                .insert(http::header::RETRY_AFTER, http::HeaderValue::from_static("30"));
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(res: Response) -> String {
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn store_outage_is_503_page_without_detail() {
        let e: AppError = StoreError::Unavailable("connection refused by 10.1.2.3:6379".into()).into();
        let res = e.into_response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()[http::header::RETRY_AFTER], "30");
        let html = body(res).await;
        assert!(html.contains("vorübergehend nicht verfügbar") && html.contains("temporarily unavailable"));
        assert!(!html.contains("10.1.2.3") && !html.contains("refused"), "detail leaked: {html}");
    }

    #[tokio::test]
    async fn json_errors_are_stable_codes() {
        let res = JsonError(StoreError::Unavailable("x".into()).into()).into_response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body(res).await, r#"{"error":"temporarily_unavailable"}"#);
        let res = JsonError(StoreError::Corrupt("bad tag at byte 7".into()).into()).into_response();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body(res).await, r#"{"error":"server_error"}"#);
    }
}

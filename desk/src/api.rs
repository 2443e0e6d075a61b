//! The HTTP client for pantau-server's desk endpoints (all documented in
//! `/api/v1/openapi.json`). It moves bytes and names what went wrong; the
//! screens decide what to show.

use gloo_net::http::{Request, Response};
use pantau_core::protocol::{DeskSession, EnrolmentRequest, Problem, ProblemType};
use pantau_core::review::{Review, ReviewChange};
use serde::de::DeserializeOwned;

/// Why a call to the server did not give what was asked.
#[derive(Clone, Debug, PartialEq)]
pub enum DeskError {
    /// No answer: no connection, or the server is down.
    Network(String),
    /// 401: the session ended (expired or revoked); sign in again.
    SignedOut(Problem),
    /// Refused by the server, as its problem document says.
    Refused(Problem),
    /// An answer that is not what the API documents.
    Unreadable(String),
}

impl DeskError {
    pub fn problem_type(&self) -> Option<ProblemType> {
        match self {
            DeskError::SignedOut(p) | DeskError::Refused(p) => p.problem_type(),
            _ => None,
        }
    }
}

impl std::fmt::Display for DeskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeskError::Network(e) | DeskError::Unreadable(e) => f.write_str(e),
            DeskError::SignedOut(p) | DeskError::Refused(p) => match &p.detail {
                Some(detail) => write!(f, "{} ({detail})", p.title),
                None => f.write_str(&p.title),
            },
        }
    }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

async fn answer(response: Result<Response, gloo_net::Error>) -> Result<(Response, String), DeskError> {
    let response = response.map_err(|e| DeskError::Network(e.to_string()))?;
    let body = response.text().await.map_err(|e| DeskError::Network(e.to_string()))?;
    match response.status() {
        200..=299 => Ok((response, body)),
        401 => Err(DeskError::SignedOut(Problem::from_body(401, &body))),
        status => Err(DeskError::Refused(Problem::from_body(status, &body))),
    }
}

fn read<T: DeserializeOwned>(body: &str) -> Result<T, DeskError> {
    serde_json::from_str(body).map_err(|e| DeskError::Unreadable(format!("unreadable answer: {e}")))
}

/// GETs `path` (from `/api/v1/…`) as JSON.
pub async fn get<T: DeserializeOwned>(token: &str, path: &str) -> Result<T, DeskError> {
    let (_, body) = answer(Request::get(path).header("Authorization", &bearer(token)).send().await).await?;
    read(&body)
}

/// Exchanges a one-time sign-in code; `attempt` makes a retry after a lost
/// answer work.
pub async fn sign_in(code: &str, attempt: &str) -> Result<DeskSession, DeskError> {
    let request = EnrolmentRequest { code: code.to_owned(), attempt: Some(attempt.to_owned()) };
    let request =
        Request::post("/api/v1/desk/sign-in").json(&request).map_err(|e| DeskError::Network(e.to_string()))?;
    let (_, body) = answer(request.send().await).await?;
    read(&body)
}

/// Ends the session on the server: the token stops working everywhere.
pub async fn sign_out(token: &str) -> Result<(), DeskError> {
    let request = Request::delete("/api/v1/desk/session").header("Authorization", &bearer(token));
    answer(request.send().await).await.map(|_| ())
}

/// A report's review with its ETag, for the next change's `If-Match`.
pub async fn review(token: &str, id: &str) -> Result<(Review, String), DeskError> {
    let path = format!("/api/v1/reports/{id}/review");
    let (response, body) = answer(Request::get(&path).header("Authorization", &bearer(token)).send().await).await?;
    let review: Review = read(&body)?;
    let etag = response.headers().get("etag").unwrap_or_else(|| review.etag());
    Ok((review, etag))
}

/// Changes a review based on the version `etag` names. Someone else's change
/// in between: `Refused` with [`ProblemType::ReviewConflict`].
pub async fn change_review(
    token: &str,
    id: &str,
    etag: &str,
    change: &ReviewChange,
) -> Result<(Review, String), DeskError> {
    let path = format!("/api/v1/reports/{id}/review");
    let request = Request::post(&path)
        .header("Authorization", &bearer(token))
        .header("If-Match", etag)
        .json(change)
        .map_err(|e| DeskError::Network(e.to_string()))?;
    let (response, body) = answer(request.send().await).await?;
    let review: Review = read(&body)?;
    let etag = response.headers().get("etag").unwrap_or_else(|| review.etag());
    Ok((review, etag))
}

/// The bytes at `path` (fetched with the token, which a plain link or an
/// `<img>` cannot send) as a Blob.
async fn fetch_blob(token: &str, path: &str) -> Result<web_sys::Blob, DeskError> {
    use wasm_bindgen::JsCast as _;
    let response = Request::get(path).header("Authorization", &bearer(token)).send().await;
    let response = response.map_err(|e| DeskError::Network(e.to_string()))?;
    if !response.ok() {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        let problem = Problem::from_body(status, &body);
        return Err(if status == 401 { DeskError::SignedOut(problem) } else { DeskError::Refused(problem) });
    }
    let raw: web_sys::Response = response.into();
    let blob = raw.blob().map_err(|e| DeskError::Network(js_text(e)))?;
    Ok(wasm_bindgen_futures::JsFuture::from(blob).await.map_err(|e| DeskError::Network(js_text(e)))?.unchecked_into())
}

/// A photo's bytes as an address the page can show. Give it back with
/// `Url::revoke_object_url`.
pub async fn photo(token: &str, sha256: &str) -> Result<String, DeskError> {
    let blob = fetch_blob(token, &format!("/api/v1/photos/{sha256}")).await?;
    web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| DeskError::Unreadable(js_text(e)))
}

/// Fetches an export (it needs the token, which a plain link cannot send) and
/// hands it to the browser as a download named `file_name`.
pub async fn download(token: &str, path: &str, file_name: &str) -> Result<(), DeskError> {
    use wasm_bindgen::JsCast as _;
    let blob = fetch_blob(token, path).await?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| DeskError::Unreadable(js_text(e)))?;
    let document = leptos::prelude::document();
    if let Ok(link) = document.create_element("a") {
        let link: web_sys::HtmlAnchorElement = link.unchecked_into();
        link.set_href(&url);
        link.set_download(file_name);
        link.click();
    }
    // Revoked once the browser has surely taken the download over.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ =
        leptos::prelude::window().set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 30_000);
    Ok(())
}

/// A JS error as words (`Name: message`), or a thrown string as it is. The
/// wasm is built without `Debug` formatting, so `{:?}` would print nothing.
fn js_text(error: wasm_bindgen::JsValue) -> String {
    use wasm_bindgen::JsCast as _;
    match error.dyn_into::<js_sys::Error>() {
        Ok(error) => String::from(error.to_string()),
        Err(other) => other.as_string().unwrap_or_else(|| "?".to_owned()),
    }
}

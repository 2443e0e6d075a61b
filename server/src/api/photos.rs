//! Photos: uploaded on their own requests before the report that names them,
//! resumable after a dropped connection, and read back by their uploader and
//! by coordinators whose scope holds a report showing them.
//!
//! The upload follows the core of the tus protocol: `GET …/upload` says how
//! many bytes the server holds (`offset`), and `PATCH …/upload` appends bytes
//! at `Upload-Offset` to a photo of `Upload-Length` bytes in all.

use super::extract::{Caller, Volunteer};
use super::problem::ApiProblem;
use crate::photos::{Appended, UploadError};
use crate::store::Role;
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use pantau_core::evidence::{PhotoRef, MAX_PHOTO_BYTES};
use pantau_core::protocol::{Problem, ProblemType};
use serde::Serialize;

/// Photo bytes one volunteer may upload per day (UTC) unless configured:
/// about 300 photos.
pub const PHOTO_BYTES_PER_DAY: u64 = 100_000_000;

const UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");
const UPLOAD_LENGTH: HeaderName = HeaderName::from_static("upload-length");
/// The body type of a PATCH, as tus names it.
pub const OFFSET_OCTET_STREAM: &str = "application/offset+octet-stream";

/// How much of a photo the server holds for this volunteer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UploadState {
    /// Bytes held: where the next PATCH starts.
    pub offset: u64,
    /// Whether the whole photo is stored (then `offset` is its size).
    pub stored: bool,
}

fn photo_name(sha256: &str) -> Result<&str, ApiProblem> {
    if PhotoRef::is_sha256(sha256) {
        Ok(sha256)
    } else {
        Err(ApiProblem::new(
            StatusCode::BAD_REQUEST,
            ProblemType::BadRequest,
            Some(format!("{sha256:?} is not a photo's name: 64 lowercase hexadecimal digits of its SHA-256")),
        ))
    }
}

fn with_offset(status: StatusCode, state: UploadState) -> Response {
    let offset = HeaderValue::from(state.offset);
    let mut response = (status, Json(state)).into_response();
    response.headers_mut().insert(UPLOAD_OFFSET, offset);
    response
}

/// An answer given without reading the request's body to its end: the
/// connection closes after it (HTTP/1.1; HTTP/2 resets the stream), so the
/// phone stops sending bytes nobody reads (on a slow link, the rest of a photo
/// resent whole would hold it for a minute).
fn unread(mut response: Response) -> Response {
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

fn problem_with_offset(problem: ApiProblem, held: u64) -> Response {
    let mut response = problem.into_response();
    response.headers_mut().insert(UPLOAD_OFFSET, HeaderValue::from(held));
    response
}

/// How much of photo `sha256` the server holds for the calling volunteer.
#[utoipa::path(
    get,
    path = "/api/v1/photos/{sha256}/upload",
    tag = "photos",
    security(("bearer" = [])),
    params(("sha256" = String, Path, description = "The photo's SHA-256, 64 lowercase hexadecimal digits")),
    responses(
        (status = 200, description = "Bytes held; the `Upload-Offset` header says the same", body = UploadState),
        (status = 400, description = "Not a SHA-256", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a volunteer token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's rate; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn upload_state(
    State(state): State<AppState>,
    Volunteer(volunteer): Volunteer,
    Path(sha256): Path<String>,
) -> Result<Response, ApiProblem> {
    let sha256 = photo_name(&sha256)?;
    if let Some(bytes) = state.store.uploaded_photo(volunteer.id, sha256).await.map_err(ApiProblem::internal)? {
        return Ok(with_offset(StatusCode::OK, UploadState { offset: bytes, stored: true }));
    }
    let held = state.photos.held(volunteer.id, sha256).await;
    Ok(with_offset(StatusCode::OK, UploadState { offset: held, stored: false }))
}

fn header_number(headers: &HeaderMap, name: &HeaderName) -> Result<u64, ApiProblem> {
    let value = headers.get(name).ok_or_else(|| {
        ApiProblem::new(StatusCode::BAD_REQUEST, ProblemType::BadRequest, Some(format!("the {name} header is missing")))
    })?;
    value.to_str().ok().and_then(|v| v.trim().parse().ok()).ok_or_else(|| {
        ApiProblem::new(
            StatusCode::BAD_REQUEST,
            ProblemType::BadRequest,
            Some(format!("the {name} header is not a whole number of bytes")),
        )
    })
}

/// Append bytes to a photo: at `Upload-Offset` (what `GET …/upload` said),
/// of a photo of `Upload-Length` bytes. The last byte completes it: the
/// server checks the SHA-256 and that it is a JPEG, then stores it once.
/// An answer given before the body was read (a 409, say) closes the connection (HTTP/1.1).
#[utoipa::path(
    patch,
    path = "/api/v1/photos/{sha256}/upload",
    tag = "photos",
    security(("bearer" = [])),
    params(
        ("sha256" = String, Path, description = "The photo's SHA-256, 64 lowercase hexadecimal digits"),
        ("Upload-Offset" = u64, Header, description = "Where these bytes start: the bytes the server holds"),
        ("Upload-Length" = u64, Header, description = "The photo's whole size in bytes, at most 1,500,000"),
    ),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream",
        description = "Bytes of the photo from Upload-Offset on: the rest, or a part"),
    responses(
        (status = 200, description = "Held so far (`stored` false), or already stored for this volunteer (`stored` true)", body = UploadState),
        (status = 201, description = "The last byte arrived: the photo is stored", body = UploadState),
        (status = 400, description = "Not a SHA-256, or a header missing or not a number", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a volunteer token", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`upload-offset-mismatch`: the offset is not what the server holds (its `Upload-Offset` header), or another request is writing this photo", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`photo-too-large`: Upload-Length over the limit, or bytes beyond it (none of them kept)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is neither application/offset+octet-stream nor application/octet-stream, or (`not-a-photo`) the bytes are not a JPEG", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`photo-hash-mismatch`: the bytes do not hash to the name; nothing was kept", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's rate, or (`photo-quota-exceeded`) today's photo bytes used up; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn append(
    State(state): State<AppState>,
    Volunteer(volunteer): Volunteer,
    Path(sha256): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiProblem> {
    let sha256 = photo_name(&sha256)?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !content_type.starts_with(OFFSET_OCTET_STREAM) && !content_type.starts_with("application/octet-stream") {
        return Err(ApiProblem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemType::UnsupportedMediaType,
            Some(format!("the body must be {OFFSET_OCTET_STREAM} (or application/octet-stream)")),
        ));
    }
    let offset = header_number(&headers, &UPLOAD_OFFSET)?;
    let length = header_number(&headers, &UPLOAD_LENGTH)?;
    if let Some(bytes) = state.store.uploaded_photo(volunteer.id, sha256).await.map_err(ApiProblem::internal)? {
        return Ok(unread(with_offset(StatusCode::OK, UploadState { offset: bytes, stored: true })));
    }
    if length == 0 || length > u64::from(MAX_PHOTO_BYTES) {
        return Ok(unread(
            ApiProblem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ProblemType::PhotoTooLarge,
                Some(format!("Upload-Length {length}: a photo is 1 to {MAX_PHOTO_BYTES} bytes")),
            )
            .into_response(),
        ));
    }
    let midnight = time::OffsetDateTime::now_utc().replace_time(time::Time::MIDNIGHT);
    let today = state.store.photo_bytes_since(volunteer.id, midnight).await.map_err(ApiProblem::internal)?;
    if today + length > state.photo_bytes_per_day {
        let wait = (midnight + time::Duration::DAY - time::OffsetDateTime::now_utc()).whole_seconds().max(1);
        let mut response = ApiProblem::new(
            StatusCode::TOO_MANY_REQUESTS,
            ProblemType::PhotoQuotaExceeded,
            Some(format!("{today} of {} photo bytes used today (UTC)", state.photo_bytes_per_day)),
        )
        .into_response();
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return Ok(unread(response));
    }
    let problem = |status, kind, detail: String| ApiProblem::new(status, kind, Some(detail));
    match state.photos.append(volunteer.id, sha256, offset, length, body).await {
        Ok(Appended::Partial(held)) => Ok(with_offset(StatusCode::OK, UploadState { offset: held, stored: false })),
        Ok(Appended::Stored) => {
            state.store.record_photo_upload(volunteer.id, sha256, length).await.map_err(ApiProblem::internal)?;
            tracing::info!(photo = %sha256, bytes = length, volunteer = volunteer.id, "photo stored");
            Ok(with_offset(StatusCode::CREATED, UploadState { offset: length, stored: true }))
        }
        Err(UploadError::OffsetMismatch { held }) => Ok(unread(problem_with_offset(
            problem(
                StatusCode::CONFLICT,
                ProblemType::UploadOffsetMismatch,
                format!("Upload-Offset {offset}, but the server holds {held} bytes"),
            ),
            held,
        ))),
        Err(UploadError::Busy { held }) => Ok(unread(problem_with_offset(
            problem(
                StatusCode::CONFLICT,
                ProblemType::UploadOffsetMismatch,
                "another request is writing this photo now".into(),
            ),
            held,
        ))),
        Err(UploadError::BeyondLength { held }) => Ok(unread(problem_with_offset(
            problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                ProblemType::PhotoTooLarge,
                format!("more bytes than Upload-Length {length}; none of this request's were kept"),
            ),
            held,
        ))),
        Err(UploadError::HashMismatch { actual }) => Err(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            ProblemType::PhotoHashMismatch,
            format!("the bytes hash to {actual}, not {sha256}; they were not kept"),
        )),
        Err(UploadError::NotJpeg) => Err(problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemType::NotAPhoto,
            "the bytes are not a JPEG; they were not kept".into(),
        )),
        Err(UploadError::Interrupted { held }) => Ok(problem_with_offset(
            problem(StatusCode::BAD_REQUEST, ProblemType::BadRequest, format!("the body broke off after {held} bytes")),
            held,
        )),
        Err(UploadError::Io(e)) => Err(ApiProblem::internal(format!("photo {sha256}: {e}"))),
    }
}

/// A photo, for the volunteer who uploaded it and for coordinators whose
/// scope holds a report showing it.
#[utoipa::path(
    get,
    path = "/api/v1/photos/{sha256}",
    tag = "photos",
    security(("bearer" = [])),
    params(("sha256" = String, Path, description = "The photo's SHA-256, 64 lowercase hexadecimal digits")),
    responses(
        (status = 200, description = "The JPEG", content_type = "image/jpeg", body = Vec<u8>),
        (status = 400, description = "Not a SHA-256", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such photo among those the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's rate; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_photo(
    State(state): State<AppState>,
    Caller(account): Caller,
    Path(sha256): Path<String>,
) -> Result<Response, ApiProblem> {
    let sha256 = photo_name(&sha256)?;
    let allowed = match account.role {
        Role::Volunteer => {
            state.store.uploaded_photo(account.id, sha256).await.map_err(ApiProblem::internal)?.is_some()
        }
        Role::Coordinator => {
            state.store.photo_in_scope(sha256, account.tps.as_deref()).await.map_err(ApiProblem::internal)?
        }
    };
    // The same answer for a photo that does not exist and one the caller may not see.
    if !allowed {
        return Err(ApiProblem::not_found("no such photo"));
    }
    let bytes = state.photos.read(sha256).await.map_err(|e| ApiProblem::internal(format!("photo {sha256}: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
            // Named by its content: it never changes.
            (header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=31536000, immutable")),
        ],
        bytes,
    )
        .into_response())
}

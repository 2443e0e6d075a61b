//! The coordinators' desk: signing in with the one-time code of a sign-in
//! link (the same retry-safe exchange as a volunteer's enrolment), and the
//! live feed of arriving reports.

use super::enrolments::exchange_code;
use super::extract::{bearer_token_hash, Coordinator, JsonBody};
use super::problem::ApiProblem;
use crate::auth::DESK_SESSION;
use crate::store::Role;
use crate::store::{ReportFilter, StoredReport};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Json;
use futures_util::Stream;
use pantau_core::coverage::{AreaLevel, Coverage};
use pantau_core::desk::{Hours, ReportListItem, Tally};
use pantau_core::protocol::{CoordinatorProfile, DeskSession, EnrolmentRequest, Problem, ProblemType};
use std::collections::VecDeque;
use std::convert::Infallible;
use time::OffsetDateTime;

#[utoipa::path(
    post,
    path = "/api/v1/desk/sign-in",
    tag = "desk",
    request_body(content = EnrolmentRequest, example = json!({"code": "K7QX-M2PA-9RTD", "attempt": "a-secret-the-browser-made-for-this-code"})),
    responses(
        (status = 201, description = "Signed in: keep the token until `expires_at`", body = DeskSession),
        (status = 200, description = "A retry of a sign-in whose answer was lost: a new token", body = DeskSession),
        (status = 400, description = "Unreadable JSON, or a field that breaks a rule (named in `detail`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown, used or revoked code", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over the size limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many tries; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<EnrolmentRequest>,
) -> Result<(StatusCode, Json<DeskSession>), ApiProblem> {
    let expires_at = OffsetDateTime::now_utc() + DESK_SESSION;
    let (status, account, token) = exchange_code(&state, Role::Coordinator, &request, Some(expires_at)).await?;
    tracing::info!(coordinator = account.id, "coordinator signed in to the desk");
    let coordinator = CoordinatorProfile { name: account.name, scope: account.tps };
    Ok((status, Json(DeskSession { token, coordinator, expires_at })))
}

/// Signs the coordinator out: the token stops working at once, in every tab
/// and feed that holds it. Signing in again takes a new sign-in link.
#[utoipa::path(
    delete,
    path = "/api/v1/desk/session",
    tag = "desk",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out: the token no longer works"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's rate; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn sign_out(
    State(state): State<AppState>,
    coordinator: Coordinator,
    headers: HeaderMap,
) -> Result<StatusCode, ApiProblem> {
    let token_hash = bearer_token_hash(&headers).unwrap_or_default();
    state.store.end_session(coordinator.0.id, &token_hash).await.map_err(ApiProblem::internal)?;
    tracing::info!(coordinator = coordinator.0.id, "coordinator signed out of the desk");
    Ok(StatusCode::NO_CONTENT)
}

/// Reports read per query while catching up: a desk back from an hour
/// offline takes the backlog in pages of this many.
const CATCH_UP_PAGE: i64 = 200;

/// Where a feed resumes: after the report it last received.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    /// Resume after this arrival number (what `Last-Event-ID` says; the
    /// header wins when both are sent). Without either, the feed starts now.
    after: Option<i64>,
}

/// Server-Sent Events, one `report` event per report arriving in the
/// coordinator's scope, in arrival order, its `id` the arrival number. A
/// feed that resumes with `Last-Event-ID` first gets every report it missed:
/// none is lost and none comes twice.
#[utoipa::path(
    get,
    path = "/api/v1/desk/events",
    tag = "desk",
    security(("bearer" = [])),
    params(FeedQuery, ("Last-Event-ID" = Option<i64>, Header, description = "The last arrival number received")),
    responses(
        (status = 200, description = "`event: report`, `id: <seq>`, `data: <ReportListItem>`; comments keep the connection alive", content_type = "text/event-stream"),
        (status = 400, description = "`after` or `Last-Event-ID` is not an arrival number", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's rate; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn events(
    State(state): State<AppState>,
    coordinator: Coordinator,
    headers: HeaderMap,
    Query(query): Query<FeedQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiProblem> {
    let bad = |what: &str| {
        ApiProblem::new(
            StatusCode::BAD_REQUEST,
            ProblemType::InvalidRequest,
            Some(format!("{what}: not an arrival number")),
        )
    };
    let resume = match headers.get("last-event-id") {
        Some(v) => {
            Some(v.to_str().ok().and_then(|v| v.trim().parse::<i64>().ok()).ok_or_else(|| bad("Last-Event-ID"))?)
        }
        None => query.after,
    };
    let arrivals = state.store.arrivals();
    let last = match resume {
        Some(seq) if seq >= 0 => seq,
        Some(_) => return Err(bad("after")),
        None => *arrivals.borrow(),
    };
    let token_hash = bearer_token_hash(&headers).unwrap_or_default();
    let feed = Feed {
        store: state.store.clone(),
        scope: coordinator.0.tps,
        token_hash,
        last,
        arrivals,
        queued: VecDeque::new(),
    };
    let stream = futures_util::stream::unfold(feed, |mut feed| async move {
        let report = feed.next().await?;
        let event = Event::default()
            .id(report.receipt.seq.to_string())
            .event("report")
            .json_data(ReportListItem::from(report))
            .unwrap_or_else(|_| Event::default().comment("unserialisable report"));
        Some((Ok(event), feed))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// How often an idle feed asks whether its token still works.
const FEED_TOKEN_CHECK: std::time::Duration = std::time::Duration::from_secs(5);

/// One desk's feed: reads what arrived after `last` from the database, and
/// waits for the writer's word when it has caught up. Reading from the
/// database rather than passing reports along means a slow desk never
/// makes the writer wait, and a lagging one loses nothing. It ends when its
/// token stops working (signed out, expired, revoked, replaced by a new link).
struct Feed {
    store: crate::store::Store,
    scope: Option<String>,
    token_hash: String,
    last: i64,
    arrivals: tokio::sync::watch::Receiver<i64>,
    queued: VecDeque<StoredReport>,
}

impl Feed {
    /// The next report in scope; None once the server shuts down or the
    /// token no longer works.
    async fn next(&mut self) -> Option<StoredReport> {
        loop {
            if !self.token_works().await {
                return None;
            }
            if let Some(report) = self.queued.pop_front() {
                self.last = report.receipt.seq;
                return Some(report);
            }
            // Every report up to `newest` was committed before it was announced.
            let newest = *self.arrivals.borrow_and_update();
            if newest > self.last {
                let filter = ReportFilter {
                    scope: self.scope.clone(),
                    after_seq: self.last,
                    limit: CATCH_UP_PAGE,
                    ..Default::default()
                };
                match self.store.reports(&filter).await {
                    Ok(page) if page.is_empty() => {
                        // Nothing in scope up to `newest`: wait from there.
                        self.last = newest;
                    }
                    Ok(page) => {
                        self.queued.extend(page);
                        continue;
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "the desk feed could not read reports; retrying");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                        continue;
                    }
                }
            }
            match tokio::time::timeout(FEED_TOKEN_CHECK, self.arrivals.changed()).await {
                Ok(changed) => changed.ok()?,
                Err(_quiet) => continue,
            }
        }
    }

    /// Whether the feed's token still opens the desk (a failed lookup counts
    /// as yes: the feed is not cut for a moment's database trouble).
    async fn token_works(&self) -> bool {
        match self.store.account_by_token(&self.token_hash).await {
            Ok(Some(account)) => account.expires_at.is_none_or(|end| end > OffsetDateTime::now_utc()),
            Ok(None) => false,
            Err(e) => {
                tracing::warn!(error = %e, "the desk feed could not check its token");
                true
            }
        }
    }
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CoverageQuery {
    /// `kecamatan` (default), `kelurahan` or `tps`.
    level: Option<String>,
}

/// Which TPS of the coordinator's scope have reported, per area: the TPS
/// known (from `pantau-server tps import`, volunteers enrolled for one TPS,
/// and reports), how many sent each checklist phase and a count result, and
/// the TPS that sent nothing.
#[utoipa::path(
    get,
    path = "/api/v1/desk/coverage",
    tag = "desk",
    security(("bearer" = [])),
    params(CoverageQuery),
    responses(
        (status = 200, body = Coverage),
        (status = 400, description = "An unknown level", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's rate; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn coverage(
    State(state): State<AppState>,
    coordinator: Coordinator,
    Query(query): Query<CoverageQuery>,
) -> Result<Json<Coverage>, ApiProblem> {
    let level = match query.level.as_deref() {
        None => AreaLevel::Kecamatan,
        Some(slug) => AreaLevel::from_slug(slug).ok_or_else(|| {
            let detail = format!("level: {slug:?} is not one of kecamatan, kelurahan, tps");
            ApiProblem::new(StatusCode::BAD_REQUEST, ProblemType::InvalidRequest, Some(detail))
        })?,
    };
    let activity = state.store.tps_activity(coordinator.0.tps.as_deref()).await.map_err(ApiProblem::internal)?;
    Ok(Json(Coverage::build(level, activity)))
}

/// The count results of the coordinator's scope added up per contest, each
/// TPS once with its latest report; the TPS to check first are listed with
/// each contest: where reports disagree, then where a sheet does not add up.
#[utoipa::path(
    get,
    path = "/api/v1/desk/tally",
    tag = "desk",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Tally),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's rate; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn tally(State(state): State<AppState>, coordinator: Coordinator) -> Result<Json<Tally>, ApiProblem> {
    use futures_util::TryStreamExt as _;
    // TPS by TPS: a national tally holds one TPS's reports at a time, not millions.
    let pages = state.store.count_results_by_tps(coordinator.0.tps, crate::store::EXPORT_PAGE);
    let tallies = pages
        .try_fold(pantau_core::tally::Tallies::default(), |mut tallies, page| async move {
            page.into_iter().for_each(|report| tallies.add(report));
            Ok(tallies)
        })
        .await
        .map_err(ApiProblem::internal)?;
    Ok(Json(Tally { contests: tallies.finish() }))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct HoursQuery {
    /// From this time (RFC 3339); default 24 hours ago, at most 31 days ago.
    since: Option<String>,
}

/// Reports received per hour within the coordinator's scope, every hour from
/// `since` to now present: the desk's chart.
#[utoipa::path(
    get,
    path = "/api/v1/desk/hours",
    tag = "desk",
    security(("bearer" = [])),
    params(HoursQuery),
    responses(
        (status = 200, body = Hours),
        (status = 400, description = "`since` is not an RFC 3339 time within the last 31 days", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a coordinator token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's rate; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn hours(
    State(state): State<AppState>,
    coordinator: Coordinator,
    Query(query): Query<HoursQuery>,
) -> Result<Json<Hours>, ApiProblem> {
    let now = OffsetDateTime::now_utc();
    let since = match query.since {
        None => now - time::Duration::HOUR * 24,
        Some(s) => {
            let bad = |why: String| {
                ApiProblem::new(StatusCode::BAD_REQUEST, ProblemType::InvalidRequest, Some(format!("since: {why}")))
            };
            let t = OffsetDateTime::parse(&s, &time::format_description::well_known::Rfc3339)
                .map_err(|e| bad(e.to_string()))?;
            if t < now - time::Duration::days(31) || t > now {
                return Err(bad(format!("{s:?} is not within the last 31 days")));
            }
            t
        }
    };
    let counted = state.store.report_hours(coordinator.0.tps.as_deref(), since).await.map_err(ApiProblem::internal)?;
    Ok(Json(Hours::fill(since, now, &counted)))
}

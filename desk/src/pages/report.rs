//! One report: what the volunteer sent, and its review, which a coordinator
//! changes with a note. A change made meanwhile by another coordinator is
//! refused by the server (409); the desk then shows the current review and
//! keeps what was typed.

use super::{ErrorLine, ReviewBadge};
use crate::api::{self, DeskError};
use crate::feed::use_feed;
use crate::i18n::use_i18n;
use crate::session::use_session;
use gloo_storage::{SessionStorage, Storage as _};
use leptos::prelude::*;
use pantau_core::desk::ReportListItem;
use pantau_core::protocol::ProblemType;
use pantau_core::review::{Review, ReviewChange, ReviewState};
use pantau_core::{Lang, ReportBody};

#[component]
pub fn ReportPage(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let report = LocalResource::new({
        let id = id.clone();
        move || {
            let path = format!("/api/v1/reports/{id}");
            async move { session.call(|token| async move { api::get::<ReportListItem>(&token, &path).await }).await }
        }
    });
    view! {
        <p><a href=crate::routes::Route::Reports(Default::default()).href()>{move || i18n.t().back_to_list}</a></p>
        {move || match report.get() {
            None => view! { <p class="muted">{i18n.t().loading}</p> }.into_any(),
            Some(Err(DeskError::Refused(p))) if p.status == 404 => view! { <p class="error" role="alert">{i18n.t().report_not_found}</p> }.into_any(),
            Some(Err(error)) => view! { <ErrorLine error/> }.into_any(),
            Some(Ok(item)) => view! { <ReportDetail item/> <ReviewPanel id=id.clone()/> }.into_any(),
        }}
    }
}

#[component]
fn ReportDetail(item: ReportListItem) -> impl IntoView {
    let i18n = use_i18n();
    let report = item.report;
    let urgent = matches!(report.body, ReportBody::Incident { urgent: true, .. });
    let titled = report.clone();
    let title = move || titled.title(i18n.lang());
    let place = pantau_core::region::place(report.tps.get(..10).unwrap_or_default());
    let received = item.receipt.received_at;
    let created = report.created_at;
    let volunteer = item.volunteer.map(|v| v.name).unwrap_or_default();
    let body = report.body.clone();
    let photos = report.photos.clone();
    let position = report.position;
    view! {
        <article class="report-detail" data-testid="report-detail">
            <h1>{title}{urgent.then(|| view! { " " <span class="badge urgent-badge">{move || i18n.t().urgent_badge}</span> })}</h1>
            <dl class="facts">
                <dt>"TPS"</dt><dd>{report.tps.clone()}{place.map(|p| format!(" · {} · {}", p.village, p.district))}</dd>
                <dt>{move || i18n.t().volunteer}</dt><dd>{volunteer}</dd>
                <dt>{move || i18n.t().made_at}</dt><dd>{move || crate::clock::when(created, i18n.lang())}</dd>
                <dt>{move || i18n.t().received_at}</dt><dd>{move || crate::clock::when(received, i18n.lang())}</dd>
            </dl>
            {move || body_view(&body, i18n.lang())}
            {position.map(|at| {
                let (lat, lon) = at.degrees();
                let map = format!("https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}");
                view! {
                    <h2>{move || i18n.t().location}</h2>
                    <p data-testid="report-location">{format!("{lat}, {lon} (±{} m) · ", at.accuracy_m)}
                        <a href=map target="_blank" rel="noopener noreferrer">{move || i18n.t().open_map}</a></p>
                }
            })}
            {(!photos.is_empty()).then(|| view! {
                <h2>{move || i18n.t().photos}</h2>
                <ul class="photos" data-testid="report-photos">
                    {photos.iter().map(|p| view! { <li><Thumbnail sha256=p.sha256.clone() taken=p.taken_at/></li> }).collect_view()}
                </ul>
            })}
        </article>
    }
}

/// A photo's bytes as an address for `<img>`, fetched with the session's token.
fn photo_url(sha256: String) -> LocalResource<Result<String, DeskError>> {
    let session = use_session();
    let resource = LocalResource::new(move || {
        let sha256 = sha256.clone();
        async move { session.call(|token| async move { api::photo(&token, &sha256).await }).await }
    });
    on_cleanup(move || {
        if let Some(Ok(url)) = resource.try_get_untracked().flatten() {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    });
    resource
}

/// A photo of a report, linking to its own page, with when it was taken.
#[component]
fn Thumbnail(sha256: String, taken: Option<time::OffsetDateTime>) -> impl IntoView {
    let i18n = use_i18n();
    let href = crate::routes::Route::Photo(sha256.clone()).href();
    let url = photo_url(sha256);
    view! {
        <a href=href>
            {move || match url.get() {
                Some(Ok(src)) => view! { <img src=src alt=move || i18n.t().photo_heading width="160" /> }.into_any(),
                Some(Err(error)) => view! { <ErrorLine error/> }.into_any(),
                None => view! { <span class="muted">{move || i18n.t().loading}</span> }.into_any(),
            }}
        </a>
        {taken.map(|t| view! {
            <small class="muted" data-testid="photo-taken">
                {move || format!("{} {}", i18n.t().photo_taken, crate::clock::when(t, i18n.lang()))}
            </small>
        })}
    }
}

/// One photo, full size: where the exports' photo links lead.
#[component]
pub fn PhotoPage(sha256: String) -> impl IntoView {
    let i18n = use_i18n();
    let name = format!("pantau-{}.jpg", &sha256[..12]);
    let url = photo_url(sha256);
    view! {
        <h1>{move || i18n.t().photo_heading}</h1>
        {move || match url.get() {
            None => view! { <p class="muted">{i18n.t().loading}</p> }.into_any(),
            Some(Err(DeskError::Refused(p))) if p.status == 404 => view! { <p class="error" role="alert">{i18n.t().photo_not_found}</p> }.into_any(),
            Some(Err(error)) => view! { <ErrorLine error/> }.into_any(),
            Some(Ok(src)) => view! {
                <p><a href=src.clone() download=name.clone()>{move || i18n.t().download_photo}</a></p>
                <img class="photo-full" src=src alt=move || i18n.t().photo_heading data-testid="photo-full" />
            }.into_any(),
        }}
    }
}

/// What the volunteer reported, by kind. Text is shown as text (never HTML).
fn body_view(body: &ReportBody, lang: Lang) -> AnyView {
    let t = crate::i18n::texts(lang);
    match body.clone() {
        ReportBody::Note { text } => view! { <p class="report-text">{text}</p> }.into_any(),
        ReportBody::Incident { category, occurred_at, place, description, reported_party, witnesses, .. } => view! {
            <dl class="facts">
                <dt>{t.category}</dt><dd>{category.label(lang)}</dd>
                <dt>{t.occurred_at}</dt><dd>{crate::clock::when(occurred_at, lang)}</dd>
                <dt>{t.place}</dt><dd>{place}</dd>
                <dt>{t.reported_party}</dt><dd>{reported_party}</dd>
                <dt>{t.witnesses}</dt><dd>{witnesses}</dd>
            </dl>
            <h2>{t.description}</h2>
            <p class="report-text">{description}</p>
        }
        .into_any(),
        ReportBody::Checklist { phase, answers } => view! {
            <h2>{phase.label(lang)}</h2>
            <ul class="answers">
                {answers.into_iter().map(|a| {
                    let item = pantau_core::checklist::ITEMS.iter().find(|i| i.id == a.item).map(|i| i.text(lang)).unwrap_or("?");
                    let no = a.answer == pantau_core::checklist::Answer::No;
                    view! {
                        <li class:answer-no=no>
                            <span class="answer">{a.answer.label(lang)}</span>" "{item}
                            {(!a.note.is_empty()).then(|| view! { <p class="report-text muted">{a.note.clone()}</p> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any(),
        ReportBody::CountResult { contest, votes, valid, invalid, voters } => {
            let sum: u64 = votes.iter().map(|v| u64::from(v.votes)).sum();
            view! {
                <h2>{contest.label(lang)}</h2>
                <table class="votes">
                    <tbody>
                        {votes.into_iter().map(|v| view! { <tr><th scope="row">{v.name}</th><td>{v.votes}</td></tr> }).collect_view()}
                    </tbody>
                    <tfoot>
                        <tr><th scope="row">{t.sum_of_votes}</th><td>{sum}</td></tr>
                        <tr><th scope="row">{t.valid}</th><td>{valid}</td></tr>
                        <tr><th scope="row">{t.invalid}</th><td>{invalid}</td></tr>
                        <tr><th scope="row">{t.voters}</th><td>{voters}</td></tr>
                    </tfoot>
                </table>
                {(sum != u64::from(valid)).then(|| view! { <p class="caution">{t.does_not_add_up}</p> })}
            }
            .into_any()
        }
    }
}

/// What a coordinator typed into a report's review and has not saved, kept
/// in this tab's sessionStorage until it is saved or she signs out here.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
struct ReviewDraft {
    to: Option<ReviewState>,
    note: String,
    reference: String,
    /// The review's version (ETag) it was typed against: restored over a newer
    /// one, the desk says so, as it does for a 409.
    etag: Option<String>,
}

/// The review: where it stands, its history, and the form to change it.
#[component]
fn ReviewPanel(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let feed = use_feed();
    let review = RwSignal::new(None::<(Review, String)>);
    let error = RwSignal::new(None::<DeskError>);
    let conflict = RwSignal::new(None::<ReviewState>);
    let saved = RwSignal::new(false);
    let busy = RwSignal::new(false);
    // Per coordinator: another one signing in at this tab neither finds nor overwrites it.
    let by = session.current.with_untracked(|s| {
        s.as_ref().map(|s| format!("{}/{}", s.coordinator.name, s.coordinator.scope.as_deref().unwrap_or_default()))
    });
    let draft_key = StoredValue::new(format!("{}{id}/{}", crate::kept::REVIEW_DRAFT_PREFIX, by.unwrap_or_default()));
    let kept: ReviewDraft = draft_key.with_value(|key| SessionStorage::get(key)).unwrap_or_default();
    let typed_against = kept.etag.clone();
    let to = RwSignal::new(kept.to);
    let note = RwSignal::new(kept.note);
    let reference = RwSignal::new(kept.reference);
    // Kept at every change: a sign-in in between (an expired session) loses nothing.
    let keep = move || {
        let draft = ReviewDraft {
            to: to.get_untracked(),
            note: note.get_untracked(),
            reference: reference.get_untracked(),
            etag: review.with_untracked(|r| r.as_ref().map(|(_, etag)| etag.clone())),
        };
        draft_key.with_value(|key| {
            if draft.to.is_none() && draft.note.is_empty() && draft.reference.is_empty() {
                SessionStorage::delete(key);
            } else if let Err(e) = SessionStorage::set(key, &draft) {
                leptos::logging::error!("could not keep the review being typed: {e}");
            }
        });
    };
    let invalid = RwSignal::new(None::<String>);
    let read = {
        let id = id.clone();
        move || {
            let id = id.clone();
            let typed_against = typed_against.clone();
            leptos::task::spawn_local(async move {
                match session.call(|token| async move { api::review(&token, &id).await }).await {
                    Ok(r) => {
                        // Typed against an older version and kept across a
                        // sign-in: someone changed it meanwhile.
                        if typed_against.as_ref().is_some_and(|etag| *etag != r.1) {
                            conflict.set(Some(r.0.state));
                        }
                        review.set(Some(r));
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    read();
    let state = Signal::derive(move || review.with(|r| r.as_ref().map_or(ReviewState::New, |(r, _)| r.state)));
    let submit = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Some((current, etag)) = review.get_untracked() else { return };
            let t = i18n.t_now();
            let Some(target) = to.get_untracked() else {
                invalid.set(Some(t.pick_state.to_owned()));
                return;
            };
            let typed_reference = Some(reference.get_untracked().trim().to_owned()).filter(|r| !r.is_empty());
            let change = ReviewChange {
                to: target,
                note: note.get_untracked(),
                reference: typed_reference.filter(|_| target == ReviewState::Forwarded),
            };
            if let Err(e) = change.check(current.state) {
                invalid.set(Some(t.review_error(&e)));
                return;
            }
            invalid.set(None);
            saved.set(false);
            busy.set(true);
            let id = id.clone();
            leptos::task::spawn_local(async move {
                let answer = session
                    .call(|token| {
                        let id = id.clone();
                        async move { api::change_review(&token, &id, &etag, &change).await }
                    })
                    .await;
                match answer {
                    Ok((now, etag)) => {
                        feed.was_reviewed(&id, now.state);
                        review.set(Some((now, etag)));
                        conflict.set(None);
                        error.set(None);
                        note.set(String::new());
                        reference.set(String::new());
                        to.set(None);
                        draft_key.with_value(|key| SessionStorage::delete(key));
                        saved.set(true);
                    }
                    Err(e) if e.problem_type() == Some(ProblemType::ReviewConflict) => {
                        // Someone else changed it: show theirs, keep what was typed.
                        match session.call(|token| async move { api::review(&token, &id).await }).await {
                            Ok(now) => {
                                conflict.set(Some(now.0.state));
                                review.set(Some(now));
                            }
                            Err(e) => error.set(Some(e)),
                        }
                    }
                    Err(e) => {
                        // The change may have been stored before the answer was
                        // lost: the history, read again, says whether it was.
                        error.set(Some(e));
                        if let Ok(now) = session.call(|token| async move { api::review(&token, &id).await }).await {
                            review.set(Some(now));
                        }
                    }
                }
                busy.set(false);
            });
        }
    };
    let choices = [ReviewState::InReview, ReviewState::Verified, ReviewState::NotSubstantiated, ReviewState::Forwarded];
    view! {
        <section class="review" aria-labelledby="review-heading" data-testid="review">
            <h2 id="review-heading">{move || i18n.t().review}" " <ReviewBadge state/></h2>
            {move || conflict.get().map(|now| view! {
                <p class="notice" role="alert" data-testid="review-conflict">
                    {format!("{} {}. {}", i18n.t().conflict_now, now.label(i18n.lang()), i18n.t().conflict_again)}
                </p>
            })}
            {move || error.get().map(|error| view! { <ErrorLine error/> })}
            <form on:submit=submit class="review-form">
                <fieldset>
                    <legend>{move || i18n.t().change_to}</legend>
                    {choices.into_iter().map(|choice| view! {
                        <label class="choice">
                            <input type="radio" name="review-to" value=choice.slug()
                                prop:checked=move || to.get() == Some(choice)
                                on:change=move |_| { to.set(Some(choice)); keep() } />
                            {move || choice.label(i18n.lang())}
                        </label>
                    }).collect_view()}
                </fieldset>
                <Show when=move || to.get() == Some(ReviewState::Forwarded)>
                    <label for="review-reference">{move || i18n.t().reference}</label>
                    <input id="review-reference" prop:value=reference
                        on:input=move |ev| { reference.set(event_target_value(&ev)); keep() } />
                </Show>
                <label for="review-note">{move || i18n.t().note}</label>
                <textarea id="review-note" rows="3" prop:value=note on:input=move |ev| { note.set(event_target_value(&ev)); keep() }></textarea>
                {move || invalid.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                <button type="submit" class="primary" disabled=move || busy.get() || review.with(Option::is_none)>
                    {move || i18n.t().save_review}
                </button>
                <Show when=move || saved.get()>
                    <p role="status" class="saved">{move || i18n.t().review_saved}</p>
                </Show>
            </form>
            <h3>{move || i18n.t().history}</h3>
            {move || review.with(|r| {
                let history = r.as_ref().map(|(r, _)| r.history.clone()).unwrap_or_default();
                if history.is_empty() {
                    return view! { <p class="muted">{i18n.t().no_history}</p> }.into_any();
                }
                let lang = i18n.lang();
                view! {
                    <ol class="history" data-testid="history" reversed>
                        {history.into_iter().rev().map(|e| view! {
                            <li>
                                <p class="row-meta"><time>{crate::clock::when(e.at, lang)}</time>" · "{e.coordinator}</p>
                                <p><strong>{e.from.label(lang)}" → "{e.to.label(lang)}</strong>
                                    {e.reference.map(|r| format!(" · {} {r}", crate::i18n::texts(lang).reference_short))}</p>
                                {(!e.note.is_empty()).then(|| view! { <p class="report-text">{e.note.clone()}</p> })}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            })}
        </section>
    }
}

//! What the forms share for evidence: photos (taken or picked, reduced,
//! kept on the phone at once, shown as thumbnails) and the phone's position.

use super::FormState;
use crate::i18n::{use_i18n, Texts};
use crate::location::{locate, LocationError};
use crate::outbox::PhoneOutbox;
use crate::photos::{reduce, PhotoError};
use leptos::prelude::*;
use pantau_core::evidence::{PhotoRef, Position, MAX_PHOTOS};
use pantau_core::validation::ReportField;
use std::collections::HashMap;
use wasm_bindgen::JsCast;

/// The message for a file that did not become a photo.
fn photo_problem(t: &Texts, error: &PhotoError) -> String {
    match error {
        PhotoError::NotAnImage => t.photo_not_image.to_owned(),
        PhotoError::TooManyPixels(size) => format!("{} ({size}).", t.photo_too_many_pixels),
        PhotoError::Truncated => t.photo_truncated.to_owned(),
        PhotoError::Unreadable(_) => t.photo_unreadable.to_owned(),
        PhotoError::Failed(why) => format!("{}: {why}", t.photo_failed),
    }
}

/// The photos of a report, or of one checklist `item`: add (camera or
/// gallery), see, remove. `all` is every photo of the report (the limit
/// counts them all); `on_add` and `on_remove` change the draft.
#[component]
pub fn PhotosField(
    all: Signal<Vec<PhotoRef>>,
    #[prop(optional)] item: Option<&'static str>,
    hint: fn(&'static Texts) -> &'static str,
    on_add: Callback<PhotoRef>,
    on_remove: Callback<String>,
    state: FormState,
) -> impl IntoView {
    let i18n = use_i18n();
    let outbox = expect_context::<PhoneOutbox>();
    let busy = RwSignal::new(0usize);
    let problem = RwSignal::new(None::<String>);
    let urls: RwSignal<HashMap<String, String>, LocalStorage> = RwSignal::new_local(HashMap::new());
    let shown = move || all.get().into_iter().filter(|p| p.item.as_deref() == item).collect::<Vec<_>>();
    // Thumbnails from the kept bytes: also after a reload, from the draft.
    // The store opens after the form may have: look again once it is ready.
    let ready = outbox.ready();
    Effect::new(move |_| {
        if !ready.get() {
            return;
        }
        for photo in shown() {
            if urls.with_untracked(|u| u.contains_key(&photo.sha256)) {
                continue;
            }
            leptos::task::spawn_local(async move {
                if let Some(url) = outbox.photo(&photo.sha256).await.as_ref().and_then(crate::photos::url) {
                    if !urls.is_disposed() {
                        urls.update(|u| {
                            u.insert(photo.sha256.clone(), url);
                        });
                    }
                }
            });
        }
    });
    on_cleanup(move || {
        if let Some(all) = urls.try_get_untracked() {
            all.values().for_each(|url| crate::photos::forget_url(url));
        }
    });
    let room = move || MAX_PHOTOS.saturating_sub(all.with(Vec::len) + busy.get());
    let picked = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let files: Vec<web_sys::File> =
            input.files().map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect()).unwrap_or_default();
        // The same file may be picked again after a removal.
        input.set_value("");
        problem.set(None);
        let t = i18n.t();
        if files.len() > room() {
            problem.set(Some(t.photos_full.to_owned()));
        }
        for file in files.into_iter().take(room()) {
            busy.update(|n| *n += 1);
            leptos::task::spawn_local(async move {
                let outcome = match reduce(&file).await {
                    Ok(mut photo) => {
                        photo.meta.item = item.map(str::to_owned);
                        match outbox.keep_photo(&photo).await {
                            Ok(()) => Ok(photo.meta),
                            Err(e) => Err(format!("{}: {}", t.photo_not_kept, e.message(t))),
                        }
                    }
                    Err(e) => Err(photo_problem(t, &e)),
                };
                if busy.is_disposed() {
                    return;
                }
                busy.update(|n| *n -= 1);
                match outcome {
                    Ok(meta) if !all.with_untracked(|a| a.iter().any(|p| p.sha256 == meta.sha256)) => on_add.run(meta),
                    Ok(_) => {}
                    Err(message) => problem.set(Some(message)),
                }
            });
        }
    };
    let error = state.error(ReportField::Photos);
    let photo_errors = move || match state.message.get() {
        Some(super::FormMessage::Invalid(errors)) => errors
            .iter()
            .filter(|e| matches!(e.at(), Some(ReportField::Photo(_))))
            .map(|e| e.message(i18n.lang()))
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    };
    let testid = item.map_or("photos".to_owned(), |i| format!("photos-{i}"));
    view! {
        <div class="photos" data-testid=testid>
            {item.is_none().then(|| view! { <p class="label">{move || i18n.t().photos_label}</p> })}
            <p class="hint">{move || hint(i18n.t())}</p>
            <ul class="thumbs">
                {move || shown().into_iter().map(|photo| {
                    let sha = photo.sha256.clone();
                    let src = move || urls.with(|u| u.get(&photo.sha256).cloned());
                    view! {
                        <li data-testid="photo">
                            <img src=src alt="" width="96" height="96" />
                            <button type="button" class="remove" aria-label=move || i18n.t().remove_photo
                                data-testid="photo-remove" on:click=move |_| on_remove.run(sha.clone())>"×"</button>
                        </li>
                    }
                }).collect::<Vec<_>>()}
                {move || (busy.get() > 0).then(|| view! {
                    <li class="reducing" role="status" data-testid="photo-reducing">{move || i18n.t().photo_reducing}</li>
                })}
            </ul>
            <Show when=move || { room() > 0 }>
                <div class="photo-buttons">
                    <label class="button secondary">
                        <input type="file" accept="image/*" capture="environment" class="visually-hidden"
                            data-testid="photo-camera" on:change=picked />
                        {move || i18n.t().take_photo}
                    </label>
                    <label class="button secondary">
                        <input type="file" accept="image/*" multiple class="visually-hidden"
                            data-testid="photo-pick" on:change=picked />
                        {move || i18n.t().pick_photo}
                    </label>
                </div>
            </Show>
            <p class="field-error" role="alert" data-testid="photo-problem">
                {move || problem.get().or_else(|| error()).unwrap_or_else(photo_errors)}
            </p>
        </div>
    }
}

/// "Gunakan lokasi saya": the phone's position with its accuracy, or why
/// there is none. Never needed to save.
#[component]
pub fn LocationField(position: Signal<Option<Position>>, on_change: Callback<Option<Position>>) -> impl IntoView {
    let i18n = use_i18n();
    let asking = RwSignal::new(false);
    let problem = RwSignal::new(None::<LocationError>);
    let ask = move |_| {
        asking.set(true);
        problem.set(None);
        leptos::task::spawn_local(async move {
            let found = locate().await;
            if asking.is_disposed() {
                return;
            }
            asking.set(false);
            match found {
                Ok(at) => on_change.run(Some(at)),
                Err(e) => problem.set(Some(e)),
            }
        });
    };
    let said = move || {
        let t = i18n.t();
        problem.get().map(|e| match e {
            LocationError::Denied => t.location_denied,
            LocationError::Unavailable => t.location_unavailable,
            LocationError::TimedOut => t.location_timeout,
            LocationError::Unsupported => t.location_unsupported,
        })
    };
    view! {
        <div class="location" data-testid="location">
            <p class="label">{move || i18n.t().location_label}</p>
            {move || match position.get() {
                Some(at) => {
                    let (lat, lon) = at.degrees();
                    view! {
                        <p class="tps-chip" data-testid="location-found">
                            <span>{format!("±{} m · {lat}, {lon}", at.accuracy_m)}</span>
                            <button type="button" class="link" on:click=move |_| on_change.run(None)>
                                {move || i18n.t().location_remove}
                            </button>
                        </p>
                    }.into_any()
                }
                None => view! {
                    <button type="button" class="secondary" data-testid="location-use" prop:disabled=move || asking.get() on:click=ask>
                        {move || if asking.get() { i18n.t().location_asking } else { i18n.t().location_use }}
                    </button>
                }.into_any(),
            }}
            <p class="hint" role="status" data-testid="location-problem">{said}</p>
        </div>
    }
}

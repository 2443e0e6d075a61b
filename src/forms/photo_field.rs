//! The photos field of the forms: photos taken or picked, reduced, kept on
//! the phone at once, shown as thumbnails, removed. Left out of the build
//! without the `photos` feature (see `evidence`).

use super::FormState;
use crate::i18n::{use_i18n, Texts};
use crate::outbox::PhoneOutbox;
use crate::photos::{reduce, PhotoError};
use leptos::prelude::*;
use pantau_core::evidence::{PhotoRef, MAX_PHOTOS};
use pantau_core::validation::ReportField;
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
/// counts them all); `on_add` and `on_remove` change the draft. Written with
/// few reactive parts: every view type here is code each volunteer downloads.
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
    let room = move || MAX_PHOTOS.saturating_sub(all.with(Vec::len) + busy.get());
    let picked = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let files: Vec<web_sys::File> =
            input.files().map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect()).unwrap_or_default();
        // The same file may be picked again after a removal.
        input.set_value("");
        let t = i18n.t_now();
        problem.set((files.len() > room()).then(|| t.photos_full.to_owned()));
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
                    Ok(meta) => {
                        if !all.with_untracked(|a| a.iter().any(|p| p.sha256 == meta.sha256)) {
                            on_add.run(meta)
                        }
                    }
                    Err(message) => problem.set(Some(message)),
                }
            });
        }
    };
    // Photos are made by the phone: a refusal of one is shown here, whichever it is.
    let refused = move || match state.message.get() {
        Some(super::FormMessage::Invalid(errors)) => errors
            .iter()
            .find(|e| matches!(e.at(), Some(ReportField::Photos | ReportField::Photo(_))))
            .map(|e| e.message(i18n.lang())),
        _ => None,
    };
    let ready = outbox.ready();
    view! {
        <div class="photos" data-testid=item.map_or("photos".to_owned(), |i| format!("photos-{i}"))>
            <p class="label">{move || if item.is_none() { i18n.t().photos_label } else { "" }}</p>
            <p class="hint">{move || hint(i18n.t())}</p>
            <ul class="thumbs">
                {move || {
                    // Drawn again once the store is open (a draft's photos after a reload).
                    ready.track();
                    all.get()
                        .into_iter()
                        .filter(|p| p.item.as_deref() == item)
                        .map(|p| thumbnail(outbox, p.sha256, on_remove))
                        .collect::<Vec<_>>()
                }}
                {move || (busy.get() > 0).then(|| view! {
                    <li class="reducing" role="status" data-testid="photo-reducing">{i18n.t().photo_reducing}</li>
                })}
            </ul>
            <div class="photo-buttons" hidden=move || room() == 0>
                <label class="button secondary">
                    <input type="file" accept="image/*" capture="environment" class="tap-area"
                        data-testid="photo-camera" on:change=picked />
                    {i18n.word(|t| t.take_photo)}
                </label>
                <label class="button secondary">
                    <input type="file" accept="image/*" multiple class="tap-area"
                        data-testid="photo-pick" on:change=picked />
                    {i18n.word(|t| t.pick_photo)}
                </label>
            </div>
            <p class="field-error" role="alert" data-testid="photo-problem">{move || problem.get().or_else(refused)}</p>
        </div>
    }
}

/// One photo: its thumbnail, from the bytes kept on the phone, and its
/// remove button. The image's address is given back when it goes.
fn thumbnail(outbox: PhoneOutbox, sha256: String, on_remove: Callback<String>) -> impl IntoView {
    let i18n = use_i18n();
    let image = NodeRef::<leptos::html::Img>::new();
    let shown = StoredValue::new_local(None::<String>);
    let name = sha256.clone();
    leptos::task::spawn_local(async move {
        let Some(url) = outbox.photo(&name).await.as_ref().and_then(crate::photos::url) else { return };
        match image.try_get_untracked().flatten() {
            Some(img) => {
                img.set_src(&url);
                shown.set_value(Some(url));
            }
            None => crate::photos::forget_url(&url),
        }
    });
    on_cleanup(move || {
        if let Some(Some(url)) = shown.try_get_value() {
            crate::photos::forget_url(&url);
        }
    });
    view! {
        <li data-testid="photo">
            <img node_ref=image alt="" width="96" height="96" />
            <button type="button" class="remove" aria-label=i18n.word(|t| t.remove_photo)
                data-testid="photo-remove" on:click=move |_| on_remove.run(sha256.clone())>"×"</button>
        </li>
    }
}

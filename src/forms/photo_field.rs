//! The photos field of the forms: photos taken or picked, reduced, kept on
//! the phone at once, shown as thumbnails, removed. Left out of the build
//! without the `photos` feature (see `evidence`).

use super::{Draft, FormState};
use crate::i18n::{use_i18n, PhotoTexts, Texts};
use crate::outbox::PhoneOutbox;
use crate::photos::{reduce, PhotoError};
use leptos::prelude::*;
use pantau_core::evidence::MAX_PHOTOS;
use pantau_core::validation::ReportField;
use wasm_bindgen::JsCast;

/// The message for a file that did not become a photo.
fn photo_problem(t: &PhotoTexts, error: &PhotoError) -> String {
    match error {
        PhotoError::NotAnImage => t.photo_not_image.to_owned(),
        PhotoError::TooManyPixels(size) => format!("{} ({size}).", t.photo_too_many_pixels),
        PhotoError::Truncated => t.photo_truncated.to_owned(),
        PhotoError::Unreadable(_) => t.photo_unreadable.to_owned(),
        PhotoError::Failed(why) => format!("{}: {why}", t.photo_failed),
    }
}

/// The photos of a report, or of one checklist `item`: add (camera or
/// gallery), see, remove, each change kept in the form's `draft` at once. The
/// limit counts every photo of the report. Written with few reactive parts:
/// every view type here is code each volunteer downloads.
#[component]
pub fn PhotosField(
    draft: Draft,
    #[prop(optional)] item: Option<&'static str>,
    hint: fn(&'static Texts) -> &'static str,
    state: FormState,
) -> impl IntoView {
    let i18n = use_i18n();
    let outbox = expect_context::<PhoneOutbox>();
    // While photos are reduced, no other can be added, here or at another
    // item, nor the report saved; `here` shows which field is at work.
    let reducing = state.reducing;
    let here = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let room = move || MAX_PHOTOS.saturating_sub(draft.get(|d| d.photos.len()));
    let picked = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let files: Vec<web_sys::File> =
            input.files().map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect()).unwrap_or_default();
        // The same file may be picked again after a removal.
        input.set_value("");
        let t = i18n.t_now();
        let words = t.photo();
        problem.set((files.len() > room()).then(|| words.photos_full.to_owned()));
        let files: Vec<web_sys::File> = files.into_iter().take(room()).collect();
        reducing.set(!files.is_empty());
        here.set(!files.is_empty());
        // One at a time: a cheap phone holds one decoded photo, not five.
        leptos::task::spawn_local(async move {
            for file in files {
                let outcome = match reduce(&file).await {
                    Ok(mut photo) => {
                        photo.meta.item = item.map(str::to_owned);
                        match outbox.keep_photo(&photo).await {
                            Ok(()) => Ok(photo.meta),
                            Err(e) => Err(format!("{}: {}", words.photo_not_kept, e.message(t))),
                        }
                    }
                    Err(e) => Err(photo_problem(words, &e)),
                };
                // A field gone (its item answered otherwise) adds nothing.
                if here.is_disposed() {
                    break;
                }
                match outcome {
                    Ok(meta) => draft.edit(|d| {
                        if !d.photos.iter().any(|p| p.sha256 == meta.sha256) {
                            d.photos.push(meta)
                        }
                    }),
                    Err(message) => problem.set(Some(message)),
                }
            }
            if !reducing.is_disposed() {
                reducing.set(false);
            }
            if !here.is_disposed() {
                here.set(false);
            }
        });
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
            <p class="hint">{i18n.word(hint)}</p>
            <ul class="thumbs">
                {move || {
                    // Drawn again once the store is open (a draft's photos after a reload).
                    ready.track();
                    let shown: Vec<String> = draft.get(|d| {
                        d.photos.iter().filter(|p| p.item.as_deref() == item).map(|p| p.sha256.clone()).collect()
                    });
                    shown.into_iter().map(|sha256| thumbnail(outbox, draft, sha256, item)).collect::<Vec<_>>()
                }}
                {move || here.get().then(|| view! {
                    <li class="reducing" role="status" data-testid="photo-reducing">{i18n.t().photo().photo_reducing}</li>
                })}
            </ul>
            <div class="photo-buttons" hidden=move || reducing.get() || room() == 0>
                {add_button(true, picked)}
                {add_button(false, picked)}
            </div>
            <p class="field-error" role="alert" data-testid="photo-problem">{move || problem.get().or_else(refused)}</p>
        </div>
    }
}

/// A way to add photos: the camera (`camera`) or the gallery (several at
/// once), as a button that is all file input. One function for both buttons,
/// so their view is code once.
fn add_button(camera: bool, picked: impl Fn(leptos::ev::Event) + Clone + 'static) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="button secondary">
            <input type="file" accept="image/*" capture=camera.then_some("environment") multiple=!camera
                class="tap-area" data-testid=if camera { "photo-camera" } else { "photo-pick" } on:change=picked />
            {i18n.word(if camera { |t| t.photo().take_photo } else { |t| t.photo().pick_photo })}
        </label>
    }
}

/// One photo of `item`: its thumbnail, from the bytes kept on the phone, and
/// its remove button. The image's address is given back once it is drawn.
/// The image is found by its id, as no other photo of the form has its name:
/// a `NodeRef` would cost each volunteer a kilobyte of code.
fn thumbnail(outbox: PhoneOutbox, draft: Draft, sha256: String, item: Option<&'static str>) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("photo-{sha256}");
    let (name, found) = (sha256.clone(), id.clone());
    leptos::task::spawn_local(async move {
        let Some(url) = outbox.photo(&name).await.as_ref().and_then(crate::photos::url) else { return };
        // Drawn by now (the read above waited for IndexedDB), unless removed since.
        let image = document().get_element_by_id(&found).and_then(|e| e.dyn_into::<web_sys::HtmlImageElement>().ok());
        if let Some(img) = image {
            img.set_src(&url);
            // Decoded (or failed to), the image no longer needs its address.
            let _ = wasm_bindgen_futures::JsFuture::from(img.decode()).await;
        }
        crate::photos::forget_url(&url);
    });
    view! {
        <li data-testid="photo">
            <img id=id alt="" />
            <button type="button" class="remove" aria-label=i18n.word(|t| t.photo().remove_photo)
                data-testid="photo-remove" on:click=move |_| draft.edit(|d| d.photos.retain(|p| !(p.sha256 == sha256 && p.item.as_deref() == item)))>"×"</button>
        </li>
    }
}

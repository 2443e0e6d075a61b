//! What the forms share for evidence: photos (the field is in `photo_field`)
//! and the phone's position.

use crate::i18n::use_i18n;
use crate::location::{locate, LocationError};
use leptos::prelude::*;

#[cfg(feature = "photos")]
pub use super::photo_field::PhotosField;

/// Without the `photos` feature (built only to measure what photos cost):
/// nothing, so no photo code is reached from the forms.
#[cfg(not(feature = "photos"))]
#[component]
pub fn PhotosField(
    draft: super::Draft,
    #[prop(optional)] item: Option<&'static str>,
    hint: fn(&'static crate::i18n::Texts) -> &'static str,
    state: super::FormState,
) -> impl IntoView {
    let _ = (draft, item, hint, state);
}

/// "Gunakan lokasi saya": the phone's position with its accuracy, or why
/// there is none. Never needed to save.
#[component]
pub fn LocationField(draft: super::Draft) -> impl IntoView {
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
                Ok(at) => draft.edit(|d| d.position = Some(at)),
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
    let found = move || {
        draft.get(|d| d.position).map(|at| {
            let (lat, lon) = at.degrees();
            format!("±{} m · {lat}, {lon}", at.accuracy_m)
        })
    };
    view! {
        <div class="location" data-testid="location">
            <p class="label">{i18n.word(|t| t.location_label)}</p>
            <p class="tps-chip" data-testid="location-found" hidden=move || draft.get(|d| d.position.is_none())>
                <span>{found}</span>
                <button type="button" class="link" on:click=move |_| draft.edit(|d| d.position = None)>{i18n.word(|t| t.location_remove)}</button>
            </p>
            <button type="button" class="secondary" data-testid="location-use" hidden=move || draft.get(|d| d.position.is_some())
                prop:disabled=move || asking.get() on:click=ask>
                {move || if asking.get() { i18n.t().location_asking } else { i18n.t().location_use }}
            </button>
            <p class="hint" role="status" data-testid="location-problem">{said}</p>
        </div>
    }
}

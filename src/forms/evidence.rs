//! What the forms share for evidence: photos (the field is in `photo_field`)
//! and the phone's position.

use crate::i18n::use_i18n;
use crate::location::{locate, LocationError};
use leptos::prelude::*;
use pantau_core::evidence::Position;

#[cfg(feature = "photos")]
pub use super::photo_field::PhotosField;

/// Without the `photos` feature (built only to measure what photos cost):
/// nothing, so no photo code is reached from the forms.
#[cfg(not(feature = "photos"))]
#[component]
pub fn PhotosField(
    all: Signal<Vec<pantau_core::evidence::PhotoRef>>,
    #[prop(optional)] item: Option<&'static str>,
    hint: fn(&'static crate::i18n::Texts) -> &'static str,
    on_add: Callback<pantau_core::evidence::PhotoRef>,
    on_remove: Callback<String>,
    state: super::FormState,
) -> impl IntoView {
    let _ = (all, item, hint, on_add, on_remove, state);
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
    let found = move || {
        position.get().map(|at| {
            let (lat, lon) = at.degrees();
            format!("±{} m · {lat}, {lon}", at.accuracy_m)
        })
    };
    view! {
        <div class="location" data-testid="location">
            <p class="label">{i18n.word(|t| t.location_label)}</p>
            <p class="tps-chip" data-testid="location-found" hidden=move || position.with(Option::is_none)>
                <span>{found}</span>
                <button type="button" class="link" on:click=move |_| on_change.run(None)>{i18n.word(|t| t.location_remove)}</button>
            </p>
            <button type="button" class="secondary" data-testid="location-use" hidden=move || position.with(Option::is_some)
                prop:disabled=move || asking.get() on:click=ask>
                {move || if asking.get() { i18n.t().location_asking } else { i18n.t().location_use }}
            </button>
            <p class="hint" role="status" data-testid="location-problem">{said}</p>
        </div>
    }
}

//! Laporan baru: choose the kind, then fill in its form.

use crate::forms::{checklist::ChecklistForm, count::CountForm, incident::IncidentForm};
use crate::i18n::use_i18n;
use crate::routes::{FormKind, Route};
use leptos::prelude::*;

#[component]
pub fn NewReport(kind: Option<FormKind>) -> impl IntoView {
    let i18n = use_i18n();
    match kind {
        None => view! {
            <h2>{i18n.word(|t| t.choose_kind)}</h2>
            <div class="kinds">
                {FormKind::ALL.into_iter().map(|kind| view! {
                    <a class="kind" href=Route::NewReport(Some(kind)).href() data-testid=format!("kind-{}", Route::NewReport(Some(kind)).href().trim_start_matches("#/baru/"))>
                        <strong>{move || kind.title(i18n.t())}</strong>
                        <span>{move || kind.hint(i18n.t())}</span>
                    </a>
                }).collect::<Vec<_>>()}
            </div>
        }
        .into_any(),
        Some(kind) => view! {
            <p class="back"><a href=Route::NewReport(None).href()>"← " {i18n.word(|t| t.other_kind)}</a></p>
            {match kind {
                FormKind::Checklist => view! { <ChecklistForm/> }.into_any(),
                FormKind::Incident => view! { <IncidentForm/> }.into_any(),
                FormKind::CountResult => view! { <CountForm/> }.into_any(),
            }}
        }
        .into_any(),
    }
}

//! The screens and how the URL fragment addresses them (`#/baru/kejadian`), so
//! that the browser's back button works and a reload stays on the same screen.
//! The service worker serves one index.html for every screen.

use crate::i18n::Texts;
use leptos::prelude::*;

/// The kinds of report the volunteer can file, each with its own form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormKind {
    Checklist,
    Incident,
    CountResult,
}

impl FormKind {
    pub const ALL: [FormKind; 3] = [FormKind::Checklist, FormKind::Incident, FormKind::CountResult];

    /// The form's name in the URL and in its storage keys.
    pub fn slug(self) -> &'static str {
        match self {
            FormKind::Checklist => "checklist",
            FormKind::Incident => "kejadian",
            FormKind::CountResult => "hasil",
        }
    }

    pub fn title(self, t: &Texts) -> &'static str {
        match self {
            FormKind::Checklist => t.checklist_heading,
            FormKind::Incident => t.incident_heading,
            FormKind::CountResult => t.count_heading,
        }
    }

    pub fn hint(self, t: &Texts) -> &'static str {
        match self {
            FormKind::Checklist => t.checklist_hint,
            FormKind::Incident => t.incident_hint,
            FormKind::CountResult => t.count_hint,
        }
    }
}

/// A screen of the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Home,
    NewReport(Option<FormKind>),
    Outbox,
    Settings,
}

impl Route {
    pub fn from_hash(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        match path {
            "baru" => Route::NewReport(None),
            "kotak-keluar" => Route::Outbox,
            "pengaturan" => Route::Settings,
            _ => match path.strip_prefix("baru/") {
                Some(slug) => Route::NewReport(FormKind::ALL.into_iter().find(|k| k.slug() == slug)),
                None => Route::Home,
            },
        }
    }

    pub fn href(self) -> String {
        match self {
            Route::Home => "#/".into(),
            Route::NewReport(None) => "#/baru".into(),
            Route::NewReport(Some(kind)) => format!("#/baru/{}", kind.slug()),
            Route::Outbox => "#/kotak-keluar".into(),
            Route::Settings => "#/pengaturan".into(),
        }
    }

    /// The screen the address bar names now.
    pub fn current() -> Route {
        Route::from_hash(&window().location().hash().unwrap_or_default())
    }
}

/// Goes to `route` (the hash listener then shows it).
pub fn navigate(route: Route) {
    let _ = window().location().set_hash(&route.href());
}

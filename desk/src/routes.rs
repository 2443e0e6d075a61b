//! The desk's screens and their addresses under `/desk/`. A list's filter is
//! in the query string, so a coordinator can send a colleague the link.

use leptos::prelude::*;
use pantau_core::coverage::AreaLevel;
use pantau_core::review::ReviewState;

/// Where the desk is served.
pub const BASE: &str = "/desk/";

/// A screen of the desk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// Urgent incidents, the chart per hour, coverage per kecamatan, the latest.
    Front,
    Reports(Filter),
    /// One report by its id, with its review.
    Report(String),
    Coverage {
        level: AreaLevel,
        area: Option<String>,
    },
    Tally,
    /// One photo, full size, by its SHA-256 (the exports link here).
    Photo(String),
}

impl Route {
    /// The route of a path (`/desk/laporan`) and its query (`kind=incident`, no `?`).
    pub fn parse(path: &str, query: &str) -> Route {
        let rest = path.strip_prefix("/desk").unwrap_or(path).trim_matches('/');
        let params = pairs(query);
        let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        match rest.split_once('/') {
            Some(("laporan", id)) if !id.is_empty() => Route::Report(id.to_owned()),
            Some(("foto", sha256)) if pantau_core::evidence::PhotoRef::is_sha256(sha256) => {
                Route::Photo(sha256.to_owned())
            }
            _ => match rest {
                "laporan" => Route::Reports(Filter::from_pairs(&params)),
                "cakupan" => Route::Coverage {
                    level: param("level").and_then(|l| AreaLevel::from_slug(&l)).unwrap_or(AreaLevel::Kecamatan),
                    area: param("area").filter(|a| pantau_core::TpsCode::is_scope_prefix(a)),
                },
                "rekap" => Route::Tally,
                _ => Route::Front,
            },
        }
    }

    /// The address of the route, path and query.
    pub fn href(&self) -> String {
        match self {
            Route::Front => BASE.to_owned(),
            Route::Reports(filter) => match filter.to_query() {
                query if query.is_empty() => format!("{BASE}laporan"),
                query => format!("{BASE}laporan?{query}"),
            },
            Route::Report(id) => format!("{BASE}laporan/{id}"),
            Route::Coverage { level, area } => {
                let mut query = form_urlencoded::Serializer::new(String::new());
                query.append_pair("level", level.slug());
                if let Some(area) = area {
                    query.append_pair("area", area);
                }
                format!("{BASE}cakupan?{}", query.finish())
            }
            Route::Tally => format!("{BASE}rekap"),
            Route::Photo(sha256) => format!("{BASE}foto/{sha256}"),
        }
    }
}

/// The screen the address bar names now.
pub fn current() -> Route {
    let location = window().location();
    Route::parse(&location.pathname().unwrap_or_default(), &location.search().unwrap_or_default())
}

/// Goes to `route`: a new history entry, so the back button returns.
pub fn go(signal: RwSignal<Route>, route: Route) {
    let _ =
        window().history().and_then(|h| h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&route.href())));
    window().scroll_to_with_x_and_y(0.0, 0.0);
    signal.set(route);
}

fn pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.trim_start_matches('?').as_bytes()).into_owned().collect()
}

/// What a coordinator looks for in the reports. Every field is passed to the
/// server as it is, which checks it; the desk never filters for security.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// `checklist`, `incident`, `count_result`.
    pub kind: Option<String>,
    /// A phase, an incident category or a contest, by its slug.
    pub category: Option<String>,
    pub urgent: Option<bool>,
    pub review: Option<ReviewState>,
    /// A kecamatan or kelurahan code (6 or 10 digits).
    pub area: Option<String>,
    pub tps: Option<String>,
    /// `datetime-local` values, in the browser's time zone.
    pub since: Option<String>,
    pub until: Option<String>,
    /// Words in the report's text.
    pub q: Option<String>,
}

impl Filter {
    fn from_pairs(pairs: &[(String, String)]) -> Filter {
        let mut filter = Filter::default();
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let text = Some(value.to_owned());
            match key.as_str() {
                "kind" => filter.kind = text,
                "category" => filter.category = text,
                "urgent" => filter.urgent = value.parse().ok(),
                "review" => filter.review = ReviewState::from_slug(value),
                "area" => filter.area = text,
                "tps" => filter.tps = text,
                "since" => filter.since = text,
                "until" => filter.until = text,
                "q" => filter.q = text,
                _ => {}
            }
        }
        filter
    }

    pub fn from_query(query: &str) -> Filter {
        Filter::from_pairs(&pairs(query))
    }

    /// The filter's fields as `(name, value)`, in a fixed order.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let urgent = self.urgent.map(|u| u.to_string());
        let review = self.review.map(|r| r.slug().to_owned());
        [
            ("kind", self.kind.clone()),
            ("category", self.category.clone()),
            ("urgent", urgent),
            ("review", review),
            ("area", self.area.clone()),
            ("tps", self.tps.clone()),
            ("since", self.since.clone()),
            ("until", self.until.clone()),
            ("q", self.q.clone()),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name, v)))
        .collect()
    }

    /// The desk's own query string (`since`/`until` as typed).
    pub fn to_query(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in self.fields() {
            query.append_pair(name, &value);
        }
        query.finish()
    }

    /// The API's query string: times converted by `to_rfc3339` (the browser's
    /// zone), then `extra` (paging).
    pub fn api_query(&self, to_rfc3339: impl Fn(&str) -> Option<String>, extra: &[(&str, String)]) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in self.fields() {
            let value = match name {
                "since" | "until" => match to_rfc3339(&value) {
                    Some(v) => v,
                    None => value,
                },
                _ => value,
            };
            query.append_pair(name, &value);
        }
        for (name, value) in extra {
            query.append_pair(name, value);
        }
        query.finish()
    }

    pub fn is_empty(&self) -> bool {
        self == &Filter::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_screen_survives_its_own_link() {
        let filter = Filter {
            kind: Some("incident".into()),
            urgent: Some(true),
            review: Some(ReviewState::InReview),
            area: Some("647101".into()),
            q: Some("amplop & uang=50rb".into()),
            since: Some("2026-02-14T07:00".into()),
            ..Filter::default()
        };
        for route in [
            Route::Front,
            Route::Reports(Filter::default()),
            Route::Reports(filter),
            Route::Report("5d2c8a9e-3b1f-4c7a-9e2d-1f0a2b3c4d5e".into()),
            Route::Coverage { level: AreaLevel::Kelurahan, area: Some("647101".into()) },
            Route::Coverage { level: AreaLevel::Tps, area: None },
            Route::Tally,
            Route::Photo("ab".repeat(32)),
        ] {
            let href = route.href();
            let (path, query) = href.split_once('?').unwrap_or((&href, ""));
            assert_eq!(Route::parse(path, query), route, "{href}");
        }
    }

    #[test]
    fn an_unknown_address_or_value_falls_back_instead_of_failing() {
        assert_eq!(Route::parse("/desk/tidak-ada", ""), Route::Front);
        assert_eq!(Route::parse("/desk", ""), Route::Front);
        assert_eq!(
            Route::parse("/desk/cakupan", "level=provinsi&area=64x"),
            Route::Coverage { level: AreaLevel::Kecamatan, area: None }
        );
        let filter = Filter::from_query("review=closed&urgent=ya&q=++&kind=incident");
        assert_eq!(filter, Filter { kind: Some("incident".into()), ..Filter::default() });
    }

    #[test]
    fn the_api_gets_the_times_converted_and_the_paging_after_the_filter() {
        let filter = Filter::from_query("since=2026-02-14T07%3A00&q=amplop");
        let query = filter.api_query(|t| Some(format!("{t}:00+08:00")), &[("before", "0".into())]);
        assert_eq!(query, "since=2026-02-14T07%3A00%3A00%2B08%3A00&q=amplop&before=0");
    }
}

//! The live feed as the screens share it: reports that arrived since the
//! lists were loaded, newest first, and how the connection stands. Lists are
//! cut at [`Feed::base`], so a report is either in a list or among the
//! arrivals, never both and never neither.

use crate::live::{self, FeedSink, LiveStatus};
use crate::session::{Session, SignedOut};
use leptos::prelude::*;
use pantau_core::desk::{ReportList, ReportListItem};
use pantau_core::review::ReviewState;

#[derive(Clone, Copy)]
pub struct Feed {
    /// The newest arrival number the lists include (None until known).
    pub base: RwSignal<Option<i64>>,
    /// Reports after `base`, newest first.
    pub arrivals: RwSignal<Vec<ReportListItem>>,
    pub status: RwSignal<LiveStatus>,
    /// Whether an urgent arrival plays a sound.
    pub sound: RwSignal<bool>,
    /// Bumped when this desk changed a review, so lists read again.
    pub reviewed: RwSignal<u32>,
    /// How many reports arrived since the desk opened (only grows): charts
    /// read again as it does.
    pub arrived: RwSignal<u32>,
    last: StoredValue<i64>,
    generation: StoredValue<u32>,
    /// When the urgent tone last played (ms): a backlog plays it once.
    last_tone: StoredValue<f64>,
}

impl Feed {
    pub fn new() -> Feed {
        use gloo_storage::{LocalStorage as GlooLocalStorage, Storage as _};
        Feed {
            base: RwSignal::new(None),
            arrivals: RwSignal::new(Vec::new()),
            status: RwSignal::new(LiveStatus::Connecting),
            sound: RwSignal::new(GlooLocalStorage::get::<bool>(crate::kept::SOUND_KEY).unwrap_or(false)),
            reviewed: RwSignal::new(0),
            arrived: RwSignal::new(0),
            last: StoredValue::new(0),
            generation: StoredValue::new(0),
            last_tone: StoredValue::new(0.0),
        }
    }

    pub fn set_sound(&self, on: bool) {
        use gloo_storage::{LocalStorage as GlooLocalStorage, Storage as _};
        let _ = GlooLocalStorage::set(crate::kept::SOUND_KEY, on);
        self.sound.set(on);
        if on {
            crate::sound::urgent_tone();
        }
    }

    /// Starts listening for this session (a running listener stops).
    pub fn start(self, session: Session) {
        self.generation.update_value(|g| *g += 1);
        let generation = self.generation.get_value();
        self.arrivals.set(Vec::new());
        self.base.set(None);
        leptos::task::spawn_local(async move {
            // The newest report now: lists include it, the feed starts after it.
            let newest = loop {
                match session
                    .call(|token| async move {
                        crate::api::get::<ReportList>(&token, "/api/v1/reports?before=0&limit=1").await
                    })
                    .await
                {
                    Ok(_) if self.generation.get_value() != generation => return,
                    Ok(list) => break list.reports.first().map_or(0, |r| r.receipt.seq),
                    Err(crate::api::DeskError::SignedOut(_)) => return,
                    Err(_) => {
                        self.status.set(LiveStatus::Offline);
                        live::sleep_ms(3_000).await;
                    }
                }
                if self.generation.get_value() != generation {
                    return;
                }
            };
            self.last.set_value(newest);
            self.base.set(Some(newest));
            let Some(token) = session.token() else { return };
            live::listen(token, newest, Sink { feed: self, session, generation }).await;
        });
    }

    pub fn stop(&self) {
        self.generation.update_value(|g| *g += 1);
    }

    /// Lists are read again up to the newest arrival, which leaves the arrivals.
    pub fn rebase(&self) {
        self.base.set(Some(self.last.get_value()));
        self.arrivals.set(Vec::new());
    }

    /// This desk changed a report's review: shown at once, lists read again.
    pub fn was_reviewed(&self, id: &str, state: ReviewState) {
        self.arrivals.update(|items| {
            for item in items.iter_mut().filter(|i| i.report.id.to_string() == id) {
                item.review = state;
            }
        });
        self.reviewed.update(|n| *n += 1);
    }
}

impl Default for Feed {
    fn default() -> Self {
        Feed::new()
    }
}

struct Sink {
    feed: Feed,
    session: Session,
    generation: u32,
}

impl FeedSink for Sink {
    // A listener of an ended session (signed out, or signed in again) may
    // still be reading its last chunk: it changes nothing.
    fn status(&self, status: LiveStatus) {
        if self.wanted() {
            self.feed.status.set(status);
        }
    }

    fn arrived(&self, item: ReportListItem) {
        if !self.wanted() {
            return;
        }
        self.feed.last.set_value(item.receipt.seq);
        let now = js_sys::Date::now();
        if item.waits_for_attention()
            && self.feed.sound.get_untracked()
            && now - self.feed.last_tone.get_value() > 2_000.0
        {
            self.feed.last_tone.set_value(now);
            crate::sound::urgent_tone();
        }
        // Never trimmed: a report dropped here would be in neither the lists
        // (cut at `base`) nor the arrivals. `rebase` empties it.
        self.feed.arrivals.update(|items| items.insert(0, item));
        self.feed.arrived.update(|n| *n += 1);
    }

    fn signed_out(&self, token: &str, problem: pantau_core::protocol::Problem) {
        if self.wanted() {
            self.session.end_if_current(token, SignedOut::from_problem(&problem));
        }
    }

    fn wanted(&self) -> bool {
        self.feed.generation.get_value() == self.generation && self.session.current.with_untracked(Option::is_some)
    }
}

pub fn use_feed() -> Feed {
    expect_context::<Feed>()
}

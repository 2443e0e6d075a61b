//! What the desk keeps in the browser (through gloo-storage): in localStorage
//! the session, a sign-in that had no answer yet, a sign-out by choice, and
//! two settings; in this
//! tab's sessionStorage, reviews typed and not yet saved. Reports are never
//! kept: the desk is online and reads them from the server.

/// The [`pantau_core::protocol::DeskSession`] from the sign-in.
pub const SESSION_KEY: &str = "pantau.desk.session";
/// Present from a sign-out by choice until the next sign-in, so the other
/// tabs tell it from a session that expired or was revoked.
pub const SIGNED_OUT_KEY: &str = "pantau.desk.signed-out";
/// A sign-in code and the secret sent with it, until the server answers.
pub const ATTEMPT_KEY: &str = "pantau.desk.attempt";
/// [`pantau_core::Lang`].
pub const LANG_KEY: &str = "pantau.desk.lang";
/// Whether an urgent arrival plays a sound (bool).
pub const SOUND_KEY: &str = "pantau.desk.sound";
/// `<prefix><report id>/<coordinator>/<scope>`: a review typed and not saved
/// yet (this tab's sessionStorage), until it is saved or she signs out (here
/// or in another tab).
pub const REVIEW_DRAFT_PREFIX: &str = "pantau.desk.review.";

/// Forgets every review typed in this tab and not saved (a sign-out by choice
/// here: the next person at this tab must not find them).
pub fn forget_review_drafts() {
    let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) else { return };
    let keys: Vec<String> = (0..storage.length().unwrap_or(0)).filter_map(|i| storage.key(i).ok().flatten()).collect();
    for key in keys.iter().filter(|k| k.starts_with(REVIEW_DRAFT_PREFIX)) {
        let _ = storage.remove_item(key);
    }
}

//! What the desk keeps in the browser (localStorage, through gloo-storage):
//! the session, a sign-in that had no answer yet, and two settings. Reports
//! are never kept: the desk is online and reads them from the server.

/// The [`pantau_core::protocol::DeskSession`] from the sign-in.
pub const SESSION_KEY: &str = "pantau.desk.session";
/// A sign-in code and the secret sent with it, until the server answers.
pub const ATTEMPT_KEY: &str = "pantau.desk.attempt";
/// [`pantau_core::Lang`].
pub const LANG_KEY: &str = "pantau.desk.lang";
/// Whether an urgent arrival plays a sound (bool).
pub const SOUND_KEY: &str = "pantau.desk.sound";

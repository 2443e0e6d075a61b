//! The optional sound of an urgent arrival: two short tones made by the
//! browser's Web Audio (no sound file to download).

use std::cell::RefCell;

thread_local! {
    /// One audio context for the page: browsers limit how many may exist.
    static CONTEXT: RefCell<Option<web_sys::AudioContext>> = const { RefCell::new(None) };
}

/// Plays the tones; silently nothing where audio is not allowed yet (a
/// browser plays sound only after the page has been interacted with).
pub fn urgent_tone() {
    CONTEXT.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            *cell = web_sys::AudioContext::new().ok();
        }
        let Some(context) = cell.as_ref() else { return };
        let _ = context.resume();
        let start = context.current_time();
        for (offset, pitch) in [(0.0, 880.0), (0.25, 660.0)] {
            let (Ok(tone), Ok(gain)) = (context.create_oscillator(), context.create_gain()) else { return };
            tone.frequency().set_value(pitch);
            gain.gain().set_value(0.2);
            let _ =
                tone.connect_with_audio_node(&gain).and_then(|_| gain.connect_with_audio_node(&context.destination()));
            let _ = tone.start_with_when(start + offset);
            let _ = tone.stop_with_when(start + offset + 0.18);
        }
    });
}

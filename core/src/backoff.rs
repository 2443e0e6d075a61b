//! Exponential backoff with full jitter: after the n-th consecutive failure, wait
//! a uniformly random time in [0, min(cap, base * 2^n)]. Jitter spreads out the
//! retries of hundreds of phones that regain signal at the same moment; the cap
//! keeps a phone that was offline all morning trying every few minutes, and it
//! never gives up.

/// The longest Retry-After obeyed: one hour.
pub const MAX_RETRY_AFTER_MS: u64 = 60 * 60 * 1_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub base_ms: u64,
    pub cap_ms: u64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { base_ms: 1_000, cap_ms: 5 * 60 * 1_000 }
    }
}

impl Backoff {
    /// The upper bound of the wait after `failures` consecutive failures.
    pub fn ceiling_ms(&self, failures: u32) -> u64 {
        let factor = 1u64.checked_shl(failures.min(63)).unwrap_or(u64::MAX);
        self.base_ms.saturating_mul(factor).min(self.cap_ms)
    }

    /// The wait, given a uniform random number in [0, 1) from the caller (so this
    /// stays deterministic and testable). A server's Retry-After is a floor, up
    /// to [`MAX_RETRY_AFTER_MS`]: a proxy asking for a day must not stop a
    /// phone from trying all polling day (nor overflow the browser's timer).
    pub fn delay_ms(&self, failures: u32, unit_random: f64, retry_after_ms: Option<u64>) -> u64 {
        let jittered = (self.ceiling_ms(failures) as f64 * unit_random.clamp(0.0, 1.0)) as u64;
        jittered.max(retry_after_ms.unwrap_or(0).min(MAX_RETRY_AFTER_MS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ceiling_doubles_then_caps() {
        let b = Backoff { base_ms: 1_000, cap_ms: 60_000 };
        assert_eq!(b.ceiling_ms(0), 1_000);
        assert_eq!(b.ceiling_ms(1), 2_000);
        assert_eq!(b.ceiling_ms(5), 32_000);
        assert_eq!(b.ceiling_ms(6), 60_000);
        assert_eq!(b.ceiling_ms(10_000), 60_000);
    }

    #[test]
    fn retry_after_is_a_floor_up_to_an_hour() {
        let b = Backoff::default();
        assert_eq!(b.delay_ms(0, 0.0, Some(30_000)), 30_000);
        assert_eq!(b.delay_ms(0, 0.0, Some(86_400_000)), MAX_RETRY_AFTER_MS);
        assert_eq!(b.delay_ms(3, 0.99, Some(u64::MAX)), MAX_RETRY_AFTER_MS);
    }

    proptest! {
        #[test]
        fn delay_stays_within_the_ceiling(failures in 0u32..200, r in 0.0f64..1.0) {
            let b = Backoff::default();
            let d = b.delay_ms(failures, r, None);
            prop_assert!(d <= b.ceiling_ms(failures));
            prop_assert!(d <= b.cap_ms);
        }
    }
}

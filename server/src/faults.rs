//! Network faults on demand, in front of the real application, for the tests
//! that prove no report is lost or duplicated (compiled only with the
//! `fault-injection` feature).
//!
//! - `reset`: the connection is cut before the request reaches the API, so
//!   nothing is stored and the client gets no answer;
//! - `drop_after_commit`: the API handles the request (the report is committed)
//!   and then the connection is cut, so the client never sees its receipt:
//!   the case that creates duplicates in naive systems;
//! - `cut_body`: a request with a body (a photo's bytes) is cut part way:
//!   the API reads what came before the cut, and the client gets no answer,
//!   as when a phone's link drops in the middle of an upload;
//! - `max_delay_ms`: a random delay before each request.
//!
//! Cutting is done by answering with a body that fails on its first read: the
//! HTTP server then closes the connection without completing the response.

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    pub reset: f64,
    pub drop_after_commit: f64,
    pub cut_body: f64,
    pub max_delay_ms: u64,
    pub seed: u64,
}

impl Faults {
    /// Parses `reset=0.05,drop=0.2,delay=20,seed=7` (every part optional).
    pub fn parse(spec: &str) -> Result<Faults, String> {
        let mut faults = Faults { seed: 1, ..Faults::default() };
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part.split_once('=').ok_or_else(|| format!("{part:?}: expected key=value"))?;
            let bad = |e: &dyn std::fmt::Display| format!("{key}={value}: {e}");
            match key {
                "reset" => faults.reset = value.parse().map_err(|e| bad(&e))?,
                "drop" => faults.drop_after_commit = value.parse().map_err(|e| bad(&e))?,
                "cut" => faults.cut_body = value.parse().map_err(|e| bad(&e))?,
                "delay" => faults.max_delay_ms = value.parse().map_err(|e| bad(&e))?,
                "seed" => faults.seed = value.parse().map_err(|e| bad(&e))?,
                other => return Err(format!("unknown fault {other:?} (reset, drop, cut, delay, seed)")),
            }
        }
        for (name, p) in [("reset", faults.reset), ("drop", faults.drop_after_commit), ("cut", faults.cut_body)] {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!("{name}={p}: a probability from 0 to 1"));
            }
        }
        Ok(faults)
    }
}

/// A small deterministic generator (SplitMix64), so a failing run can be replayed by its seed.
#[derive(Clone)]
struct Dice(Arc<AtomicU64>);

impl Dice {
    fn unit(&self) -> f64 {
        let mut z = self.0.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed).wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn cut_connection() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<bytes::Bytes, std::io::Error>(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "injected fault"))
    });
    Response::new(Body::from_stream(failing))
}

/// `body`'s first `keep` bytes, then a broken connection.
fn cut_after(body: Body, keep: usize) -> Body {
    let stream = body.into_data_stream();
    let cut = futures_util::stream::unfold((stream, keep), |(mut stream, left)| async move {
        if left == 0 {
            let broken = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "injected cut");
            return Some((Err(axum::Error::new(broken)), (stream, usize::MAX)));
        }
        if left == usize::MAX {
            return None;
        }
        match futures_util::StreamExt::next(&mut stream).await {
            Some(Ok(mut chunk)) => {
                let taken = chunk.len().min(left);
                let part = chunk.split_to(taken);
                Some((Ok(part), (stream, left - taken)))
            }
            Some(Err(e)) => Some((Err(e), (stream, usize::MAX))),
            None => None,
        }
    });
    Body::from_stream(cut)
}

/// Wraps `app` so that only `/api/` requests suffer the faults.
pub fn layer(app: axum::Router, faults: Faults) -> axum::Router {
    let dice = Dice(Arc::new(AtomicU64::new(faults.seed)));
    app.layer(axum::middleware::from_fn(move |request: Request, next: Next| {
        let dice = dice.clone();
        let faults = faults.clone();
        async move {
            if !request.uri().path().starts_with("/api/") {
                return next.run(request).await;
            }
            if faults.max_delay_ms > 0 {
                let ms = (dice.unit() * faults.max_delay_ms as f64) as u64;
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            }
            if dice.unit() < faults.reset {
                return cut_connection();
            }
            let length = request.headers().get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok());
            let length = length.and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
            if length > 1 && dice.unit() < faults.cut_body {
                let keep = 1 + (dice.unit() * (length - 1) as f64) as usize;
                let (parts, body) = request.into_parts();
                let _ = next.run(Request::from_parts(parts, cut_after(body, keep))).await;
                return cut_connection();
            }
            let response = next.run(request).await;
            if response.status().is_success() && dice.unit() < faults.drop_after_commit {
                return cut_connection();
            }
            response
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spec_and_names_mistakes() {
        let f = Faults::parse("reset=0.05, drop=0.2,delay=20,seed=9").unwrap();
        assert_eq!(f, Faults { reset: 0.05, drop_after_commit: 0.2, cut_body: 0.0, max_delay_ms: 20, seed: 9 });
        assert_eq!(Faults::parse("cut=0.2").unwrap().cut_body, 0.2);
        assert!(Faults::parse("drop=2").unwrap_err().contains("probability"));
        assert!(Faults::parse("flap=1").unwrap_err().contains("unknown fault"));
        assert!(Faults::parse("drop").unwrap_err().contains("key=value"));
    }

    #[test]
    fn dice_are_uniform_enough_and_repeatable() {
        let a = Dice(Arc::new(AtomicU64::new(3)));
        let b = Dice(Arc::new(AtomicU64::new(3)));
        let rolls: Vec<f64> = (0..10_000).map(|_| a.unit()).collect();
        assert!(rolls.iter().all(|r| (0.0..1.0).contains(r)));
        let below = rolls.iter().filter(|r| **r < 0.2).count();
        assert!((1_800..2_200).contains(&below), "{below}");
        assert_eq!(b.unit(), rolls[0]);
    }
}

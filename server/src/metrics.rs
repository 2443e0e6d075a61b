//! Operational figures in the Prometheus text format: reports stored by kind,
//! the writer's batch sizes, commit latency and queue depth, and API
//! responses by status class. Served on an address of its own
//! (`--metrics-bind`), never on the API's, so a proxy in front of the API
//! does not expose it.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    /// `checklist`, `incident`, `count_result`, `note`.
    pub kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ClassLabel {
    /// `2xx`, `4xx`, `5xx`…
    pub class: &'static str,
}

/// The figures; cheap to update from any task (atomics inside).
pub struct Metrics {
    registry: Registry,
    pub reports_stored: Family<KindLabel, Counter>,
    pub batch_size: Histogram,
    pub commit_seconds: Histogram,
    pub writer_queue: Gauge,
    pub responses: Family<ClassLabel, Counter>,
}

impl Metrics {
    pub fn new() -> Metrics {
        let reports_stored = Family::<KindLabel, Counter>::default();
        let batch_size = Histogram::new(exponential_buckets(1.0, 2.0, 9));
        let commit_seconds = Histogram::new(exponential_buckets(0.000_5, 2.0, 14));
        let writer_queue = Gauge::default();
        let responses = Family::<ClassLabel, Counter>::default();
        let mut registry = Registry::with_prefix("pantau");
        registry.register("reports_stored", "Reports stored (repeats not counted), by kind", reports_stored.clone());
        registry.register("ingest_batch_size", "Reports per group commit", batch_size.clone());
        registry.register("commit_seconds", "Time to store one batch, COMMIT included", commit_seconds.clone());
        registry.register("writer_queue_depth", "Reports waiting for the writer", writer_queue.clone());
        registry.register("http_responses", "API responses, by status class", responses.clone());
        Metrics { registry, reports_stored, batch_size, commit_seconds, writer_queue, responses }
    }

    /// Everything, in the Prometheus text exposition format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry).expect("writing to a String");
        text
    }

    /// Counts a response by the class of its status.
    pub fn respond(&self, status: u16) {
        let class = match status / 100 {
            1 => "1xx",
            2 => "2xx",
            3 => "3xx",
            4 => "4xx",
            _ => "5xx",
        };
        self.responses.get_or_create(&ClassLabel { class }).inc();
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

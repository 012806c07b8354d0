//! `/metrics` in Prometheus' text format: requests by product, endpoint and status; request
//! latencies as histograms; per product, snapshot refreshes, the last refresh's duration, the
//! as-of time of the data served and the entities it holds.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::snapshot::Served;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0, 30.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Counters and histograms of the node's answers.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, &'static str, u16), u64>>,
    latency: Mutex<BTreeMap<&'static str, Histogram>>,
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

impl Metrics {
    pub fn record(&self, product: &str, endpoint: &'static str, status: u16, took: Duration) {
        *self
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((product.to_string(), endpoint, status))
            .or_default() += 1;
        let secs = took.as_secs_f64();
        let mut l = self.latency.lock().unwrap_or_else(|p| p.into_inner());
        let h = l.entry(endpoint).or_default();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    /// The text format, with the products' gauges.
    pub fn render(&self, products: &[&Served]) -> String {
        let mut out = String::new();
        out.push_str("# HELP steward_node_requests_total Answers by product, endpoint and HTTP status.\n");
        out.push_str("# TYPE steward_node_requests_total counter\n");
        for ((p, e, s), n) in self.requests.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            out.push_str(&format!(
                "steward_node_requests_total{{product=\"{}\",endpoint=\"{e}\",status=\"{s}\"}} {n}\n",
                escape(p)
            ));
        }
        out.push_str("# HELP steward_node_request_seconds Time to answer, by endpoint.\n");
        out.push_str("# TYPE steward_node_request_seconds histogram\n");
        for (e, h) in self.latency.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            for (i, b) in BUCKETS.iter().enumerate() {
                out.push_str(&format!(
                    "steward_node_request_seconds_bucket{{endpoint=\"{e}\",le=\"{b}\"}} {}\n",
                    h.counts[i]
                ));
            }
            out.push_str(&format!("steward_node_request_seconds_bucket{{endpoint=\"{e}\",le=\"+Inf\"}} {}\n", h.count));
            out.push_str(&format!("steward_node_request_seconds_sum{{endpoint=\"{e}\"}} {}\n", h.sum));
            out.push_str(&format!("steward_node_request_seconds_count{{endpoint=\"{e}\"}} {}\n", h.count));
        }
        let gauges: [(&str, &str, &str); 4] = [
            ("steward_node_refreshes_total", "counter", "Snapshots swapped in after a source changed."),
            ("steward_node_refresh_seconds", "gauge", "How long the last refresh took."),
            ("steward_node_as_of_seconds", "gauge", "When the sources of the data served were read (Unix time)."),
            ("steward_node_entities", "gauge", "Entities in the data served."),
        ];
        for (name, kind, help) in gauges {
            out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
            for s in products {
                let snap = s.current();
                let value = match name {
                    "steward_node_refreshes_total" => s.refreshes.load(std::sync::atomic::Ordering::Relaxed) as f64,
                    "steward_node_refresh_seconds" => {
                        s.last_refresh_us.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e6
                    }
                    "steward_node_as_of_seconds" => chrono::DateTime::parse_from_rfc3339(&snap.as_of)
                        .map_or(0.0, |t| t.timestamp_millis() as f64 / 1000.0),
                    _ => snap.entities() as f64,
                };
                out.push_str(&format!(
                    "{name}{{product=\"{}\",version=\"{}\"}} {value}\n",
                    escape(s.published.name()),
                    escape(s.published.version())
                ));
            }
        }
        out
    }
}

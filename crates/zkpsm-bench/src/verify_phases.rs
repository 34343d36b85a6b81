//! Where a transaction's verification spends its time, as spartan2 itself times it: its verifier
//! emits an `info` event with `elapsed_ms` at the end of each phase (the matrix evaluations, the
//! sumchecks, the NIFS fold of the verifier circuit, each Hyrax opening, the whole verify). A
//! tracing layer collects them while `bench tx` verifies, and reports each phase's median.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Milliseconds per phase name, summed within one verification (a phase may run more than once).
pub type Phases = BTreeMap<String, u64>;

/// Collects spartan2's phase events on the current thread.
#[derive(Clone, Default)]
struct Collector(Arc<Mutex<Phases>>);

/// Reads an event's message and `elapsed_ms`.
#[derive(Default)]
struct Fields {
    message: Option<String>,
    elapsed_ms: Option<u64>,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match field.name() {
            "message" => self.message = Some(format!("{value:?}")),
            "elapsed_ms" => self.elapsed_ms = format!("{value:?}").parse().ok(),
            _ => {}
        }
    }
}

impl<S: Subscriber> Layer<S> for Collector {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if !event.metadata().target().starts_with("spartan2") {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        if let (Some(phase), Some(ms)) = (fields.message, fields.elapsed_ms) {
            let mut phases = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            *phases.entry(phase).or_default() += ms;
        }
    }
}

/// Runs `verify` with spartan2's phase events collected; returns its result and the phases.
pub fn timed<T>(verify: impl FnOnce() -> T) -> (T, Phases) {
    let collector = Collector::default();
    let subscriber = tracing_subscriber::registry().with(collector.clone());
    let out = tracing::subscriber::with_default(subscriber, verify);
    let phases = std::mem::take(&mut *collector.0.lock().unwrap_or_else(PoisonError::into_inner));
    (out, phases)
}

/// The median of each phase over runs (a phase missing from a run counts as 0 ms there).
pub fn medians(runs: &[Phases]) -> BTreeMap<String, f64> {
    let names: std::collections::BTreeSet<&String> = runs.iter().flat_map(|r| r.keys()).collect();
    names
        .into_iter()
        .map(|name| {
            let mut ms: Vec<u64> = runs
                .iter()
                .map(|r| r.get(name).copied().unwrap_or(0))
                .collect();
            ms.sort_unstable();
            let n = ms.len();
            let median = if n % 2 == 1 {
                ms[n / 2] as f64
            } else {
                (ms[n / 2 - 1] + ms[n / 2]) as f64 / 2.0
            };
            (name.clone(), median)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spartan2_phase_events_are_collected_and_others_ignored() {
        let ((), phases) = timed(|| {
            tracing::info!(target: "spartan2::spartan", elapsed_ms = %7u128, "pcs_verify");
            tracing::info!(target: "spartan2::spartan", elapsed_ms = %5u128, "pcs_verify");
            tracing::info!(target: "spartan2::sumcheck", elapsed_ms = %1u128, "sumcheck_verify");
            tracing::info!(target: "other", elapsed_ms = %9u128, "pcs_verify");
            tracing::info!(target: "spartan2::spartan", "no timing");
        });
        assert_eq!(phases.get("pcs_verify"), Some(&12));
        assert_eq!(phases.get("sumcheck_verify"), Some(&1));
        assert_eq!(phases.len(), 2);
        let runs = [phases.clone(), Phases::new(), phases];
        let medians = medians(&runs);
        assert_eq!(medians.get("pcs_verify"), Some(&12.0));
    }
}

//! Joining a benchmark's scoped worker threads.

use anyhow::{Result, anyhow};
use std::thread::ScopedJoinHandle;

/// Joins every thread in `threads` (each named `what` in a panic's error) and returns the first
/// error any of them ended with, a panic included, once all have ended.
pub(crate) fn join_all<'scope>(
    threads: impl IntoIterator<Item = ScopedJoinHandle<'scope, Result<()>>>,
    what: &str,
) -> Result<()> {
    let mut result = Ok(());
    for thread in threads {
        let joined = thread
            .join()
            .map_err(|_| anyhow!("a {what} panicked"))
            .and_then(|r| r);
        result = result.and(joined);
    }
    result
}

//! Lanes: single-threaded rayon pools that run one job each at a time.
//!
//! A proof verification parallelizes inside (spartan2's MSMs run on rayon). When several run at
//! once on few cores, as CheckTx's do, that inner parallelism only adds synchronization: each
//! job run in a lane runs its inner parallel loops on the lane's one thread, and the lanes run
//! side by side, the way a block's verifications share the cores (in parallel across
//! transactions).

use std::sync::{Condvar, Mutex};

/// A fixed number of lanes.
pub struct Lanes {
    free: Mutex<Vec<rayon::ThreadPool>>,
    returned: Condvar,
    /// How many lanes there are (0 if no thread could be started).
    count: usize,
}

/// A lane in use, handed back when dropped (also when its job panicked).
struct Borrowed<'a> {
    lanes: &'a Lanes,
    lane: Option<rayon::ThreadPool>,
}

impl Drop for Borrowed<'_> {
    fn drop(&mut self) {
        if let Some(lane) = self.lane.take()
            && let Ok(mut free) = self.lanes.free.lock()
        {
            free.push(lane);
        }
        self.lanes.returned.notify_one();
    }
}

impl Lanes {
    /// `n` lanes (at least one). A lane whose thread cannot be started is left out; with none,
    /// jobs run on the caller's thread.
    pub fn new(n: usize) -> Self {
        let free: Vec<rayon::ThreadPool> = (0..n.max(1))
            .filter_map(|i| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .thread_name(move |_| format!("lane {i}"))
                    .build()
                    .ok()
            })
            .collect();
        Self {
            count: free.len(),
            free: Mutex::new(free),
            returned: Condvar::new(),
        }
    }

    /// How many lanes there are.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are none (every job then runs on its caller's thread).
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Runs `job` in the first free lane, waiting for one.
    pub fn run<R: Send>(&self, job: impl FnOnce() -> R + Send) -> R {
        match self.take() {
            Some(lane) => {
                let borrowed = Borrowed {
                    lanes: self,
                    lane: Some(lane),
                };
                match &borrowed.lane {
                    Some(lane) => lane.install(job),
                    None => job(),
                }
            }
            None => job(),
        }
    }

    fn take(&self) -> Option<rayon::ThreadPool> {
        if self.count == 0 {
            return None;
        }
        let mut free = self.free.lock().ok()?;
        loop {
            if let Some(lane) = free.pop() {
                return Some(lane);
            }
            free = self.returned.wait(free).ok()?;
        }
    }
}

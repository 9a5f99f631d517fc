//! Where a log stream's entries go: to a [`DigestBuilder`] on the calling thread, or,
//! natively and when asked ([`Limits::digest_threads`](crate::input::Limits)), to the
//! digest thread.
//!
//! Digesting an entry (tool readers, template miner, line rules) costs about as much as
//! everything before it (cutting lines, sections, the logs parser), so on two cores the
//! two halves overlap: the reading thread copies entries into batches (one text arena
//! per batch, no allocation per entry) and one digest thread, shared by every stream
//! of the process, digests each stream's batches in order, so the digest is the same as
//! on one thread. The channel to it is bounded ([`IN_FLIGHT`] batches), so memory
//! stays bounded; a stream's digest comes back when the stream ends.
//!
//! One long-lived thread rather than one per stream: no spawn per section, and the
//! `regex` crate gives the thread that first uses a regex a lock-free cache; other
//! threads take a lock on every search.
//!
//! Example: a `kubectl logs` section of 1 000 000 lines goes to the digest thread in
//! about 500 batches of [`BATCH_ENTRIES`] entries while the next lines are being cut.
//!
//! With more threads (`kubeleak analyze --threads N`: N − 1 digest threads, up to
//! [`MAX_DIGEST_THREADS`]), the streams are dealt to the digest threads in turn; each
//! stream is still digested by one thread, in order, so the digests are the same
//! whatever the number of threads.
//!
//! wasm32 has no threads: there the sink is always the builder itself.

use jiff::Timestamp;

use crate::logdigest::{DigestBuilder, LogDigest};
use crate::model::Origin;

/// Entries per batch.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub const BATCH_ENTRIES: usize = 2048;
/// Text bytes per batch (a batch is sent when either is reached).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub const BATCH_BYTES: usize = 512 << 10;
/// Batches sent to the digest thread and not yet digested.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub const IN_FLIGHT: usize = 8;

/// Most digest threads a process starts (`--threads` above this + 1 shares them).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub const MAX_DIGEST_THREADS: usize = 8;

/// A stream's digest being built (see the module doc).
pub struct DigestSink {
    entries: u64,
    inner: Inner,
}

enum Inner {
    Here(Box<DigestBuilder>),
    #[cfg(not(target_arch = "wasm32"))]
    Thread(thread_sink::ThreadSink),
}

impl DigestSink {
    /// `threads`: the digest threads to share (0: digest here; ignored on wasm32).
    pub fn new(threads: usize) -> Self {
        let b = Box::new(DigestBuilder::new());
        #[cfg(not(target_arch = "wasm32"))]
        let inner =
            if threads > 0 { Inner::Thread(thread_sink::ThreadSink::start(b, threads)) } else { Inner::Here(b) };
        #[cfg(target_arch = "wasm32")]
        let inner = {
            let _ = threads;
            Inner::Here(b)
        };
        DigestSink { entries: 0, inner }
    }

    /// Entries added so far.
    pub fn entries(&self) -> u64 {
        self.entries
    }

    /// Adds one entry (as [`DigestBuilder::push`]).
    pub fn push(&mut self, at: Option<Timestamp>, text: &str, origin: Origin, raws: &[(u32, &str)]) {
        self.entries += 1;
        match &mut self.inner {
            Inner::Here(b) => b.push(at, text, origin, raws),
            #[cfg(not(target_arch = "wasm32"))]
            Inner::Thread(r) => r.push(at, text, origin, raws),
        }
    }

    /// The digest and the texts it may quote (as [`DigestBuilder::finish`]).
    #[cfg(test)]
    pub fn finish(self) -> (LogDigest, Vec<(u32, String)>) {
        self.finish_later().wait()
    }

    /// [`DigestSink::finish`] without waiting for the digest thread: it finishes the
    /// stream while the reading thread goes on with the next lines (the reading thread
    /// used to wait at every stream's end, for up to [`IN_FLIGHT`] batches).
    pub fn finish_later(self) -> DigestFuture {
        match self.inner {
            Inner::Here(b) => DigestFuture(FutureInner::Ready(Box::new(b.finish()))),
            #[cfg(not(target_arch = "wasm32"))]
            Inner::Thread(r) => DigestFuture(FutureInner::Thread(r.finish_later())),
        }
    }
}

/// A stream's digest being finished (see [`DigestSink::finish_later`]).
pub struct DigestFuture(FutureInner);

enum FutureInner {
    Ready(Box<(LogDigest, Vec<(u32, String)>)>),
    #[cfg(not(target_arch = "wasm32"))]
    Thread(thread_sink::Reply),
}

impl DigestFuture {
    /// The digest and its texts, once the digest thread has finished the stream.
    pub fn wait(self) -> (LogDigest, Vec<(u32, String)>) {
        match self.0 {
            FutureInner::Ready(done) => *done,
            #[cfg(not(target_arch = "wasm32"))]
            FutureInner::Thread(reply) => thread_sink::wait(reply),
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod thread_sink {
    use std::collections::HashMap;
    use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
    use std::sync::{Mutex, OnceLock};

    use jiff::Timestamp;

    use super::{BATCH_BYTES, BATCH_ENTRIES, IN_FLIGHT, MAX_DIGEST_THREADS};
    use crate::logdigest::{DigestBuilder, EntryCheck, LogDigest};
    use crate::model::Origin;

    /// Entries copied for the digest thread: texts in one arena.
    #[derive(Default)]
    struct Batch {
        text: String,
        entries: Vec<Rec>,
        /// (line, start, end) into `text`.
        raws: Vec<(u32, usize, usize)>,
    }

    struct Rec {
        at: Option<Timestamp>,
        origin: Origin,
        text: (usize, usize),
        /// Range into `Batch::raws`.
        raws: (usize, usize),
        /// What is found out on the reading thread (where it balances the two threads
        /// best: see docs/performance.md).
        checked: EntryCheck,
    }

    impl Batch {
        fn clear(&mut self) {
            self.text.clear();
            self.entries.clear();
            self.raws.clear();
        }

        fn with_room_of(prev: &Batch) -> Batch {
            Batch {
                text: String::with_capacity(prev.text.capacity()),
                entries: Vec::with_capacity(prev.entries.capacity()),
                raws: Vec::with_capacity(prev.raws.capacity()),
            }
        }

        fn add(&mut self, text: &str) -> (usize, usize) {
            let s = self.text.len();
            self.text.push_str(text);
            (s, self.text.len())
        }

        fn digest(&self, b: &mut DigestBuilder) {
            let mut raws: Vec<(u32, &str)> = Vec::new();
            for r in &self.entries {
                raws.clear();
                raws.extend(
                    self.raws
                        .get(r.raws.0..r.raws.1)
                        .unwrap_or(&[])
                        .iter()
                        .map(|(n, s, e)| (*n, self.text.get(*s..*e).unwrap_or(""))),
                );
                b.push_checked(r.at, self.text.get(r.text.0..r.text.1).unwrap_or(""), r.origin, &raws, r.checked);
            }
        }
    }

    pub type Done = (LogDigest, Vec<(u32, String)>);
    pub type Panic = Box<dyn std::any::Any + Send>;

    enum Job {
        Start(u64, Box<DigestBuilder>),
        Batch(u64, Batch),
        Finish(u64, SyncSender<Result<Done, Panic>>),
        /// A stream dropped unfinished (a refused input rolls back): forget it.
        Forget(u64),
    }

    /// A stream on the digest thread: its builder, or the panic it caused.
    type Slot = Result<Box<DigestBuilder>, Panic>;

    /// Digested batches, cleared, to be filled again by any stream: fresh batches cost
    /// page faults and zeroed pages (docs/performance.md).
    fn spares() -> &'static Mutex<Vec<Batch>> {
        static S: OnceLock<Mutex<Vec<Batch>>> = OnceLock::new();
        S.get_or_init(|| Mutex::new(Vec::new()))
    }

    fn spare() -> Option<Batch> {
        spares().lock().ok().and_then(|mut v| v.pop())
    }

    fn give_back(mut batch: Batch) {
        batch.clear();
        if let Ok(mut v) = spares().lock() {
            if v.len() <= IN_FLIGHT + 2 {
                v.push(batch);
            }
        }
    }

    /// Digest thread `i`, started on first use; it lives as long as the process.
    fn worker(i: usize) -> &'static SyncSender<Job> {
        static W: [OnceLock<SyncSender<Job>>; MAX_DIGEST_THREADS] = [const { OnceLock::new() }; MAX_DIGEST_THREADS];
        W[i % MAX_DIGEST_THREADS].get_or_init(|| {
            let (tx, rx) = sync_channel::<Job>(IN_FLIGHT);
            std::thread::Builder::new()
                .name("kubeleak-digest".into())
                .spawn(move || run(&rx))
                .map(|_| ())
                .unwrap_or_else(|e| panic!("cannot start the digest thread: {e}"));
            tx
        })
    }

    fn run(rx: &Receiver<Job>) {
        let mut streams: HashMap<u64, Slot> = HashMap::new();
        for job in rx {
            match job {
                Job::Start(id, b) => {
                    streams.insert(id, Ok(b));
                }
                Job::Batch(id, batch) => {
                    if let Some(Ok(b)) = streams.get_mut(&id) {
                        if let Err(p) = catch_unwind(AssertUnwindSafe(|| batch.digest(b))) {
                            streams.insert(id, Err(p));
                        }
                    }
                    give_back(batch);
                }
                Job::Finish(id, reply) => {
                    let done = match streams.remove(&id) {
                        Some(Ok(b)) => catch_unwind(AssertUnwindSafe(|| b.finish())),
                        Some(Err(p)) => Err(p),
                        None => Err(Box::new("digest stream unknown to the digest thread") as Panic),
                    };
                    // The reader may be gone (it panicked): nothing to tell.
                    let _ = reply.send(done);
                }
                Job::Forget(id) => {
                    streams.remove(&id);
                }
            }
        }
    }

    pub struct ThreadSink {
        id: u64,
        /// The digest thread of this stream.
        thread: usize,
        batch: Batch,
        finished: bool,
    }

    impl Drop for ThreadSink {
        fn drop(&mut self) {
            if !self.finished {
                // Best effort: a dead digest thread has nothing to forget.
                let _ = worker(self.thread).send(Job::Forget(self.id));
            }
        }
    }

    impl ThreadSink {
        /// A stream on one of the first `threads` digest threads, dealt in turn.
        pub fn start(builder: Box<DigestBuilder>, threads: usize) -> ThreadSink {
            static NEXT: AtomicU64 = AtomicU64::new(0);
            let id = NEXT.fetch_add(1, Ordering::Relaxed);
            let n = threads.clamp(1, MAX_DIGEST_THREADS) as u64;
            let thread = usize::try_from(id % n).unwrap_or(0);
            send(thread, Job::Start(id, builder));
            ThreadSink { id, thread, batch: spare().unwrap_or_default(), finished: false }
        }

        pub fn push(&mut self, at: Option<Timestamp>, text: &str, origin: Origin, raws: &[(u32, &str)]) {
            let checked = EntryCheck::of(text);
            let first = self.batch.raws.len();
            let mut at_text = None;
            for (n, t) in raws {
                let (s, e) = self.batch.add(t);
                self.batch.raws.push((*n, s, e));
                // Most entries are a piece of their one source line (the line after its
                // kubelet time): copied once.
                if at_text.is_none() {
                    let off = (text.as_ptr() as usize).wrapping_sub(t.as_ptr() as usize);
                    if off <= t.len() && t.len() - off >= text.len() {
                        at_text = Some((s + off, s + off + text.len()));
                    }
                }
            }
            let text = match at_text {
                Some(r) => r,
                None => self.batch.add(text),
            };
            let raws = (first, self.batch.raws.len());
            self.batch.entries.push(Rec { at, origin, text, raws, checked });
            if self.batch.entries.len() >= BATCH_ENTRIES || self.batch.text.len() >= BATCH_BYTES {
                self.flush();
            }
        }

        fn flush(&mut self) {
            let next = spare().unwrap_or_else(|| Batch::with_room_of(&self.batch));
            let full = std::mem::replace(&mut self.batch, next);
            send(self.thread, Job::Batch(self.id, full));
        }

        /// Sends the stream's last batch and asks for its digest (see [`wait`]).
        pub fn finish_later(mut self) -> Reply {
            if !self.batch.entries.is_empty() {
                self.flush();
            }
            let (tx, rx) = sync_channel(1);
            self.finished = true;
            send(self.thread, Job::Finish(self.id, tx));
            rx
        }
    }

    /// Where a stream's digest comes back.
    pub type Reply = Receiver<Result<Done, Panic>>;

    /// The digest of a finished stream, once the digest thread has it.
    pub fn wait(reply: Reply) -> Done {
        match reply.recv() {
            Ok(Ok(done)) => done,
            // A panic while digesting: passed on, as if it had happened here.
            Ok(Err(p)) => resume_unwind(p),
            Err(_) => panic!("the digest thread ended"),
        }
    }

    fn send(thread: usize, job: Job) {
        if worker(thread).send(job).is_err() {
            panic!("the digest thread ended");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{DigestSink, BATCH_ENTRIES};
    use crate::model::Origin;

    /// A stream spanning many batches gives the same digest and texts on the digest
    /// thread as on this one.
    #[test]
    fn thread_gives_the_same_digest() {
        let n = 7 * BATCH_ENTRIES + 17;
        let lines: Vec<String> = (0..n)
            .map(|i| match i % 7 {
                0 => format!("INFO cache size={} entries", 1000 + i),
                1 => "gc: collecting generation 2...".to_string(),
                2 => format!("gc: done, {} unreachable, 0 uncollectable, 0.0100s elapsed", i % 50),
                3 => "MemoryError".to_string(),
                4 => format!("WARNING queue length {}", i / 3),
                5 => format!("processed total: {i}"),
                _ => "GET /healthz 200".to_string(),
            })
            .collect();
        let run = |threads: usize| {
            let mut s = DigestSink::new(threads);
            for (i, l) in lines.iter().enumerate() {
                let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
                s.push(None, l, Origin { source: 0, line }, &[(line, l.as_str())]);
            }
            assert_eq!(s.entries(), n as u64);
            let (d, mut texts) = s.finish();
            texts.sort();
            (format!("{:?}", d.miner), d.matched, d.memory_errors, d.profiles.gc_runs.len(), texts)
        };
        let here = run(0);
        assert!(here.4.len() > 100, "the stream quotes lines: {}", here.4.len());
        assert!(here.3 > 1000, "gc runs read: {}", here.3);
        assert_eq!(run(1), here, "on the digest thread");
        assert_eq!(run(3), here, "on one of three digest threads");
    }

    /// After a stream dropped unfinished (a refused gzip input is rolled back), the
    /// digest thread goes on: the streams after it are digested as on this thread.
    #[test]
    fn streams_after_a_dropped_one_are_digested() {
        let mut gone = DigestSink::new(1);
        for i in 0..(3 * BATCH_ENTRIES as u32) {
            gone.push(None, "INFO cache size=12 entries", Origin { source: 0, line: i + 1 }, &[]);
        }
        drop(gone);
        let mut a = DigestSink::new(1);
        let mut b = DigestSink::new(0);
        for i in 0..100u32 {
            let l = format!("INFO queue length {i}");
            let o = Origin { source: 0, line: i + 1 };
            a.push(None, &l, o, &[(i + 1, l.as_str())]);
            b.push(None, &l, o, &[(i + 1, l.as_str())]);
        }
        let (da, ta) = a.finish();
        let (db, tb) = b.finish();
        assert_eq!(format!("{:?}", da.miner), format!("{:?}", db.miner));
        assert_eq!(ta.len(), tb.len());
        assert!(!ta.is_empty());
    }
}

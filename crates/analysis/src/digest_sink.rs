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
//! wasm32 has no threads, but the page has workers: when the page sets a
//! [`remote::DigestPort`] on the reading worker, each stream's batches are written in a
//! fixed little-endian form (`Batch::write`) and posted to a digest worker, whose
//! [`remote::Digester`] digests them in order and posts the digest back (postcard; see
//! [`remote`]). Without a port the sink is the builder itself.

use jiff::Timestamp;

use crate::logdigest::{DigestBuilder, EntryCheck, LogDigest};
use crate::model::Origin;

/// Entries per batch.
pub const BATCH_ENTRIES: usize = 2048;
/// Text bytes per batch (a batch is sent when either is reached).
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
    Remote(remote::RemoteSink),
    #[cfg(not(target_arch = "wasm32"))]
    Thread(thread_sink::ThreadSink),
}

impl DigestSink {
    /// `threads`: the digest threads to share (0: digest here; ignored on wasm32). With
    /// `threads` > 0 and a [`remote::DigestPort`] set on this thread, the stream goes to
    /// it instead (the page's digest workers).
    pub fn new(threads: usize) -> Self {
        if threads > 0 {
            if let Some(r) = remote::RemoteSink::start() {
                return DigestSink { entries: 0, inner: Inner::Remote(r) };
            }
        }
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
            Inner::Remote(r) => r.push(at, text, origin, raws),
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
            Inner::Remote(r) => DigestFuture(FutureInner::Remote(r.finish_later())),
            #[cfg(not(target_arch = "wasm32"))]
            Inner::Thread(r) => DigestFuture(FutureInner::Thread(r.finish_later())),
        }
    }
}

/// A stream's digest being finished (see [`DigestSink::finish_later`]).
pub struct DigestFuture(FutureInner);

enum FutureInner {
    Ready(Box<(LogDigest, Vec<(u32, String)>)>),
    Remote(u64),
    #[cfg(not(target_arch = "wasm32"))]
    Thread(thread_sink::Reply),
}

impl DigestFuture {
    /// The digest and its texts, once the digest thread has finished the stream.
    pub fn wait(self) -> (LogDigest, Vec<(u32, String)>) {
        match self.0 {
            FutureInner::Ready(done) => *done,
            FutureInner::Remote(id) => remote::take(id),
            #[cfg(not(target_arch = "wasm32"))]
            FutureInner::Thread(reply) => thread_sink::wait(reply),
        }
    }
}

/// Entries copied for a digest thread or worker: texts in one arena.
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
    /// best: see docs/performance.md); for a digest worker, found out there (`None`: in
    /// the page the reading worker is the slower half).
    checked: Option<EntryCheck>,
}

/// Bytes of one entry in a batch's wire form ([`Batch::write`]).
const REC_BYTES: usize = 1 + 8 + 4 + 4 + 4 + 4 * 4;
/// Bytes of one raw line in a batch's wire form.
const RAW_BYTES: usize = 12;

/// Reads a batch's wire form, little-endian fields in order.
struct Wire<'b>(&'b [u8]);

impl Wire<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_at_checked(N)?;
        self.0 = rest;
        head.try_into().ok()
    }
    fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }
    fn usize(&mut self) -> Option<usize> {
        self.u32().map(|v| v as usize)
    }
}

impl Batch {
    fn clear(&mut self) {
        self.text.clear();
        self.entries.clear();
        self.raws.clear();
    }

    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
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

    /// Copies one entry in (see [`DigestSink::push`]), with its [`EntryCheck`] when
    /// `check`; true when the batch is full.
    fn push(&mut self, at: Option<Timestamp>, text: &str, origin: Origin, raws: &[(u32, &str)], check: bool) -> bool {
        let checked = check.then(|| EntryCheck::of(text));
        let first = self.raws.len();
        let mut at_text = None;
        for (n, t) in raws {
            let (s, e) = self.add(t);
            self.raws.push((*n, s, e));
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
            None => self.add(text),
        };
        let raws = (first, self.raws.len());
        self.entries.push(Rec { at, origin, text, raws, checked });
        self.entries.len() >= BATCH_ENTRIES || self.text.len() >= BATCH_BYTES
    }

    /// Appends the batch's wire form to `out`: counts, then fixed-size little-endian
    /// records (no variable-length integers: encoding is the reading worker's cost),
    /// then the text. Offsets fit in `u32`: a batch holds at most about
    /// [`BATCH_BYTES`] + one entry of text.
    fn write(&self, out: &mut Vec<u8>) {
        let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX).to_le_bytes();
        out.reserve(12 + self.entries.len() * REC_BYTES + self.raws.len() * RAW_BYTES + self.text.len());
        out.extend_from_slice(&n(self.entries.len()));
        out.extend_from_slice(&n(self.raws.len()));
        out.extend_from_slice(&n(self.text.len()));
        for r in &self.entries {
            let c = r.checked.map_or(0u8, |c| 1 | u8::from(c.matched) << 1 | u8::from(c.tools) << 2);
            out.push(c | u8::from(r.at.is_some()) << 3);
            let at = r.at.map_or((0, 0), |t| (t.as_second(), t.subsec_nanosecond()));
            out.extend_from_slice(&at.0.to_le_bytes());
            out.extend_from_slice(&at.1.to_le_bytes());
            out.extend_from_slice(&n(r.origin.source));
            out.extend_from_slice(&r.origin.line.to_le_bytes());
            for v in [r.text.0, r.text.1, r.raws.0, r.raws.1] {
                out.extend_from_slice(&n(v));
            }
        }
        for (line, s, e) in &self.raws {
            out.extend_from_slice(&line.to_le_bytes());
            out.extend_from_slice(&n(*s));
            out.extend_from_slice(&n(*e));
        }
        out.extend_from_slice(self.text.as_bytes());
    }

    /// Reads what [`Batch::write`] wrote (`None` when it is not that).
    fn read(bytes: &[u8]) -> Option<Batch> {
        let mut w = Wire(bytes);
        let (entries, raws, text) = (w.usize()?, w.usize()?, w.usize()?);
        let mut b = Batch {
            text: String::new(),
            entries: Vec::with_capacity(entries.min(bytes.len() / REC_BYTES)),
            raws: Vec::with_capacity(raws.min(bytes.len() / RAW_BYTES)),
        };
        for _ in 0..entries {
            let [flags] = w.take::<1>()?;
            let secs = i64::from_le_bytes(w.take()?);
            let nanos = i32::from_le_bytes(w.take()?);
            let origin = Origin { source: w.usize()?, line: w.u32()? };
            let (t0, t1, r0, r1) = (w.usize()?, w.usize()?, w.usize()?, w.usize()?);
            let checked = (flags & 1 != 0).then_some(EntryCheck { matched: flags & 2 != 0, tools: flags & 4 != 0 });
            let at = if flags & 8 != 0 { Some(Timestamp::new(secs, nanos).ok()?) } else { None };
            b.entries.push(Rec { at, origin, text: (t0, t1), raws: (r0, r1), checked });
        }
        for _ in 0..raws {
            b.raws.push((w.u32()?, w.usize()?, w.usize()?));
        }
        b.text = String::from_utf8(w.0.get(..text)?.to_vec()).ok()?;
        Some(b)
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
            let text = self.text.get(r.text.0..r.text.1).unwrap_or("");
            b.push_checked(r.at, text, r.origin, &raws, r.checked.unwrap_or_else(|| EntryCheck::of(text)));
        }
    }
}

pub mod remote {
    //! Streams digested in another worker (the page; natively only in tests). The reading
    //! side posts each stream's batches through the [`DigestPort`] set on its thread;
    //! the worker behind it runs a [`Digester`], which digests a stream's batches in the
    //! order they come, answers each batch (so the reading side can bound the batches in
    //! flight: [`in_flight`]) and, when the stream ends, posts its digest back. The
    //! reading side hands every answer to [`arrived`]; before an input's digests are
    //! collected ([`crate::Analyzer::settle`]) it waits until [`awaited`] is 0 (an
    //! `await` in the page: a worker cannot block).
    //!
    //! Each stream is digested whole by one worker, in order, so the digests are the same
    //! as on one thread whatever the number of workers.

    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::rc::Rc;

    use jiff::Timestamp;

    use super::Batch;
    use crate::logdigest::{DigestBuilder, LogDigest};
    use crate::model::Origin;

    type Done = (LogDigest, Vec<(u32, String)>);

    /// Where the messages of the reading side go (see the module doc).
    pub trait DigestPort {
        /// Posts `message` for the digester of stream `stream`: all of one stream's
        /// messages must reach the same [`Digester`], in order.
        fn post(&self, stream: u64, message: Vec<u8>);
    }

    /// The reading side's messages: a tag, the stream's id, and for a batch its wire
    /// form ([`Batch::write`]).
    const BATCH: u8 = 0;
    const FINISH: u8 = 1;
    /// A stream dropped unfinished (a refused input rolls back).
    const FORGET: u8 = 2;

    fn job(tag: u8, id: u64) -> Vec<u8> {
        let mut m = vec![tag];
        m.extend_from_slice(&id.to_le_bytes());
        m
    }

    #[derive(serde::Serialize, serde::Deserialize)]
    enum Reply {
        /// A batch of the stream was digested.
        Digested(u64),
        /// The stream's digest and the texts it may quote.
        Done(u64, Box<Done>),
    }

    #[derive(Default)]
    struct Side {
        port: Option<Rc<dyn DigestPort>>,
        next: u64,
        in_flight: usize,
        awaited: usize,
        arrived: HashMap<u64, Done>,
        lost: usize,
    }

    thread_local! {
        static SIDE: RefCell<Side> = RefCell::new(Side::default());
    }

    /// Sends the log streams that start from now on (on this thread, with digest
    /// threads asked for: [`Limits::digest_threads`](crate::input::Limits)) to `port`;
    /// `None` digests them here again. Forgets what arrived before.
    pub fn set_port(port: Option<Rc<dyn DigestPort>>) {
        SIDE.with(|s| *s.borrow_mut() = Side { port, ..Side::default() });
    }

    /// Takes one answer of a [`Digester`]. An answer that cannot be read is an error (and
    /// the digest it carried is missing: see [`lost`]).
    pub fn arrived(reply: &[u8]) -> Result<(), String> {
        let reply: Reply = postcard::from_bytes(reply).map_err(|e| format!("a digest worker's answer: {e}"))?;
        SIDE.with(|s| {
            let mut s = s.borrow_mut();
            match reply {
                Reply::Digested(_) => s.in_flight = s.in_flight.saturating_sub(1),
                Reply::Done(id, done) => {
                    s.awaited = s.awaited.saturating_sub(1);
                    s.arrived.insert(id, *done);
                }
            }
        });
        Ok(())
    }

    /// Batches posted and not yet digested.
    pub fn in_flight() -> usize {
        SIDE.with(|s| s.borrow().in_flight)
    }

    /// Digests asked for that have not arrived.
    pub fn awaited() -> usize {
        SIDE.with(|s| s.borrow().awaited)
    }

    /// Digests that were collected before they arrived (their streams have empty
    /// digests): not 0 only when a digest worker stopped.
    pub fn lost() -> usize {
        SIDE.with(|s| s.borrow().lost)
    }

    /// The digest of stream `id`, taken out of what arrived.
    pub(super) fn take(id: u64) -> Done {
        SIDE.with(|s| {
            let mut s = s.borrow_mut();
            match s.arrived.remove(&id) {
                Some(done) => done,
                None => {
                    s.lost += 1;
                    (LogDigest::default(), Vec::new())
                }
            }
        })
    }

    fn encode<T: serde::Serialize>(v: &T) -> Vec<u8> {
        // Only out of memory could fail here: an empty answer, which `arrived` reports.
        postcard::to_allocvec(v).unwrap_or_default()
    }

    /// Batches in flight from which the reading side checks the entries itself (the
    /// [`EntryCheck`](crate::logdigest::EntryCheck), about a fifth of its work in the
    /// page): the digest workers are behind, so the reading side has time to spare.
    /// Below, the digest workers check them. Either way the digest is the same.
    pub const CHECK_HERE_FROM: usize = 4;

    /// One stream on the reading side.
    pub(super) struct RemoteSink {
        id: u64,
        port: Rc<dyn DigestPort>,
        batch: Batch,
        /// Whether this batch's entries are checked here ([`CHECK_HERE_FROM`]).
        check: bool,
        finished: bool,
    }

    impl RemoteSink {
        /// A new stream, when a port is set on this thread.
        pub(super) fn start() -> Option<RemoteSink> {
            SIDE.with(|s| {
                let mut s = s.borrow_mut();
                let port = s.port.clone()?;
                let id = s.next;
                s.next += 1;
                let check = s.in_flight >= CHECK_HERE_FROM;
                Some(RemoteSink { id, port, batch: Batch::default(), check, finished: false })
            })
        }

        pub(super) fn push(&mut self, at: Option<Timestamp>, text: &str, origin: Origin, raws: &[(u32, &str)]) {
            if self.batch.push(at, text, origin, raws, self.check) {
                self.flush();
            }
        }

        fn flush(&mut self) {
            let mut message = job(BATCH, self.id);
            self.batch.write(&mut message);
            self.batch.clear();
            self.check = SIDE.with(|s| {
                let mut s = s.borrow_mut();
                s.in_flight += 1;
                s.in_flight >= CHECK_HERE_FROM
            });
            self.port.post(self.id, message);
        }

        /// Posts the last batch and asks for the digest; returns the stream's id.
        pub(super) fn finish_later(mut self) -> u64 {
            if !self.batch.entries.is_empty() {
                self.flush();
            }
            self.finished = true;
            SIDE.with(|s| s.borrow_mut().awaited += 1);
            self.port.post(self.id, job(FINISH, self.id));
            self.id
        }
    }

    impl Drop for RemoteSink {
        fn drop(&mut self) {
            if !self.finished {
                self.port.post(self.id, job(FORGET, self.id));
            }
        }
    }

    /// Digest workers in this thread, for tests: messages wait until [`Loopback::pump`]
    /// (as a worker's wait until the reading worker yields), streams dealt by id.
    #[cfg(test)]
    pub(crate) struct Loopback {
        digesters: RefCell<Vec<Digester>>,
        queue: RefCell<Vec<(u64, Vec<u8>)>>,
    }

    #[cfg(test)]
    impl Loopback {
        /// `n` digest workers, set as this thread's port.
        pub(crate) fn set(n: usize) -> Rc<Loopback> {
            let l = Rc::new(Loopback {
                digesters: RefCell::new((0..n.max(1)).map(|_| Digester::default()).collect()),
                queue: RefCell::new(Vec::new()),
            });
            set_port(Some(l.clone()));
            l
        }

        /// Digests what was posted and hands the answers back.
        pub(crate) fn pump(&self) {
            let queue = std::mem::take(&mut *self.queue.borrow_mut());
            let mut d = self.digesters.borrow_mut();
            let n = d.len() as u64;
            for (stream, message) in queue {
                if let Some(reply) = d[(stream % n) as usize].handle(&message) {
                    assert_eq!(arrived(&reply), Ok(()));
                }
            }
        }
    }

    #[cfg(test)]
    impl DigestPort for Loopback {
        fn post(&self, stream: u64, message: Vec<u8>) {
            self.queue.borrow_mut().push((stream, message));
        }
    }

    /// The digest worker's side: the streams being digested.
    #[derive(Default)]
    pub struct Digester {
        streams: HashMap<u64, Box<DigestBuilder>>,
    }

    impl Digester {
        /// Handles one message of the reading side; returns the answer to post back
        /// (none for a forgotten stream or a message that cannot be read).
        pub fn handle(&mut self, message: &[u8]) -> Option<Vec<u8>> {
            let (&tag, rest) = message.split_first()?;
            let (id, rest) = rest.split_at_checked(8)?;
            let id = u64::from_le_bytes(id.try_into().ok()?);
            match tag {
                BATCH => {
                    let builder = self.streams.entry(id).or_default();
                    // A batch that cannot be read is still answered (the reading side
                    // counts batches in flight); its entries are missing from the digest.
                    if let Some(batch) = Batch::read(rest) {
                        batch.digest(builder);
                    }
                    Some(encode(&Reply::Digested(id)))
                }
                FINISH => {
                    let done = self.streams.remove(&id).unwrap_or_default().finish();
                    Some(encode(&Reply::Done(id, Box::new(done))))
                }
                FORGET => {
                    self.streams.remove(&id);
                    None
                }
                _ => None,
            }
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

    use super::{Batch, IN_FLIGHT, MAX_DIGEST_THREADS};
    use crate::logdigest::{DigestBuilder, LogDigest};
    use crate::model::Origin;

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
            if self.batch.push(at, text, origin, raws, true) {
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

    /// A stream spanning many batches, digested by a digest worker (its batches and its
    /// digest encoded and decoded): the same digest and texts as here; the batches in
    /// flight are counted until answered.
    #[test]
    fn a_digest_worker_gives_the_same_digest() {
        let lines: Vec<String> = (0..3 * BATCH_ENTRIES + 5)
            .map(|i| match i % 4 {
                0 => format!("2026-12-01T10:00:{:02}.5Z INFO cache size={} entries", i % 60, 1000 + i),
                1 => format!("gc: done, {} unreachable, 0 uncollectable, 0.0100s elapsed", i % 50),
                2 => "MemoryError: résumé → cache".to_string(),
                _ => "Traceback (most recent call last):\n  File \"/app/x.py\", line 3, in f\nMemoryError".to_string(),
            })
            .collect();
        let run = |workers: Option<usize>| {
            let port = workers.map(super::remote::Loopback::set);
            let mut s = DigestSink::new(usize::from(workers.is_some()));
            for (i, l) in lines.iter().enumerate() {
                let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
                let at = jiff::Timestamp::new(1_700_000_000 + i as i64, 250).ok();
                s.push(at, l, Origin { source: 0, line }, &[(line, l.as_str())]);
            }
            let mut flew = 0;
            let done = s.finish_later();
            if let Some(p) = &port {
                flew = super::remote::in_flight();
                assert_eq!(super::remote::awaited(), 1);
                p.pump();
                assert_eq!((super::remote::in_flight(), super::remote::awaited()), (0, 0));
            }
            let (d, mut texts) = done.wait();
            super::remote::set_port(None);
            texts.sort();
            let m = format!("{:?}", d.miner.templates().iter().map(|t| (&t.text, t.lines)).collect::<Vec<_>>());
            (m, d.matched, d.memory_errors, format!("{:?}", d.profiles), d.memory_error_first, texts, flew)
        };
        let mut here = run(None);
        assert!(here.1.len() > 100 && here.4.is_some(), "entries kept and timed");
        let there = run(Some(2));
        assert!(there.6 >= 3, "batches in flight before the pump: {}", there.6);
        here.6 = there.6;
        assert_eq!(there, here);
    }

    /// Damaged messages (cut anywhere, or bytes flipped) never panic either side: a batch
    /// that cannot be read is answered and left out, an answer that cannot be read is an
    /// error.
    #[test]
    fn damaged_messages_are_refused_not_panicked_on() {
        let posted = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        struct Keep(std::rc::Rc<std::cell::RefCell<Vec<Vec<u8>>>>);
        impl super::remote::DigestPort for Keep {
            fn post(&self, _: u64, m: Vec<u8>) {
                self.0.borrow_mut().push(m);
            }
        }
        super::remote::set_port(Some(std::rc::Rc::new(Keep(posted.clone()))));
        let mut s = DigestSink::new(1);
        for i in 0..(BATCH_ENTRIES as u32 + 3) {
            let l = format!("2026-12-01T10:00:00Z MemoryError in worker {i} → résumé");
            s.push(jiff::Timestamp::new(1_700_000_000, 0).ok(), &l, Origin { source: 0, line: i + 1 }, &[(i + 1, &l)]);
        }
        let _ = s.finish_later();
        let messages = posted.borrow().clone();
        assert_eq!(messages.len(), 3, "two batches and the stream's end");
        let batch = &messages[0];
        for cut in [0, 1, 8, 9, 20, batch.len() / 2, batch.len() - 1] {
            let mut d = super::remote::Digester::default();
            let reply = d.handle(&batch[..cut]);
            assert_eq!(reply.is_some(), cut >= 9, "a batch cut at {cut} is answered once its id is whole");
        }
        let mut flipped = batch.clone();
        for i in (9..flipped.len()).step_by(97) {
            flipped[i] ^= 0xA5;
        }
        let mut d = super::remote::Digester::default();
        assert!(d.handle(&flipped).is_some());
        let done = d.handle(&messages[2]).expect("the stream's end is answered");
        assert!(super::remote::arrived(&done[..done.len() / 2]).is_err());
        assert!(super::remote::arrived(&[]).is_err());
        assert!(super::remote::arrived(&done).is_ok());
        super::remote::set_port(None);
    }

    /// A digest that has not arrived when the stream is collected is empty, and counted.
    #[test]
    fn a_digest_not_arrived_is_counted_lost() {
        let port = super::remote::Loopback::set(1);
        let mut s = DigestSink::new(1);
        s.push(None, "MemoryError", Origin { source: 0, line: 1 }, &[]);
        let (d, _) = s.finish_later().wait();
        assert_eq!((d.entries, super::remote::lost()), (0, 1));
        port.pump();
        super::remote::set_port(None);
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

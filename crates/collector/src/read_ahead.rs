//! Reading the input files on a thread of their own, 1 MiB at a time, a few reads ahead
//! of the analysis.
//!
//! The kernel's copy of each read (page cache → our buffer) was about a sixth of the
//! reading thread's time on a 200 MB bundle, and that thread sets the pace of `kubeleak
//! analyze` (the log digests run on a second thread, see `digest_sink.rs`). Buffers go
//! back to the reader to be filled again, so memory stays at [`AHEAD`] + 2 MiB.
//!
//! Example: `for piece in read_ahead(files) { … }` yields `Begin("a.txt")`,
//! `Bytes(…)`×N, `End`, then the next file.

use std::io::Read;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// Reads in flight.
pub const AHEAD: usize = 4;
const READ: usize = 1 << 20;

pub enum Piece {
    Begin(String),
    /// Bytes read; give the buffer back with [`Ahead::give_back`] when done.
    Bytes(Vec<u8>),
    End,
    Failed(String, std::io::Error),
}

pub struct Ahead {
    pieces: Receiver<Piece>,
    back: SyncSender<Vec<u8>>,
}

impl Ahead {
    pub fn next(&self) -> Option<Piece> {
        self.pieces.recv().ok()
    }

    pub fn give_back(&self, buf: Vec<u8>) {
        let _ = self.back.try_send(buf);
    }
}

/// Starts reading `files` (name, reader) in order on a new thread.
pub fn read_ahead(files: Vec<(String, Box<dyn Read + Send>)>) -> Ahead {
    let (tx, pieces) = sync_channel(AHEAD);
    let (back, spent) = sync_channel::<Vec<u8>>(AHEAD + 2);
    std::thread::spawn(move || {
        for (name, mut r) in files {
            if tx.send(Piece::Begin(name.clone())).is_err() {
                return;
            }
            loop {
                let mut buf = spent.try_recv().unwrap_or_default();
                buf.resize(READ, 0);
                match r.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        buf.truncate(n);
                        if tx.send(Piece::Bytes(buf)).is_err() {
                            return;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        let _ = tx.send(Piece::Failed(name, e));
                        return;
                    }
                }
            }
            if tx.send(Piece::End).is_err() {
                return;
            }
        }
    });
    Ahead { pieces, back }
}

#[cfg(test)]
mod tests {
    use super::{read_ahead, Piece, READ};

    /// Files come back whole, in order, each between its Begin and End, however many
    /// reads they take; a failing reader ends with its error.
    #[test]
    fn files_in_order_and_whole() {
        let big: Vec<u8> = (0..(3 * READ + 17)).map(|i| (i % 251) as u8).collect();
        struct Failing;
        impl std::io::Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk on fire"))
            }
        }
        let files: Vec<(String, Box<dyn std::io::Read + Send>)> = vec![
            ("a".into(), Box::new(std::io::Cursor::new(big.clone()))),
            ("empty".into(), Box::new(std::io::Cursor::new(Vec::new()))),
            ("bad".into(), Box::new(Failing)),
        ];
        let ahead = read_ahead(files);
        let mut seen = Vec::new();
        let mut got: Vec<u8> = Vec::new();
        while let Some(p) = ahead.next() {
            match p {
                Piece::Begin(n) => seen.push(format!("begin {n}")),
                Piece::Bytes(b) => {
                    if seen.last().map(String::as_str) == Some("begin a") {
                        got.extend_from_slice(&b);
                    }
                    ahead.give_back(b);
                }
                Piece::End => seen.push("end".into()),
                Piece::Failed(n, e) => seen.push(format!("failed {n}: {e}")),
            }
        }
        assert_eq!(got, big);
        assert_eq!(seen, ["begin a", "end", "begin empty", "end", "begin bad", "failed bad: disk on fire"]);
    }
}

//! Ctrl-C, SIGTERM and SIGHUP during `kubeleak collect`, all handled alike: the first ends
//! sampling (the logs are still taken, the bundle is written and marked interrupted), the
//! second stops the running kubectl commands and writes what was gathered, the third quits
//! at once, after killing the running kubectl commands (with everything they started) and
//! removing the partial bundle file, so no half file and no orphan kubectl is left.
//!
//! The exit code is 128 + the first signal's number: 130 for Ctrl-C (SIGINT), 143 for
//! SIGTERM, 129 for SIGHUP. A signal the process was started with ignored (`nohup`
//! ignores SIGHUP; a background job of a script ignores SIGINT) stays ignored.
//!
//! The handler runs on its own thread (signal-hook's self-pipe), so it may lock, print
//! and kill like ordinary code.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::Mutex;

/// Signals received so far.
static INTERRUPTS: AtomicUsize = AtomicUsize::new(0);
/// Set by the second signal: running kubectl commands are stopped.
pub static ABORT: AtomicBool = AtomicBool::new(false);
/// The first signal's number.
static FIRST: AtomicI32 = AtomicI32::new(0);
/// The bundle's temporary file while it exists (removed by a third signal).
static PARTIAL: Mutex<Option<PathBuf>> = Mutex::new(None);

pub const SIGHUP: i32 = 1;
pub const SIGINT: i32 = 2;
pub const SIGTERM: i32 = 15;

/// A signal arrived.
pub fn interrupted() -> bool {
    INTERRUPTS.load(Ordering::SeqCst) > 0
}

/// 128 + the first signal (130 when none arrived).
pub fn exit_code() -> u8 {
    match FIRST.load(Ordering::SeqCst) {
        s @ 1..=127 => 128 + s as u8,
        _ => 130,
    }
}

/// The first signal, as people call it.
pub fn first_name() -> &'static str {
    name(FIRST.load(Ordering::SeqCst))
}

fn name(sig: i32) -> &'static str {
    match sig {
        SIGHUP => "SIGHUP",
        SIGTERM => "SIGTERM",
        _ => "Ctrl-C",
    }
}

/// Remembers the bundle's temporary file (`None` once it is renamed).
pub fn set_partial(path: Option<PathBuf>) {
    if let Ok(mut p) = PARTIAL.lock() {
        *p = path;
    }
}

/// A line on stderr that may fail (after SIGHUP the terminal is gone): never panics.
pub fn say(msg: &str) {
    let _ = writeln!(std::io::stderr(), "{msg}");
}

/// What a signal does; see the module's doc.
pub fn on_signal(sig: i32) {
    let n = INTERRUPTS.fetch_add(1, Ordering::SeqCst) + 1;
    if n == 1 {
        FIRST.store(sig, Ordering::SeqCst);
    }
    let what = name(sig);
    match n {
        1 if sig == SIGINT => {
            say("kubeleak: interrupted: sampling stops, logs are still taken (Ctrl-C again to write the bundle now)")
        }
        1 => say(&format!(
            "kubeleak: {what}: sampling stops, logs are still taken (a second signal writes the bundle now)"
        )),
        2 => {
            say(&format!("kubeleak: {what} again: stopping kubectl and writing what was gathered"));
            ABORT.store(true, Ordering::SeqCst);
        }
        _ => {
            ABORT.store(true, Ordering::SeqCst);
            crate::kubectl::kill_running();
            if let Ok(p) = PARTIAL.lock() {
                if let Some(p) = p.as_ref() {
                    let _ = std::fs::remove_file(p);
                }
            }
            say(&format!("kubeleak: {what} a third time: quitting without writing"));
            std::process::exit(i32::from(exit_code()));
        }
    }
}

/// Installs the handler (once per process).
#[cfg(unix)]
pub fn install() {
    use signal_hook::consts::{SIGHUP as HUP, SIGINT as INT, SIGTERM as TERM};
    let wanted: Vec<i32> = [INT, TERM, HUP].into_iter().filter(|s| !ignored(*s)).collect();
    let Ok(mut signals) = signal_hook::iterator::Signals::new(&wanted) else {
        say("kubeleak: cannot install the signal handler; Ctrl-C ends kubeleak at once");
        return;
    };
    let _ = std::thread::Builder::new().name("signals".into()).spawn(move || {
        for sig in signals.forever() {
            on_signal(sig);
        }
    });
}

/// The signal was ignored when the process started (`nohup`, `cmd &` in a script).
#[cfg(unix)]
fn ignored(sig: i32) -> bool {
    // SAFETY: sigaction with a null new action only reads the current disposition into
    // `old`, a zeroed sigaction owned by this frame.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(sig, std::ptr::null(), &mut old) == 0 && old.sa_sigaction == libc::SIG_IGN
    }
}

#[cfg(not(unix))]
pub fn install() {
    let _ = ctrlc::set_handler(|| on_signal(SIGINT));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(name(SIGINT), "Ctrl-C");
        assert_eq!(name(SIGTERM), "SIGTERM");
        assert_eq!(name(SIGHUP), "SIGHUP");
        assert_eq!(exit_code(), 130, "no signal yet");
    }
}

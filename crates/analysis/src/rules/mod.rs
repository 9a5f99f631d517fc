//! The log line rules: which log entries the `memory-error` and `circular-references`
//! detectors read. They need only the text of a line, so the log digest applies them
//! while a log streams by and keeps just the lines they accept.
//!
//! - [`keywords`]: one quick pass that says which rules may match at all;
//! - [`memory_error`]: `MemoryError`, SIGKILL / signal 9 of workers, `Killed`;
//! - [`gc`]: `gc: uncollectable`, `gc: done, …`, generation counts, `gc.garbage`,
//!   `ResourceWarning: unclosed`.

pub mod gc;
pub mod keywords;
pub mod memory_error;

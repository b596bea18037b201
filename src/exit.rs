//! Exit codes: the contract CI relies on, documented in the README and `--help`. A leaf, so that
//! the runner's summary and the CLI's errors choose codes from one table.

/// Exit code when every case passed.
pub const EXIT_OK: i32 = 0;
/// Exit code when at least one contract check failed.
pub const EXIT_FAILED: i32 = 1;
/// Exit code for bad input, configuration or usage: nothing (more) was sent.
pub const EXIT_USAGE: i32 = 2;
/// Exit code when nothing failed but at least one case could not be checked (connection refused,
/// DNS, TLS, timeout): "the sandbox is down" is not "the vendor broke the contract".
pub const EXIT_UNCHECKED: i32 = 3;
/// Exit code of a run stopped by Ctrl-C (SIGINT), by the shell convention 128 + 2: the reports
/// were written, with the cases not finished marked as interrupted.
pub const EXIT_INTERRUPTED: i32 = 130;

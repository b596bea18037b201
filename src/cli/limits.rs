//! Process limits: the soft open-file limit is raised to the hard one at start, and concurrency is
//! kept within what it allows (each job may hold a client connection and, on playback, the
//! server's end of it), so that `-j 1500` under `ulimit -n 256` runs slower instead of failing
//! cases with "Too many open files".

/// File descriptors kept free for everything else (the runtime, report files, case files).
const RESERVED_FDS: u64 = 64;

/// Raises the soft `RLIMIT_NOFILE` to the hard limit; returns the soft limit now in force.
#[cfg(unix)]
pub fn raise_open_files() -> Option<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid pointer to a local struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return None;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim.rlim_cur = lim.rlim_max;
            }
        }
    }
    // rlim_t is u64 on Linux but not everywhere.
    #[allow(clippy::useless_conversion)]
    Some(u64::try_from(lim.rlim_cur).unwrap_or(u64::MAX))
}

#[cfg(not(unix))]
pub fn raise_open_files() -> Option<u64> {
    None
}

/// The most jobs `open_files` allows: two descriptors per job beyond the reserve, at least 1.
pub fn max_jobs(open_files: u64) -> usize {
    let per_job = open_files.saturating_sub(RESERVED_FDS) / 2;
    usize::try_from(per_job.max(1)).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_fit_the_descriptor_limit() {
        assert_eq!(max_jobs(256), 96);
        assert_eq!(max_jobs(10), 1);
        assert!(max_jobs(1 << 20) > 1500);
    }
}

//! A headless Chromium for the tests that render an HTML report: Debian's `chromium` (installed by
//! `.ci/run`) or another Chromium on PATH.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The first Chromium found on PATH, if any.
pub fn browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// Opens `page` headless with `args` (e.g. `--dump-dom`) in a throw-away profile; its stdout.
pub fn headless(browser: &Path, args: &[&str], page: &Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

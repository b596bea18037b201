//! `conform review`: each pending `.snap.new` under `snapshots/`, its diff against the `.snap`
//! it would replace, and a choice: accept, reject or skip.
//!
//! `cargo insta review` cannot do this in a conform project: it asks `cargo metadata` for the
//! workspace, which fails without a Cargo.toml (and it needs a terminal). Answers are read one
//! per line from stdin (`a`, `r`, `s`), so a pipe works as well as a terminal; at the end of
//! stdin the remaining snapshots are skipped. Accepted files are written by insta
//! (`check::snapshot::file`), byte for byte what `cargo insta accept` would write.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use console::style;

use super::Out;
use crate::check::snapshot::file;
use crate::cli::args::ReviewArgs;
use crate::error::{Error, EXIT_OK};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Choice {
    Accept,
    Reject,
    Skip,
}

pub fn review(root: &Path, args: ReviewArgs) -> Result<i32, Error> {
    let pending = pending(root)?;
    if pending.is_empty() {
        Out::line("no snapshots to review (no .snap.new under snapshots/)");
        return Ok(EXIT_OK);
    }
    let fixed = match (args.accept_all, args.reject_all) {
        (true, _) => Some(Choice::Accept),
        (_, true) => Some(Choice::Reject),
        _ => None,
    };
    let mut stdin = std::io::stdin().lock();
    let mut done: [Vec<String>; 3] = Default::default();
    let mut unreadable = Vec::new();
    let mut answers_left = true;
    for (i, new) in pending.iter().enumerate() {
        let target = new.with_extension("");
        let shown = relative(root, &target);
        let new_text = match file::contents(new) {
            Ok(t) => t,
            Err(e) => {
                unreadable.push(format!("{}.new: {e}", shown));
                continue;
            }
        };
        let choice = match fixed {
            Some(c) => c,
            None if !answers_left => Choice::Skip,
            None => {
                let old_text = file::contents(&target).ok();
                Out::text(&diff_text(
                    i + 1,
                    pending.len(),
                    &shown,
                    old_text.as_deref(),
                    &new_text,
                ));
                ask(&mut stdin).unwrap_or_else(|| {
                    answers_left = false;
                    Choice::Skip
                })
            }
        };
        let applied = match choice {
            Choice::Accept => file::accept(new, &target),
            Choice::Reject => std::fs::remove_file(new),
            Choice::Skip => Ok(()),
        };
        if let Err(e) = applied {
            return Err(Error::Io(format!("cannot update {shown}: {e}")));
        }
        let slot = match choice {
            Choice::Accept => 0,
            Choice::Reject => 1,
            Choice::Skip => 2,
        };
        done[slot].push(shown);
    }
    Out::text(&summary(&done, !answers_left && fixed.is_none()));
    if unreadable.is_empty() {
        return Ok(EXIT_OK);
    }
    Err(Error::Usage(format!(
        "{} pending snapshot(s) could not be read, so they were left as they are:\n  {}",
        unreadable.len(),
        unreadable.join("\n  ")
    )))
}

/// Every `.snap.new` under `snapshots/`, sorted; symlinks are not followed.
fn pending(root: &Path) -> Result<Vec<PathBuf>, Error> {
    let dir = root.join("snapshots");
    if let Err(outside) = crate::fsutil::resolve_inside(root, &dir) {
        return Err(Error::Usage(outside.to_string()));
    }
    let mut found = Vec::new();
    let mut folders = vec![dir];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                folders.push(path);
            } else if kind.is_file() && path.to_string_lossy().ends_with(".snap.new") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Reads answers until one is understood; `None` at the end of stdin.
fn ask(stdin: &mut impl BufRead) -> Option<Choice> {
    loop {
        Out::text("accept (a), reject (r) or skip (s)? ");
        let mut line = String::new();
        if stdin.read_line(&mut line).ok()? == 0 {
            Out::line("");
            return None;
        }
        match line.trim().to_ascii_lowercase().as_str() {
            "a" | "accept" => return Some(Choice::Accept),
            "r" | "reject" => return Some(Choice::Reject),
            "s" | "skip" => return Some(Choice::Skip),
            other => Out::line(&format!("`{other}` is not an answer: type a, r or s")),
        }
    }
}

/// `[1/2] snapshots/demo/x.snap` and the diff (the whole text when there is no `.snap` yet).
fn diff_text(i: usize, n: usize, shown: &str, old: Option<&str>, new: &str) -> String {
    let mut text = format!(
        "\n{} {}\n",
        style(format!("[{i}/{n}]")).bold(),
        style(shown).bold()
    );
    let (old, what) = match old {
        Some(old) => (old, "changed"),
        None => ("", "new"),
    };
    text.push_str(&format!("{what} snapshot:\n"));
    let lines = |t: &str| match t.trim_end() {
        "" => String::new(),
        t => format!("{t}\n"),
    };
    let (old, new) = (lines(old), lines(new));
    let diff = similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header("snapshot", "pending")
        .to_string();
    for line in diff.lines() {
        text.push_str(&format!("  {}\n", crate::report::terminal::diff_line(line)));
    }
    text
}

fn summary(done: &[Vec<String>; 3], stdin_ended: bool) -> String {
    let mut text = String::new();
    for (title, files) in ["accepted", "rejected", "skipped"].iter().zip(done) {
        if files.is_empty() {
            continue;
        }
        text.push_str(&format!("{title} ({}):\n", files.len()));
        for f in files {
            text.push_str(&format!("  {f}\n"));
        }
    }
    if stdin_ended {
        text.push_str("(no more answers on stdin: the rest were skipped)\n");
    }
    text
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
        .replace('\\', "/")
}

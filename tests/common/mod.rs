//! Shared helpers: a throw-away project folder and a way to run the real `conform` binary on it.
#![allow(dead_code)]

pub mod browser;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    /// An empty project with one API `demo` whose api.yaml is `api_yaml`.
    pub fn with_api(api_yaml: &str) -> Project {
        let p = Project {
            dir: tempfile::tempdir().unwrap(),
        };
        p.write("cases/demo/api.yaml", api_yaml);
        p
    }

    /// A project with API `demo` and the `Item.json` schema.
    pub fn demo() -> Project {
        let p = Project::with_api(
            "name: demo\nheaders: { Accept: application/json }\nvariables: { known_id: 1 }\n",
        );
        p.write(
            "schemas/demo/Item.json",
            r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","required":["id","name"],
                "properties":{"id":{"type":"integer"},"name":{"type":"string"},"tags":{"type":"array","items":{"type":"string"}}}}"#,
        );
        p
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, content: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    /// Runs `conform -C <project> ARGS` with `CI` set (plain output) and no `.env` surprises.
    pub fn conform(&self, args: &[&str]) -> Run {
        self.conform_env(args, &[])
    }

    pub fn conform_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_conform"));
        cmd.arg("-C")
            .arg(self.root())
            .args(args)
            .current_dir(self.root())
            .env("CI", "true");
        for (k, v) in env {
            cmd.env(k, v);
        }
        Run(cmd.output().unwrap())
    }
}

pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    pub fn all(&self) -> String {
        format!(
            "--- stdout\n{}\n--- stderr\n{}",
            self.stdout(),
            self.stderr()
        )
    }
}

/// Every file under `dir`, recursively.
pub fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// No value of `secrets` in any file under the project (reports, snapshots, recordings) nor in the
/// output of `runs`.
pub fn assert_no_secret_written<S: AsRef<str>>(p: &Project, runs: &[&Run], secrets: &[S]) {
    for file in all_files(p.root()) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        for secret in secrets.iter().map(AsRef::as_ref) {
            assert!(
                !text.contains(secret),
                "secret {secret} written to {}:\n{text}",
                file.display()
            );
        }
    }
    for run in runs {
        for secret in secrets.iter().map(AsRef::as_ref) {
            assert!(
                !run.all().contains(secret),
                "secret {secret} printed:\n{}",
                run.all()
            );
        }
    }
}

/// The case name of a `report.json` outcome (its id is `api/file::case`).
pub fn case_of(outcome: &serde_json::Value) -> &str {
    outcome["id"]
        .as_str()
        .and_then(|id| id.split_once("::"))
        .map(|(_, case)| case)
        .unwrap_or_default()
}

/// Reads an HTTP request head (up to the blank line, at most 64 KiB) from a test server's
/// connection; `None` when the client went away first.
pub async fn read_request_head(stream: &mut tokio::net::TcpStream) -> Option<Vec<u8>> {
    use tokio::io::AsyncReadExt;
    let mut head = Vec::new();
    let mut chunk = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
        if head.len() > 64 * 1024 {
            return None;
        }
    }
    Some(head)
}

/// A report document with every time (`duration_ms`, `elapsed_ms`) set to 0, to compare runs.
pub fn without_times(text: &str) -> serde_json::Value {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if k == "duration_ms" || k == "elapsed_ms" {
                        *v = serde_json::Value::from(0);
                    } else {
                        walk(v);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
    walk(&mut v);
    v
}

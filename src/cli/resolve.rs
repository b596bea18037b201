//! Arguments and the process environment become the validated configuration of a run, before
//! any case file is read or any request is sent (ripgrep's low-args -> high-args step).
//!
//! The environment is read once, here: `CI`, the proxy variables (before `.env`, which must never
//! choose a proxy), then the project's `.env` (from `-C DIR`, not the working directory).

use std::path::Path;
use std::time::Duration;

use super::args::{CaseRunArgs, ReportArgs, SelectionArgs, TargetArgs, TransportArgs};
use crate::check::snapshot;
use crate::error::Error;
use crate::http::TransportOptions;
use crate::plan::shard::Shard;
use crate::plan::Selection;
use crate::report::{Format, ReportConfig, TerminalConfig};
use crate::session::{SessionConfig, TargetChoice};

/// What conform takes from its process environment.
#[derive(Debug, Clone, Default)]
pub struct ProcessEnv {
    /// `CI` is set to a true value (`true`, `1`, `yes`; any case).
    pub ci: bool,
    /// `HTTPS_PROXY`, `HTTP_PROXY` or `ALL_PROXY` (either case) of the process itself.
    pub proxy: Option<String>,
    /// stdout is a terminal.
    pub stdout_is_term: bool,
    /// The soft open-file limit, after raising it to the hard one.
    pub open_files: Option<u64>,
    /// `GITHUB_STEP_SUMMARY`: the job summary file of a GitHub Actions step.
    pub github_step_summary: Option<std::path::PathBuf>,
    /// `CI_NODE_INDEX` and `CI_NODE_TOTAL` (GitLab's `parallel:`), for `--shard auto`.
    pub ci_node: (Option<String>, Option<String>),
    /// The commit under test: `GITHUB_SHA` or `CI_COMMIT_SHA`.
    pub commit: Option<String>,
    /// `GITHUB_SERVER_URL/GITHUB_REPOSITORY/blob/GITHUB_SHA/` or GitLab's
    /// `CI_PROJECT_URL/-/blob/CI_COMMIT_SHA/`: where the HTML report links case files.
    pub source_url: Option<String>,
}

impl ProcessEnv {
    /// Reads the process environment, then adds the project's `.env` to it (without overriding
    /// what is set). A malformed `.env` line is a located error.
    pub fn read(root: &Path) -> Result<ProcessEnv, Error> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let proxy = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"]
            .into_iter()
            .chain(["ALL_PROXY", "all_proxy"])
            .find_map(var);
        let env = ProcessEnv {
            ci: var("CI").is_some_and(|v| truthy(&v)),
            proxy,
            stdout_is_term: console::Term::stdout().is_term(),
            open_files: super::limits::raise_open_files(),
            // Before `.env`: a case file's project must not choose where conform writes.
            github_step_summary: var("GITHUB_STEP_SUMMARY").map(std::path::PathBuf::from),
            ci_node: (var("CI_NODE_INDEX"), var("CI_NODE_TOTAL")),
            commit: var("GITHUB_SHA").or_else(|| var("CI_COMMIT_SHA")),
            source_url: match (
                var("GITHUB_SERVER_URL"),
                var("GITHUB_REPOSITORY"),
                var("GITHUB_SHA"),
            ) {
                (Some(server), Some(repo), Some(sha)) => {
                    Some(format!("{server}/{repo}/blob/{sha}/"))
                }
                _ => var("CI_PROJECT_URL")
                    .zip(var("CI_COMMIT_SHA"))
                    .map(|(url, sha)| format!("{url}/-/blob/{sha}/")),
            },
        };
        load_dotenv(&root.join(".env"))?;
        Ok(env)
    }
}

/// `true`, `1`, `yes`, `on` in any case.
pub fn truthy(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "true" | "1" | "yes" | "on"
    )
}

/// Adds `.env`'s variables to the process environment; every line is read (a bad one is an
/// error naming its line, not the silent end of the file).
fn load_dotenv(path: &Path) -> Result<(), Error> {
    if let Some(root) = path.parent() {
        crate::fsutil::resolve_inside(root, path)
            .map_err(|e| Error::Usage(format!(".env: {e}")))?;
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(());
    };
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let parsed = dotenvy::from_read_iter(line.as_bytes()).next();
        match parsed {
            Some(Ok((key, value))) => {
                if std::env::var_os(&key).is_none() {
                    // Before the runtime starts: no other thread reads the environment yet.
                    std::env::set_var(key, value);
                }
            }
            Some(Err(_)) | None => {
                // The line is not quoted: a malformed line may still hold a secret.
                return Err(Error::Usage(format!(
                    ".env:{}:1: cannot read this line: expected NAME=VALUE (its text is not shown, \
                     it may hold a secret)",
                    i + 1
                )));
            }
        }
    }
    Ok(())
}

/// The selection as given.
pub fn selection(args: &SelectionArgs) -> Selection {
    Selection {
        apis: args.apis.clone(),
        filter: args.filter.clone(),
        tags: args.tags.clone(),
        skip_tags: args.skip_tags.clone(),
    }
}

/// Playback unless `--base-url` or `--env` is given.
pub fn target(args: &TargetArgs) -> Result<TargetChoice, Error> {
    Ok(match (&args.base_url, &args.env) {
        (Some(url), _) => TargetChoice::BaseUrl(check_base_url(url)?),
        (None, Some(_)) => TargetChoice::Environment,
        (None, None) => TargetChoice::Playback,
    })
}

pub fn transport(args: &TransportArgs, env: &ProcessEnv) -> Result<TransportOptions, Error> {
    let proxy = match &args.proxy {
        Some(url) => Some(check_url(
            "proxy",
            url,
            &["http", "https", "socks5", "socks5h"],
        )?),
        None => env.proxy.clone(),
    };
    Ok(TransportOptions {
        connect_timeout: seconds("connect-timeout", args.connect_timeout)?,
        timeout: seconds("timeout", args.timeout)?,
        max_body: args.max_body,
        insecure: args.insecure,
        proxy,
        ..TransportOptions::default()
    })
}

pub fn reports(root: &Path, args: &ReportArgs, env: &ProcessEnv) -> ReportConfig {
    ReportConfig {
        dir: root.join(&args.report_dir),
        formats: if args.reports.is_empty() {
            Format::DEFAULT.to_vec()
        } else {
            args.reports.clone()
        },
        terminal: TerminalConfig {
            out: Box::new(std::io::stdout()),
            interactive: env.stdout_is_term && !env.ci,
            verbose: args.verbose,
        },
        step_summary: env.github_step_summary.clone(),
        page: page(root, &args.report_dir, env),
    }
}

/// How the HTML report in `report_dir` links case files: the repository on CI, else relative
/// from the report folder to the project.
pub fn page(root: &Path, report_dir: &Path, env: &ProcessEnv) -> crate::report::html::Page {
    use std::path::Component;
    let source_base = env.source_url.clone().unwrap_or_else(|| {
        let plain = report_dir
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
        if plain {
            let depth = report_dir
                .components()
                .filter(|c| matches!(c, Component::Normal(_)))
                .count();
            "../".repeat(depth)
        } else {
            let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
            format!("file://{}/", root.display())
        }
    });
    crate::report::html::Page {
        source_base,
        commit: env.commit.clone(),
    }
}

/// `--accept` writes in place; under CI nothing is written; otherwise `.snap.new` for review.
pub fn snapshot_mode(accept: bool, env: &ProcessEnv) -> snapshot::Mode {
    if accept {
        snapshot::Mode::Accept
    } else if env.ci {
        snapshot::Mode::Ci
    } else {
        snapshot::Mode::Review
    }
}

/// The configuration of a command that runs cases.
pub fn session(
    root: &Path,
    flags: &CaseRunArgs,
    snapshots: snapshot::Mode,
    env: &ProcessEnv,
) -> Result<SessionConfig, Error> {
    check_report_dir(root, &flags.reports.report_dir)?;
    let target = target(&flags.target)?;
    let transport = transport(&flags.transport, env)?;
    if let (Some(proxy), false) = (&transport.proxy, target == TargetChoice::Playback) {
        // Named up front: credentials go wherever the proxy is.
        let source = if flags.transport.proxy.is_some() {
            "--proxy"
        } else {
            "the process environment"
        };
        eprintln!(
            "note: live requests go through the proxy {} (from {source}; a project's .env never sets one)",
            crate::http::without_credentials(proxy)
        );
    }
    Ok(SessionConfig {
        selection: selection(&flags.selection),
        target,
        env: flags.target.env.clone(),
        vars: flags.variables.vars.clone(),
        jobs: jobs(flags.transport.jobs, env),
        transport,
        snapshots,
        keep_exchanges: false,
        staging: None,
        shard: None,
        grace: Duration::from_secs(10),
        reports: reports(root, &flags.reports, env),
    })
}

/// `--shard K/N`, or `auto`: GitLab's 1-based `CI_NODE_INDEX` of `CI_NODE_TOTAL`.
pub fn shard(arg: Option<&str>, env: &ProcessEnv) -> Result<Option<Shard>, Error> {
    let Some(arg) = arg else {
        return Ok(None);
    };
    if !arg.trim().eq_ignore_ascii_case("auto") {
        return arg.parse().map(Some).map_err(Error::Usage);
    }
    match &env.ci_node {
        (Some(index), Some(total)) => format!("{}/{}", index.trim(), total.trim())
            .parse()
            .map(Some)
            .map_err(|e| Error::Usage(format!("--shard auto: CI_NODE_INDEX={index}, CI_NODE_TOTAL={total}: {e}"))),
        _ => Err(Error::Usage(
            "--shard auto reads CI_NODE_INDEX and CI_NODE_TOTAL (set by GitLab's `parallel:`), and they are not both set: give --shard K/N".into(),
        )),
    }
}

/// The default report folder must stay inside the project (a symlinked `target/` would make
/// conform write through it); a `--report-dir` given explicitly is the user's choice.
fn check_report_dir(root: &Path, dir: &Path) -> Result<(), Error> {
    if dir != Path::new(super::args::DEFAULT_REPORT_DIR) {
        return Ok(());
    }
    crate::fsutil::check_write_inside(root, &root.join(dir).join("report.json")).map_err(|e| {
        Error::Usage(format!(
            "report folder: {e}; pass --report-dir DIR to write elsewhere"
        ))
    })
}

/// `-j`, lowered (with a note) to what the open-file limit allows.
fn jobs(asked: u16, env: &ProcessEnv) -> usize {
    let asked = usize::from(asked);
    let Some(allowed) = env.open_files.map(super::limits::max_jobs) else {
        return asked;
    };
    if asked > allowed {
        eprintln!(
            "note: -j {asked} lowered to {allowed}: the open-file limit is {}",
            env.open_files.unwrap_or_default()
        );
    }
    asked.min(allowed)
}

fn seconds(flag: &str, v: f64) -> Result<Duration, Error> {
    const DAY: f64 = 86_400.0;
    Duration::try_from_secs_f64(v)
        .ok()
        .filter(|d| !d.is_zero() && v <= DAY)
        .ok_or_else(|| {
            Error::Usage(format!(
                "--{flag} must be a number of seconds above 0 and at most 86400, got {v}"
            ))
        })
}

pub fn check_base_url(url: &str) -> Result<String, Error> {
    check_url("base-url", url, &["http", "https"]).map(|u| u.trim_end_matches('/').to_string())
}

fn check_url(flag: &str, url: &str, schemes: &[&str]) -> Result<String, Error> {
    match url::Url::parse(url) {
        Ok(u) if schemes.contains(&u.scheme()) && u.has_host() => Ok(url.to_string()),
        _ => {
            let schemes: Vec<String> = schemes.iter().map(|s| format!("{s}://")).collect();
            Err(Error::Usage(format!(
                "--{flag} `{url}` is not a URL: expected {} then host[:port][/path]",
                schemes.join(" or ")
            )))
        }
    }
}

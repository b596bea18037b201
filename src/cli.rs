//! The command line: clap structs that mirror the flags, resolved into validated configuration
//! before any request is sent. `main` maps every result to an exit code here and nowhere else.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::case::{load_suite, LoadOptions, Suite};
use crate::check::snapshot;
use crate::error::{Error, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK};
use crate::http::TransportOptions;
use crate::mock::playback::{serve, Playback};
use crate::mock::record::Recorder;
use crate::plan::{plan, Selection};
use crate::run::RunConfig;
use crate::session::{execute, ReportOptions};

const EXAMPLES: &str = "\
Examples:
  conform run                                  every case of every API on the recorded mock
  conform run --api kimai --filter customer    some Kimai cases on the recorded mock
  conform run --api kimai --env sandbox        against the Kimai sandbox (credentials from env / .env)
  conform run --accept                         write new and changed snapshots in place
  conform record --api kimai --env sandbox     refresh Kimai's recordings from its sandbox
  conform mock --api kimai --port 8765         serve Kimai's recordings to a client under development
  conform run --base-url http://127.0.0.1:8080 --api kimai
  conform validate                             check every case file and schema, send nothing
  conform list --api kimai                     endpoints and cases
  conform import openapi spec.json --api kimai --include '^/api/customers'
                                               schemas and case skeletons from a spec
  conform coverage --api kimai --spec spec.json --min 80
                                               documented endpoints and statuses without cases

Exit codes: 0 all passed, 1 a contract check failed, 2 bad input, configuration or usage,
130 interrupted (Ctrl-C: the cases not finished are reported as interrupted).";

#[derive(Debug, Parser)]
#[command(name = "conform", version, about = "Contract tests for client-management APIs", after_help = EXAMPLES)]
pub struct Cli {
    /// Project folder holding cases/, schemas/ and snapshots/.
    #[arg(short = 'C', long = "root", global = true, default_value = ".")]
    pub root: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run cases and write reports (on the recorded mock unless --base-url or --env is given).
    Run(RunArgs),
    /// Load and check every case file, schema and recording; send nothing.
    Validate {
        /// Also check the variables and secrets of this environment.
        #[arg(long)]
        env: Option<String>,
    },
    /// Run cases against a live API and write their recordings (scrubbed) and new snapshots.
    Record(RecordArgs),
    /// Serve an API's recordings as a standalone mock server until Ctrl-C.
    Mock {
        #[arg(long)]
        api: String,
        /// Port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 8765)]
        port: u16,
    },
    /// List APIs, their endpoints and cases.
    List {
        #[arg(long = "api")]
        apis: Vec<String>,
    },
    /// Generate schemas and case skeletons from an API description.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Which documented endpoints and statuses the cases exercise.
    Coverage(CoverageArgs),
    /// Print the JSON Schema of case files or api.yaml (draft-07, for editors).
    #[command(hide = true)]
    EditorSchema {
        #[arg(long)]
        api_file: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// From OpenAPI 3.0/3.1 or Swagger 2.0 (JSON or YAML): schemas/<api>/ and cases/<api>/.
    Openapi(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The spec file (relative to the current directory).
    pub spec: PathBuf,
    /// Name of the API folder to write (cases/NAME, schemas/NAME).
    #[arg(long)]
    pub api: String,
    /// Only operations whose path matches this regex.
    #[arg(long)]
    pub include: Option<String>,
    /// No operation whose path matches this regex.
    #[arg(long)]
    pub exclude: Option<String>,
    /// Overwrite existing files (api.yaml is never overwritten).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// Only this API (needed with --spec or --catalog when there are several).
    #[arg(long)]
    pub api: Option<String>,
    /// What is documented, from an OpenAPI/Swagger spec (default: api.yaml's `endpoints:`).
    #[arg(long, conflicts_with = "catalog")]
    pub spec: Option<PathBuf>,
    /// What is documented, from a JSON array of {method, path, responses}.
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// Exit 1 when fewer than this percent of documented endpoints have a case.
    #[arg(long)]
    pub min: Option<f64>,
    /// Where coverage.json and coverage.md are written.
    #[arg(long, default_value = "target/conform")]
    pub report_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The API to record.
    #[arg(long)]
    pub api: String,
    /// Only cases whose `api/file::case` contains TEXT (others keep their recordings).
    #[arg(long)]
    pub filter: Option<String>,
    /// The live base URL (with --env: that environment's variables and auth).
    #[arg(long, required_unless_present = "env")]
    pub base_url: Option<String>,
    /// The environment of the API to record from.
    #[arg(long)]
    pub env: Option<String>,
    #[arg(short = 'j', long, default_value_t = 4)]
    pub jobs: usize,
    #[arg(long, default_value = "target/conform")]
    pub report_dir: PathBuf,
    #[arg(long, default_value_t = 30.0)]
    pub timeout: f64,
    #[arg(long)]
    pub insecure: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Only these APIs (repeatable).
    #[arg(long = "api")]
    pub apis: Vec<String>,
    /// Only cases whose `api/file::case` contains TEXT (case-insensitive).
    #[arg(long)]
    pub filter: Option<String>,
    /// Only cases with this tag (repeatable: any of them).
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// Send every request to this base URL (with --env: that environment's variables and auth).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Use this environment of each API (base URL, variables and auth from api.yaml).
    #[arg(long)]
    pub env: Option<String>,
    /// Case files run concurrently (cases inside a file run in order).
    #[arg(short = 'j', long, default_value_t = 16)]
    pub jobs: usize,
    /// Where junit.xml and report.json are written.
    #[arg(long, default_value = "target/conform")]
    pub report_dir: PathBuf,
    /// Request timeout in seconds.
    #[arg(long, default_value_t = 30.0)]
    pub timeout: f64,
    /// Connect timeout in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub connect_timeout: f64,
    /// Largest response body accepted, in bytes (after decompression).
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    pub max_body: usize,
    /// Accept invalid TLS certificates (self-signed sandboxes).
    #[arg(long)]
    pub insecure: bool,
    /// Write new and changed snapshots in place instead of as .snap.new.
    #[arg(long)]
    pub accept: bool,
}

/// Parses argv, runs the command, returns the exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    // A .env file adds variables without overriding the environment; its values are secrets.
    let _ = dotenvy::dotenv();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprint!("{}", render_error(&e));
            e.exit_code()
        }
    }
}

fn render_error(e: &Error) -> String {
    match e {
        Error::Load(l) => l.render(),
        other => format!("error: {other}\n"),
    }
}

fn dispatch(cli: Cli) -> Result<i32, Error> {
    let root = cli.root;
    match cli.command {
        Command::Run(args) => run_command(&root, args),
        Command::Validate { env } => {
            let suite = load_suite(
                &root,
                &LoadOptions {
                    env,
                    ..LoadOptions::default()
                },
            )?;
            let mut recordings = 0;
            for api in &suite.apis {
                recordings += load_playback(&suite, api)?.entries.len();
            }
            println!(
                "ok: {} APIs, {} case files, {} cases, {} schemas, {} recorded interactions",
                suite.apis.len(),
                suite.apis.iter().map(|a| a.files.len()).sum::<usize>(),
                suite.case_count(),
                suite.schemas.len(),
                recordings
            );
            Ok(EXIT_OK)
        }
        Command::Record(args) => record_command(&root, args),
        Command::Mock { api, port } => mock_command(&root, &api, port),
        Command::List { apis } => {
            let suite = load_suite(&root, &LoadOptions::default())?;
            let selection = Selection {
                apis,
                ..Selection::default()
            };
            plan(&suite, &selection).map_err(Error::Usage)?;
            print!("{}", list_text(&suite, &selection.apis));
            Ok(EXIT_OK)
        }
        Command::Import(ImportCommand::Openapi(args)) => import_command(&root, args),
        Command::Coverage(args) => coverage_command(&root, args),
        Command::EditorSchema { api_file } => {
            print!(
                "{}",
                if api_file {
                    crate::editor_schema::api_file_schema()
                } else {
                    crate::editor_schema::case_file_schema()
                }
            );
            Ok(EXIT_OK)
        }
    }
}

fn import_command(root: &Path, args: ImportArgs) -> Result<i32, Error> {
    let regex = |flag: &str, re: Option<String>| {
        re.map(|r| regex::Regex::new(&r).map_err(|e| Error::Usage(format!("--{flag} `{r}`: {e}"))))
            .transpose()
    };
    let valid_name = !args.api.is_empty()
        && args
            .api
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid_name {
        return Err(Error::Usage(format!(
            "--api `{}` must be a folder name (letters, digits, `-`, `_`)",
            args.api
        )));
    }
    let options = crate::import::ImportOptions {
        spec: args.spec,
        api: args.api,
        include: regex("include", args.include)?,
        exclude: regex("exclude", args.exclude)?,
        force: args.force,
    };
    let report = crate::import::import_openapi(root, &options)?;
    print!("{}", report.render());
    Ok(EXIT_OK)
}

fn coverage_command(root: &Path, args: CoverageArgs) -> Result<i32, Error> {
    use crate::coverage;
    if let Some(min) = args.min.filter(|m| !(0.0..=100.0).contains(m)) {
        return Err(Error::Usage(format!("--min must be 0 to 100, got {min}")));
    }
    let suite = load_suite(root, &LoadOptions::default())?;
    let apis: Vec<String> = args.api.iter().cloned().collect();
    plan(
        &suite,
        &Selection {
            apis: apis.clone(),
            ..Selection::default()
        },
    )
    .map_err(Error::Usage)?;
    let selected: Vec<&crate::case::Api> = suite
        .apis
        .iter()
        .filter(|a| apis.is_empty() || apis.contains(&a.name))
        .collect();
    let given = match (&args.spec, &args.catalog) {
        (Some(spec), _) => Some((
            coverage::from_spec(&crate::import::spec::Spec::load(spec)?),
            spec,
        )),
        (None, Some(catalog)) => Some((coverage::from_catalog(catalog)?, catalog)),
        (None, None) => None,
    };
    if given.is_some() && selected.len() != 1 {
        return Err(Error::Usage(
            "--spec and --catalog describe one API: name it with --api".into(),
        ));
    }
    let report: Vec<coverage::ApiCoverage> = selected
        .iter()
        .map(|api| match &given {
            Some((documented, file)) => {
                let name = file.file_name().unwrap_or_default().to_string_lossy();
                coverage::compute(api, documented, &name)
            }
            None => coverage::compute(api, &coverage::from_api_file(api), "api.yaml"),
        })
        .collect();
    print!("{}", coverage::render_table(&report));
    let dir = root.join(&args.report_dir);
    let write = |name: &str, text: String| {
        crate::fsutil::write_atomic(&dir.join(name), text.as_bytes())
            .map_err(|e| Error::Io(format!("cannot write {name}: {e}")))
    };
    write("coverage.json", coverage::to_json(&report))?;
    write("coverage.md", coverage::render_markdown(&report))?;
    let total = coverage::overall_percent(&report);
    match args.min {
        Some(min) if total < min => {
            println!("coverage {total:.1}% is below --min {min}%");
            Ok(EXIT_FAILED)
        }
        _ => Ok(EXIT_OK),
    }
}

/// `conform list`: APIs, then endpoints with their cases.
pub fn list_text(suite: &Suite, apis: &[String]) -> String {
    let mut out = String::new();
    for api in suite
        .apis
        .iter()
        .filter(|a| apis.is_empty() || apis.contains(&a.name))
    {
        let title = api
            .title
            .as_deref()
            .map(|t| format!(" — {t}"))
            .unwrap_or_default();
        out.push_str(&format!("{}{title}\n", api.name));
        for file in &api.files {
            let head = match &file.endpoint {
                Some(e) => format!("{:<7} {}", e.method, e.path),
                None => format!("{:<7} {}", "FLOW", file.stem),
            };
            out.push_str(&format!("  {head}  ({})\n", file.path.display()));
            for case in &file.cases {
                let step = match (&file.endpoint, file.flow) {
                    (Some(e), false) if *e == case.endpoint => String::new(),
                    _ => format!("{} ", case.endpoint),
                };
                let cleanup = if case.cleanup { " (cleanup)" } else { "" };
                let tags = if case.tags.is_empty() {
                    String::new()
                } else {
                    format!("  [{}]", case.tags.join(", "))
                };
                let skip = case
                    .skip
                    .as_ref()
                    .map(|r| format!("  (skip: {r})"))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "            - {step}{}{cleanup}{tags}{skip}\n",
                    case.name
                ));
            }
        }
    }
    out
}

fn seconds(flag: &str, v: f64) -> Result<Duration, Error> {
    Duration::try_from_secs_f64(v)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            Error::Usage(format!(
                "--{flag} must be a positive number of seconds, got {v}"
            ))
        })
}

fn run_command(root: &Path, args: RunArgs) -> Result<i32, Error> {
    let suite = Arc::new(load_suite(
        root,
        &LoadOptions {
            env: args.env.clone(),
            apis: args.apis.clone(),
        },
    )?);
    let selection = Selection {
        apis: args.apis.clone(),
        filter: args.filter.clone(),
        tags: args.tags.clone(),
    };
    let the_plan = plan(&suite, &selection).map_err(Error::Usage)?;
    let transport = TransportOptions {
        connect_timeout: seconds("connect-timeout", args.connect_timeout)?,
        timeout: seconds("timeout", args.timeout)?,
        max_body: args.max_body,
        insecure: args.insecure,
        ..TransportOptions::default()
    };
    if args.jobs == 0 {
        return Err(Error::Usage("-j/--jobs must be at least 1".into()));
    }
    let snapshots = if args.accept {
        snapshot::Mode::Accept
    } else if std::env::var_os("CI").is_some() {
        snapshot::Mode::Ci
    } else {
        snapshot::Mode::Review
    };
    let runtime = new_runtime()?;
    let playback = args.base_url.is_none() && args.env.is_none();
    // Recordings are checked before anything starts, like case files.
    let mut playbacks = Vec::new();
    if playback {
        for ai in the_plan.apis() {
            playbacks.push(load_playback(&suite, &suite.apis[ai])?);
        }
    }
    let result = runtime.block_on(async {
        let mut targets = HashMap::new();
        let mut servers = Vec::new();
        for p in playbacks {
            let name = p.api.clone();
            let server = serve(Arc::new(p), LOOPBACK_EPHEMERAL, None)
                .await
                .map_err(|e| {
                    Error::Io(format!(
                        "cannot start the playback server for `{name}`: {e}"
                    ))
                })?;
            targets.insert(name, server.base_url());
            servers.push(server);
        }
        for ai in the_plan.apis() {
            let api = &suite.apis[ai];
            match (&args.base_url, &args.env) {
                (Some(url), _) => {
                    targets.insert(api.name.clone(), check_base_url(url)?);
                }
                (None, Some(env)) => {
                    targets.insert(api.name.clone(), environment_url(api, env)?);
                }
                (None, None) => {}
            }
        }
        let config = RunConfig {
            jobs: args.jobs,
            transport,
            targets,
            env: args.env.clone(),
            playback,
            keep_exchanges: false,
            snapshots,
        };
        let reports = ReportOptions {
            dir: root.join(&args.report_dir),
            terminal: Box::new(std::io::stdout()),
            interactive: crate::report::terminal::interactive(),
        };
        let summary = execute(
            Arc::clone(&suite),
            &the_plan,
            config,
            reports,
            ctrl_c(),
            |_| {},
        )
        .await?;
        for s in servers {
            s.shutdown().await;
        }
        let dir = root.join(&args.report_dir);
        if summary.interrupted > 0 {
            eprintln!("{}", interrupted_text(&summary, &dir));
            return Ok(EXIT_INTERRUPTED);
        }
        println!("reports: {}", dir.display());
        Ok(if summary.failed > 0 {
            EXIT_FAILED
        } else {
            EXIT_OK
        })
    });
    // The process exits right after a run: leave the suite's many small allocations to the OS
    // instead of freeing them one by one (tens of milliseconds for 10,000 cases).
    std::mem::forget(suite);
    result
}

/// Completes on the first Ctrl-C (SIGINT); never, if the handler cannot be installed.
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// What an interrupted run tells on stderr: how far it got and where the partial reports are.
fn interrupted_text(summary: &crate::run::Summary, dir: &Path) -> String {
    let files = crate::report::ReportFiles {
        dir: dir.to_path_buf(),
    };
    format!(
        "interrupted: {} of {} cases did not finish (reported as interrupted)\n\
         partial reports: {} and {}",
        summary.interrupted,
        summary.total,
        files.json().display(),
        files.junit().display()
    )
}

const LOOPBACK_EPHEMERAL: std::net::SocketAddr =
    std::net::SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 0);

fn load_playback(suite: &Suite, api: &crate::case::Api) -> Result<Playback, Error> {
    Playback::load(&suite.root, api)
        .map_err(|diagnostics| Error::Load(crate::case::LoadError::from_diagnostics(diagnostics)))
}

fn environment_url(api: &crate::case::Api, env: &str) -> Result<String, Error> {
    api.environments
        .get(env)
        .map(|e| e.base_url.clone())
        .ok_or_else(|| Error::Usage(format!("API `{}` has no environment `{env}`", api.name)))
}

fn new_runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io(format!("cannot start the async runtime: {e}")))
}

fn record_command(root: &Path, args: RecordArgs) -> Result<i32, Error> {
    let suite = Arc::new(load_suite(
        root,
        &LoadOptions {
            env: args.env.clone(),
            apis: vec![args.api.clone()],
        },
    )?);
    let selection = Selection {
        apis: vec![args.api.clone()],
        filter: args.filter.clone(),
        tags: Vec::new(),
    };
    let the_plan = plan(&suite, &selection).map_err(Error::Usage)?;
    let api = suite
        .api(&args.api)
        .ok_or_else(|| Error::Usage(format!("unknown API `{}`", args.api)))?;
    let url = match (&args.base_url, &args.env) {
        (Some(url), _) => check_base_url(url)?,
        (None, Some(env)) => environment_url(api, env)?,
        (None, None) => {
            return Err(Error::Usage(
                "record needs --base-url URL or --env NAME".into(),
            ))
        }
    };
    let config = RunConfig {
        jobs: args.jobs.max(1),
        transport: TransportOptions {
            timeout: seconds("timeout", args.timeout)?,
            insecure: args.insecure,
            ..TransportOptions::default()
        },
        targets: HashMap::from([(args.api.clone(), url.clone())]),
        env: args.env.clone(),
        playback: false,
        keep_exchanges: true,
        snapshots: snapshot::Mode::Accept,
    };
    let reports = ReportOptions {
        dir: root.join(&args.report_dir),
        terminal: Box::new(std::io::stdout()),
        interactive: crate::report::terminal::interactive(),
    };
    new_runtime()?.block_on(async {
        let mut recorder = Recorder::new(&url);
        let summary = execute(
            Arc::clone(&suite),
            &the_plan,
            config,
            reports,
            ctrl_c(),
            |e| recorder.observe(e),
        )
        .await?;
        // Ctrl-C: recordings stay exactly as they were; the reports say how far the run got.
        if summary.interrupted > 0 {
            eprintln!(
                "{}\nno recording was changed",
                interrupted_text(&summary, &root.join(&args.report_dir))
            );
            return Ok(EXIT_INTERRUPTED);
        }
        let recorded = recorder.len();
        let changed = recorder
            .write(&suite)
            .map_err(|e| Error::Io(format!("cannot write recordings: {e}")))?;
        println!(
            "recorded {recorded} exchanges; {} recording files changed",
            changed.len()
        );
        for path in changed {
            println!("  wrote {}", path.display());
        }
        Ok(if summary.failed > 0 {
            EXIT_FAILED
        } else {
            EXIT_OK
        })
    })
}

fn mock_command(root: &Path, api_name: &str, port: u16) -> Result<i32, Error> {
    let suite = load_suite(
        root,
        &LoadOptions {
            apis: vec![api_name.to_string()],
            ..LoadOptions::default()
        },
    )?;
    plan(
        &suite,
        &Selection {
            apis: vec![api_name.to_string()],
            ..Selection::default()
        },
    )
    .map_err(Error::Usage)?;
    let api = suite
        .api(api_name)
        .ok_or_else(|| Error::Usage(format!("unknown API `{api_name}`")))?;
    let playback = Arc::new(load_playback(&suite, api)?);
    let count = playback.entries.len();
    new_runtime()?.block_on(async move {
        let addr =
            std::net::SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), port);
        let observer: crate::mock::playback::Observer = Arc::new(|req, status, hit| {
            let what = hit
                .map(|e| format!("{}.yaml::{}", e.stem, e.interaction.case))
                .unwrap_or_else(|| "no match".into());
            println!("{} -> {status} ({what})", req.describe());
        });
        let server = serve(playback, addr, Some(observer))
            .await
            .map_err(|e| Error::Io(format!("cannot listen on {addr}: {e}")))?;
        println!(
            "serving {count} recorded interactions of `{api_name}` on {} (Ctrl-C stops)",
            server.base_url()
        );
        let _ = tokio::signal::ctrl_c().await;
        server.shutdown().await;
        println!("stopped");
        Ok(EXIT_OK)
    })
}

fn check_base_url(url: &str) -> Result<String, Error> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {
            Ok(url.trim_end_matches('/').to_string())
        }
        _ => Err(Error::Usage(format!(
            "--base-url `{url}` is not an http(s) URL"
        ))),
    }
}

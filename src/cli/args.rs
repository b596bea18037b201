//! Clap structs: they mirror the flags and nothing else. Commands that run cases (`run`,
//! `record`, `drift`) share the same flag groups, so they cannot drift apart.

use std::path::PathBuf;

use clap::Args;

use crate::case::VarOverride;
use crate::drift::Grade;
use crate::report::Format;

/// Which cases run.
#[derive(Debug, Clone, Default, Args)]
pub struct SelectionArgs {
    /// Only these APIs (repeatable).
    #[arg(long = "api", value_name = "NAME")]
    pub apis: Vec<String>,
    /// Only cases whose `api/file::case` contains TEXT (case-insensitive), or the cases of a case
    /// file given by its path (`cases/kimai/get_customer.yaml`, `...yaml:12` for one case).
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// Only cases with this tag (repeatable: any of them; case-insensitive).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// No case with this tag (repeatable; case-insensitive; wins over --tag).
    #[arg(long = "skip-tag", value_name = "TAG")]
    pub skip_tags: Vec<String>,
}

/// Where requests go: the recorded mock unless one of these is given.
#[derive(Debug, Clone, Default, Args)]
pub struct TargetArgs {
    /// Send every request to this base URL (with --env: that environment's variables and auth).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Use this environment of each API (base URL, variables and auth from api.yaml).
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
}

/// Variables given on the command line.
#[derive(Debug, Clone, Default, Args)]
pub struct VarArgs {
    /// Set a variable declared in api.yaml, over the environment's value (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<VarOverride>,
}

/// How requests are sent.
#[derive(Debug, Clone, Args)]
pub struct TransportArgs {
    /// Case files run concurrently (cases inside a file run in order); at least 1.
    #[arg(short = 'j', long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,
    /// Request timeout in seconds, reading the body included.
    #[arg(long, default_value_t = 30.0, value_name = "SECS")]
    pub timeout: f64,
    /// Connect timeout in seconds.
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    pub connect_timeout: f64,
    /// Largest response body accepted, in bytes (after decompression).
    #[arg(long, default_value_t = 16 * 1024 * 1024, value_name = "BYTES")]
    pub max_body: usize,
    /// Accept invalid TLS certificates (self-signed sandboxes).
    #[arg(long)]
    pub insecure: bool,
    /// Send live requests through this proxy (default: the process environment's HTTPS_PROXY,
    /// HTTP_PROXY or ALL_PROXY; a project's .env is never used for this).
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
}

/// Which reports are written, and where.
/// Where reports go unless `--report-dir` says otherwise (inside the project).
pub const DEFAULT_REPORT_DIR: &str = "target/conform";

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Where the file reports are written.
    #[arg(long, default_value = DEFAULT_REPORT_DIR, value_name = "DIR")]
    pub report_dir: PathBuf,
    /// A report to write (repeatable; default: junit and json).
    #[arg(long = "report", value_enum, value_name = "FORMAT")]
    pub reports: Vec<Format>,
    /// Print each request and response, scrubbed (-v: the lines and headers; -vv: with bodies).
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// Every flag group of a command that runs cases (`run`, `record`): one struct, so that the
/// commands cannot drift apart.
#[derive(Debug, Clone, Args)]
pub struct CaseRunArgs {
    #[command(flatten)]
    pub selection: SelectionArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub variables: VarArgs,
    #[command(flatten)]
    pub transport: TransportArgs,
    #[command(flatten)]
    pub reports: ReportArgs,
}

/// `conform run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub cases: CaseRunArgs,
    /// Write new and changed snapshots in place instead of as .snap.new (a live run: those of
    /// its target, snapshots/<api>/@<env>/).
    #[arg(long, visible_alias = "update-snapshots")]
    pub accept: bool,
    /// Run only the K-th of N parts of the plan (1-based; a case file never splits), or `auto`:
    /// GitLab's CI_NODE_INDEX of CI_NODE_TOTAL. Merge the parts with `conform report merge`.
    #[arg(long, value_name = "K/N|auto")]
    pub shard: Option<String>,
}

/// `conform record`: the same flags as `run`; the target must be live. With `--from-drift`,
/// nothing is sent: the accepted drift of a drift.json is written into the recordings.
#[derive(Debug, Clone, Args)]
pub struct RecordArgs {
    #[command(flatten)]
    pub cases: CaseRunArgs,
    /// Rewrite only the recordings whose findings in this drift.json are accepted (relative to
    /// the project); nothing is sent.
    #[arg(long, value_name = "DRIFT_JSON", conflicts_with_all = ["base_url", "env"])]
    pub from_drift: Option<PathBuf>,
    /// With --from-drift: the grades accepted (comma-separated; default additive,value when no
    /// --accept is given). Breaking findings are accepted only by --accept.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        value_name = "GRADES",
        requires = "from_drift"
    )]
    pub grade: Vec<Grade>,
    /// With --from-drift: accept the finding with this fingerprint, breaking ones included
    /// (repeatable).
    #[arg(long = "accept", value_name = "FINGERPRINT", requires = "from_drift")]
    pub accept: Vec<String>,
}

/// `conform drift`: the same flags as `run`; the target must be live.
#[derive(Debug, Clone, Args)]
pub struct DriftArgs {
    #[command(flatten)]
    pub cases: CaseRunArgs,
}

/// `conform report merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Folders holding each shard's report.json (e.g. the downloaded CI artifacts).
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Where the merged report.json, junit.xml, report.html and report.md are written.
    #[arg(long, default_value = "target/conform", value_name = "DIR")]
    pub report_dir: PathBuf,
    /// Another report to write too (repeatable), e.g. `github` in a merge job.
    #[arg(long = "report", value_enum, value_name = "FORMAT")]
    pub reports: Vec<Format>,
}

/// `conform validate`.
#[derive(Debug, Clone, Args)]
pub struct ValidateArgs {
    /// Also check the variables and secrets of this environment.
    #[arg(long)]
    pub env: Option<String>,
    /// Treat warnings (files conform does not read) as errors: exit 2.
    #[arg(long)]
    pub strict: bool,
    /// Check every case's request against the vendor's spec (OpenAPI 3 or Swagger 2, JSON or
    /// YAML, relative to the current directory): `API=PATH`, or `PATH` with `--api`. Repeatable.
    #[arg(long, value_name = "[API=]PATH")]
    pub spec: Vec<String>,
    /// The API a `--spec PATH` without `API=` describes.
    #[arg(long, requires = "spec")]
    pub api: Option<String>,
    #[command(flatten)]
    pub variables: VarArgs,
}

/// `conform review`.
#[derive(Debug, Clone, Args)]
pub struct ReviewArgs {
    /// Accept every pending snapshot without asking.
    #[arg(long, conflicts_with = "reject_all")]
    pub accept_all: bool,
    /// Reject (delete) every pending snapshot without asking.
    #[arg(long)]
    pub reject_all: bool,
}

/// `conform import openapi`.
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

/// `conform coverage`.
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
    /// Exit 1 when fewer than this percent of documented endpoints have a case (with --run: a
    /// case that passed in that run).
    #[arg(long)]
    pub min: Option<f64>,
    /// A run's report.json: count, per endpoint, the cases that passed in it.
    #[arg(long, value_name = "REPORT")]
    pub run: Option<PathBuf>,
    /// Where coverage.json and coverage.md are written.
    #[arg(long, default_value = "target/conform")]
    pub report_dir: PathBuf,
}

/// `conform mock`.
#[derive(Debug, Args)]
pub struct MockArgs {
    #[arg(long)]
    pub api: String,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8765)]
    pub port: u16,
    /// No fallbacks: a request that matches no recording exactly gets a 404 with the explanation.
    #[arg(long)]
    pub strict: bool,
    /// Answer CORS preflights and let any origin read the answers (for browser clients).
    #[arg(long)]
    pub cors: bool,
}

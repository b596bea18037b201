//! The command line: clap structs that mirror the flags ([`args`]), resolved into validated
//! configuration before any I/O ([`resolve`]), one short file per command ([`commands`]).
//! `main` maps every result to an exit code here and nowhere else.

pub mod args;
pub mod commands;
pub mod limits;
pub mod resolve;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::error::{Error, EXIT_OK};
use args::{
    CoverageArgs, DriftArgs, ImportArgs, MergeArgs, MockArgs, RecordArgs, ReviewArgs, RunArgs,
    ValidateArgs,
};

const EXAMPLES: &str = "\
Examples:
  conform run                                  every case of every API on the recorded mock
  conform run --api kimai --filter customer    some Kimai cases on the recorded mock
  conform run --api kimai --env sandbox        against the Kimai sandbox (credentials from env / .env)
  conform run --accept                         write new and changed snapshots in place
  conform review                               review pending snapshots: accept, reject or skip each
  conform record --api kimai --env sandbox     refresh Kimai's recordings from its sandbox
  conform drift --api kimai --env sandbox      what changed in Kimai's sandbox since the recordings
  conform record --from-drift target/conform/drift.json --grade additive
                                               accept that drift into the recordings
  conform mock --api kimai --port 8765         serve Kimai's recordings to a client under development
  conform run --base-url http://127.0.0.1:8080 --api kimai
  conform validate                             check every case file and schema, send nothing
  conform list --api kimai                     endpoints and cases
  conform import openapi spec.json --api kimai --include '^/api/customers'
                                               schemas and case skeletons from a spec
  conform coverage --api kimai --spec spec.json --min 80
                                               documented endpoints and statuses without cases
  conform run --env sandbox --shard 2/4        the second of four parts (CI machines)
  conform report merge shard-1 shard-2 shard-3 shard-4
                                               one run's reports from the parts' report.json
  conform completions bash > /etc/bash_completion.d/conform

Exit codes:
  0    every selected case passed
  1    at least one contract check failed
  2    bad input, configuration or usage, or a selection that matches no case (nothing is sent)
  3    nothing failed, but some case could not be checked (connection refused, DNS, TLS, timeout)
  130  interrupted by SIGINT (Ctrl-C) or SIGTERM: unfinished cases are reported as interrupted";

#[derive(Debug, Parser)]
#[command(name = "conform", version = env!("CONFORM_VERSION"), about = "Contract tests for client-management APIs", after_help = EXAMPLES)]
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
    #[command(after_help = EXAMPLES)]
    Run(RunArgs),
    /// Load and check every case file, schema and recording; send nothing.
    Validate(ValidateArgs),
    /// Run cases against a live API and write their recordings (scrubbed) and new snapshots.
    #[command(after_help = EXAMPLES)]
    Record(RecordArgs),
    /// Compare live responses with the recordings: graded, located findings in drift.json and
    /// drift.md (exit 1 with a breaking one).
    Drift(DriftArgs),
    /// Review pending snapshots (`.snap.new`): show each diff, then accept, reject or skip it
    /// (answers `a`, `r`, `s` per line on stdin).
    Review(ReviewArgs),
    /// Serve an API's recordings as a standalone mock server until Ctrl-C.
    Mock(MockArgs),
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
    /// Work with report documents (report.json).
    #[command(subcommand)]
    Report(ReportCommand),
    /// Print the completion script of a shell (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the JSON Schema of case files or api.yaml (draft-07, for editors), or of report.json.
    #[command(hide = true)]
    EditorSchema {
        #[arg(long)]
        api_file: bool,
        #[arg(long, conflicts_with = "api_file")]
        report: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Merge the report.json of each shard of a run (`run --shard K/N`) into the whole run's
    /// report.json, junit.xml, report.html and report.md; exits as the unsplit run would have.
    Merge(MergeArgs),
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// From OpenAPI 3.0/3.1 or Swagger 2.0 (JSON or YAML): schemas/<api>/ and cases/<api>/.
    Openapi(ImportArgs),
}

/// Parses argv, runs the command, returns the exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
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
    let env = resolve::ProcessEnv::read(&root)?;
    match cli.command {
        Command::Run(args) => commands::run::run(&root, args, &env),
        Command::Validate(args) => commands::validate::validate(&root, args),
        Command::Record(args) => commands::record::record(&root, args, &env),
        Command::Drift(args) => commands::drift::drift(&root, args, &env),
        Command::Mock(args) => commands::mock::mock(&root, &args),
        Command::Review(args) => commands::review::review(&root, args),
        Command::List { apis } => commands::list::list(&root, apis),
        Command::Import(ImportCommand::Openapi(args)) => commands::import::import(&root, args),
        Command::Coverage(args) => commands::coverage::coverage(&root, args),
        Command::Report(ReportCommand::Merge(args)) => commands::report::merge(&root, args, &env),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "conform",
                &mut out,
            );
            commands::Out::text(&String::from_utf8_lossy(&out));
            Ok(EXIT_OK)
        }
        Command::EditorSchema { api_file, report } => {
            commands::Out::text(&if report {
                crate::report::doc::json_schema()
            } else if api_file {
                crate::editor_schema::api_file_schema()
            } else {
                crate::editor_schema::case_file_schema()
            });
            Ok(EXIT_OK)
        }
    }
}

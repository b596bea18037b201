//! Sharding and merging: for N in 1..=5 the shards of the seed suite's plan hold every planned
//! case exactly once; a shard keeps its files when others are filtered out; the seed suite run in
//! three shards on playback and merged gives the unsplit run's report apart from times, and the
//! same exit code; documents that are not parts of one run are refused, missing shards named.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use conform::case::{load_suite, LoadOptions};
use conform::plan::shard::{apply, Shard};
use conform::plan::{plan, Selection};
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn ids(suite: &conform::case::Suite, plan: &conform::plan::Plan) -> Vec<String> {
    plan.cases()
        .map(|(_, ai, fi, ci)| {
            let api = &suite.apis[ai];
            let file = &api.files[fi];
            conform::case::CaseId::of(api, file, &file.cases[ci]).to_string()
        })
        .collect()
}

#[test]
fn the_shards_of_a_plan_hold_every_case_exactly_once() {
    let suite = load_suite(root(), &LoadOptions::default()).unwrap();
    let whole = plan(&suite, &Selection::default()).unwrap();
    let all = ids(&suite, &whole);
    assert!(all.len() > 100, "{} cases", all.len());
    for n in 1..=5 {
        let mut union = Vec::new();
        for k in 1..=n {
            let part = apply(whole.clone(), &suite, Shard::new(k, n).unwrap());
            // Renumbered in plan order.
            let seqs: Vec<usize> = part.cases().map(|(seq, ..)| seq).collect();
            assert_eq!(seqs, (0..seqs.len()).collect::<Vec<_>>());
            if n > 1 {
                assert!(
                    part.case_count() < all.len(),
                    "shard {k}/{n} holds everything"
                );
            }
            union.extend(ids(&suite, &part));
        }
        let mut sorted_union = union.clone();
        sorted_union.sort();
        let mut sorted_all = all.clone();
        sorted_all.sort();
        assert_eq!(sorted_union, sorted_all, "the union of {n} shards");
    }
}

#[test]
fn filtering_files_out_does_not_move_the_others() {
    let suite = load_suite(root(), &LoadOptions::default()).unwrap();
    let whole = plan(&suite, &Selection::default()).unwrap();
    let kimai = plan(
        &suite,
        &Selection {
            apis: vec!["kimai".into()],
            ..Selection::default()
        },
    )
    .unwrap();
    for k in 1..=3 {
        let shard = Shard::new(k, 3).unwrap();
        let of_whole: Vec<String> = ids(&suite, &apply(whole.clone(), &suite, shard))
            .into_iter()
            .filter(|id| id.starts_with("kimai/"))
            .collect();
        assert_eq!(ids(&suite, &apply(kimai.clone(), &suite, shard)), of_whole);
    }
}

/// `conform -C <suite> ARGS`.
fn conform(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_conform"));
    cmd.arg("-C").arg(root()).args(args).env("CI", "true");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn three_shards_merged_give_the_unsplit_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| dir.path().join(name).display().to_string();
    let unsplit = conform(&["run", "--report-dir", &d("whole")], &[]);
    assert_eq!(unsplit.status.code(), Some(0));
    for k in 1..=3 {
        let shard = format!("{k}/3");
        // `auto` reads GitLab's variables.
        let out = if k == 2 {
            conform(
                &[
                    "run",
                    "--shard",
                    "auto",
                    "--report-dir",
                    &d(&format!("s{k}")),
                ],
                &[("CI_NODE_INDEX", "2"), ("CI_NODE_TOTAL", "3")],
            )
        } else {
            conform(
                &[
                    "run",
                    "--shard",
                    &shard,
                    "--report-dir",
                    &d(&format!("s{k}")),
                ],
                &[],
            )
        };
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let part: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(format!("s{k}/report.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(part["run"]["selection"]["shard"], shard.as_str());
    }
    let merged = conform(
        &[
            "report",
            "merge",
            &d("s1"),
            &d("s3"),
            &d("s2"),
            "--report-dir",
            &d("merged"),
        ],
        &[],
    );
    assert_eq!(
        merged.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let (whole, merged_doc) = (read("whole/report.json"), read("merged/report.json"));
    let pretty = |t: &str| serde_json::to_string_pretty(&common::without_times(t)).unwrap();
    if pretty(&whole) != pretty(&merged_doc) {
        let (a, b) = (pretty(&whole), pretty(&merged_doc));
        let diff = similar::TextDiff::from_lines(&a, &b);
        panic!(
            "merged differs from unsplit:\n{}",
            diff.unified_diff().context_radius(2)
        );
    }
    for file in ["junit.xml", "report.html", "report.md"] {
        assert!(
            dir.path().join("merged").join(file).exists(),
            "no merged {file}"
        );
    }

    // A missing shard is named, and the run could not be checked whole.
    let partial = conform(
        &[
            "report",
            "merge",
            &d("s1"),
            &d("s3"),
            "--report-dir",
            &d("partial"),
        ],
        &[],
    );
    assert_eq!(partial.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&partial.stderr).contains("missing shards: 2/3"));
    // The same shard twice, or a run of another selection, is refused.
    let twice = conform(
        &[
            "report",
            "merge",
            &d("s1"),
            &d("s1"),
            "--report-dir",
            &d("x"),
        ],
        &[],
    );
    assert_eq!(twice.status.code(), Some(2));
    let kimai = conform(
        &[
            "run",
            "--api",
            "kimai",
            "--shard",
            "2/3",
            "--report-dir",
            &d("k2"),
        ],
        &[],
    );
    assert_eq!(kimai.status.code(), Some(0));
    let mixed = conform(
        &[
            "report",
            "merge",
            &d("s1"),
            &d("k2"),
            "--report-dir",
            &d("x"),
        ],
        &[],
    );
    assert_eq!(mixed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&mixed.stderr).contains("they select different cases"));
}

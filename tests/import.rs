//! `conform import openapi` on the vendors' real specs (Kimai OpenAPI 3.0, Mindbody Swagger 2.0)
//! and on a small spec with a broken `$ref`: every schema compiles, the specs' examples validate,
//! problems are reported per operation, and `conform validate` accepts the output.

mod common;

use std::path::{Path, PathBuf};

use common::Project;
use conform::schema::{Form, FormatPolicy, SchemaSet};
use rstest::rstest;
use serde_json::{json, Value};

fn reference(rel: &str) -> String {
    format!("{}/../shared/reference/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn fixture(rel: &str) -> String {
    format!("{}/tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn schema_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// JSON pointers of every object in `v` that carries an `examples` list.
fn example_nodes(v: &Value, at: String, out: &mut Vec<(String, Vec<Value>)>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::Array(examples)) = m.get("examples") {
                out.push((at.clone(), examples.clone()));
            }
            for (k, child) in m {
                if k != "examples" && k != "default" && k != "enum" {
                    let key = k.replace('~', "~0").replace('/', "~1");
                    example_nodes(child, format!("{at}/{key}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                example_nodes(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[rstest]
#[case::kimai_openapi_3_0("kimai/openapi.json", 46)]
#[case::mindbody_swagger_2_0("mindbody/swagger-v6.json", 207)]
fn every_schema_compiles_and_examples_validate(#[case] spec: &str, #[case] named: usize) {
    let p = Project {
        dir: tempfile::tempdir().unwrap(),
    };
    let run = p.conform(&["import", "openapi", &reference(spec), "--api", "vendor"]);
    assert_eq!(run.code(), 0, "{}{}", run.stdout(), run.stderr());
    let skipped = run
        .stdout()
        .lines()
        .filter(|l| l.starts_with("skipped"))
        .count();
    assert_eq!(skipped, 0, "{}", run.stdout());
    let schemas_root = p.path("schemas");
    let dir = schemas_root.join("vendor");
    let files = schema_files(&dir);
    assert!(files.len() >= named, "{} schema files", files.len());
    let mut set = SchemaSet::default();
    // Formats are asserted. Kimai's own example of `TimesheetEditForm.begin` (`format: date-time`)
    // is a local time without offset (`2023-08-21T11:02:44`): the spec contradicts itself, and an
    // API using that form would declare it in api.yaml (`formats:`, docs/case-format.md).
    let mut formats = FormatPolicy::default();
    if spec.starts_with("kimai") {
        formats.accept("date-time", vec![Form::DateTime, Form::LocalDateTime]);
    }
    let mut examples = 0;
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        set.load_with(file, &schemas_root, name.clone(), &formats)
            .unwrap_or_else(|e| panic!("{e}"));
        let value: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let mut nodes = Vec::new();
        example_nodes(&value, String::new(), &mut nodes);
        for (pointer, values) in nodes {
            let probe = dir.join(format!("__probe_{examples}.json"));
            std::fs::write(
                &probe,
                json!({"$ref": format!("{name}#{pointer}")}).to_string(),
            )
            .unwrap();
            let id = set
                .load_with(&probe, &schemas_root, probe.display().to_string(), &formats)
                .unwrap();
            for example in values {
                let violations = set.validate(id, &example);
                assert!(
                    violations.is_empty(),
                    "{name}#{pointer}: {example} {violations:?}"
                );
                examples += 1;
            }
        }
    }
    if spec.starts_with("kimai") {
        // Two property examples and the inline `/api/ping` response example.
        assert_eq!(examples, 3);
    }
    let validate = p.conform(&["validate"]);
    assert_eq!(validate.code(), 0, "{}", validate.stderr());
}

#[test]
fn kimai_customers_import_validates() {
    let p = Project {
        dir: tempfile::tempdir().unwrap(),
    };
    let spec = reference("kimai/openapi.json");
    let args = [
        "import",
        "openapi",
        &spec,
        "--api",
        "kimai-import",
        "--include",
        "^/api/customers",
    ];
    let run = p.conform(&args);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(
        run.stdout().contains("imported 8 operations"),
        "{}",
        run.stdout()
    );
    let validate = p.conform(&["validate"]);
    assert_eq!(validate.code(), 0, "{}", validate.stderr());
    assert!(
        validate.stdout().contains("8 case files, 8 cases"),
        "{}",
        validate.stdout()
    );
    assert_eq!(
        p.read("cases/kimai-import/get_get_customer.yaml"),
        "# Generated by `conform import openapi` from openapi.json: GET /api/customers/{id} (operationId get_get_customer).\n\
         # Returns one customer\n\
         # Placeholder values (not from the spec's examples or defaults): path `id`.\n\
         endpoint: GET /api/customers/{id}\n\
         cases:\n\
         - name: responds 200\n  request:\n    path_params:\n      id: \"1\"\n  expect:\n    status: 200\n    schema: CustomerEntity.json\n"
    );
    let coverage = p.conform(&["coverage", "--api", "kimai-import", "--spec", &spec]);
    assert_eq!(coverage.code(), 0, "{}", coverage.stderr());
    assert!(
        coverage.stdout().starts_with(
            "kimai-import (openapi.json): 8 of 67 documented endpoints have cases (11.9%), 8 of"
        ),
        "{}",
        coverage.stdout()
    );
    // Only the schemas the customer endpoints reach are written.
    assert!(!p.path("schemas/kimai-import/TimesheetEntity.json").exists());
    // A second import keeps every file unless --force.
    let again = p.conform(&args);
    assert!(!again.stdout().contains("wrote "), "{}", again.stdout());
    assert!(again
        .stdout()
        .contains("already exists (--force overwrites)"));
    let forced = p.conform(&[&args[..], &["--force"]].concat());
    assert!(forced
        .stdout()
        .contains("wrote   cases/kimai-import/get_get_customer.yaml"));
    assert!(forced
        .stdout()
        .contains("skipped cases/kimai-import/api.yaml: already exists"));
}

#[test]
fn broken_ref_degrades_per_operation() {
    let p = Project {
        dir: tempfile::tempdir().unwrap(),
    };
    let run = p.conform(&[
        "import",
        "openapi",
        &fixture("broken-ref.yaml"),
        "--api",
        "demo",
    ]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let out = run.stdout();
    assert!(
        out.contains("skipped GET /items/{itemId} (getItem): schema of response 200 omitted: unresolvable `$ref` `#/components/schemas/Owner`"),
        "{out}"
    );
    assert!(
        out.contains("skipped schemas/demo/Broken.json: unresolvable `$ref`"),
        "{out}"
    );
    for written in [
        "cases/demo/list_items.yaml",
        "cases/demo/get_item.yaml",
        "schemas/demo/Item.json",
    ] {
        assert!(out.contains(&format!("wrote   {written}")), "{out}");
    }
    let list = p.read("cases/demo/list_items.yaml");
    assert!(
        list.contains("    query:\n      limit: 10\n    headers:\n      X-Tenant: acme\n"),
        "{list}"
    );
    assert!(
        list.contains(
            "# Documented error responses: uncomment to test them.\n# - name: responds 401\n"
        ),
        "{list}"
    );
    assert!(
        list.contains("#     status: 404\n#     schema: Error.json\n"),
        "{list}"
    );
    let item: Value = serde_json::from_str(&p.read("schemas/demo/Item.json")).unwrap();
    assert_eq!(
        item["properties"]["nickname"]["type"],
        json!(["string", "null"])
    );
    assert_eq!(item["properties"]["name"]["examples"], json!(["Widget"]));
    let validate = p.conform(&["validate"]);
    assert_eq!(validate.code(), 0, "{}", validate.stderr());
    // Uncommenting the error cases gives valid cases too.
    let uncommented = list.replace("# - ", "- ").replace("#   ", "  ");
    p.write("cases/demo/list_items.yaml", &uncommented);
    let validate = p.conform(&["validate"]);
    assert_eq!(validate.code(), 0, "{}", validate.stderr());
    assert!(
        validate.stdout().contains("5 cases"),
        "{}",
        validate.stdout()
    );
}

#[rstest]
#[case::missing("does-not-exist.json", "cannot read spec")]
#[case::not_a_spec(
    "broken-ref-not-a-spec.yaml",
    "is not an OpenAPI 3.x or Swagger 2.0 document"
)]
fn unreadable_spec_exits_2(#[case] name: &str, #[case] message: &str) {
    let p = Project {
        dir: tempfile::tempdir().unwrap(),
    };
    p.write("broken-ref-not-a-spec.yaml", "just: yaml\n");
    let run = p.conform(&[
        "import",
        "openapi",
        &p.path(name).display().to_string(),
        "--api",
        "x",
    ]);
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains(message), "{}", run.stderr());
    assert!(!p.path("cases").exists());
}

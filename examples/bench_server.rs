//! The benchmark's fixture (see `scripts/bench.sh` and docs/performance.md): a minimal HTTP server
//! on 127.0.0.1 answering `GET /items/{id}` with pre-built JSON, and a generator of the synthetic
//! suite that runs against it.
//!
//! ```text
//! bench_server serve [--delay-ms MS] [--max-secs S]   prints `http://127.0.0.1:PORT`, serves until S
//! bench_server gen DIR --files F --cases C [--rps R]   writes a project of F files x C cases
//! bench_server client URL [--requests N] [--concurrency C]   conform's HTTP transport alone
//! bench_server kimai-docs DIR [--count N]   N static Kimai-like customers for nginx to serve
//! bench_server kimai-gen DIR --files F --cases C   cases against those documents
//! ```
//!
//! The `kimai-*` pair is the workload of docs/performance.md's headline table: nginx serves
//! `DIR/api/customers/{1..N}` as static files, and every case checks the status, the content type,
//! a draft-07 schema of 14 required keys and `$.id` against the id it sent.
//!
//! `client` sends N `GET URL/items/{id}` through conform's own [`Transport`] (the reqwest client a
//! run uses) and prints requests per second: the ceiling of a run without checks or reports.
//!
//! The server does as little as possible (a lookup into bodies built at start-up) so that a raw load
//! generator measures the wire and the server, not JSON building. It stops by itself after
//! `--max-secs` (default 900) so that a killed bench never leaves it running.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use conform::http::{HttpRequest, Transport, TransportOptions};

/// Distinct bodies served; `/items/{id}` answers body `id % ITEMS`.
const ITEMS: usize = 100_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&args[1..]),
        Some("gen") => generate(&args[1..]),
        Some("client") => client(&args[1..]),
        Some("kimai-docs") => kimai_docs(&args[1..]),
        Some("kimai-gen") => kimai_generate(&args[1..]),
        _ => Err(concat!(
            "usage: bench_server serve [--delay-ms MS] [--max-secs S]",
            " | gen DIR --files F --cases C [--rps R]",
            " | client URL [--requests N] [--concurrency C]",
            " | kimai-docs DIR [--count N] | kimai-gen DIR --files F --cases C"
        )
        .into()),
    };
    if let Err(e) = result {
        eprintln!("bench_server: {e}");
        std::process::exit(2);
    }
}

/// The value of `--name N` in `args`, or `default`.
fn flag(args: &[String], name: &str, default: u64) -> Result<u64, String> {
    match args.iter().position(|a| a == name) {
        None => Ok(default),
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{name} needs a whole number")),
    }
}

/// The JSON of item `id`: a customer-like record of about 400 bytes.
fn item(id: usize) -> String {
    format!(
        concat!(
            r#"{{"id":{id},"name":"item {id}","email":"item.{id}@example.test","active":true,"#,
            r#""balance":{id}.25,"visible":true,"currency":"EUR","timezone":"Europe/Berlin","#,
            r#""tags":["bench","customer","synthetic"],"#,
            r#""address":{{"street":"{id} Main Street","city":"Springfield","zip":"12345","country":"DE"}},"#,
            r#""comment":"a synthetic customer served by conform's benchmark","#,
            r#""created":"2026-01-01T00:00:00+00:00","modified":"2026-01-02T00:00:00+00:00"}}"#
        ),
        id = id
    )
}

fn serve(args: &[String]) -> Result<(), String> {
    let delay = Duration::from_millis(flag(args, "--delay-ms", 0)?);
    let max = Duration::from_secs(flag(args, "--max-secs", 900)?);
    let bodies: Arc<Vec<Bytes>> = Arc::new((0..ITEMS).map(|i| Bytes::from(item(i))).collect());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        println!("http://{addr}");
        let accept = async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let bodies = Arc::clone(&bodies);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let bodies = Arc::clone(&bodies);
                        async move { Ok::<_, Infallible>(answer(&bodies, &req, delay).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        };
        tokio::select! {
            () = accept => {}
            () = tokio::time::sleep(max) => eprintln!("bench_server: stopping after {max:?}"),
        }
        Ok(())
    })
}

async fn answer<B>(bodies: &[Bytes], req: &Request<B>, delay: Duration) -> Response<Full<Bytes>> {
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let id = req
        .uri()
        .path()
        .strip_prefix("/items/")
        .and_then(|s| s.parse::<usize>().ok());
    let (status, body) = match id {
        Some(id) => (200, bodies[id % bodies.len()].clone()),
        None => (404, Bytes::from_static(br#"{"error":"not found"}"#)),
    };
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(body))
        .unwrap_or_default()
}

/// Sends `--requests` GETs, `--concurrency` at a time, through conform's transport; prints the rate.
fn client(args: &[String]) -> Result<(), String> {
    let base = args
        .first()
        .filter(|a| a.starts_with("http://127.0.0.1:"))
        .ok_or("client needs the fixture's URL (http://127.0.0.1:PORT)")?
        .clone();
    let requests = flag(args, "--requests", 10_000)? as usize;
    let concurrency = flag(args, "--concurrency", 16)? as usize;
    let transport = Transport::new(TransportOptions::default())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    runtime.block_on(async move {
        let next = Arc::new(AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..concurrency {
            let (next, transport, base) = (Arc::clone(&next), transport.clone(), base.clone());
            tasks.spawn(async move {
                loop {
                    let id = next.fetch_add(1, Ordering::Relaxed);
                    if id >= requests {
                        return Ok(());
                    }
                    let request = HttpRequest {
                        method: "GET".into(),
                        url: format!("{base}/items/{id}"),
                        headers: vec![("Accept".into(), "application/json".into())],
                        body: None,
                        credential_headers: Vec::new(),
                        timeout: None,
                    };
                    let response = transport.send(&request).await.map_err(|e| e.message)?;
                    if response.status != 200 {
                        return Err(format!("GET /items/{id} answered {}", response.status));
                    }
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.map_err(|e| e.to_string())??;
        }
        Ok::<_, String>(())
    })?;
    let secs = started.elapsed().as_secs_f64();
    println!("{:.0}", requests as f64 / secs);
    Ok(())
}

/// Writes `DIR/cases/bench/{api.yaml, items_NNNN.yaml}` and `DIR/schemas/bench/Item.json`.
///
/// Cases are spread over `--files` files because a file's cases run in order: `-j` counts files in
/// flight, so a suite in one file would run one request at a time.
fn generate(args: &[String]) -> Result<(), String> {
    let dir = PathBuf::from(
        args.first()
            .filter(|a| !a.starts_with("--"))
            .ok_or("gen needs a directory")?,
    );
    let files = flag(args, "--files", 100)? as usize;
    let cases = flag(args, "--cases", 100)? as usize;
    let rps = flag(args, "--rps", 0)?;
    let write = |rel: &str, text: &str| -> Result<(), String> {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    let mut api = String::from(
        "name: bench\ntitle: synthetic benchmark API\nheaders: { Accept: application/json }\n",
    );
    if rps > 0 {
        api.push_str(&format!("limits:\n  requests_per_second: {rps}\n"));
    }
    write("cases/bench/api.yaml", &api)?;
    write("schemas/bench/Item.json", SCHEMA)?;
    for f in 0..files {
        let mut text = String::from("endpoint: GET /items/{id}\ncases:\n");
        for c in 0..cases {
            let id = f * cases + c;
            text.push_str(&format!(
                concat!(
                    "  - name: item {id}\n",
                    "    request: {{ path_params: {{ id: \"{id}\" }} }}\n",
                    "    expect:\n",
                    "      status: 200\n",
                    "      schema: Item.json\n",
                    "      assert:\n",
                    "        $.id: {{ equals: {id} }}\n",
                    "        $.name: {{ type: string, matches: \"^item \\\\d+$\" }}\n",
                ),
                id = id
            ));
        }
        write(&format!("cases/bench/items_{f:04}.yaml"), &text)?;
    }
    Ok(())
}

const SCHEMA: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["id", "name", "email", "active", "balance", "tags", "address", "created"],
  "additionalProperties": false,
  "properties": {
    "id": { "type": "integer", "minimum": 0 },
    "name": { "type": "string", "minLength": 1 },
    "email": { "type": "string", "pattern": "^[^@]+@[^@]+$" },
    "active": { "type": "boolean" },
    "balance": { "type": "number" },
    "visible": { "type": "boolean" },
    "currency": { "type": "string", "enum": ["EUR", "USD", "GBP"] },
    "timezone": { "type": "string" },
    "tags": { "type": "array", "items": { "type": "string" } },
    "address": {
      "type": "object",
      "required": ["street", "city"],
      "properties": {
        "street": { "type": "string" },
        "city": { "type": "string" },
        "zip": { "type": "string" },
        "country": { "type": "string", "minLength": 2, "maxLength": 2 }
      }
    },
    "comment": { "type": ["string", "null"] },
    "created": { "type": "string" },
    "modified": { "type": ["string", "null"] }
  }
}
"#;

/// Documents `kimai-docs` writes and `kimai-gen` cases cycle through.
const KIMAI_DOCS: u64 = 2_000;

/// The first positional argument: the directory to write.
fn dir_arg(args: &[String], what: &str) -> Result<PathBuf, String> {
    args.first()
        .filter(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .ok_or_else(|| format!("{what} needs a directory"))
}

fn write_file(path: &Path, text: &str) -> Result<(), String> {
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
        .and_then(|()| std::fs::write(path, text))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A Kimai customer (openapi.json `CustomerEntity`-like, 14 keys), about 420 bytes.
fn kimai_customer(id: u64) -> String {
    format!(
        concat!(
            r#"{{"id":{id},"name":"Customer {id}","number":"C-{id:05}","comment":"synthetic","#,
            r##""visible":true,"billable":true,"currency":"EUR","color":"#5319e7","##,
            r#""vatId":"DE{id:09}","company":"Customer {id} GmbH","contact":"Jane Doe","#,
            r#""address":"{id} Main Street, Springfield","country":"DE","timezone":"Europe/Berlin"}}"#
        ),
        id = id
    )
}

/// Writes `DIR/api/customers/{1..N}` (no extension: nginx serves them with `default_type`).
fn kimai_docs(args: &[String]) -> Result<(), String> {
    let dir = dir_arg(args, "kimai-docs")?;
    for id in 1..=flag(args, "--count", KIMAI_DOCS)? {
        write_file(
            &dir.join(format!("api/customers/{id}")),
            &kimai_customer(id),
        )?;
    }
    Ok(())
}

/// Writes `DIR/cases/kimai/{api.yaml, customers_NNNNN.yaml}` and the draft-07 schema.
fn kimai_generate(args: &[String]) -> Result<(), String> {
    let dir = dir_arg(args, "kimai-gen")?;
    let files = flag(args, "--files", 40)?;
    let cases = flag(args, "--cases", 50)?;
    write_file(
        &dir.join("cases/kimai/api.yaml"),
        "name: kimai\ntitle: Kimai-like benchmark API\nheaders: { Accept: application/json }\n",
    )?;
    write_file(&dir.join("schemas/kimai/Customer.json"), KIMAI_SCHEMA)?;
    for f in 0..files {
        let mut text = String::from("endpoint: GET /api/customers/{id}\ncases:\n");
        for c in 0..cases {
            let id = (f * cases + c) % KIMAI_DOCS + 1;
            text.push_str(&format!(
                concat!(
                    "  - name: customer {n}\n",
                    "    request: {{ path_params: {{ id: {id} }} }}\n",
                    "    expect:\n",
                    "      status: 200\n",
                    "      content_type: application/json\n",
                    "      schema: Customer.json\n",
                    "      assert: {{ $.id: {{ equals: {id} }} }}\n",
                ),
                n = f * cases + c,
                id = id
            ));
        }
        write_file(
            &dir.join(format!("cases/kimai/customers_{f:05}.yaml")),
            &text,
        )?;
    }
    Ok(())
}

const KIMAI_SCHEMA: &str = r#"{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "required": ["id", "name", "number", "comment", "visible", "billable", "currency", "color",
               "vatId", "company", "contact", "address", "country", "timezone"],
  "properties": {
    "id": { "type": "integer" },
    "name": { "type": "string", "minLength": 2, "maxLength": 150 },
    "number": { "type": ["string", "null"] },
    "comment": { "type": ["string", "null"] },
    "visible": { "type": "boolean" },
    "billable": { "type": "boolean" },
    "currency": { "type": "string", "pattern": "^[A-Z]{3}$" },
    "color": { "type": ["string", "null"], "pattern": "^#[0-9a-f]{6}$" },
    "vatId": { "type": ["string", "null"] },
    "company": { "type": ["string", "null"] },
    "contact": { "type": ["string", "null"] },
    "address": { "type": ["string", "null"] },
    "country": { "type": "string", "minLength": 2, "maxLength": 2 },
    "timezone": { "type": "string" }
  }
}
"#;

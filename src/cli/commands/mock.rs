//! `conform mock`: an API's recordings as a standalone server until Ctrl-C or SIGTERM.

use std::path::Path;
use std::sync::Arc;

use super::{new_runtime, stop_signal, Out};
use crate::case::{load_suite, LoadOptions};
use crate::cli::args::MockArgs;
use crate::error::{Error, EXIT_OK};
use crate::mock::server::{serve_with, Observer, ServeOptions};
use crate::plan::{plan, Selection};

pub fn mock(root: &Path, args: &MockArgs) -> Result<i32, Error> {
    let api_name = args.api.as_str();
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
    let playback = Arc::new(super::validate::load_playback(&suite, api)?);
    let count = playback.entries.len();
    let options = ServeOptions {
        strict: args.strict,
        cors: args.cors,
    };
    let port = args.port;
    new_runtime()?.block_on(async move {
        let addr =
            std::net::SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), port);
        let observer: Observer = Arc::new(|e| {
            let what = match &e.case {
                Some(case) => format!("{} {}", e.matched, case.replacen("::", ".yaml::", 1)),
                None => "no match".into(),
            };
            let scenario = e
                .scenario
                .as_ref()
                .map(|s| format!(" [scenario {s}]"))
                .unwrap_or_default();
            Out::line(&format!("{}{scenario} -> {} ({what})", e.request, e.status));
        });
        let server = serve_with(playback, addr, Some(observer), options)
            .await
            .map_err(|e| Error::Io(format!("cannot listen on {addr}: {e}")))?;
        let mode = match (options.strict, options.cors) {
            (true, true) => "strict, CORS, ",
            (true, false) => "strict, ",
            (false, true) => "CORS, ",
            (false, false) => "",
        };
        Out::line(&format!(
            "serving {count} recorded interactions of `{api_name}` on {} ({mode}Ctrl-C stops)",
            server.base_url()
        ));
        stop_signal().await;
        server.shutdown().await;
        Out::line("stopped");
        Ok(EXIT_OK)
    })
}

//! `conform mock`: an API's recordings as a standalone server until Ctrl-C or SIGTERM.

use std::path::Path;
use std::sync::Arc;

use super::{new_runtime, stop_signal, Out};
use crate::case::{load_suite, LoadOptions};
use crate::error::{Error, EXIT_OK};
use crate::mock::playback::serve;
use crate::plan::{plan, Selection};

pub fn mock(root: &Path, api_name: &str, port: u16) -> Result<i32, Error> {
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
    new_runtime()?.block_on(async move {
        let addr =
            std::net::SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), port);
        let observer: crate::mock::playback::Observer = Arc::new(|req, status, hit| {
            let what = hit
                .map(|e| format!("{}.yaml::{}", e.stem, e.interaction.case))
                .unwrap_or_else(|| "no match".into());
            Out::line(&format!("{} -> {status} ({what})", req.describe()));
        });
        let server = serve(playback, addr, Some(observer))
            .await
            .map_err(|e| Error::Io(format!("cannot listen on {addr}: {e}")))?;
        Out::line(&format!(
            "serving {count} recorded interactions of `{api_name}` on {} (Ctrl-C stops)",
            server.base_url()
        ));
        stop_signal().await;
        server.shutdown().await;
        Out::line("stopped");
        Ok(EXIT_OK)
    })
}

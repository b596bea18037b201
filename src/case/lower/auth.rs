//! Lowering of an environment's `auth:`: static headers and query, basic, bearer, token request.

use std::collections::BTreeSet;
use std::path::Path;

use super::super::limits::parse_json_path;

use super::super::model::{Auth, TokenRequest};
use super::super::raw;
use super::{noted, parse_endpoint, pos, ApiLowering};

impl ApiLowering<'_, '_> {
    /// Lowers an environment's auth; its environment variables are required only when selected.
    pub(super) fn lower_auth(
        &mut self,
        file: &Path,
        raw: &raw::RawAuth,
        known: &BTreeSet<String>,
        selected: bool,
    ) -> Option<Auth> {
        // Every part is lowered even after a failure, so that all missing variables are reported
        // in one go.
        let mut ok = true;
        let mut auth = Auth::default();
        let headers = self.header_templates(file, &raw.headers, known, selected);
        auth.headers = noted(&mut ok, headers).unwrap_or_default();
        let query = self.named_templates(file, &raw.query, known, selected);
        auth.query = noted(&mut ok, query).unwrap_or_default();
        if let Some(b) = &raw.basic {
            let user = self.template_at(file, &b.username, known, selected);
            let pass = self.template_at(file, &b.password, known, selected);
            if let (Some(user), Some(pass)) = (noted(&mut ok, user), noted(&mut ok, pass)) {
                auth.basic = Some((user, pass));
            }
        }
        if let Some(b) = &raw.bearer {
            let t = self.template_at(file, b, known, selected);
            auth.bearer = noted(&mut ok, t);
        }
        if let Some(t) = &raw.token_request {
            let token_request = self.lower_token_request(file, t, known, selected);
            auth.token_request = noted(&mut ok, token_request);
        }
        ok.then_some(auth)
    }

    fn lower_token_request(
        &mut self,
        file: &Path,
        t: &raw::RawTokenRequest,
        known: &BTreeSet<String>,
        selected: bool,
    ) -> Option<TokenRequest> {
        let endpoint = match parse_endpoint(&t.endpoint.value) {
            Ok(e) => e,
            Err(msg) => {
                self.error(file, pos(&t.endpoint), msg);
                return None;
            }
        };
        let request = self.lower_request_with(
            file,
            pos(&t.endpoint),
            &endpoint,
            &t.request,
            known,
            selected,
        )?;
        let token = match parse_json_path(&t.token.value) {
            Ok(p) => p,
            Err(e) => {
                self.error(
                    file,
                    pos(&t.token),
                    format!("invalid JSONPath `{}`: {e}", t.token.value),
                );
                return None;
            }
        };
        let header = t.header.clone().unwrap_or_else(|| "Authorization".into());
        // Whatever header carries the token is a secret, whatever its name.
        let lower = header.to_ascii_lowercase();
        if !self.api.sensitive.headers.contains(&lower) {
            self.api.sensitive.headers.push(lower);
        }
        Some(TokenRequest {
            endpoint,
            request,
            token_text: t.token.value.clone(),
            token,
            header,
            prefix: t.prefix.clone().unwrap_or_default(),
        })
    }
}

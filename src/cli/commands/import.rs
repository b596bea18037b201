//! `conform import openapi`: schemas and case skeletons from an API description.

use std::path::Path;

use super::Out;
use crate::cli::args::ImportArgs;
use crate::error::{Error, EXIT_OK};

pub fn import(root: &Path, args: ImportArgs) -> Result<i32, Error> {
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
    Out::text(&report.render());
    Ok(EXIT_OK)
}

//! The suite cache: a lowered suite stored under `target/conform/cache/` and used again, instead
//! of parsing and lowering every case file, while nothing it was made from has changed.
//!
//! A cache file is valid for one project root, one `--env` and one API selection (its file name
//! is their hash) and one build of conform. It holds the case files found under each API folder
//! and the SHA-256 of every file the suite was made from (api.yaml, case files, body files, schema
//! files and their `$ref` targets); a hit needs the same list of case files and the same content
//! for every one of them, so any change is loaded and checked from scratch. A suite whose loading
//! read an environment variable (credentials, a tenant host) is never stored: its lowering depends
//! on values that are secrets. A cache that does not decode is ignored and rewritten. Stray-file
//! warnings are not stored: the loader finds them again on every run.
//!
//! Serialisation is postcard over serde: a compact, stable, well-kept format; compiled regexes and
//! JSONPaths are stored as their text ([`codec`]) and the schemas recompiled from their files.

pub mod codec;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::model::Api;
use crate::schema::SchemaSet;

/// Bumped whenever the stored layout changes (the build id changes anyway with each build).
const FORMAT: u32 = 1;

/// What a cached suite was loaded with, beyond its files.
pub struct Key<'a> {
    pub root: &'a Path,
    pub env: Option<&'a str>,
    pub apis: &'a [String],
}

/// The files a suite was made from.
pub struct Inputs<'a> {
    /// The case files found, in load order.
    pub case_files: &'a [PathBuf],
    /// Every file read, with the text that was parsed (case files, api.yaml).
    pub texts: Vec<(PathBuf, &'a [u8])>,
    /// Other files read (schemas, `$ref` targets, body files): hashed from disk.
    pub others: Vec<PathBuf>,
}

#[derive(Serialize, Deserialize, PartialEq)]
struct Header {
    format: u32,
    build: String,
    case_files: Vec<PathBuf>,
    inputs: Vec<(PathBuf, [u8; 32])>,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    apis: Vec<Api>,
    /// The schemas in id order: the path each was loaded from and its name in messages.
    schemas: Vec<(PathBuf, String)>,
}

/// `<root>/target/conform/cache/suite-<hash of the key>.bin`.
fn cache_path(key: &Key<'_>) -> PathBuf {
    let mut h = Sha256::new();
    h.update(key.root.as_os_str().as_encoded_bytes());
    h.update([0]);
    h.update(key.env.unwrap_or("\0none").as_bytes());
    for api in key.apis {
        h.update([0]);
        h.update(api.as_bytes());
    }
    let name = format!("suite-{}.bin", hex::encode(&h.finalize()[..12]));
    key.root.join("target/conform/cache").join(name)
}

/// This build of conform: its version (with the commit) and the executable's size and time, so
/// that a rebuild with another layout never reads an older cache.
fn build_id() -> String {
    let exe = std::env::current_exe().and_then(std::fs::metadata);
    let stamp = exe.map_or(String::new(), |m| {
        let time = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        format!("{} {}", m.len(), time.map_or(0, |t| t.as_nanos()))
    });
    format!("{} {stamp}", env!("CONFORM_VERSION"))
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The suite stored for `key`, when the case files found are `case_files` and every input file
/// still has the content it had; `None` on any difference or a cache that does not decode.
pub fn lookup(key: &Key<'_>, case_files: &[PathBuf]) -> Option<(Vec<Api>, SchemaSet)> {
    let bytes = std::fs::read(cache_path(key)).ok()?;
    let (header, rest) = postcard::take_from_bytes::<Header>(&bytes).ok()?;
    if header.format != FORMAT || header.build != build_id() || header.case_files != case_files {
        return None;
    }
    for (path, hash) in &header.inputs {
        if !unchanged(key.root, path, hash) {
            return None;
        }
    }
    let stored: Stored = codec::interning(|| postcard::from_bytes(rest)).ok()?;
    let schemas_root = key.root.join("schemas");
    let mut schemas = SchemaSet::default();
    let no_policy = crate::schema::FormatPolicy::default();
    for (i, (path, display)) in stored.schemas.into_iter().enumerate() {
        // A schema belongs to the API of its folder under schemas/ and is compiled with that
        // API's format policy, as at load.
        let folder = path
            .strip_prefix(&schemas_root)
            .ok()
            .and_then(|p| p.iter().next());
        let formats = (stored.apis.iter())
            .find(|a| folder.is_some_and(|f| f == a.name.as_str()))
            .map_or(&no_policy, |a| &a.formats);
        let id = (schemas.load_with(&path, &schemas_root, display, formats)).ok()?;
        if schemas.len() != i + 1 || schemas.loaded(&path) != Some(id) {
            return None;
        }
    }
    Some((stored.apis, schemas))
}

/// Whether `path` still holds content hashing to `hash` and, like the loader requires, resolves
/// inside the project.
fn unchanged(root: &Path, path: &Path, hash: &[u8; 32]) -> bool {
    let is_link = path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink());
    if is_link && !matches!(crate::fsutil::resolve_inside(root, path), Ok(Some(_))) {
        return false;
    }
    std::fs::read(path).is_ok_and(|bytes| digest(&bytes) == *hash)
}

/// Stores a freshly loaded suite for `key`. Best effort: a project where the cache cannot be
/// written (read-only, `target/` a symlink out of it) simply loads from scratch next time.
pub fn store(key: &Key<'_>, inputs: Inputs<'_>, apis: &[Api], schemas: &SchemaSet) {
    if apis.iter().any(|a| !a.env_refs.is_empty()) {
        return; // lowering read environment values: never written to disk
    }
    let mut hashed: Vec<(PathBuf, [u8; 32])> = inputs
        .texts
        .iter()
        .map(|(p, text)| (p.clone(), digest(text)))
        .collect();
    for path in inputs.others {
        let Ok(bytes) = std::fs::read(&path) else {
            return;
        };
        hashed.push((path, digest(&bytes)));
    }
    let header = Header {
        format: FORMAT,
        build: build_id(),
        case_files: inputs.case_files.to_vec(),
        inputs: hashed,
    };
    let Some(schemas) = schemas.sources() else {
        return;
    };
    let body = StoredRef { apis, schemas };
    let (Ok(mut bytes), Ok(rest)) = (postcard::to_allocvec(&header), postcard::to_allocvec(&body))
    else {
        return;
    };
    bytes.extend_from_slice(&rest);
    let path = cache_path(key);
    if crate::fsutil::check_write_inside(key.root, &path).is_ok() {
        let _ = crate::fsutil::write_atomic(&path, &bytes);
    }
}

/// [`Stored`] by reference, for writing.
#[derive(Serialize)]
struct StoredRef<'a> {
    apis: &'a [Api],
    schemas: Vec<(PathBuf, String)>,
}

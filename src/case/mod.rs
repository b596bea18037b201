//! Case files: the YAML syntax (`raw`), loading (`load`), lowering to the checked model (`lower/`,
//! one file per grammar section, and `model`), snapshot redaction selectors (`selector`),
//! interpolation (`template`), integers beyond 64 bits (`exact`), nesting limits (`limits`), files
//! it does not read (`stray`), `--var` values (`overrides`) and the suite cache (`cache`).

pub mod cache;
pub mod exact;
pub mod functions;
pub mod id;
pub mod limits;
pub mod load;
pub mod lower;
pub mod model;
pub mod overrides;
pub mod raw;
pub mod redact_check;
pub mod selector;
pub mod stray;
pub mod template;

pub use id::CaseId;
pub use load::{load_from_str, load_suite, LoadError, LoadOptions};
pub use model::*;
pub use overrides::VarOverride;
pub use selector::{Selector, Step};

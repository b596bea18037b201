//! Functions usable in interpolations: what vendor signatures and tokens need
//! (`timestamp()`, `md5(x)`, `sha256(x)`, `hmac_sha256(key, msg)`, `base64(x)`, `uuid()`, `concat(...)`).

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use hmac::{KeyInit, Mac};
use md5::Digest;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Func {
    /// Seconds since the Unix epoch.
    Timestamp,
    /// Milliseconds since the Unix epoch.
    TimestampMs,
    Md5,
    Sha256,
    HmacSha256,
    Base64,
    Uuid,
    Concat,
}

const ALL: [(&str, Func); 8] = [
    ("timestamp", Func::Timestamp),
    ("timestamp_ms", Func::TimestampMs),
    ("md5", Func::Md5),
    ("sha256", Func::Sha256),
    ("hmac_sha256", Func::HmacSha256),
    ("base64", Func::Base64),
    ("uuid", Func::Uuid),
    ("concat", Func::Concat),
];

impl Func {
    pub fn by_name(name: &str) -> Result<Func, String> {
        ALL.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| *f)
            .ok_or_else(|| {
                let names = ALL.iter().map(|(n, _)| *n);
                match crate::diag::did_you_mean(name, names) {
                    Some(c) => format!("unknown function `{name}` (did you mean `{c}`?)"),
                    None => format!(
                        "unknown function `{name}`: expected one of {}",
                        ALL.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                    ),
                }
            })
    }

    pub fn name(self) -> &'static str {
        ALL.iter()
            .find(|(_, f)| *f == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }

    pub fn check_arity(self, n: usize) -> Result<(), String> {
        let want = match self {
            Func::Timestamp | Func::TimestampMs | Func::Uuid => 0,
            Func::Md5 | Func::Sha256 | Func::Base64 => 1,
            Func::HmacSha256 => 2,
            Func::Concat => return Ok(()),
        };
        if n == want {
            Ok(())
        } else {
            let plural = if want == 1 { "" } else { "s" };
            Err(format!(
                "`{}` takes {want} argument{plural}, got {n}",
                self.name()
            ))
        }
    }

    /// Computes the function; arity was checked at parse time.
    pub fn call(self, args: &[String], now: SystemTime) -> String {
        let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
        let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or_default();
        match self {
            Func::Timestamp => since_epoch.as_secs().to_string(),
            Func::TimestampMs => since_epoch.as_millis().to_string(),
            Func::Md5 => hex::encode(md5::Md5::digest(arg(0).as_bytes())),
            Func::Sha256 => hex::encode(sha2::Sha256::digest(arg(0).as_bytes())),
            Func::HmacSha256 => {
                let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(arg(0).as_bytes())
                    .expect("HMAC accepts keys of any length");
                mac.update(arg(1).as_bytes());
                hex::encode(mac.finalize().into_bytes())
            }
            Func::Base64 => base64::engine::general_purpose::STANDARD.encode(arg(0)),
            Func::Uuid => uuid::Uuid::new_v4().to_string(),
            Func::Concat => args.concat(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        let now = UNIX_EPOCH + std::time::Duration::from_millis(1_700_000_000_123);
        assert_eq!(Func::Timestamp.call(&[], now), "1700000000");
        assert_eq!(Func::TimestampMs.call(&[], now), "1700000000123");
        assert_eq!(
            Func::Sha256.call(&["abc".into()], now),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // RFC 4231 test case 2.
        assert_eq!(
            Func::HmacSha256.call(&["Jefe".into(), "what do ya want for nothing?".into()], now),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(Func::Uuid.call(&[], now).len(), 36);
    }
}

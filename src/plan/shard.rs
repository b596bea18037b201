//! Sharding: `--shard K/N` keeps the K-th of N parts of a plan. A case file is the unit (a flow
//! never splits), assigned by a stable hash of its identity `api/file`: adding, removing or
//! filtering other files never moves it to another shard (nextest's hash partitioning). The hash
//! is SHA-256, so that every conform on every platform splits a suite the same way.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use super::Plan;
use crate::case::Suite;

/// One part of N: `index` is 1-based, as `--shard K/N` and GitLab's `CI_NODE_INDEX` count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    pub index: u32,
    pub total: u32,
}

impl Shard {
    /// `K/N` with 1 <= K <= N.
    pub fn new(index: u32, total: u32) -> Result<Shard, String> {
        if total == 0 || index == 0 || index > total {
            return Err(format!(
                "shard `{index}/{total}` does not exist: K/N needs 1 <= K <= N (e.g. 1/4 to 4/4)"
            ));
        }
        Ok(Shard { index, total })
    }

    /// Whether the case file `api/file` belongs to this shard.
    pub fn holds(&self, file_id: &str) -> bool {
        let digest = Sha256::digest(file_id.as_bytes());
        let mut head = [0u8; 8];
        head.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(head) % u64::from(self.total) == u64::from(self.index - 1)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.total)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let bad = || {
            format!("`--shard {text}`: expected K/N (e.g. 2/4: the second of four parts) or `auto`")
        };
        let (k, n) = text.trim().split_once('/').ok_or_else(bad)?;
        let k: u32 = k.trim().parse().map_err(|_| bad())?;
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        Shard::new(k, n)
    }
}

/// The part of `plan` in `shard`, renumbered (plan order is kept). A shard may be empty: with
/// more shards than files, some have nothing to run, and their report says so.
pub fn apply(plan: Plan, suite: &Suite, shard: Shard) -> Plan {
    let mut seq = 0;
    let files = plan
        .files
        .into_iter()
        .filter(|f| {
            let api = &suite.apis[f.api];
            shard.holds(&format!("{}/{}", api.name, api.files[f.file].stem))
        })
        .map(|mut f| {
            f.first_seq = seq;
            seq += f.cases.len();
            f
        })
        .collect();
    Plan { files }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_k_of_n_and_refuses_the_rest() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, total: 4 }));
        for bad in ["0/4", "5/4", "1/0", "2", "a/b", "-1/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_file_is_in_exactly_one_shard_and_stays_there() {
        for total in 1..=5 {
            for i in 0..200 {
                let id = format!("api/file_{i}");
                let holders = (1..=total)
                    .filter(|&k| Shard::new(k, total).unwrap().holds(&id))
                    .count();
                assert_eq!(holders, 1, "{id} of {total}");
            }
        }
        // Pinned: a change of hash would move every file of every CI pipeline.
        let shard = (1..=4).find(|&k| Shard::new(k, 4).unwrap().holds("kimai/get_customer"));
        assert_eq!(shard, Some(PINNED_KIMAI_GET_CUSTOMER_OF_4));
    }

    const PINNED_KIMAI_GET_CUSTOMER_OF_4: u32 = 4;
}

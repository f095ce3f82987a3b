// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The pool layouts RustFS 1.0.1 accepts, and the erasure sets it makes of them.
//!
//! Mirrors `rustfs-ecstore` 1.0.1, `src/layout/disks_layout.rs`, for `RUSTFS_VOLUMES` as the
//! operator renders it (see [`crate::resources::env::rustfs_volumes`]):
//!
//! - A Tenant of one pool of 1 server x 1 volume is rendered as one plain path. RustFS runs
//!   that as a single drive (`DisksLayout::from_volumes`, no ellipsis, one argument, lines
//!   133-143; `is_single_drive_layout`, line 171; `ErasureSD` in `endpoints.rs` 235-258). It
//!   has no erasure coding and can never get a second pool: a multi-pool `RUSTFS_VOLUMES`
//!   needs an ellipsis in every argument (lines 146-151).
//! - Every other pool is one argument `http://<sts>-{0...S-1}.<svc>:9000<path>/rustfs{0...V-1}`
//!   and is laid out on its own (`get_all_sets` per argument, line 153). Its `S * V` drives
//!   must number at least 2 (`BelowMinimum`, lines 411-415) and split into erasure sets of
//!   one size from 2 to 16 (`SET_SIZES`, line 25) that divides the drive count
//!   (`possible_set_counts`, lines 333-341, via `get_divisible_size` of the single total) and
//!   is "symmetric" with the argument's last ellipsis (`possible_set_counts_with_symmetry`,
//!   lines 372-396): that loop keeps only the verdict of the last pattern, which is the
//!   leftmost ellipsis of the argument (`find_ellipses_patterns` in `rustfs-utils`
//!   `string.rs` 358-408 matches from the right), i.e. the servers. A size `d` is symmetric
//!   when it divides `S` (`S >= d`) or is a multiple of `S` (`S < d`).
//! - Without `RUSTFS_ERASURE_SET_DRIVE_COUNT`, RustFS picks the largest such size, i.e. the
//!   fewest sets (`common_set_drive_count`, lines 349-367); with it, the forced size must be
//!   one of them and no larger than the drive count (lines 416-419, 436-447).
//!
//! Consequences worth knowing: with 2..=16 servers every pool of 2 or more drives works
//! (its server count is itself a symmetric size); with more than 16 servers, the server count
//! needs a factor from 2 to 16 (17, 19, 23, 29, 31 ... servers never work, whatever the
//! volumes); a single server needs such a factor in its volume count.

use std::ops::RangeInclusive;

/// The erasure-set sizes RustFS 1.0.1 supports (`SET_SIZES`).
pub const ERASURE_SET_SIZES: RangeInclusive<i64> = 2..=16;

/// Fewest drives of an erasure-coded pool (`SET_SIZES[0]`).
pub const MIN_ERASURE_DRIVES: i64 = 2;

/// The environment variable that forces RustFS's erasure-set size (0: RustFS chooses).
pub const RUSTFS_ERASURE_SET_DRIVE_COUNT: &str = "RUSTFS_ERASURE_SET_DRIVE_COUNT";

/// Defined with the types, so that rendering (`resources`) and validation share it without
/// importing each other.
pub use crate::api::v1alpha1::is_single_drive;

/// Whether erasure-set size `size` is spread evenly over `servers` in RustFS 1.0.1's sense:
/// it divides the server count or is a multiple of it.
fn symmetric(size: i64, servers: i64) -> bool {
    if servers >= size {
        servers % size == 0
    } else {
        servers > 0 && size % servers == 0
    }
}

/// The erasure-set sizes RustFS 1.0.1 accepts for an erasure-coded pool of `servers` x
/// `volumes` drives, smallest first: the sizes in 2..=16 that divide the drive count and are
/// symmetric with the server count. Empty when RustFS refuses the pool (fewer than 2
/// drives, no dividing size, or none symmetric).
pub fn erasure_set_sizes(servers: i64, volumes: i64) -> Vec<i64> {
    let drives = servers * volumes;
    if drives < MIN_ERASURE_DRIVES {
        return Vec::new();
    }
    ERASURE_SET_SIZES
        .filter(|&d| drives % d == 0 && symmetric(d, servers))
        .collect()
}

/// The erasure-set size RustFS 1.0.1 chooses by itself for a pool of `servers` x `volumes`
/// drives (the largest accepted size, i.e. the fewest sets), or `None` when it refuses the
/// pool.
pub fn erasure_set_size(servers: i64, volumes: i64) -> Option<i64> {
    erasure_set_sizes(servers, volumes).last().copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::v1alpha1::Pool;

    /// RustFS 1.0.1's own algorithm, step by step as `get_set_indexes` runs it for one
    /// argument with a server pattern of `servers` entries: kept separate from
    /// [`erasure_set_sizes`] so the two formulations check each other.
    fn rustfs_get_set_indexes(servers: usize, volumes: usize) -> Option<usize> {
        let total = servers * volumes;
        if total < 2 {
            return None; // BelowMinimum
        }
        let set_counts: Vec<usize> = (2..=16).filter(|s| total.is_multiple_of(*s)).collect();
        if set_counts.is_empty() {
            return None; // not divisible by any supported erasure set sizes
        }
        // Patterns in find_ellipses_patterns order: volumes (rightmost) first, servers last;
        // the loop overwrites `symmetry`, so the last pattern decides.
        let patterns = [volumes, servers];
        let symmetric: Vec<usize> = set_counts
            .into_iter()
            .filter(|&ss| {
                let mut symmetry = false;
                for p in patterns {
                    symmetry = if p > ss {
                        p.is_multiple_of(ss)
                    } else {
                        ss.is_multiple_of(p)
                    };
                }
                symmetry
            })
            .collect();
        if symmetric.is_empty() {
            return None; // No symmetric distribution detected
        }
        // common_set_drive_count: the count with the fewest sets, later (larger) wins ties.
        let mut prev_d = total / symmetric[0];
        let mut set_size = 0;
        for &cnt in &symmetric {
            let d = total / cnt;
            if d <= prev_d {
                prev_d = d;
                set_size = cnt;
            }
        }
        Some(set_size)
    }

    #[test]
    fn matches_rustfs_for_every_pool_up_to_64_servers_and_32_volumes() {
        for servers in 1..=64_usize {
            for volumes in 1..=32_usize {
                let want = rustfs_get_set_indexes(servers, volumes).map(|s| s as i64);
                let got = if servers * volumes == 1 {
                    None
                } else {
                    erasure_set_size(servers as i64, volumes as i64)
                };
                assert_eq!(got, want, "{servers} servers x {volumes} volumes");
            }
        }
    }

    #[test]
    fn known_layouts() {
        // (servers, volumes, chosen set size)
        let accepted = [
            (1, 2, 2),
            (2, 1, 2),
            (1, 3, 3),
            (3, 1, 3),
            (3, 2, 6),
            (6, 1, 6),
            (2, 3, 6),
            (4, 4, 16),
            (8, 4, 16),
            (3, 4, 12),
            (5, 2, 10),
            (7, 2, 14),
            (18, 1, 9),
            (20, 1, 10),
            (25, 2, 5),
            (34, 1, 2),
            (1, 34, 2),
        ];
        for (s, v, size) in accepted {
            assert_eq!(erasure_set_size(s, v), Some(size), "{s} x {v}");
        }
        let refused = [
            (1, 1),
            (17, 1),
            (17, 2),
            (17, 16),
            (19, 4),
            (1, 17),
            (1, 19),
        ];
        for (s, v) in refused {
            assert_eq!(erasure_set_sizes(s, v), Vec::<i64>::new(), "{s} x {v}");
        }
        assert_eq!(erasure_set_sizes(4, 4), [2, 4, 8, 16]);
        assert_eq!(erasure_set_sizes(3, 2), [3, 6]);
        assert_eq!(erasure_set_sizes(12, 3), [2, 3, 4, 6, 12]);
    }

    #[test]
    fn single_drive_is_one_pool_of_one_server_and_one_volume() {
        let p = |servers, volumes| Pool {
            servers,
            persistence: crate::api::v1alpha1::Persistence {
                volumes_per_server: volumes,
                ..Default::default()
            },
            ..Pool::default()
        };
        assert!(is_single_drive(&[p(1, 1)]));
        assert!(!is_single_drive(&[p(1, 2)]));
        assert!(!is_single_drive(&[p(2, 1)]));
        assert!(!is_single_drive(&[p(1, 1), p(1, 1)]));
        assert!(!is_single_drive(&[]));
    }
}

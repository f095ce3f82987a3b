// Copyright 2026 The rustfs-operator Authors.
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

//! One PodDisruptionBudget per pool: voluntary disruptions (node drains, upgrades) take at
//! most one server of a pool at a time.
//!
//! Erasure coding survives losing some drives of a set, not most of them; a drain that
//! evicts several servers of one pool at once can take the pool below its read quorum. One
//! at a time is safe for every pool shape. Involuntary failures are not covered: that is
//! what the erasure parity is for.

use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{Owner, labels, names};
use crate::api::v1alpha1::Pool;

/// `<tenant>-<pool>`: at most one pod of the pool may be evicted at a time.
pub fn pod_disruption_budget(owner: &Owner, pool: &Pool) -> PodDisruptionBudget {
    PodDisruptionBudget {
        metadata: owner.meta(
            names::stateful_set(owner.name(), &pool.name),
            labels::pool_labels(owner.name(), &pool.name),
        ),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(labels::pool_selector(owner.name(), &pool.name)),
            ..PodDisruptionBudgetSpec::default()
        }),
        status: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::fixtures::TenantBuilder;

    #[test]
    fn one_server_of_the_pool_at_a_time() {
        let t = TenantBuilder::new("t").pool("p0", 4, 4).build();
        let owner = Owner::new(&t).unwrap();
        let pdb = pod_disruption_budget(&owner, &t.spec.pools[0]);
        assert_eq!(pdb.metadata.name.as_deref(), Some("t-p0"));
        let spec = pdb.spec.unwrap();
        assert_eq!(spec.max_unavailable, Some(IntOrString::Int(1)));
        assert_eq!(spec.min_available, None);
        // Exactly the pool's StatefulSet selector: the budget covers this pool's pods only.
        assert_eq!(spec.selector, Some(labels::pool_selector("t", "p0")));
        let refs = pdb.metadata.owner_references.unwrap();
        assert_eq!(refs[0].kind, "Tenant");
        assert_eq!(refs[0].controller, Some(true));
    }
}

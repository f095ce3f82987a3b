// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The security contexts of a pool's pods: the operator's defaults, then the Tenant's
//! settings, then the pool's, each laid over the one before field by field.
//!
//! A level (Tenant or pool) that gives both `securityContext: {}` and
//! `containerSecurityContext: {}` hands the uid, gid and fsGroup to the platform: OpenShift's
//! restricted SCCs assign them from the namespace's range and refuse a pod that names its own.
//! The rest of the defaults (non-root, no privilege escalation, no capabilities, read-only
//! root filesystem, RuntimeDefault seccomp) stays, since those SCCs accept it.

use k8s_openapi::DeepMerge;
use k8s_openapi::api::core::v1::{
    Capabilities, PodSecurityContext, SeccompProfile, SecurityContext,
};

use crate::api::v1alpha1::{Pool, TenantSpec};

/// uid and gid of the user in the RustFS image.
pub const RUSTFS_UID: i64 = 10001;

/// The security contexts a pool's pods run with.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolSecurity {
    /// `spec.securityContext` of the pod.
    pub pod: PodSecurityContext,
    /// `securityContext` of the RustFS container.
    pub container: SecurityContext,
}

/// Defaults, then the Tenant's contexts, then the pool's.
pub fn pool_security(spec: &TenantSpec, pool: &Pool) -> PoolSecurity {
    let mut out = PoolSecurity {
        pod: default_pod_security_context(),
        container: default_container_security_context(),
    };
    let levels = [
        (&spec.security_context, &spec.container_security_context),
        (&pool.security_context, &pool.container_security_context),
    ];
    for (pod, container) in levels {
        if delegates_ids(pod.as_ref(), container.as_ref()) {
            out.pod.run_as_user = None;
            out.pod.run_as_group = None;
            out.pod.fs_group = None;
            out.container.run_as_user = None;
            out.container.run_as_group = None;
            continue;
        }
        if let Some(pod) = pod {
            let seccomp = pod.seccomp_profile.clone();
            out.pod.merge_from(pod.clone());
            // A profile is one value: merging `RuntimeDefault` over `Localhost` would keep the
            // old `localhostProfile`, which the API server refuses.
            if seccomp.is_some() {
                out.pod.seccomp_profile = seccomp;
            }
        }
        if let Some(container) = container {
            let seccomp = container.seccomp_profile.clone();
            out.container.merge_from(container.clone());
            if seccomp.is_some() {
                out.container.seccomp_profile = seccomp;
            }
        }
    }
    out
}

/// Both contexts given and both empty: the platform chooses the ids.
fn delegates_ids(pod: Option<&PodSecurityContext>, container: Option<&SecurityContext>) -> bool {
    pod.is_some_and(|p| *p == PodSecurityContext::default())
        && container.is_some_and(|c| *c == SecurityContext::default())
}

/// Pod security context defaults (the RustFS image's user).
pub fn default_pod_security_context() -> PodSecurityContext {
    PodSecurityContext {
        run_as_user: Some(RUSTFS_UID),
        run_as_group: Some(RUSTFS_UID),
        run_as_non_root: Some(true),
        fs_group: Some(RUSTFS_UID),
        // Large volumes: do not walk every file on each start.
        fs_group_change_policy: Some("OnRootMismatch".to_owned()),
        seccomp_profile: Some(runtime_default_seccomp()),
        ..PodSecurityContext::default()
    }
}

/// Container security context defaults.
pub fn default_container_security_context() -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        capabilities: Some(Capabilities {
            add: None,
            drop: Some(vec!["ALL".to_owned()]),
        }),
        run_as_non_root: Some(true),
        // RustFS writes only to its drives and /tmp, both volumes.
        read_only_root_filesystem: Some(true),
        seccomp_profile: Some(runtime_default_seccomp()),
        ..SecurityContext::default()
    }
}

fn runtime_default_seccomp() -> SeccompProfile {
    SeccompProfile {
        type_: "RuntimeDefault".to_owned(),
        localhost_profile: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::fixtures::TenantBuilder;

    fn security(change: impl FnOnce(&mut TenantSpec)) -> PoolSecurity {
        let t = TenantBuilder::new("t")
            .pool("p0", 4, 4)
            .spec(change)
            .build();
        pool_security(&t.spec, &t.spec.pools[0])
    }

    fn empty_pair() -> (Option<PodSecurityContext>, Option<SecurityContext>) {
        (
            Some(PodSecurityContext::default()),
            Some(SecurityContext::default()),
        )
    }

    #[test]
    fn without_settings_the_defaults_apply() {
        let s = security(|_| {});
        assert_eq!(s.pod, default_pod_security_context());
        assert_eq!(s.container, default_container_security_context());
    }

    #[test]
    fn the_pool_is_laid_over_the_tenant_field_by_field() {
        let s = security(|spec| {
            spec.security_context = Some(PodSecurityContext {
                run_as_user: Some(2000),
                run_as_group: Some(2000),
                ..PodSecurityContext::default()
            });
            spec.container_security_context = Some(SecurityContext {
                privileged: Some(false),
                ..SecurityContext::default()
            });
            spec.pools[0].security_context = Some(PodSecurityContext {
                run_as_user: Some(3000),
                ..PodSecurityContext::default()
            });
            spec.pools[0].container_security_context = Some(SecurityContext {
                read_only_root_filesystem: Some(false),
                ..SecurityContext::default()
            });
        });
        assert_eq!(s.pod.run_as_user, Some(3000), "the pool wins");
        assert_eq!(s.pod.run_as_group, Some(2000), "the Tenant's field stays");
        assert_eq!(s.pod.fs_group, Some(RUSTFS_UID), "the default stays");
        assert_eq!(s.container.privileged, Some(false));
        assert_eq!(s.container.read_only_root_filesystem, Some(false));
        assert_eq!(s.container.allow_privilege_escalation, Some(false));
    }

    #[test]
    fn an_empty_pair_leaves_the_ids_to_the_platform() {
        for at_pool in [false, true] {
            let s = security(|spec| {
                let (pod, container) = empty_pair();
                if at_pool {
                    spec.security_context = Some(PodSecurityContext {
                        run_as_user: Some(2000),
                        ..PodSecurityContext::default()
                    });
                    spec.pools[0].security_context = pod;
                    spec.pools[0].container_security_context = container;
                } else {
                    spec.security_context = pod;
                    spec.container_security_context = container;
                }
            });
            assert_eq!(s.pod.run_as_user, None, "at pool: {at_pool}");
            assert_eq!(s.pod.run_as_group, None);
            assert_eq!(s.pod.fs_group, None);
            // What restricted SCCs accept stays.
            assert_eq!(s.pod.run_as_non_root, Some(true));
            assert_eq!(
                s.pod.fs_group_change_policy.as_deref(),
                Some("OnRootMismatch")
            );
            assert_eq!(s.pod.seccomp_profile, Some(runtime_default_seccomp()));
            assert_eq!(s.container, default_container_security_context());
        }
    }

    #[test]
    fn one_empty_context_alone_keeps_the_defaults() {
        let s = security(|spec| spec.security_context = Some(PodSecurityContext::default()));
        assert_eq!(s.pod, default_pod_security_context());
    }

    #[test]
    fn a_pool_may_name_ids_again_after_a_tenant_wide_delegation() {
        let s = security(|spec| {
            (spec.security_context, spec.container_security_context) = empty_pair();
            spec.pools[0].security_context = Some(PodSecurityContext {
                run_as_user: Some(4000),
                ..PodSecurityContext::default()
            });
        });
        assert_eq!(s.pod.run_as_user, Some(4000));
        assert_eq!(s.pod.fs_group, None);
    }

    #[test]
    fn a_seccomp_profile_is_replaced_whole() {
        let s = security(|spec| {
            spec.security_context = Some(PodSecurityContext {
                seccomp_profile: Some(SeccompProfile {
                    type_: "Localhost".into(),
                    localhost_profile: Some("rustfs.json".into()),
                }),
                ..PodSecurityContext::default()
            });
            spec.pools[0].security_context = Some(PodSecurityContext {
                seccomp_profile: Some(runtime_default_seccomp()),
                ..PodSecurityContext::default()
            });
        });
        assert_eq!(s.pod.seccomp_profile, Some(runtime_default_seccomp()));
    }
}

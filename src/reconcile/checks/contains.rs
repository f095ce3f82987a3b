// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The structural comparison behind drift detection: does an object read from the cache already carry everything we would
//! apply? If so the apply is skipped, which keeps an idle resync at zero API writes.
//!
//! The check is structural: every field we set must be present with the same value in the
//! observed object. Fields the API server or other managers added are ignored, which is
//! exactly the server-side-apply contract: we only own what we send.

use serde_json::Value;

use crate::validate::parse_quantity;

/// True when `observed` holds every field of `desired` with an equal value.
///
/// Objects compare key by key (extra keys in `observed` are fine), arrays element by element
/// with equal length (a list we own is ours entirely), scalars by equality. Numbers compare by
/// value, so `1` and `1.0` agree. Inside `requests`, `limits` and `capacity` maps, strings
/// compare as Kubernetes quantities, because the API server stores them canonically
/// (`0.5` becomes `500m`, `1024Mi` becomes `1Gi`): without this, such a spec would look
/// drifted forever and be re-applied on every reconcile.
pub fn contains(observed: &Value, desired: &Value) -> bool {
    contains_in(observed, desired, false)
}

fn contains_in(observed: &Value, desired: &Value, quantities: bool) -> bool {
    match (observed, desired) {
        (Value::Object(o), Value::Object(d)) => d.iter().all(|(k, dv)| {
            let nested = quantities || matches!(k.as_str(), "requests" | "limits" | "capacity");
            o.get(k).is_some_and(|ov| contains_in(ov, dv, nested)) || is_empty(dv)
        }),
        (Value::Array(o), Value::Array(d)) => {
            o.len() == d.len() && o.iter().zip(d).all(|(ov, dv)| contains_in(ov, dv, false))
        }
        (Value::Number(o), Value::Number(d)) => o.as_f64() == d.as_f64(),
        (Value::String(o), Value::String(d)) if quantities && o != d => {
            match (parse_quantity(o), parse_quantity(d)) {
                (Ok(o), Ok(d)) => o == d,
                _ => false,
            }
        }
        (o, d) => o == d,
    }
}

/// Empty values in what we send are dropped by the API server, so they cannot be drift.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.values().all(is_empty),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn extra_fields_in_observed_are_not_drift() {
        let desired = json!({"spec": {"replicas": 3, "template": {"image": "a"}}});
        let observed = json!({"spec": {"replicas": 3, "revisionHistoryLimit": 10, "template": {"image": "a", "x": 1}}, "status": {}});
        assert!(contains(&observed, &desired));
    }

    #[test]
    fn changed_or_missing_fields_are_drift() {
        let desired = json!({"spec": {"replicas": 3, "template": {"image": "a"}}});
        assert!(!contains(
            &json!({"spec": {"replicas": 2, "template": {"image": "a"}}}),
            &desired
        ));
        assert!(!contains(
            &json!({"spec": {"replicas": 3, "template": {"image": "b"}}}),
            &desired
        ));
        assert!(!contains(&json!({"spec": {"replicas": 3}}), &desired));
    }

    #[test]
    fn lists_must_match_in_length_and_order() {
        let desired = json!({"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]});
        assert!(contains(
            &json!({"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}),
            &desired
        ));
        assert!(!contains(
            &json!({"env": [{"name": "A", "value": "1"}]}),
            &desired
        ));
        assert!(!contains(
            &json!({"env": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]}),
            &desired
        ));
        assert!(!contains(
            &json!({"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}, {"name": "C"}]}),
            &desired
        ));
    }

    #[test]
    fn empty_desired_values_match_absent_ones() {
        let desired = json!({"metadata": {"annotations": {}}, "spec": {"x": null, "l": []}});
        assert!(contains(&json!({"metadata": {}, "spec": {}}), &desired));
    }

    #[test]
    fn resource_quantities_compare_by_value() {
        let desired = json!({"resources": {"requests": {"cpu": "0.5", "memory": "1024Mi"}}});
        let stored = json!({"resources": {"requests": {"cpu": "500m", "memory": "1Gi"}}});
        assert!(contains(&stored, &desired));
        let more = json!({"resources": {"requests": {"cpu": "600m", "memory": "1Gi"}}});
        assert!(!contains(&more, &desired));
        // Elsewhere strings stay strings: an env value "1" is not "1.0".
        assert!(!contains(&json!({"value": "1.0"}), &json!({"value": "1"})));
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(contains(&json!({"a": 1.0}), &json!({"a": 1})));
    }
}

// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! A transition's trace as a picture: fetch it from Jaeger's query API
//! (`GET {jaeger}/api/traces/{traceId}`), lay its spans out as a waterfall (pure: one row per
//! span, children under their parent in start order, each bar placed by its start and length
//! within the trace), and draw that as SVG on the server, so the page needs no script for it.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::time::Duration;

use http_body_util::{BodyExt as _, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::html::escape;

/// Errors of a trace fetch.
#[derive(Debug)]
pub enum TraceError {
    /// The console was started without `--jaeger-url`.
    NotConfigured,
    /// Not 32 hex digits.
    BadId,
    /// Jaeger has no such trace (yet: spans are exported in batches).
    NotFound,
    /// Jaeger did not answer, or answered something else than a trace.
    Unavailable(String),
}

impl std::fmt::Display for TraceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotConfigured => f.write_str("no Jaeger query URL configured (--jaeger-url)"),
            Self::BadId => f.write_str("a trace id is 32 hexadecimal digits"),
            Self::NotFound => f.write_str("Jaeger has no trace with this id (yet)"),
            Self::Unavailable(why) => write!(f, "Jaeger query failed: {why}"),
        }
    }
}

/// Jaeger's query API, over plain HTTP.
#[derive(Clone, Debug)]
pub struct Jaeger {
    base: Option<String>,
    client: Client<HttpConnector, Empty<bytes::Bytes>>,
}

impl Jaeger {
    /// A client for the query API at `base` (e.g. `http://jaeger-query:16686`), or one that
    /// answers [`TraceError::NotConfigured`].
    pub fn new(base: Option<String>) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(Duration::from_secs(3)));
        Self {
            base: base.map(|b| b.trim_end_matches('/').to_owned()),
            client: Client::builder(TokioExecutor::new()).build(connector),
        }
    }

    pub fn configured(&self) -> bool {
        self.base.is_some()
    }

    /// The trace with `id`.
    pub async fn trace(&self, id: &str) -> Result<JaegerTrace, TraceError> {
        let base = self.base.as_deref().ok_or(TraceError::NotConfigured)?;
        if !valid_id(id) {
            return Err(TraceError::BadId);
        }
        let uri: http::Uri = format!("{base}/api/traces/{id}")
            .parse()
            .map_err(|e: http::uri::InvalidUri| TraceError::Unavailable(e.to_string()))?;
        let response = tokio::time::timeout(Duration::from_secs(10), self.client.get(uri))
            .await
            .map_err(|_| TraceError::Unavailable("timed out".into()))?
            .map_err(|e| TraceError::Unavailable(e.to_string()))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| TraceError::Unavailable(e.to_string()))?
            .to_bytes();
        if status == http::StatusCode::NOT_FOUND {
            return Err(TraceError::NotFound);
        }
        if !status.is_success() {
            return Err(TraceError::Unavailable(format!("HTTP {status}")));
        }
        let parsed: JaegerResponse = serde_json::from_slice(&body)
            .map_err(|e| TraceError::Unavailable(format!("unexpected answer: {e}")))?;
        parsed
            .data
            .into_iter()
            .find(|t| !t.spans.is_empty())
            .ok_or(TraceError::NotFound)
    }
}

/// 32 lowercase or uppercase hex digits (what `status.transitions[].traceId` holds).
pub fn valid_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

#[derive(Debug, Deserialize)]
struct JaegerResponse {
    #[serde(default)]
    data: Vec<JaegerTrace>,
}

/// A trace as Jaeger's query API returns it (the fields the waterfall needs).
#[derive(Debug, Clone, Deserialize)]
pub struct JaegerTrace {
    #[serde(rename = "traceID")]
    pub trace_id: String,
    #[serde(default)]
    pub spans: Vec<JaegerSpan>,
    #[serde(default)]
    pub processes: BTreeMap<String, JaegerProcess>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JaegerSpan {
    #[serde(rename = "spanID")]
    pub span_id: String,
    pub operation_name: String,
    #[serde(default)]
    pub references: Vec<JaegerReference>,
    /// Microseconds since the Unix epoch.
    pub start_time: i64,
    /// Microseconds.
    pub duration: i64,
    #[serde(rename = "processID", default)]
    pub process_id: String,
    #[serde(default)]
    pub tags: Vec<JaegerTag>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JaegerReference {
    pub ref_type: String,
    #[serde(rename = "spanID")]
    pub span_id: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct JaegerTag {
    pub key: String,
    pub value: serde_json::Value,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JaegerProcess {
    pub service_name: String,
}

/// One span's bar.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Bar {
    pub span_id: String,
    pub operation: String,
    pub service: String,
    /// Nesting depth: 0 for a root.
    pub depth: usize,
    /// Microseconds from the trace's start to the span's.
    pub offset_us: i64,
    pub duration_us: i64,
    /// Where the bar starts and how wide it is, as fractions of the trace's length.
    pub left: f64,
    pub width: f64,
    /// The span ended in an error.
    pub error: bool,
}

/// A trace laid out as a waterfall.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Waterfall {
    pub trace_id: String,
    /// From the first span's start to the last span's end, in microseconds.
    pub total_us: i64,
    pub bars: Vec<Bar>,
}

fn is_error(span: &JaegerSpan) -> bool {
    span.tags.iter().any(|t| {
        (t.key == "error" && (t.value == true || t.value == "true"))
            || (t.key == "otel.status_code" && t.value == "ERROR")
    })
}

/// Rows in tree order: each root (a span whose parent is not in the trace) by start time,
/// each followed by its children, depth first, by start time.
pub fn layout(trace: &JaegerTrace) -> Waterfall {
    let start = trace.spans.iter().map(|s| s.start_time).min().unwrap_or(0);
    let end = trace
        .spans
        .iter()
        .map(|s| s.start_time + s.duration.max(0))
        .max()
        .unwrap_or(0);
    let total = (end - start).max(1);
    let ids: HashMap<&str, usize> = trace
        .spans
        .iter()
        .enumerate()
        .map(|(i, s)| (s.span_id.as_str(), i))
        .collect();
    let parent = |s: &JaegerSpan| {
        s.references
            .iter()
            .find(|r| r.ref_type == "CHILD_OF")
            .or_else(|| s.references.first())
            .and_then(|r| ids.get(r.span_id.as_str()).copied())
    };
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); trace.spans.len()];
    let mut roots = Vec::new();
    for (i, span) in trace.spans.iter().enumerate() {
        match parent(span) {
            Some(p) if p != i => children[p].push(i),
            _ => roots.push(i),
        }
    }
    let by_start = |v: &mut Vec<usize>| {
        v.sort_by_key(|&i| (trace.spans[i].start_time, trace.spans[i].span_id.clone()))
    };
    by_start(&mut roots);
    children.iter_mut().for_each(by_start);

    // Spans caught in a reference loop have no root above them: they start trees of their
    // own after the real roots, so every span is drawn exactly once.
    let mut rest: Vec<usize> = (0..trace.spans.len()).collect();
    by_start(&mut rest);
    let mut bars = Vec::with_capacity(trace.spans.len());
    let mut seen = vec![false; trace.spans.len()];
    for top in roots.into_iter().chain(rest) {
        let mut stack = vec![(top, 0usize)];
        while let Some((i, depth)) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            let s = &trace.spans[i];
            let offset = s.start_time - start;
            bars.push(Bar {
                span_id: s.span_id.clone(),
                operation: s.operation_name.clone(),
                service: trace
                    .processes
                    .get(&s.process_id)
                    .map(|p| p.service_name.clone())
                    .unwrap_or_default(),
                depth,
                offset_us: offset,
                duration_us: s.duration.max(0),
                left: offset as f64 / total as f64,
                width: s.duration.max(0) as f64 / total as f64,
                error: is_error(s),
            });
            stack.extend(children[i].iter().rev().map(|&c| (c, depth + 1)));
        }
    }
    Waterfall {
        trace_id: trace.trace_id.clone(),
        total_us: end - start,
        bars,
    }
}

/// A duration for people: `850µs`, `12.3ms`, `1.20s`.
pub fn human(us: i64) -> String {
    match us {
        u if u < 1000 => format!("{u}µs"),
        u if u < 1_000_000 => format!("{:.1}ms", u as f64 / 1000.0),
        u => format!("{:.2}s", u as f64 / 1_000_000.0),
    }
}

const LABEL_WIDTH: f64 = 380.0;
const CHART_WIDTH: f64 = 620.0;
const ROW: f64 = 22.0;
const HEAD: f64 = 24.0;

/// The waterfall as an SVG image: a time axis, then one row per span with its name (indented
/// by depth) and a bar; hovering a bar shows its service, name and duration.
pub fn svg(w: &Waterfall) -> String {
    let width = LABEL_WIDTH + CHART_WIDTH + 70.0;
    let height = HEAD + ROW * w.bars.len() as f64 + 8.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="waterfall" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="trace {id}">"#,
        id = escape(&w.trace_id)
    );
    for q in 0..=4 {
        let x = LABEL_WIDTH + CHART_WIDTH * f64::from(q) / 4.0;
        let t = human(w.total_us * i64::from(q) / 4);
        let _ = write!(
            out,
            r#"<line class="tick" x1="{x:.1}" y1="{HEAD}" x2="{x:.1}" y2="{height}"/><text class="axis" x="{x:.1}" y="14" text-anchor="middle">{t}</text>"#
        );
    }
    for (row, bar) in w.bars.iter().enumerate() {
        let y = HEAD + ROW * row as f64;
        let x = LABEL_WIDTH + CHART_WIDTH * bar.left;
        // At least a sliver, so a span of a few microseconds in a long trace is still seen.
        let bw = (CHART_WIDTH * bar.width).max(2.0);
        let indent = 6.0 + 14.0 * bar.depth as f64;
        let class = if bar.error { "bar error" } else { "bar" };
        let name = escape(&bar.operation);
        let service = escape(&bar.service);
        let duration = human(bar.duration_us);
        let _ = write!(
            out,
            r#"<g class="span" data-span="{sid}" data-depth="{depth}"><text class="label" x="{indent:.1}" y="{ty:.1}">{name}</text><rect class="{class}" x="{x:.1}" y="{ry:.1}" width="{bw:.1}" height="{rh:.1}" rx="2"><title>{service}: {name} ({duration})</title></rect><text class="duration" x="{dx:.1}" y="{ty:.1}">{duration}</text></g>"#,
            sid = escape(&bar.span_id),
            depth = bar.depth,
            ty = y + 15.0,
            ry = y + 4.0,
            rh = ROW - 8.0,
            dx = (x + bw + 4.0).min(LABEL_WIDTH + CHART_WIDTH + 4.0),
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn span(id: &str, parent: Option<&str>, start: i64, duration: i64) -> serde_json::Value {
        let refs = parent
            .map(|p| vec![json!({"refType": "CHILD_OF", "traceID": "t", "spanID": p})])
            .unwrap_or_default();
        json!({"traceID": "t", "spanID": id, "operationName": format!("op-{id}"),
               "references": refs, "startTime": start, "duration": duration,
               "processID": "p1", "tags": []})
    }

    fn trace(spans: Vec<serde_json::Value>) -> JaegerTrace {
        serde_json::from_value(json!({
            "traceID": "4bf92f3577b34da6a3ce929d0e0e4736",
            "spans": spans,
            "processes": {"p1": {"serviceName": "rustfs-operator", "tags": []}}
        }))
        .unwrap()
    }

    #[test]
    fn children_follow_their_parent_in_start_order_and_bars_scale_to_the_trace() {
        // Jaeger returns spans in any order.
        let t = trace(vec![
            span("c2", Some("root"), 1_600, 200),
            span("g1", Some("c1"), 1_200, 100),
            span("root", None, 1_000, 1_000),
            span("c1", Some("root"), 1_100, 400),
        ]);
        let w = layout(&t);
        let order: Vec<(&str, usize)> = w
            .bars
            .iter()
            .map(|b| (b.span_id.as_str(), b.depth))
            .collect();
        assert_eq!(order, [("root", 0), ("c1", 1), ("g1", 2), ("c2", 1)]);
        assert_eq!(w.total_us, 1_000);
        let c1 = &w.bars[1];
        assert_eq!((c1.offset_us, c1.duration_us), (100, 400));
        assert!((c1.left - 0.1).abs() < 1e-9 && (c1.width - 0.4).abs() < 1e-9);
        assert_eq!(w.bars[0].width, 1.0);
        assert_eq!(c1.service, "rustfs-operator");
        assert_eq!(c1.operation, "op-c1");
    }

    #[test]
    fn orphans_are_roots_and_loops_do_not_hang() {
        let t = trace(vec![
            span("a", Some("missing"), 10, 5),
            span("b", Some("c"), 0, 5),
            span("c", Some("b"), 0, 5),
        ]);
        let w = layout(&t);
        // "a" is a root (its parent is not in the trace); b and c reference each other and
        // have no root: each is still drawn, once.
        let order: Vec<(&str, usize)> = w
            .bars
            .iter()
            .map(|b| (b.span_id.as_str(), b.depth))
            .collect();
        assert_eq!(order, [("a", 0), ("b", 0), ("c", 1)]);
        assert_eq!(w.total_us, 15);
    }

    #[test]
    fn errors_are_marked_and_the_svg_escapes_names() {
        let mut s = span("x", None, 0, 10);
        s["operationName"] = json!("Validating -> Failed <bad>");
        s["tags"] = json!([{"key": "otel.status_code", "type": "string", "value": "ERROR"}]);
        let w = layout(&trace(vec![s, span("y", Some("x"), 2, 3)]));
        assert!(w.bars[0].error && !w.bars[1].error);
        let svg = svg(&w);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches(r#"<g class="span""#).count(), 2);
        assert!(svg.contains(r#"class="bar error""#));
        assert!(svg.contains("Validating -&gt; Failed &lt;bad&gt;"));
        assert!(!svg.contains("<bad>"));
        // The child's bar starts a fifth of the way along the chart.
        let x = LABEL_WIDTH + CHART_WIDTH * 0.2;
        assert!(svg.contains(&format!(r#"x="{x:.1}" y="50.0""#)), "{svg}");
    }

    #[test]
    fn ids_and_durations() {
        assert!(valid_id("4bf92f3577b34da6a3ce929d0e0e4736"));
        assert!(!valid_id("4bf92f3577b34da6a3ce929d0e0e473"));
        assert!(!valid_id("../../api/services/xxxxxxxxxxxxxx"));
        assert_eq!(human(850), "850µs");
        assert_eq!(human(12_300), "12.3ms");
        assert_eq!(human(1_200_000), "1.20s");
    }
}

// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Logs and traces: one `tracing` subscriber that writes log lines (text or JSON, each
//! carrying the trace id of the span it happened in) and, only when the standard
//! `OTEL_EXPORTER_OTLP_*` variables ask for it, exports spans over OTLP.
//!
//! Configuration read from the environment (see `docs/observability.md`):
//! - `RUST_LOG`: filter directives for logs *and* exported spans (default `info`). A span the
//!   filter drops is neither logged nor exported, so `RUST_LOG=info,kube_client=debug` is how
//!   kube-client's `HTTP` request spans (debug level) get into the traces.
//! - `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`: turn export on.
//! - `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` / `OTEL_EXPORTER_OTLP_PROTOCOL`: `http/protobuf`
//!   (default), `http/json` or `grpc`.
//! - `OTEL_SERVICE_NAME` (default `rustfs-operator`), `OTEL_RESOURCE_ATTRIBUTES`.
//! - `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`.
//! - Headers, timeout, compression and batch sizes (`OTEL_EXPORTER_OTLP_HEADERS`,
//!   `OTEL_EXPORTER_OTLP_TIMEOUT`, `OTEL_BSP_*`) are read by the OpenTelemetry SDK itself.

use std::borrow::Cow;
use std::fmt;
use std::io::IsTerminal;
use std::sync::{Arc, OnceLock};

use opentelemetry::trace::{Status, TraceContextExt as _, TracerProvider as _};
use opentelemetry::{Context, KeyValue};
use opentelemetry_otlp::{Protocol, WithExportConfig as _};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
use snafu::{ResultExt as _, Snafu};
use tracing::dispatcher::WeakDispatch;
use tracing::{Dispatch, Event, Span, Subscriber};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::filter::{EnvFilter, FilterExt as _, filter_fn};
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, Writer};
use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::fmt::{FmtContext, MakeWriter};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{Layer as _, Registry};

/// `service.name` of the exported spans when neither `OTEL_SERVICE_NAME` nor a `service.name`
/// in `OTEL_RESOURCE_ATTRIBUTES` says otherwise.
pub const DEFAULT_SERVICE_NAME: &str = "rustfs-operator";

/// Filter directives used when `RUST_LOG` is unset or empty.
pub const DEFAULT_FILTER: &str = "info";

/// Name of the instrumentation scope on every exported span.
const TRACER_NAME: &str = "rustfs-operator";

/// Crates that make up the exporter's own stack (HTTP/gRPC clients, the OpenTelemetry SDK).
/// Their spans and events never reach the OpenTelemetry layer: exporting a batch must not
/// produce spans that need exporting.
const EXPORTER_STACK: &[&str] = &[
    "h2",
    "hyper",
    "hyper_util",
    "reqwest",
    "tonic",
    "tower",
    "tower_http",
    "opentelemetry",
    "opentelemetry_sdk",
    "opentelemetry-otlp",
    "opentelemetry_otlp",
    "opentelemetry-http",
    "opentelemetry_http",
];

/// Errors from setting up or shutting down telemetry.
#[derive(Debug, Snafu)]
pub enum Error {
    #[snafu(display("RUST_LOG is not a valid filter ({directives:?})"))]
    InvalidFilter {
        directives: String,
        source: tracing_subscriber::filter::ParseError,
    },
    #[snafu(display(
        "{var}={value:?} is not a supported OTLP protocol (use grpc, http/protobuf or http/json)"
    ))]
    InvalidProtocol { var: &'static str, value: String },
    #[snafu(display("OTEL_TRACES_SAMPLER={value:?} is not a supported sampler: {reason}"))]
    InvalidSampler { value: String, reason: String },
    #[snafu(display("OTEL_TRACES_SAMPLER_ARG={value:?} must be a ratio between 0 and 1"))]
    InvalidSamplerArg { value: String },
    #[snafu(display("the OTLP gRPC exporter must be set up inside a tokio runtime"))]
    GrpcNeedsRuntime,
    #[snafu(display("cannot build the OTLP span exporter for {endpoint}"))]
    BuildExporter {
        endpoint: String,
        source: opentelemetry_otlp::ExporterBuildError,
    },
    #[snafu(display("a global tracing subscriber is already installed"))]
    InstallSubscriber {
        source: tracing_subscriber::util::TryInitError,
    },
    #[snafu(display("flushing or shutting down the tracer provider failed"))]
    Shutdown {
        source: opentelemetry_sdk::error::OTelSdkError,
    },
    #[snafu(display("the task shutting down the tracer provider panicked"))]
    ShutdownTask { source: tokio::task::JoinError },
}

/// How log lines look.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines: time, level, spans with their fields, target, message, fields,
    /// then `trace_id=...` when the line belongs to a sampled trace.
    #[default]
    Text,
    /// One JSON object per line with `timestamp`, `level`, `target`, the event's fields at the
    /// top level, `span` (the innermost span's name and fields), `spans`, and `trace_id` /
    /// `span_id` when the line belongs to a sampled trace.
    Json,
}

/// Telemetry settings taken from the command line; flatten into a subcommand with
/// `#[command(flatten)]`. The OTLP settings come from the standard `OTEL_*` variables.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TelemetryConfig {
    /// Log line format.
    #[arg(
        long = "log-format",
        env = "RUSTFS_OPERATOR_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,
}

/// Wire protocol of the OTLP exporter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtlpProtocol {
    /// OTLP/gRPC (tonic); conventionally port 4317.
    Grpc,
    /// OTLP/HTTP with protobuf bodies; conventionally port 4318. The OTel spec's default.
    HttpProtobuf,
    /// OTLP/HTTP with JSON bodies.
    HttpJson,
}

impl OtlpProtocol {
    fn as_otlp(self) -> Protocol {
        match self {
            OtlpProtocol::Grpc => Protocol::Grpc,
            OtlpProtocol::HttpProtobuf => Protocol::HttpBinary,
            OtlpProtocol::HttpJson => Protocol::HttpJson,
        }
    }
}

/// A sampler named by `OTEL_TRACES_SAMPLER` (comparable, unlike the SDK's [`Sampler`]).
#[derive(Debug, Clone, PartialEq)]
pub enum SamplerSpec {
    AlwaysOn,
    AlwaysOff,
    TraceIdRatio(f64),
    ParentBased(Box<SamplerSpec>),
}

impl SamplerSpec {
    /// The OTel default: follow the parent's decision, sample every root.
    pub fn default_spec() -> Self {
        SamplerSpec::ParentBased(Box::new(SamplerSpec::AlwaysOn))
    }

    fn to_sampler(&self) -> Sampler {
        match self {
            SamplerSpec::AlwaysOn => Sampler::AlwaysOn,
            SamplerSpec::AlwaysOff => Sampler::AlwaysOff,
            SamplerSpec::TraceIdRatio(r) => Sampler::TraceIdRatioBased(*r),
            SamplerSpec::ParentBased(root) => Sampler::ParentBased(Box::new(root.to_sampler())),
        }
    }
}

/// Everything the OTLP exporter needs, resolved from the environment by
/// [`OtlpConfig::from_lookup`].
#[derive(Debug, Clone, PartialEq)]
pub struct OtlpConfig {
    /// The full URL the exporter sends to (for HTTP, including `/v1/traces`).
    pub endpoint: String,
    pub protocol: OtlpProtocol,
    pub service_name: String,
    pub sampler: SamplerSpec,
}

impl OtlpConfig {
    /// Reads the process environment. `Ok(None)`: no endpoint is set, so nothing is exported.
    pub fn from_env() -> Result<Option<Self>, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Resolves the settings from `lookup` (a variable name to its value), so tests need not
    /// touch the process environment. Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, Error> {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let protocol = parse_protocol(
            var("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL").as_deref(),
            var("OTEL_EXPORTER_OTLP_PROTOCOL").as_deref(),
        )?;
        let Some(endpoint) = resolve_endpoint(
            protocol,
            var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").as_deref(),
            var("OTEL_EXPORTER_OTLP_ENDPOINT").as_deref(),
        ) else {
            return Ok(None);
        };
        let sampler = parse_sampler(
            var("OTEL_TRACES_SAMPLER").as_deref(),
            var("OTEL_TRACES_SAMPLER_ARG").as_deref(),
        )?;
        let service_name = resolve_service_name(
            var("OTEL_SERVICE_NAME").as_deref(),
            var("OTEL_RESOURCE_ATTRIBUTES").as_deref(),
        );
        Ok(Some(OtlpConfig {
            endpoint,
            protocol,
            service_name,
            sampler,
        }))
    }
}

/// The protocol from `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, else `OTEL_EXPORTER_OTLP_PROTOCOL`,
/// else `http/protobuf` (the OTel spec's default).
pub fn parse_protocol(traces: Option<&str>, general: Option<&str>) -> Result<OtlpProtocol, Error> {
    let (var, value) = match (traces, general) {
        (Some(v), _) => ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", v),
        (None, Some(v)) => ("OTEL_EXPORTER_OTLP_PROTOCOL", v),
        (None, None) => return Ok(OtlpProtocol::HttpProtobuf),
    };
    match value.trim() {
        "grpc" => Ok(OtlpProtocol::Grpc),
        "http/protobuf" => Ok(OtlpProtocol::HttpProtobuf),
        "http/json" => Ok(OtlpProtocol::HttpJson),
        other => InvalidProtocolSnafu {
            var,
            value: other.to_owned(),
        }
        .fail(),
    }
}

/// The URL to export to, or `None` when no endpoint variable is set. Per the OTLP exporter
/// spec, the per-signal variable is used as is, while the general one gets `/v1/traces`
/// appended for HTTP; gRPC takes either as is.
pub fn resolve_endpoint(
    protocol: OtlpProtocol,
    traces: Option<&str>,
    general: Option<&str>,
) -> Option<String> {
    if let Some(url) = traces {
        return Some(url.trim().to_owned());
    }
    let base = general?.trim();
    Some(match protocol {
        OtlpProtocol::Grpc => base.to_owned(),
        OtlpProtocol::HttpProtobuf | OtlpProtocol::HttpJson => {
            format!("{}/v1/traces", base.trim_end_matches('/'))
        }
    })
}

/// The sampler named by `OTEL_TRACES_SAMPLER` with its `OTEL_TRACES_SAMPLER_ARG`; unset means
/// `parentbased_always_on`. A ratio sampler without an argument samples everything (spec).
/// Unknown names and bad ratios are errors, so a typo fails at start instead of silently
/// sampling differently.
pub fn parse_sampler(name: Option<&str>, arg: Option<&str>) -> Result<SamplerSpec, Error> {
    let ratio = || -> Result<f64, Error> {
        match arg.map(str::trim) {
            None => Ok(1.0),
            Some(raw) => match raw.parse::<f64>() {
                Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
                _ => InvalidSamplerArgSnafu { value: raw }.fail(),
            },
        }
    };
    let Some(name) = name.map(str::trim) else {
        return Ok(SamplerSpec::default_spec());
    };
    let parent_based = |root| SamplerSpec::ParentBased(Box::new(root));
    Ok(match name {
        "always_on" => SamplerSpec::AlwaysOn,
        "always_off" => SamplerSpec::AlwaysOff,
        "traceidratio" => SamplerSpec::TraceIdRatio(ratio()?),
        "parentbased_always_on" => parent_based(SamplerSpec::AlwaysOn),
        "parentbased_always_off" => parent_based(SamplerSpec::AlwaysOff),
        "parentbased_traceidratio" => parent_based(SamplerSpec::TraceIdRatio(ratio()?)),
        "jaeger_remote" | "parentbased_jaeger_remote" | "xray" => {
            return InvalidSamplerSnafu {
                value: name,
                reason: "not implemented by this operator",
            }
            .fail();
        }
        _ => {
            return InvalidSamplerSnafu {
                value: name,
                reason: "unknown name",
            }
            .fail();
        }
    })
}

/// `OTEL_SERVICE_NAME` wins over `service.name` in `OTEL_RESOURCE_ATTRIBUTES` (OTel spec);
/// without either the service is `rustfs-operator`.
pub fn resolve_service_name(
    service_name: Option<&str>,
    resource_attributes: Option<&str>,
) -> String {
    if let Some(name) = service_name.map(str::trim).filter(|n| !n.is_empty()) {
        return name.to_owned();
    }
    resource_attributes
        .into_iter()
        .flat_map(|attrs| attrs.split(','))
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| key.trim() == "service.name")
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| DEFAULT_SERVICE_NAME.to_owned())
}

/// The filter directives: `RUST_LOG` when set and not blank, else [`DEFAULT_FILTER`].
pub fn filter_directives(rust_log: Option<&str>) -> String {
    rust_log
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or(DEFAULT_FILTER)
        .to_owned()
}

/// Whether a span or event comes from the exporter's own stack (by the first path segment of
/// its target).
fn is_exporter_stack(target: &str) -> bool {
    let first = target.split("::").next().unwrap_or(target);
    EXPORTER_STACK.contains(&first)
}

/// Installs the global subscriber, the W3C trace-context propagator and, when configured by
/// the environment, the OTLP exporter. Call once, early in `main`; for `grpc` export, call it
/// inside the tokio runtime. Keep the returned guard alive and call
/// [`TelemetryGuard::shutdown`] before the process exits.
pub fn init(cfg: &TelemetryConfig) -> Result<TelemetryGuard, Error> {
    let directives = filter_directives(std::env::var("RUST_LOG").ok().as_deref());
    let otlp = OtlpConfig::from_env()?;
    let ansi = std::io::stderr().is_terminal();
    let writer = BoxMakeWriter::new(std::io::stderr);
    let (subscriber, guard) = build(cfg.log_format, &directives, otlp.as_ref(), writer, ansi)?;
    subscriber.try_init().context(InstallSubscriberSnafu)?;
    opentelemetry::global::set_text_map_propagator(
        opentelemetry_sdk::propagation::TraceContextPropagator::new(),
    );
    match &otlp {
        Some(o) => tracing::info!(
            endpoint = %o.endpoint,
            protocol = ?o.protocol,
            service_name = %o.service_name,
            sampler = ?o.sampler,
            "exporting traces over OTLP"
        ),
        None => tracing::debug!("no OTEL_EXPORTER_OTLP_*ENDPOINT set; traces are not exported"),
    }
    Ok(guard)
}

/// Builds the subscriber without installing it (tests install it per thread with
/// `tracing::subscriber::with_default`).
fn build(
    format: LogFormat,
    directives: &str,
    otlp: Option<&OtlpConfig>,
    writer: BoxMakeWriter,
    ansi: bool,
) -> Result<
    (
        impl Subscriber + Send + Sync + 'static + use<>,
        TelemetryGuard,
    ),
    Error,
> {
    let provider = otlp.map(build_provider).transpose()?;
    let subscriber = subscriber_with(format, directives, provider.as_ref(), writer, ansi)?;
    Ok((subscriber, TelemetryGuard { provider }))
}

fn env_filter(directives: &str) -> Result<EnvFilter, Error> {
    EnvFilter::builder()
        .parse(directives)
        .context(InvalidFilterSnafu { directives })
}

/// The subscriber for a given tracer provider (or none): the OpenTelemetry layer first (so
/// spans have their OTel context before anything formats them), then the log layer.
fn subscriber_with<W>(
    format: LogFormat,
    directives: &str,
    provider: Option<&SdkTracerProvider>,
    writer: W,
    ansi: bool,
) -> Result<impl Subscriber + Send + Sync + 'static + use<W>, Error>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let otel = match provider {
        Some(provider) => {
            let tracer = provider.tracer(TRACER_NAME);
            let filter =
                env_filter(directives)?.and(filter_fn(|meta| !is_exporter_stack(meta.target())));
            Some(
                tracing_opentelemetry::layer()
                    .with_tracer(tracer)
                    .with_filter(filter),
            )
        }
        None => None,
    };
    let dispatch = DispatchHandle::default();
    let fmt = match format {
        LogFormat::Text => tracing_subscriber::fmt::layer()
            .with_writer(writer)
            .with_ansi(false)
            .map_event_format(|f| WithTraceId {
                inner: f.with_ansi(ansi),
                kind: LineKind::Text,
                dispatch: dispatch.clone(),
            })
            .boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_writer(writer)
            .with_current_span(true)
            .with_span_list(true)
            .flatten_event(true)
            .map_event_format(|f| WithTraceId {
                inner: f,
                kind: LineKind::Json,
                dispatch: dispatch.clone(),
            })
            .boxed(),
    };
    Ok(Registry::default()
        .with(dispatch)
        .with(otel)
        .with(fmt.with_filter(env_filter(directives)?)))
}

fn build_provider(cfg: &OtlpConfig) -> Result<SdkTracerProvider, Error> {
    let build_err = |source| Error::BuildExporter {
        endpoint: cfg.endpoint.clone(),
        source,
    };
    let exporter = match cfg.protocol {
        OtlpProtocol::Grpc => {
            // tonic's channel spawns its worker on the current runtime.
            if tokio::runtime::Handle::try_current().is_err() {
                return GrpcNeedsRuntimeSnafu.fail();
            }
            opentelemetry_otlp::SpanExporter::builder()
                .with_tonic()
                .with_endpoint(cfg.endpoint.clone())
                .with_protocol(cfg.protocol.as_otlp())
                .build()
                .map_err(build_err)?
        }
        OtlpProtocol::HttpProtobuf | OtlpProtocol::HttpJson => {
            opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_endpoint(cfg.endpoint.clone())
                .with_protocol(cfg.protocol.as_otlp())
                .build()
                .map_err(build_err)?
        }
    };
    let resource = Resource::builder()
        .with_service_name(cfg.service_name.clone())
        .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
        .build();
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_sampler(cfg.sampler.to_sampler())
        .with_resource(resource)
        .build())
}

/// Owns the tracer provider. Call [`TelemetryGuard::shutdown`] (async) or
/// [`TelemetryGuard::shutdown_blocking`] before exit so buffered spans are sent; dropping the
/// guard does the same as a fallback.
#[derive(Debug)]
#[must_use = "dropping the guard shuts down span export"]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
}

impl TelemetryGuard {
    /// Whether spans are being exported.
    pub fn exporting(&self) -> bool {
        self.provider.is_some()
    }

    /// Flushes every buffered span and stops the exporter. Safe on any tokio runtime: the
    /// blocking flush runs on the blocking pool, so the runtime stays free to drive the gRPC
    /// channel the flush needs. Waits at most about the OTLP timeout plus five seconds.
    pub async fn shutdown(mut self) -> Result<(), Error> {
        match self.provider.take() {
            None => Ok(()),
            Some(provider) => tokio::task::spawn_blocking(move || flush_and_shutdown(&provider))
                .await
                .context(ShutdownTaskSnafu)?,
        }
    }

    /// Like [`TelemetryGuard::shutdown`], for code that may block (outside async code, or
    /// in `spawn_blocking`). Do not call it on a runtime thread with `grpc` export.
    pub fn shutdown_blocking(mut self) -> Result<(), Error> {
        match self.provider.take() {
            None => Ok(()),
            Some(provider) => flush_and_shutdown(&provider),
        }
    }
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        let Some(provider) = self.provider.take() else {
            return;
        };
        let run = move || {
            if let Err(error) = flush_and_shutdown(&provider) {
                eprintln!("telemetry shutdown: {}", snafu::Report::from_error(error));
            }
        };
        // On a multi-thread runtime, tell it this worker blocks so others drive I/O; on a
        // current-thread runtime or outside one, block right here.
        match tokio::runtime::Handle::try_current() {
            Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(run)
            }
            _ => run(),
        }
    }
}

fn flush_and_shutdown(provider: &SdkTracerProvider) -> Result<(), Error> {
    // Shutdown exports what is queued too; the explicit flush makes a failure visible
    // separately from a shutdown problem.
    let flushed = provider.force_flush().context(ShutdownSnafu);
    let shut = provider.shutdown().context(ShutdownSnafu);
    flushed.and(shut)
}

/// The trace id (32 lowercase hex digits) of the current span, when it belongs to a sampled
/// OpenTelemetry trace; `None` when export is off, outside any span, or not sampled.
pub fn current_trace_id() -> Option<String> {
    trace_id_of(&Span::current())
}

/// The trace id of `span`, as [`current_trace_id`].
pub fn trace_id_of(span: &Span) -> Option<String> {
    sampled_ids(&span.context()).map(|(trace, _)| trace)
}

/// Marks `span` as failed: exported with status `Error` and this description. (A span can
/// also be marked by recording `otel.status_code = "error"` on it.)
pub fn set_span_error(span: &Span, description: impl Into<Cow<'static, str>>) {
    span.set_status(Status::error(description));
}

fn sampled_ids(cx: &Context) -> Option<(String, String)> {
    let span = cx.span();
    let sc = span.span_context();
    (sc.is_valid() && sc.is_sampled())
        .then(|| (sc.trace_id().to_string(), sc.span_id().to_string()))
}

#[derive(Debug, Clone, Copy)]
enum LineKind {
    Text,
    Json,
}

/// Wraps a log line format and adds the trace id (and, in JSON, the span id) of the nearest
/// enclosing span that has one.
struct WithTraceId<F> {
    inner: F,
    kind: LineKind,
    dispatch: DispatchHandle,
}

/// The dispatcher the subscriber ends up in, captured when it is registered. The log
/// formatter needs it to ask the OpenTelemetry layer for a span's context, and cannot use
/// `dispatcher::get_default` there: nested inside an event's dispatch, that yields the no-op
/// dispatcher whenever a scoped (`with_default`) dispatcher exists. Weak, so the subscriber
/// does not keep itself alive.
#[derive(Clone, Default)]
struct DispatchHandle(Arc<OnceLock<WeakDispatch>>);

impl DispatchHandle {
    fn get(&self) -> Option<Dispatch> {
        self.0.get()?.upgrade()
    }
}

impl<S: Subscriber> tracing_subscriber::Layer<S> for DispatchHandle {
    fn on_register_dispatch(&self, dispatch: &Dispatch) {
        let _ = self.0.set(dispatch.downgrade());
    }
}

impl<S, N, F> FormatEvent<S, N> for WithTraceId<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'w> FormatFields<'w> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut line = String::new();
        self.inner
            .format_event(ctx, Writer::new(&mut line), event)?;
        let Some((trace_id, span_id)) = event_ids(ctx, &self.dispatch) else {
            return writer.write_str(&line);
        };
        let body = line.trim_end_matches('\n');
        match self.kind {
            LineKind::Text => writeln!(writer, "{body} trace_id={trace_id}"),
            LineKind::Json => match body.strip_suffix('}') {
                Some(open) => writeln!(
                    writer,
                    r#"{open},"trace_id":"{trace_id}","span_id":"{span_id}"}}"#
                ),
                None => writeln!(writer, "{body}"),
            },
        }
    }
}

/// Trace and span id of the innermost span around the event that the OpenTelemetry layer
/// knows (a span filtered out of traces, e.g. from the HTTP stack, is skipped).
fn event_ids<S, N>(
    ctx: &FmtContext<'_, S, N>,
    dispatch: &DispatchHandle,
) -> Option<(String, String)>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'w> FormatFields<'w> + 'static,
{
    let dispatch = dispatch.get()?;
    // Collect the ids first: no span's extensions may be borrowed while the OpenTelemetry
    // layer locks them.
    let ids: Vec<_> = ctx.event_scope()?.map(|span| span.id()).collect();
    ids.iter().find_map(|id| {
        tracing_opentelemetry::get_otel_context(id, &dispatch).and_then(|cx| sampled_ids(&cx))
    })
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use opentelemetry_sdk::trace::InMemorySpanExporter;

    use super::*;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn protocol_defaults_to_http_protobuf_and_prefers_the_traces_variable() {
        assert_eq!(
            parse_protocol(None, None).unwrap(),
            OtlpProtocol::HttpProtobuf
        );
        assert_eq!(
            parse_protocol(None, Some("grpc")).unwrap(),
            OtlpProtocol::Grpc
        );
        assert_eq!(
            parse_protocol(Some("http/json"), Some("grpc")).unwrap(),
            OtlpProtocol::HttpJson
        );
        assert_eq!(
            parse_protocol(Some(" http/protobuf "), None).unwrap(),
            OtlpProtocol::HttpProtobuf
        );
        let err = parse_protocol(None, Some("http")).unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidProtocol {
                var: "OTEL_EXPORTER_OTLP_PROTOCOL",
                ..
            }
        ));
        assert!(err.to_string().contains("\"http\""), "{err}");
    }

    #[test]
    fn sampler_names_follow_the_otel_spec() {
        let pb = |s| SamplerSpec::ParentBased(Box::new(s));
        assert_eq!(
            parse_sampler(None, Some("0.1")).unwrap(),
            pb(SamplerSpec::AlwaysOn)
        );
        assert_eq!(
            parse_sampler(Some("always_on"), None).unwrap(),
            SamplerSpec::AlwaysOn
        );
        assert_eq!(
            parse_sampler(Some("always_off"), None).unwrap(),
            SamplerSpec::AlwaysOff
        );
        assert_eq!(
            parse_sampler(Some("traceidratio"), Some("0.25")).unwrap(),
            SamplerSpec::TraceIdRatio(0.25)
        );
        assert_eq!(
            parse_sampler(Some("traceidratio"), None).unwrap(),
            SamplerSpec::TraceIdRatio(1.0)
        );
        assert_eq!(
            parse_sampler(Some("parentbased_always_off"), None).unwrap(),
            pb(SamplerSpec::AlwaysOff)
        );
        assert_eq!(
            parse_sampler(Some("parentbased_traceidratio"), Some("0")).unwrap(),
            pb(SamplerSpec::TraceIdRatio(0.0))
        );
        assert!(matches!(
            parse_sampler(Some("traceidratio"), Some("1.5")),
            Err(Error::InvalidSamplerArg { .. })
        ));
        assert!(matches!(
            parse_sampler(Some("traceidratio"), Some("half")),
            Err(Error::InvalidSamplerArg { .. })
        ));
        assert!(matches!(
            parse_sampler(Some("sometimes"), None),
            Err(Error::InvalidSampler { .. })
        ));
        assert!(matches!(
            parse_sampler(Some("jaeger_remote"), None),
            Err(Error::InvalidSampler { .. })
        ));
    }

    #[test]
    fn endpoints_follow_the_otlp_exporter_spec() {
        use OtlpProtocol::*;
        assert_eq!(resolve_endpoint(HttpProtobuf, None, None), None);
        assert_eq!(
            resolve_endpoint(HttpProtobuf, None, Some("http://jaeger:4318/")).as_deref(),
            Some("http://jaeger:4318/v1/traces")
        );
        assert_eq!(
            resolve_endpoint(HttpJson, None, Some("http://c:4318/otlp")).as_deref(),
            Some("http://c:4318/otlp/v1/traces")
        );
        assert_eq!(
            resolve_endpoint(HttpProtobuf, Some("http://c:4318/custom"), Some("http://x"))
                .as_deref(),
            Some("http://c:4318/custom")
        );
        assert_eq!(
            resolve_endpoint(Grpc, None, Some("http://jaeger:4317")).as_deref(),
            Some("http://jaeger:4317")
        );
    }

    #[test]
    fn service_name_prefers_otel_service_name_then_resource_attributes() {
        assert_eq!(resolve_service_name(None, None), "rustfs-operator");
        assert_eq!(
            resolve_service_name(Some("op"), Some("service.name=x")),
            "op"
        );
        assert_eq!(
            resolve_service_name(None, Some("team=storage, service.name = from-attrs")),
            "from-attrs"
        );
        assert_eq!(
            resolve_service_name(Some(" "), Some("team=a")),
            "rustfs-operator"
        );
    }

    #[test]
    fn no_endpoint_means_no_exporter_and_settings_resolve_together() {
        assert_eq!(OtlpConfig::from_lookup(lookup(&[])).unwrap(), None);
        assert_eq!(
            OtlpConfig::from_lookup(lookup(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "  ")])).unwrap(),
            None,
            "an empty endpoint counts as unset"
        );
        let cfg = OtlpConfig::from_lookup(lookup(&[
            (
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                "http://jaeger.observability:4317",
            ),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_SERVICE_NAME", "ops"),
            ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "0.5"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(
            cfg,
            OtlpConfig {
                endpoint: "http://jaeger.observability:4317".into(),
                protocol: OtlpProtocol::Grpc,
                service_name: "ops".into(),
                sampler: SamplerSpec::ParentBased(Box::new(SamplerSpec::TraceIdRatio(0.5))),
            }
        );
        let err = OtlpConfig::from_lookup(lookup(&[
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "http://c:4318/v1/traces",
            ),
            ("OTEL_TRACES_SAMPLER", "nope"),
        ]))
        .unwrap_err();
        assert!(matches!(err, Error::InvalidSampler { .. }));
    }

    #[test]
    fn filter_directives_default_to_info_and_bad_ones_are_errors() {
        assert_eq!(filter_directives(None), "info");
        assert_eq!(filter_directives(Some("  ")), "info");
        assert_eq!(
            filter_directives(Some("debug,kube=info")),
            "debug,kube=info"
        );
        assert!(matches!(
            env_filter("info,kube=notalevel"),
            Err(Error::InvalidFilter { .. })
        ));
    }

    #[test]
    fn exporter_stack_targets_are_recognised_by_crate() {
        for t in [
            "hyper::client",
            "h2",
            "tonic::transport",
            "reqwest::blocking",
            "opentelemetry_sdk",
            "opentelemetry-otlp",
        ] {
            assert!(is_exporter_stack(t), "{t}");
        }
        for t in [
            "kube_client::client::builder",
            "rustfs_operator::reconcile",
            "hyperion",
        ] {
            assert!(!is_exporter_stack(t), "{t}");
        }
    }

    /// A `MakeWriter` collecting every log line in memory.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Captured {
        type Writer = Captured;
        fn make_writer(&'w self) -> Self::Writer {
            self.clone()
        }
    }

    fn in_memory(sampler: Sampler) -> (SdkTracerProvider, InMemorySpanExporter) {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .with_sampler(sampler)
            .build();
        (provider, exporter)
    }

    #[test]
    fn current_trace_id_is_the_exported_spans_trace_id_and_errors_are_exported() {
        let (provider, exporter) = in_memory(Sampler::AlwaysOn);
        let logs = Captured::default();
        let subscriber = subscriber_with(
            LogFormat::Text,
            "info",
            Some(&provider),
            logs.clone(),
            false,
        )
        .unwrap();
        let (seen, outside) = tracing::subscriber::with_default(subscriber, || {
            let outside = current_trace_id();
            let span = tracing::info_span!("reconcile", tenant = "ns/a");
            let seen = span.in_scope(|| {
                let child = tracing::info_span!("Validating -> Failed");
                child.in_scope(|| {
                    tracing::warn!("spec is invalid");
                    set_span_error(&child, "spec is invalid");
                });
                current_trace_id()
            });
            (seen, outside)
        });
        provider.force_flush().unwrap();
        assert_eq!(outside, None, "no span, no trace id");
        let spans = exporter.get_finished_spans().unwrap();
        let reconcile = spans
            .iter()
            .find(|s| s.name == "reconcile")
            .expect("reconcile span");
        let child = spans
            .iter()
            .find(|s| s.name == "Validating -> Failed")
            .expect("transition span");
        let trace_id = reconcile.span_context.trace_id().to_string();
        assert_eq!(seen.as_deref(), Some(trace_id.as_str()));
        assert_eq!(trace_id.len(), 32);
        assert_eq!(
            child.span_context.trace_id(),
            reconcile.span_context.trace_id()
        );
        assert_eq!(child.parent_span_id, reconcile.span_context.span_id());
        assert_eq!(child.status, Status::error("spec is invalid"));
        assert_eq!(reconcile.status, Status::Unset);

        let text = logs.text();
        let line = text
            .lines()
            .find(|l| l.contains("spec is invalid"))
            .expect("log line");
        assert!(line.ends_with(&format!(" trace_id={trace_id}")), "{line}");
        assert!(line.contains("reconcile{tenant=\"ns/a\"}"), "{line}");
    }

    #[test]
    fn json_lines_carry_trace_and_span_ids_only_inside_spans() {
        let (provider, exporter) = in_memory(Sampler::AlwaysOn);
        let logs = Captured::default();
        let subscriber = subscriber_with(
            LogFormat::Json,
            "info",
            Some(&provider),
            logs.clone(),
            false,
        )
        .unwrap();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("before any span");
            tracing::info_span!("reconcile", tenant = "ns/b").in_scope(|| {
                tracing::info!(kind = "StatefulSet", "applied");
            });
        });
        provider.force_flush().unwrap();
        let spans = exporter.get_finished_spans().unwrap();
        let reconcile = spans.iter().find(|s| s.name == "reconcile").unwrap();

        let lines: Vec<serde_json::Value> = logs
            .text()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["message"], "before any span");
        assert!(lines[0].get("trace_id").is_none());
        assert_eq!(lines[1]["message"], "applied");
        assert_eq!(lines[1]["kind"], "StatefulSet");
        assert_eq!(lines[1]["span"]["tenant"], "ns/b");
        assert_eq!(
            lines[1]["trace_id"],
            reconcile.span_context.trace_id().to_string()
        );
        assert_eq!(
            lines[1]["span_id"],
            reconcile.span_context.span_id().to_string()
        );
    }

    #[test]
    fn unsampled_traces_and_no_exporter_give_no_trace_id() {
        let (provider, exporter) = in_memory(Sampler::AlwaysOff);
        let subscriber = subscriber_with(
            LogFormat::Text,
            "info",
            Some(&provider),
            Captured::default(),
            false,
        )
        .unwrap();
        let id = tracing::subscriber::with_default(subscriber, || {
            tracing::info_span!("reconcile").in_scope(current_trace_id)
        });
        assert_eq!(id, None);
        assert!(exporter.get_finished_spans().unwrap().is_empty());

        let logs = Captured::default();
        let subscriber =
            subscriber_with(LogFormat::Text, "info", None, logs.clone(), false).unwrap();
        let id = tracing::subscriber::with_default(subscriber, || {
            tracing::info_span!("reconcile").in_scope(|| {
                tracing::info!("hello");
                current_trace_id()
            })
        });
        assert_eq!(id, None);
        assert!(logs.text().contains("hello") && !logs.text().contains("trace_id"));
    }

    #[test]
    fn filter_applies_to_traces_and_the_exporter_stack_is_never_traced() {
        let (provider, exporter) = in_memory(Sampler::AlwaysOn);
        let subscriber = subscriber_with(
            LogFormat::Text,
            "debug,kube_client=debug,rustfs_operator=info",
            Some(&provider),
            Captured::default(),
            false,
        )
        .unwrap();
        tracing::subscriber::with_default(subscriber, || {
            tracing::debug_span!(target: "kube_client::client::builder", "HTTP").in_scope(|| {
                tracing::debug_span!(target: "hyper_util::client::legacy", "connect")
                    .in_scope(|| {});
                tracing::debug_span!(target: "opentelemetry_sdk", "export").in_scope(|| {});
            });
            tracing::debug_span!(target: "rustfs_operator::reconcile", "too-detailed")
                .in_scope(|| {});
        });
        provider.force_flush().unwrap();
        let names: Vec<String> = exporter
            .get_finished_spans()
            .unwrap()
            .iter()
            .map(|s| s.name.to_string())
            .collect();
        assert_eq!(names, vec!["HTTP".to_string()]);
    }

    enum Stop {
        Shutdown,
        Drop,
    }

    /// A tiny OTLP/HTTP receiver: records each POST to /v1/traces.
    async fn otlp_receiver() -> (String, Arc<Mutex<Vec<(String, Vec<u8>)>>>) {
        use axum::body::Bytes;
        use axum::extract::State;
        use axum::http::HeaderMap;

        type Seen = Arc<Mutex<Vec<(String, Vec<u8>)>>>;
        async fn accept(State(seen): State<Seen>, headers: HeaderMap, body: Bytes) -> &'static str {
            let content_type = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            seen.lock().unwrap().push((content_type, body.to_vec()));
            "{}"
        }
        let seen: Seen = Arc::default();
        let app = axum::Router::new()
            .route("/v1/traces", axum::routing::post(accept))
            .with_state(seen.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (format!("http://{addr}"), seen)
    }

    async fn export_one_span(
        protocol: OtlpProtocol,
        span_name: &'static str,
        stop: Stop,
    ) -> Vec<(String, Vec<u8>)> {
        let (base, seen) = otlp_receiver().await;
        let cfg = OtlpConfig {
            endpoint: resolve_endpoint(protocol, None, Some(&base)).unwrap(),
            protocol,
            service_name: "flush-test".into(),
            sampler: SamplerSpec::AlwaysOn,
        };
        let (subscriber, guard) = build(
            LogFormat::Text,
            "info",
            Some(&cfg),
            BoxMakeWriter::new(std::io::sink),
            false,
        )
        .unwrap();
        assert!(guard.exporting());
        tracing::subscriber::with_default(subscriber, || {
            tracing::info_span!("flush", otel.name = span_name).in_scope(|| {});
        });
        // The batch processor waits 5 s before sending on its own; only the shutdown flush can
        // have delivered the span by now.
        assert!(seen.lock().unwrap().is_empty());
        match stop {
            Stop::Shutdown => guard.shutdown().await.unwrap(),
            Stop::Drop => drop(guard),
        }
        seen.lock().unwrap().clone()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn shutdown_flushes_spans_over_otlp_http_protobuf() {
        let got = export_one_span(
            OtlpProtocol::HttpProtobuf,
            "flushed-on-shutdown",
            Stop::Shutdown,
        )
        .await;
        assert_eq!(got.len(), 1, "one export request");
        let (content_type, body) = &got[0];
        assert_eq!(content_type, "application/x-protobuf");
        let contains = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
        assert!(
            contains(b"flushed-on-shutdown"),
            "span name in the protobuf body"
        );
        assert!(contains(b"flush-test"), "service name in the protobuf body");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn shutdown_flushes_spans_over_otlp_http_json_on_a_current_thread_runtime() {
        let got = export_one_span(OtlpProtocol::HttpJson, "json-span", Stop::Shutdown).await;
        assert_eq!(got.len(), 1);
        let (content_type, body) = &got[0];
        assert_eq!(content_type, "application/json");
        let v: serde_json::Value = serde_json::from_slice(body).unwrap();
        let span = &v["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
        assert_eq!(span["name"], "json-span");
        assert_eq!(
            v["resourceSpans"][0]["scopeSpans"][0]["scope"]["name"],
            TRACER_NAME
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dropping_the_guard_flushes_too() {
        let got = export_one_span(OtlpProtocol::HttpProtobuf, "flushed-on-drop", Stop::Drop).await;
        assert_eq!(got.len(), 1);
        assert!(got[0].1.windows(15).any(|w| w == b"flushed-on-drop"));
    }

    #[test]
    fn grpc_export_is_refused_outside_a_runtime() {
        let cfg = OtlpConfig {
            endpoint: "http://127.0.0.1:4317".into(),
            protocol: OtlpProtocol::Grpc,
            service_name: DEFAULT_SERVICE_NAME.into(),
            sampler: SamplerSpec::default_spec(),
        };
        assert!(matches!(build_provider(&cfg), Err(Error::GrpcNeedsRuntime)));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let provider = runtime.block_on(async { build_provider(&cfg) }).unwrap();
        // Nothing was exported, so shutting down needs no connection.
        runtime
            .block_on(async move {
                TelemetryGuard {
                    provider: Some(provider),
                }
                .shutdown()
                .await
            })
            .unwrap();
    }
}

// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The admin client against a local HTTP server that records what it receives and answers
//! from a script. (RustFS itself accepting the signature is proven by the real-node tier.)

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;

use super::*;

const ACCESS: &str = "operator-test-access";
const SECRET: &str = "Zk8#never-on-the-wire#Q2";

/// One scripted answer: status, body, delay in milliseconds.
type Answer = (u16, &'static str, u64);

#[derive(Clone, Default)]
struct Recorder {
    seen: Arc<Mutex<Vec<(Uri, HeaderMap)>>>,
    /// Answers to give in order; the last one repeats.
    script: Arc<Mutex<Vec<Answer>>>,
}

async fn answer(
    State(r): State<Recorder>,
    uri: Uri,
    headers: HeaderMap,
    _body: Bytes,
) -> impl IntoResponse {
    r.seen.lock().unwrap().push((uri, headers));
    let (status, body, delay_ms) = {
        let mut script = r.script.lock().unwrap();
        if script.len() > 1 {
            script.remove(0)
        } else {
            script[0]
        }
    };
    tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    (StatusCode::from_u16(status).unwrap(), body)
}

async fn serve(script: Vec<Answer>) -> (String, Recorder) {
    let recorder = Recorder {
        script: Arc::new(Mutex::new(script)),
        ..Recorder::default()
    };
    let app = Router::new().fallback(answer).with_state(recorder.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), recorder)
}

fn client(endpoint: &str) -> AdminClient {
    AdminClient::new(
        endpoint,
        None,
        Settings {
            timeout: Duration::from_millis(500),
            retry_for: Duration::from_secs(2),
        },
    )
    .unwrap()
}

fn credentials() -> RootCredentials {
    RootCredentials::new(ACCESS, SECRET)
}

#[tokio::test]
async fn requests_are_signed_with_sigv4_and_never_carry_the_secret_key() {
    let (endpoint, recorder) = serve(vec![(200, r#"{"info":{"mode":"online"}}"#, 0)]).await;
    let info: info::InfoResponse = client(&endpoint)
        .get_json(&credentials(), info::ROUTE)
        .await
        .unwrap();
    assert_eq!(info.info.mode.as_deref(), Some("online"));
    let seen = recorder.seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    let (uri, headers) = &seen[0];
    assert_eq!(uri.path(), "/rustfs/admin/v3/info");
    let auth = headers["authorization"].to_str().unwrap();
    assert!(
        auth.starts_with(&format!("AWS4-HMAC-SHA256 Credential={ACCESS}/"))
            && auth.contains("/us-east-1/s3/aws4_request")
            && auth.contains("SignedHeaders=")
            && auth.contains("x-amz-content-sha256")
            && auth.contains("x-amz-date")
            && auth.contains("Signature="),
        "{auth}"
    );
    assert_eq!(headers["x-amz-content-sha256"], EMPTY_SHA256);
    assert!(headers.contains_key("x-amz-date"));
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        assert!(
            !value.contains(SECRET),
            "the secret key is in header {name}"
        );
    }
}

#[tokio::test]
async fn transient_failures_are_retried_and_refusals_are_not() {
    // Two 503s, then an answer: three requests, success.
    let (endpoint, recorder) =
        serve(vec![(503, "busy", 0), (503, "busy", 0), (200, "{}", 0)]).await;
    let _: serde_json::Value = client(&endpoint)
        .get_json(&credentials(), "/info")
        .await
        .unwrap();
    assert_eq!(recorder.seen.lock().unwrap().len(), 3);

    // A 403 is returned at once, with the S3 error code.
    let refusal = "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code>\
                   <Message>The request signature we calculated does not match</Message></Error>";
    let (endpoint, recorder) = serve(vec![(403, refusal, 0)]).await;
    let err = client(&endpoint)
        .get_json::<serde_json::Value>(&credentials(), "/info")
        .await
        .unwrap_err();
    assert_eq!(recorder.seen.lock().unwrap().len(), 1);
    assert!(!err.is_transient());
    assert_eq!(err.class(), "auth");
    let text = err.to_string();
    assert!(
        text.starts_with("/info: RustFS answered 403 SignatureDoesNotMatch: The request signature"),
        "{text}"
    );
}

#[tokio::test]
async fn a_slow_server_is_a_timeout_and_a_closed_port_a_connect_error() {
    let (endpoint, recorder) = serve(vec![(200, "{}", 2_000)]).await;
    let err = client(&endpoint)
        .get_json::<serde_json::Value>(&credentials(), "/info")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(err.is_transient());
    assert!(
        recorder.seen.lock().unwrap().len() >= 2,
        "timeouts are retried within retry_for"
    );

    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let err = client(&format!("http://{closed}"))
        .get_json::<serde_json::Value>(&credentials(), "/info")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err}");
    assert!(err.to_string().contains(&closed.to_string()), "{err}");
}

#[tokio::test]
async fn an_undecodable_answer_names_the_route() {
    let (endpoint, _) = serve(vec![(200, "<html>not json</html>", 0)]).await;
    let err = client(&endpoint)
        .get_json::<info::InfoResponse>(&credentials(), "/info")
        .await
        .unwrap_err();
    assert!(
        err.to_string().starts_with("/info: unexpected answer"),
        "{err}"
    );
    assert_eq!(err.class(), "decode");
}

#[test]
fn https_needs_a_certificate_as_trust_root() {
    let err =
        AdminClient::new("https://x:9000", Some(b"not pem"), Settings::default()).unwrap_err();
    assert!(matches!(err, Error::TrustRoot { .. }), "{err}");
    let cert = rcgen::generate_simple_self_signed(vec!["x".into()]).unwrap();
    AdminClient::new(
        "https://x:9000",
        Some(cert.cert.pem().as_bytes()),
        Settings::default(),
    )
    .unwrap();
}

#[test]
fn json_and_plain_error_bodies_are_read() {
    assert_eq!(
        error_body(br#"{"Code":"XRustFSAdminPoolNotFound","Message":"no such pool"}"#),
        ("XRustFSAdminPoolNotFound".into(), "no such pool".into())
    );
    assert_eq!(
        error_body(b"  gateway down \n"),
        (String::new(), "gateway down".into())
    );
}

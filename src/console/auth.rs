// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Who is asking, and with what right: the caller's bearer token, kept only in this process.
//!
//! - An API client sends `Authorization: Bearer <token>`; the console forwards that token.
//! - A browser signs in once with a token; the console checks it with the API server, keeps
//!   it in memory behind a random 256-bit session id, and sets a cookie holding only that id,
//!   sealed with AES-256-GCM under a key made at start (a cookie cannot be forged, read, or
//!   replayed after a restart). The cookie is `HttpOnly; Secure; SameSite=Strict`.
//! - A write made with the cookie must carry the session's CSRF token in `X-CSRF-Token`
//!   (the pages hold it; another site cannot read it).
//! - Sign-in attempts are limited per client address by a token bucket.
//!
//! Tokens are [`SecretString`]s: their `Debug` prints nothing, and they are zeroed on drop.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom as _, SystemRandom};
use secrecy::{ExposeSecret as _, SecretString};

/// Name of the session cookie.
pub const COOKIE: &str = "rustfs-console-session";
/// Header a cookie-authenticated write must carry.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// A session ends after this long without a request...
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// ...and after this long in any case (sign in again, with a fresh token).
pub const MAX_AGE: Duration = Duration::from_secs(8 * 60 * 60);
/// At most this many sessions are kept; the oldest goes first.
const MAX_SESSIONS: usize = 10_000;

/// Builds a client that talks to the console's API server as the holder of `token`: the
/// server address, CA and timeouts of `base`, none of its credentials.
pub fn client_for(base: &kube::Config, token: &SecretString) -> Result<kube::Client, kube::Error> {
    let mut config = base.clone();
    config.auth_info = kube::config::AuthInfo {
        token: Some(token.clone()),
        ..Default::default()
    };
    kube::Client::try_from(config)
}

/// A signed-in browser.
pub struct Session {
    /// The user name the API server gave for the token (shown on the page).
    pub user: String,
    /// The token, only to have it dropped (zeroed) with the session; the client holds it.
    _token: SecretString,
    /// A client that sends the token.
    pub client: kube::Client,
    /// Required in [`CSRF_HEADER`] on writes.
    pub csrf: String,
    created: Instant,
    last_seen: Mutex<Instant>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// The sessions of this process, and the key that seals their ids into cookies.
pub struct Sessions {
    key: LessSafeKey,
    rng: SystemRandom,
    map: Mutex<HashMap<[u8; 32], Arc<Session>>>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sessions")
    }
}

impl Default for Sessions {
    fn default() -> Self {
        Self::new()
    }
}

impl Sessions {
    /// An empty store with a fresh random key.
    pub fn new() -> Self {
        let rng = SystemRandom::new();
        let mut key = [0u8; 32];
        rng.fill(&mut key).expect("the system random source works");
        let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key).expect("a 32-byte key"));
        Self {
            key,
            rng,
            map: Mutex::new(HashMap::new()),
        }
    }

    fn random<const N: usize>(&self) -> [u8; N] {
        let mut out = [0u8; N];
        self.rng
            .fill(&mut out)
            .expect("the system random source works");
        out
    }

    /// Stores a session for `user` and returns the cookie value that refers to it.
    pub fn create(
        &self,
        user: String,
        token: SecretString,
        client: kube::Client,
        now: Instant,
    ) -> (String, Arc<Session>) {
        let id: [u8; 32] = self.random();
        let csrf = hex(&self.random::<32>());
        let session = Arc::new(Session {
            user,
            _token: token,
            client,
            csrf,
            created: now,
            last_seen: Mutex::new(now),
        });
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, s| s.alive(now));
        if map.len() >= MAX_SESSIONS
            && let Some(oldest) = map.iter().min_by_key(|(_, s)| s.created).map(|(k, _)| *k)
        {
            map.remove(&oldest);
        }
        map.insert(id, session.clone());
        (self.seal(&id), session)
    }

    /// The live session a cookie value refers to; touching it keeps it alive.
    pub fn get(&self, cookie: &str, now: Instant) -> Option<Arc<Session>> {
        let id = self.open(cookie)?;
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let session = map.get(&id)?.clone();
        if !session.alive(now) {
            map.remove(&id);
            return None;
        }
        *session.last_seen.lock().unwrap_or_else(|e| e.into_inner()) = now;
        Some(session)
    }

    /// Ends the session a cookie value refers to (its token is dropped with it).
    pub fn remove(&self, cookie: &str) {
        if let Some(id) = self.open(cookie) {
            self.map
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&id);
        }
    }

    /// How many sessions are stored.
    pub fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `base64url(nonce || AES-256-GCM(id))`.
    fn seal(&self, id: &[u8; 32]) -> String {
        let nonce: [u8; 12] = self.random();
        let mut sealed = id.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(COOKIE.as_bytes()),
                &mut sealed,
            )
            .expect("sealing 32 bytes cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        URL_SAFE_NO_PAD.encode(out)
    }

    fn open(&self, cookie: &str) -> Option<[u8; 32]> {
        let raw = URL_SAFE_NO_PAD.decode(cookie.trim()).ok()?;
        if raw.len() != 12 + 32 + AES_256_GCM.tag_len() {
            return None;
        }
        let (nonce, sealed) = raw.split_at(12);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut sealed = sealed.to_vec();
        let id = self
            .key
            .open_in_place(nonce, Aad::from(COOKIE.as_bytes()), &mut sealed)
            .ok()?;
        id.try_into().ok()
    }
}

impl Session {
    fn alive(&self, now: Instant) -> bool {
        let last = *self.last_seen.lock().unwrap_or_else(|e| e.into_inner());
        now.saturating_duration_since(self.created) < MAX_AGE
            && now.saturating_duration_since(last) < IDLE_TIMEOUT
    }

    /// True when `presented` is this session's CSRF token (compared in constant time).
    pub fn csrf_matches(&self, presented: Option<&str>) -> bool {
        presented.is_some_and(|p| constant_time_eq(p.as_bytes(), self.csrf.as_bytes()))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `Set-Cookie` value that stores a session reference.
pub fn session_cookie(value: &str) -> String {
    format!(
        "{COOKIE}={value}; Path=/; Max-Age={}; HttpOnly; Secure; SameSite=Strict",
        MAX_AGE.as_secs()
    )
}

/// The `Set-Cookie` value that removes it.
pub fn cleared_cookie() -> String {
    format!("{COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict")
}

/// The session cookie's value in a `Cookie` request header, if any.
pub fn cookie_value(header: &str) -> Option<&str> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == COOKIE && !value.is_empty()).then_some(value)
    })
}

/// The token of an `Authorization: Bearer` header.
pub fn bearer(header: &str) -> Option<SecretString> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty())
        .then(|| SecretString::from(token.to_owned()))
}

/// True for a token that looks like one (printable ASCII, no spaces, a sane length), before
/// it is sent anywhere.
pub fn plausible_token(token: &SecretString) -> bool {
    let t = token.expose_secret();
    (8..=16_384).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_graphic())
}

/// Sign-in attempts per client address: a token bucket of `burst` attempts that refills one
/// attempt every `refill`.
#[derive(Debug)]
pub struct RateLimiter {
    burst: f64,
    refill: Duration,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(burst: u32, refill: Duration) -> Self {
        Self {
            burst: f64::from(burst),
            refill,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one attempt for `addr`; `Err` carries how long until the next one is allowed.
    pub fn check(&self, addr: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        // Full buckets carry no information: drop them so the map stays small.
        let full_after = self.refill.mul_f64(self.burst);
        if buckets.len() > 1024 {
            buckets.retain(|_, (_, at)| now.saturating_duration_since(*at) < full_after);
        }
        let (tokens, at) = buckets.entry(addr).or_insert((self.burst, now));
        let refilled = now.saturating_duration_since(*at).as_secs_f64() / self.refill.as_secs_f64();
        *tokens = (*tokens + refilled).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(self.refill.mul_f64(1.0 - *tokens))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> kube::Client {
        let config = kube::Config::new("https://127.0.0.1:1".parse().unwrap());
        kube::Client::try_from(config).unwrap()
    }

    #[tokio::test]
    async fn a_cookie_holds_a_sealed_reference_not_the_token() {
        let sessions = Sessions::new();
        let token = "eyJhbGciOiJSUzI1NiJ9.secret-token-value";
        let now = Instant::now();
        let (cookie, session) =
            sessions.create("alice".into(), SecretString::from(token), client(), now);
        assert!(!cookie.contains(token) && !cookie.contains("secret"));
        // 12 bytes of nonce, 32 of id, 16 of tag.
        assert_eq!(URL_SAFE_NO_PAD.decode(&cookie).unwrap().len(), 60);
        assert_eq!(sessions.get(&cookie, now).unwrap().user, "alice");
        assert_eq!(session.csrf.len(), 64);
        // The same id sealed twice gives different cookies (fresh nonce); both open.
        let id = sessions.open(&cookie).unwrap();
        let again = sessions.seal(&id);
        assert_ne!(again, cookie);
        assert!(sessions.get(&again, now).is_some());
        // A changed byte, another process's key, or garbage opens nothing.
        let mut raw = URL_SAFE_NO_PAD.decode(&cookie).unwrap();
        raw[20] ^= 1;
        assert!(sessions.get(&URL_SAFE_NO_PAD.encode(&raw), now).is_none());
        assert!(Sessions::new().get(&cookie, now).is_none());
        assert!(sessions.get("not-a-cookie", now).is_none());
        // The session's Debug shows no token.
        assert!(!format!("{session:?}").contains("secret"));
        sessions.remove(&cookie);
        assert!(sessions.get(&cookie, now).is_none());
        assert!(sessions.is_empty());
    }

    #[tokio::test]
    async fn sessions_expire_when_idle_and_at_their_maximum_age() {
        let sessions = Sessions::new();
        let t0 = Instant::now();
        let (cookie, _) = sessions.create("bob".into(), SecretString::from("t"), client(), t0);
        let step = IDLE_TIMEOUT - Duration::from_secs(1);
        // Kept alive by use...
        let mut now = t0;
        while now + step < t0 + MAX_AGE {
            now += step;
            assert!(sessions.get(&cookie, now).is_some(), "alive at {now:?}");
        }
        // ...but not past the maximum age.
        assert!(sessions.get(&cookie, t0 + MAX_AGE).is_none());
        let (idle, _) = sessions.create("carol".into(), SecretString::from("t"), client(), t0);
        assert!(sessions.get(&idle, t0 + IDLE_TIMEOUT).is_none());
    }

    #[test]
    fn the_cookie_is_http_only_secure_and_same_site_strict() {
        let set = session_cookie("abc");
        let attrs: Vec<&str> = set.split("; ").collect();
        assert_eq!(attrs[0], format!("{COOKIE}=abc"));
        for want in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
            assert!(attrs.contains(&want), "{set} lacks {want}");
        }
        assert!(attrs.contains(&"Max-Age=28800"), "{set}");
        let cleared = cleared_cookie();
        assert!(cleared.contains("Max-Age=0") && cleared.contains("HttpOnly"));
        assert_eq!(
            cookie_value(&format!("a=b; {COOKIE}=xyz; c=d")),
            Some("xyz")
        );
        assert_eq!(cookie_value("a=b"), None);
        assert_eq!(cookie_value(&format!("{COOKIE}=")), None);
    }

    #[tokio::test]
    async fn csrf_tokens_must_match_exactly() {
        let sessions = Sessions::new();
        let (_, session) = sessions.create(
            "dan".into(),
            SecretString::from("t"),
            client(),
            Instant::now(),
        );
        assert!(session.csrf_matches(Some(&session.csrf.clone())));
        assert!(!session.csrf_matches(None));
        assert!(!session.csrf_matches(Some("")));
        assert!(!session.csrf_matches(Some(&session.csrf[1..])));
        let mut wrong = session.csrf.clone().into_bytes();
        wrong[0] = if wrong[0] == b'a' { b'b' } else { b'a' };
        assert!(!session.csrf_matches(Some(std::str::from_utf8(&wrong).unwrap())));
    }

    #[test]
    fn bearer_headers_and_token_shapes() {
        assert_eq!(
            bearer("Bearer abc.def").map(|t| t.expose_secret().to_owned()),
            Some("abc.def".to_owned())
        );
        assert!(bearer("bearer x").is_some());
        assert!(bearer("Basic abc").is_none());
        assert!(bearer("Bearer ").is_none());
        assert!(plausible_token(&SecretString::from("eyJhbGciOi.xyz")));
        assert!(!plausible_token(&SecretString::from("short")));
        assert!(!plausible_token(&SecretString::from("has a space in it")));
    }

    #[test]
    fn sign_in_attempts_are_limited_per_address() {
        let limiter = RateLimiter::new(3, Duration::from_secs(10));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(a, t0).is_ok());
        }
        let wait = limiter.check(a, t0).unwrap_err();
        assert_eq!(wait, Duration::from_secs(10));
        // Another address has its own bucket.
        assert!(limiter.check(b, t0).is_ok());
        // One attempt comes back per refill period, not more.
        assert!(limiter.check(a, t0 + Duration::from_secs(5)).is_err());
        assert!(limiter.check(a, t0 + Duration::from_secs(10)).is_ok());
        assert!(limiter.check(a, t0 + Duration::from_secs(10)).is_err());
        // A long pause refills the bucket up to its burst only.
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..3 {
            assert!(limiter.check(a, later).is_ok());
        }
        assert!(limiter.check(a, later).is_err());
    }
}

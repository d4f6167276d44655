//! Load generator for a running sandbox (not a test).
//!
//! ```text
//! cargo run -p mirairo-id-sandbox --release --example loadgen -- http://127.0.0.1:PORT \
//!     [--seconds 10] [--requests 5000] [--concurrency 8]
//! ```
//!
//! Phase 1 drives `GET /api/v1/places` with a mix of filters, searches and cursors;
//! phase 2 runs full logins: `POST /_sandbox/authorize` then `POST /token` with a
//! PKCE verifier and a fresh DPoP proof from a new holder key each time. Each phase
//! stops after `--seconds` or `--requests`, whichever comes first. Prints requests/s
//! and p50/p99 latency per endpoint.
// A command-line tool: a failed setup step should stop it with a message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mirairo_id_sdk::dpop::dpop_proof;
use mirairo_id_sdk::jose::{b64url_encode, Es256SigningKey};
use sha2::{Digest, Sha256};

struct Options {
    base: String,
    seconds: u64,
    requests: u64,
    concurrency: usize,
}

fn parse_args() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut o = Options {
        base: String::new(),
        seconds: 10,
        requests: 5000,
        concurrency: 8,
    };
    while let Some(a) = args.next() {
        let mut num = |name: &str| -> Result<u64, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a number"))
        };
        match a.as_str() {
            "--seconds" => o.seconds = num("--seconds")?,
            "--requests" => o.requests = num("--requests")?,
            "--concurrency" => o.concurrency = num("--concurrency")?.clamp(1, 256) as usize,
            url if url.starts_with("http://") => o.base = url.trim_end_matches('/').to_owned(),
            other => return Err(format!("unexpected argument '{other}'")),
        }
    }
    if o.base.is_empty() {
        return Err(
            "usage: loadgen http://127.0.0.1:PORT [--seconds N] [--requests N] [--concurrency N]"
                .into(),
        );
    }
    Ok(o)
}

#[derive(Default)]
struct Stats {
    latencies: Vec<Duration>,
    errors: u64,
}

type Shared = Arc<Mutex<Stats>>;

fn record(stats: &Shared, started: Instant, ok: bool) {
    let mut s = stats.lock().unwrap();
    s.latencies.push(started.elapsed());
    if !ok {
        s.errors += 1;
    }
}

fn report(name: &str, stats: &Shared, wall: Duration) {
    let mut s = stats.lock().unwrap();
    s.latencies.sort();
    let n = s.latencies.len();
    let pct = |p: f64| -> f64 {
        if n == 0 {
            return 0.0;
        }
        let i = ((n as f64 - 1.0) * p).round() as usize;
        s.latencies[i.min(n - 1)].as_secs_f64() * 1000.0
    };
    println!(
        "{name:<22} {n:>7} req  {:>9.1} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  errors {}",
        n as f64 / wall.as_secs_f64().max(1e-9),
        pct(0.50),
        pct(0.99),
        s.errors
    );
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn random_b64(tag: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    b64url_encode(&Sha256::digest(
        format!("{tag}|{n}|{nanos}|{}", std::process::id()).as_bytes(),
    ))
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

const QUERIES: &[&str] = &[
    "limit=100",
    "limit=500",
    "prefecture=13&category=railway",
    "prefecture=27&limit=50&lang=en",
    "q=%E6%B8%8B%E8%B0%B7",
    "q=%E3%81%B5%E3%81%8F%E3%81%8A%E3%81%8B",
    "category=museum&limit=200",
    "q=station&lang=en&limit=20",
];

async fn places_worker(
    http: reqwest::Client,
    base: String,
    stats: Shared,
    budget: Arc<AtomicU64>,
    deadline: Instant,
    worker: usize,
) {
    let mut i = worker;
    let mut cursor: Option<String> = None;
    while Instant::now() < deadline && budget.fetch_sub(1, Ordering::SeqCst) as i64 > 0 {
        let q = QUERIES[i % QUERIES.len()];
        i += 1;
        let url = match cursor.take() {
            Some(c) => format!("{base}/api/v1/places?limit=100&cursor={c}"),
            None => format!("{base}/api/v1/places?{q}"),
        };
        let started = Instant::now();
        let ok = match http.get(&url).send().await {
            Ok(r) if r.status().is_success() => match r.json::<serde_json::Value>().await {
                Ok(v) => {
                    if i % 3 == 0 {
                        cursor = v["next_cursor"].as_str().map(str::to_owned);
                    }
                    true
                }
                Err(_) => false,
            },
            _ => false,
        };
        record(&stats, started, ok);
    }
}

async fn login_worker(
    http: reqwest::Client,
    base: String,
    authorize: Shared,
    token: Shared,
    budget: Arc<AtomicU64>,
    deadline: Instant,
) {
    let token_url = format!("{base}/token");
    while Instant::now() < deadline && budget.fetch_sub(1, Ordering::SeqCst) as i64 > 0 {
        let Ok(key) = Es256SigningKey::generate() else {
            eprintln!("loadgen: no random number generator on this platform");
            return;
        };
        let verifier = format!("{}{}", random_b64("v1"), random_b64("v2"));
        let challenge = b64url_encode(&Sha256::digest(verifier.as_bytes()));
        let state = random_b64("state");
        let nonce = random_b64("nonce");
        let jkt = key.public_jwk().thumbprint();
        let body = form(&[
            ("response_type", "code"),
            ("client_id", "sandbox-test"),
            ("redirect_uri", "http://127.0.0.1/callback"),
            ("scope", "openid profile certificate"),
            ("state", &state),
            ("nonce", &nonce),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("dpop_jkt", &jkt),
            ("user", "hanako"),
            ("certificate", "0"),
        ]);
        let started = Instant::now();
        let redirect = match http
            .post(format!("{base}/_sandbox/authorize"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
        {
            Ok(r) if r.status().is_success() => r
                .json::<serde_json::Value>()
                .await
                .ok()
                .and_then(|v| v["redirect"].as_str().map(str::to_owned)),
            _ => None,
        };
        record(&authorize, started, redirect.is_some());
        let Some(code) = redirect.as_deref().and_then(|u| {
            u.split(['?', '&'])
                .find_map(|kv| kv.strip_prefix("code="))
                .map(str::to_owned)
        }) else {
            continue;
        };
        let proof = dpop_proof(&key, "POST", &token_url, now(), &random_b64("jti"), None);
        let started = Instant::now();
        let ok = match http
            .post(&token_url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("DPoP", proof)
            .body(form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "http://127.0.0.1/callback"),
                ("client_id", "sandbox-test"),
                ("code_verifier", &verifier),
            ]))
            .send()
            .await
        {
            Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
            Err(_) => false,
        };
        record(&token, started, ok);
    }
}

#[tokio::main]
async fn main() {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("loadgen: {e}");
            std::process::exit(2);
        }
    };
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(o.concurrency)
        .build()
        .expect("HTTP client");
    if http
        .get(format!("{}/.well-known/openid-configuration", o.base))
        .send()
        .await
        .is_err()
    {
        eprintln!("loadgen: no sandbox answers at {}", o.base);
        std::process::exit(1);
    }
    println!(
        "loadgen against {} ({} workers, at most {} s or {} requests per phase)",
        o.base, o.concurrency, o.seconds, o.requests
    );

    let places = Shared::default();
    let budget = Arc::new(AtomicU64::new(o.requests));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(o.seconds);
    let tasks: Vec<_> = (0..o.concurrency)
        .map(|w| {
            tokio::spawn(places_worker(
                http.clone(),
                o.base.clone(),
                places.clone(),
                budget.clone(),
                deadline,
                w,
            ))
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    report("GET /api/v1/places", &places, started.elapsed());

    let authorize = Shared::default();
    let token = Shared::default();
    let budget = Arc::new(AtomicU64::new(o.requests / 2));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(o.seconds);
    let tasks: Vec<_> = (0..o.concurrency)
        .map(|_| {
            tokio::spawn(login_worker(
                http.clone(),
                o.base.clone(),
                authorize.clone(),
                token.clone(),
                budget.clone(),
                deadline,
            ))
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    let wall = started.elapsed();
    report("POST /_sandbox/authorize", &authorize, wall);
    report("POST /token (DPoP)", &token, wall);
}

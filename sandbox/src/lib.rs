#![doc = include_str!("../README.md")]
//!
//! The binary is a thin command line over [`serve`]; tests start the same server
//! in-process on an ephemeral port ([`Config::for_tests`], [`ServerHandle::clock`]).

pub mod config;
pub mod control;
pub mod cors;
pub mod counter;
pub mod coupons;
pub mod credential;
pub mod db;
pub mod dpop_nonce;
pub mod error;
pub mod faults;
pub mod form;
pub mod keys;
pub mod oidc;
pub mod pages;
pub mod partner_demo;
pub mod places;
pub mod seed;
pub mod state;
pub mod static_files;
pub mod status;
pub mod token;
pub mod util;
pub mod wallet;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{Config, DbLocation};
pub use state::AppState;
pub use util::Clock;

/// Why the server could not start.
#[derive(Debug)]
pub enum ServeError {
    /// The address is not loopback and `allow_non_loopback` is off.
    NonLoopback(SocketAddr),
    /// The address could not be bound (in use, no permission…).
    Bind(SocketAddr, std::io::Error),
    /// The database or the clients file is unusable.
    Setup(String),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::NonLoopback(a) => write!(
                f,
                "refusing to listen on {a}: the /_sandbox/ control endpoints are unauthenticated, so the sandbox only listens on loopback (127.0.0.1 or ::1); pass --allow-non-loopback if you really mean it"
            ),
            ServeError::Bind(a, e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                write!(f, "cannot listen on {a}: the address is already in use (is another sandbox running? try --addr 127.0.0.1:0)")
            }
            ServeError::Bind(a, e) => write!(f, "cannot listen on {a}: {e}"),
            ServeError::Setup(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ServeError {}

/// A running server.
#[derive(Debug)]
pub struct ServerHandle {
    /// The bound address.
    pub addr: SocketAddr,
    /// `http://<addr>`.
    pub issuer: String,
    /// The shared state (database, clock…), for tests.
    pub state: Arc<AppState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl ServerHandle {
    /// The server's clock; tests move it forward instead of sleeping.
    pub fn clock(&self) -> &Clock {
        &self.state.clock
    }

    /// Stops accepting, finishes in-flight requests and waits for the server to end.
    ///
    /// # Errors
    /// The server's I/O error, if it failed.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match (&mut self.task).await {
            Ok(r) => r,
            Err(e) => Err(std::io::Error::other(e.to_string())),
        }
    }

    /// Waits until the server ends (after a shutdown signal).
    ///
    /// # Errors
    /// The server's I/O error, if it failed.
    pub async fn wait(mut self) -> std::io::Result<()> {
        match (&mut self.task).await {
            Ok(r) => r,
            Err(e) => Err(std::io::Error::other(e.to_string())),
        }
    }

    /// Takes the shutdown trigger (for wiring to signals).
    pub fn take_shutdown(&mut self) -> Option<oneshot::Sender<()>> {
        self.shutdown.take()
    }
}

/// Binds `config.addr`, opens and seeds the database, and serves until shut down.
///
/// # Errors
/// [`ServeError`] when the address is refused or taken, or the setup fails.
pub async fn serve(config: Config) -> Result<ServerHandle, ServeError> {
    if !config.addr.ip().is_loopback() && !config.allow_non_loopback {
        return Err(ServeError::NonLoopback(config.addr));
    }
    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|e| ServeError::Bind(config.addr, e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| ServeError::Bind(config.addr, e))?;
    let issuer = match addr {
        SocketAddr::V6(a) => format!("http://[{}]:{}", a.ip(), a.port()),
        SocketAddr::V4(a) => format!("http://{a}"),
    };
    let state = Arc::new(AppState::new(&config, issuer.clone()).map_err(ServeError::Setup)?);
    let app = router(state.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await
    });
    Ok(ServerHandle {
        addr,
        issuer,
        state,
        shutdown: Some(tx),
        task,
    })
}

/// Every route of the sandbox.
pub fn router(state: Arc<AppState>) -> Router {
    let sandbox = Router::new()
        .route("/_sandbox/reset", post(control::reset))
        .route("/_sandbox/rotate-keys", post(control::rotate_keys))
        .route("/_sandbox/status", post(control::set_status))
        .route("/_sandbox/faults", post(control::set_faults))
        .route("/_sandbox/clock", post(control::advance_clock))
        .route("/_sandbox/issue", post(control::issue))
        .route("/_sandbox/authorize", post(control::authorize))
        .route("/_sandbox/users", get(control::users))
        .route("/_sandbox/dpop-nonce", post(control::dpop_nonce))
        .route("/_sandbox/coop", post(control::coop))
        .route(
            "/_sandbox/expire-access-tokens",
            post(control::expire_access_tokens),
        )
        .route("/_sandbox/assets/provider.css", get(pages::stylesheet))
        .route(
            "/_sandbox/{*rest}",
            axum::routing::any(static_files::api_not_found),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            control::same_origin_only,
        ));
    // The public read-only endpoints: CORS `*` from tower-http's layer (PROTOCOL §5).
    let public = Router::new()
        .route("/.well-known/openid-configuration", get(oidc::discovery))
        .route("/jwks.json", get(oidc::jwks))
        .route("/status/{list}", get(status::status_list))
        .route("/api/v1/places", get(places::places))
        .route("/api/v1/coupons", get(coupons::coupons))
        .route(
            "/api/{*rest}",
            axum::routing::any(static_files::api_not_found),
        )
        .layer(cors::public_layer())
        .layer(cors::expose_etag())
        .layer(axum::middleware::from_fn(cors::preflight_no_content));
    let provider = Router::new()
        .merge(public)
        .route("/authorize", get(oidc::authorize::start))
        .route(
            "/authorize/signin",
            get(oidc::authorize::signin_page).post(oidc::authorize::signin),
        )
        .route(
            "/authorize/consent",
            get(oidc::authorize::consent_page).post(oidc::authorize::consent),
        )
        .route("/token", post(token::token).options(token::preflight))
        .route(
            "/userinfo",
            get(oidc::userinfo::userinfo).options(oidc::userinfo::preflight),
        )
        .route(
            "/logout",
            get(oidc::logout::logout).post(oidc::logout::confirm),
        )
        .route("/pkg", get(static_files::pkg))
        .route("/pkg/", get(static_files::pkg))
        .route("/pkg/{*path}", get(static_files::pkg))
        .route("/examples", get(static_files::examples))
        .route("/examples/", get(static_files::examples))
        .route("/examples/{*path}", get(static_files::examples))
        .fallback(static_files::www)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            faults::inject,
        ));
    Router::new()
        .merge(sandbox)
        .merge(provider)
        .merge(partner_demo::router(state.clone()))
        .merge(counter::router(state.clone()))
        .merge(wallet::router(state.clone()))
        .layer(axum::middleware::from_fn(error::guard))
        .with_state(state)
}

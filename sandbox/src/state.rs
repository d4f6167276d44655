//! Shared server state.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use crate::config::{load_clients, Client, Config};
use crate::db::Db;
use crate::dpop_nonce::Nonces;
use crate::faults::Fault;
use crate::util::Clock;

/// Everything handlers share.
#[derive(Debug)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The clock (tests can move it).
    pub clock: Clock,
    /// `http://<bound address>`.
    pub issuer: String,
    /// Registered clients, `{issuer}` already filled in.
    pub clients: Vec<Client>,
    /// Served at `/`.
    pub www: PathBuf,
    /// Served at `/pkg/`.
    pub pkg: PathBuf,
    /// Served at `/examples/`.
    pub examples: PathBuf,
    /// Authorization code lifetime.
    pub code_ttl_secs: i64,
    /// Pending injected faults, by path.
    pub faults: Mutex<HashMap<String, Fault>>,
    /// Answers of the public read-only endpoints by request target; the seed data only
    /// changes on a reset, which empties it.
    pub public_cache: Mutex<HashMap<String, String>>,
    /// The holder app simulator's sign-ins and pending presentations (`/wallet/`).
    pub wallet: crate::wallet::WalletStore,
    /// DPoP nonces demanded at the token and userinfo endpoints (`/_sandbox/dpop-nonce`).
    pub dpop_nonces: Mutex<Nonces>,
    /// `Cross-Origin-Opener-Policy` sent with the static pages of www/ and examples/
    /// (`/_sandbox/coop`), to test partner pages served under COOP.
    pub page_coop: Mutex<Option<&'static str>>,
}

impl AppState {
    /// Opens the database and loads the clients.
    ///
    /// # Errors
    /// A one-line message when the database or clients file is unusable.
    pub fn new(config: &Config, issuer: String) -> Result<Self, String> {
        let clock = Clock::default();
        let clients = load_clients(&config.clients_json, &issuer)?;
        let db = Db::open(&config.db, clock.now())?;
        Ok(AppState {
            db,
            clock,
            issuer,
            clients,
            www: config.www.clone(),
            pkg: config.pkg.clone(),
            examples: config.examples.clone(),
            code_ttl_secs: config.code_ttl_secs,
            faults: Mutex::new(HashMap::new()),
            public_cache: Mutex::new(HashMap::new()),
            wallet: crate::wallet::WalletStore::default(),
            dpop_nonces: Mutex::new(Nonces::default()),
            page_coop: Mutex::new(None),
        })
    }

    /// Largest number of cached public answers.
    pub const PUBLIC_CACHE_ENTRIES: usize = 512;

    /// A cached public answer, or `compute` it and remember it.
    ///
    /// # Errors
    /// Whatever `compute` fails with (errors are not cached).
    pub fn cached<E>(
        &self,
        key: String,
        compute: impl FnOnce() -> Result<String, E>,
    ) -> Result<String, E> {
        let lock = || match self.public_cache.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        if let Some(body) = lock().get(&key) {
            return Ok(body.clone());
        }
        let body = compute()?;
        let mut cache = lock();
        if cache.len() >= Self::PUBLIC_CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(key, body.clone());
        Ok(body)
    }

    /// Forgets every cached public answer (after a reset).
    pub fn clear_public_cache(&self) {
        match self.public_cache.lock() {
            Ok(mut g) => g.clear(),
            Err(p) => p.into_inner().clear(),
        }
    }

    /// The DPoP nonce state (a poisoned lock is still usable: it holds plain data).
    pub fn nonces(&self) -> std::sync::MutexGuard<'_, Nonces> {
        match self.dpop_nonces.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// The COOP value for static pages, if one was set.
    pub fn page_coop(&self) -> Option<&'static str> {
        match self.page_coop.lock() {
            Ok(g) => *g,
            Err(p) => *p.into_inner(),
        }
    }

    /// Sets (or with `None` clears) the COOP value for static pages.
    pub fn set_page_coop(&self, value: Option<&'static str>) {
        match self.page_coop.lock() {
            Ok(mut g) => *g = value,
            Err(p) => *p.into_inner() = value,
        }
    }

    /// A registered client.
    pub fn client(&self, client_id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    /// `{issuer}{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    /// The status list URL.
    pub fn status_uri(&self) -> String {
        self.url("/status/1")
    }

    /// True when some client registered this origin.
    pub fn origin_registered(&self, origin: &str) -> bool {
        self.clients
            .iter()
            .any(|c| c.origins.iter().any(|o| o == origin))
    }
}

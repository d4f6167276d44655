//! Shared server state.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use crate::config::{load_clients, Client, Config};
use crate::db::Db;
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
        })
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

//! Command line and server configuration, and the registered clients.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

/// The clients registered by default (`sandbox/clients.json`).
pub const DEFAULT_CLIENTS: &str = include_str!("../clients.json");

/// Where the SQLite database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbLocation {
    /// A file; created (with its directories) when missing, reused across restarts.
    File(PathBuf),
    /// An in-memory database, gone when the server stops.
    Memory,
}

/// Everything [`crate::serve`] needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address to bind; port 0 picks a free port.
    pub addr: SocketAddr,
    /// The database.
    pub db: DbLocation,
    /// Served at `/`.
    pub www: PathBuf,
    /// Served at `/pkg/` (the npm package folders).
    pub pkg: PathBuf,
    /// Served at `/examples/`.
    pub examples: PathBuf,
    /// The clients file contents (JSON, see `sandbox/clients.json`).
    pub clients_json: String,
    /// Permit binding a non-loopback address.
    pub allow_non_loopback: bool,
    /// Lifetime of an authorization code, in seconds (60 in production).
    pub code_ttl_secs: i64,
}

impl Config {
    /// The defaults of the command line, with an in-memory database (for tests).
    pub fn for_tests() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            db: DbLocation::Memory,
            www: workspace_dir().join("www"),
            pkg: workspace_dir().join("dist").join("npm"),
            examples: workspace_dir().join("examples"),
            clients_json: DEFAULT_CLIENTS.to_owned(),
            allow_non_loopback: false,
            code_ttl_secs: 60,
        }
    }
}

/// `<workspace>`: the parent of this crate's directory.
pub fn workspace_dir() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// The usage text printed by `--help`.
pub const USAGE: &str = "\
mirairo-id-sandbox: a local Mirairo ID provider for partner development and tests

USAGE:
    mirairo-id-sandbox [--addr HOST:PORT] [--db FILE|:memory:] [--www DIR] [--pkg DIR]
                       [--examples DIR] [--clients FILE] [--allow-non-loopback]

OPTIONS:
    --addr HOST:PORT        address to listen on (default 127.0.0.1:8080; port 0 = any free port)
    --db FILE|:memory:      SQLite database (default <workspace>/target/sandbox/sandbox.sqlite)
    --www DIR               served at / (default <workspace>/www)
    --pkg DIR               served at /pkg/ (default <workspace>/dist/npm)
    --examples DIR          served at /examples/ (default <workspace>/examples)
    --clients FILE          registered clients (default: the built-in sandbox/clients.json)
    --allow-non-loopback    allow a non-loopback address (the /_sandbox/ control endpoints
                            are unauthenticated: never expose them to a network)
    -h, --help              this text
";

/// What the command line asks for.
#[derive(Debug)]
pub enum Cli {
    /// Run the server.
    Run(Box<Config>),
    /// Print the usage.
    Help,
}

/// Parses the command line (without the program name).
///
/// # Errors
/// A one-line message for an unknown option, a missing value, an unreadable clients file
/// or an address that does not parse.
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<Cli, String> {
    let mut config = Config::for_tests();
    config.addr = SocketAddr::from(([127, 0, 0, 1], 8080));
    config.db = DbLocation::File(
        workspace_dir()
            .join("target")
            .join("sandbox")
            .join("sandbox.sqlite"),
    );
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let value = |it: &mut I::IntoIter| -> Result<String, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => it.next().ok_or_else(|| format!("{name} needs a value")),
            }
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(Cli::Help),
            "--addr" => {
                let v = value(&mut it)?;
                config.addr = v
                    .parse()
                    .map_err(|_| format!("--addr: '{v}' is not an address like 127.0.0.1:8080"))?;
            }
            "--db" => {
                let v = value(&mut it)?;
                config.db = if v == ":memory:" {
                    DbLocation::Memory
                } else {
                    DbLocation::File(PathBuf::from(v))
                };
            }
            "--www" => config.www = PathBuf::from(value(&mut it)?),
            "--pkg" => config.pkg = PathBuf::from(value(&mut it)?),
            "--examples" => config.examples = PathBuf::from(value(&mut it)?),
            "--clients" => {
                let v = value(&mut it)?;
                config.clients_json = std::fs::read_to_string(&v)
                    .map_err(|e| format!("--clients: cannot read {v}: {e}"))?;
            }
            "--allow-non-loopback" => config.allow_non_loopback = true,
            other => return Err(format!("unknown option '{other}' (see --help)")),
        }
    }
    Ok(Cli::Run(Box::new(config)))
}

/// A registered partner (public client).
#[derive(Debug, Clone, Deserialize)]
pub struct Client {
    /// The `client_id`.
    pub client_id: String,
    /// Display name in Japanese.
    pub name_ja: String,
    /// Display name in English.
    pub name_en: String,
    /// Exact redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Exact post-logout redirect URIs.
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// Origins allowed to call the token and userinfo endpoints (CORS).
    #[serde(default)]
    pub origins: Vec<String>,
}

impl Client {
    /// The name in the page language.
    pub fn name(&self, en: bool) -> &str {
        if en {
            &self.name_en
        } else {
            &self.name_ja
        }
    }
}

#[derive(Deserialize)]
struct ClientsFile {
    clients: Vec<Client>,
}

/// Parses the clients file and replaces `{issuer}` with the bound issuer URL.
///
/// # Errors
/// A message when the JSON is not a clients file or a `client_id` repeats.
pub fn load_clients(json: &str, issuer: &str) -> Result<Vec<Client>, String> {
    let file: ClientsFile = serde_json::from_str(json).map_err(|e| format!("clients file: {e}"))?;
    let fill = |v: &mut Vec<String>| {
        for s in v.iter_mut() {
            *s = s.replace("{issuer}", issuer);
        }
    };
    let mut out: Vec<Client> = Vec::new();
    for mut c in file.clients {
        if out.iter().any(|o| o.client_id == c.client_id) {
            return Err(format!("clients file: client_id '{}' repeats", c.client_id));
        }
        fill(&mut c.redirect_uris);
        fill(&mut c.post_logout_redirect_uris);
        fill(&mut c.origins);
        out.push(c);
    }
    Ok(out)
}

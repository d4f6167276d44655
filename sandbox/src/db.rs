//! The SQLite database: schema, opening, and the reset to seed data.

use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

use crate::config::DbLocation;

/// Bumped when the schema changes; a file database with another version is re-seeded.
pub const SCHEMA_VERSION: &str = "1";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS keys (
  kid TEXT PRIMARY KEY, secret BLOB NOT NULL, seq INTEGER NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY, ord INTEGER NOT NULL,
  family_name TEXT NOT NULL, given_name TEXT NOT NULL,
  family_name_kana TEXT NOT NULL, given_name_kana TEXT NOT NULL,
  birthdate TEXT NOT NULL, note_ja TEXT NOT NULL, note_en TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS certificates (
  user_id TEXT NOT NULL, idx INTEGER NOT NULL,
  certificate_type TEXT NOT NULL, grade TEXT NOT NULL, fare_class INTEGER,
  caregiver INTEGER NOT NULL, issuer_prefecture TEXT NOT NULL, certificate_number TEXT NOT NULL,
  issued_on TEXT NOT NULL, renewed_on TEXT, valid_until TEXT, mynaportal TEXT NOT NULL,
  status_idx INTEGER NOT NULL, PRIMARY KEY (user_id, idx));
CREATE TABLE IF NOT EXISTS status (idx INTEGER PRIMARY KEY, status INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS pending (
  id TEXT PRIMARY KEY, csrf TEXT NOT NULL, created INTEGER NOT NULL, params TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL, auth_time INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS codes (
  code_hash TEXT PRIMARY KEY, grant_json TEXT NOT NULL, expires INTEGER NOT NULL,
  used INTEGER NOT NULL DEFAULT 0, family TEXT);
CREATE TABLE IF NOT EXISTS families (
  id TEXT PRIMARY KEY, grant_json TEXT NOT NULL, jkt TEXT NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS access_tokens (
  hash TEXT PRIMARY KEY, family TEXT NOT NULL, expires INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS refresh_tokens (
  hash TEXT PRIMARY KEY, family TEXT NOT NULL, used INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS dpop_jti (jti TEXT PRIMARY KEY, seen INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS businesses (
  id INTEGER PRIMARY KEY, name_ja TEXT NOT NULL, name_en TEXT NOT NULL, kana TEXT NOT NULL,
  category TEXT NOT NULL, prefecture TEXT NOT NULL, url TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS places (
  id INTEGER PRIMARY KEY, name_ja TEXT NOT NULL, name_en TEXT NOT NULL, kana TEXT NOT NULL,
  category TEXT NOT NULL, prefecture TEXT NOT NULL, city_ja TEXT NOT NULL, city_en TEXT NOT NULL,
  city_kana TEXT NOT NULL, address_ja TEXT NOT NULL, address_en TEXT NOT NULL,
  lat REAL NOT NULL, lng REAL NOT NULL, business_id INTEGER NOT NULL,
  accepts TEXT NOT NULL, requires_mynaportal INTEGER NOT NULL, support TEXT NOT NULL,
  url TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS places_pref_cat ON places (prefecture, category, id);
CREATE TABLE IF NOT EXISTS coupons (
  id INTEGER PRIMARY KEY, business_id INTEGER NOT NULL,
  title_ja TEXT NOT NULL, title_en TEXT NOT NULL,
  description_ja TEXT NOT NULL, description_en TEXT NOT NULL,
  discount_ja TEXT NOT NULL, discount_en TEXT NOT NULL,
  conditions_ja TEXT NOT NULL, conditions_en TEXT NOT NULL,
  valid_from TEXT NOT NULL, valid_until TEXT NOT NULL,
  category TEXT NOT NULL, prefecture TEXT, url TEXT NOT NULL);
";

/// Tables holding runtime state, emptied by a reset.
const STATE_TABLES: &[&str] = &[
    "status",
    "pending",
    "sessions",
    "codes",
    "families",
    "access_tokens",
    "refresh_tokens",
    "dpop_jti",
];

/// Tables holding seed data, rebuilt by a reset.
const SEED_TABLES: &[&str] = &["users", "certificates", "businesses", "places", "coupons"];

/// The database connection, shared by all handlers.
pub struct Db {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Db")
    }
}

impl Db {
    /// Opens (creating when needed) and, if it is new or of another schema version, seeds.
    ///
    /// # Errors
    /// A message when the file or its directory cannot be created or SQLite fails.
    pub fn open(location: &DbLocation, now: i64) -> Result<Db, String> {
        let conn = match location {
            DbLocation::Memory => Connection::open_in_memory(),
            DbLocation::File(path) => {
                if let Some(dir) = path.parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir).map_err(|e| {
                            format!("cannot create database directory {}: {e}", dir.display())
                        })?;
                    }
                }
                Connection::open(path)
            }
        }
        .map_err(|e| format!("cannot open database: {e}"))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| e.to_string())?;
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
            .map_err(|e| format!("cannot configure database: {e}"))?;
        conn.execute_batch(SCHEMA)
            .map_err(|e| format!("cannot create schema: {e}"))?;
        let version: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key='schema'", [], |r| {
                r.get(0)
            })
            .ok();
        let db = Db {
            conn: Mutex::new(conn),
        };
        if version.as_deref() != Some(SCHEMA_VERSION) {
            db.reset(now, true)
                .map_err(|e| format!("cannot seed: {e}"))?;
        }
        Ok(db)
    }

    /// The connection (one writer at a time; every query is short).
    pub fn lock(&self) -> MutexGuard<'_, Connection> {
        match self.conn.lock() {
            Ok(g) => g,
            // A panicking handler cannot leave SQLite half-written (transactions roll
            // back on drop), so a poisoned lock is safe to reuse.
            Err(p) => p.into_inner(),
        }
    }

    /// Back to the seed: seed data rebuilt, runtime state emptied, keys other than the
    /// seed key dropped. `fresh` also creates a new seed key and pairwise salt.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn reset(&self, now: i64, fresh: bool) -> rusqlite::Result<()> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        for t in STATE_TABLES.iter().chain(SEED_TABLES) {
            tx.execute(&format!("DELETE FROM {t}"), [])?;
        }
        if fresh {
            tx.execute("DELETE FROM keys", [])?;
            tx.execute("DELETE FROM meta", [])?;
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('pairwise_salt', ?1)",
                [crate::util::random_token(32)],
            )?;
        } else {
            tx.execute("DELETE FROM keys WHERE seq > 0", [])?;
        }
        let has_key: bool = tx.query_row("SELECT COUNT(*) > 0 FROM keys", [], |r| r.get(0))?;
        if !has_key {
            crate::keys::insert_new_key(&tx, 0, now)?;
        }
        crate::seed::seed(&tx, now)?;
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?1)",
            [SCHEMA_VERSION],
        )?;
        tx.commit()
    }
}

/// The pairwise salt.
///
/// # Errors
/// SQLite errors.
pub fn pairwise_salt(conn: &Connection) -> rusqlite::Result<String> {
    conn.query_row(
        "SELECT value FROM meta WHERE key='pairwise_salt'",
        [],
        |r| r.get(0),
    )
}

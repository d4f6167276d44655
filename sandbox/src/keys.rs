//! The provider's ES256 signing keys (stored in the database), the JWKS and rotation.

use mirairo_id_sdk::jose::{EcPublicJwk, Es256SigningKey};
use mirairo_id_sdk::json::Map;
use rusqlite::{params, Connection};
use serde_json::{json, Value};

use crate::util::to_sdk;

/// A signing key with its `kid` (the RFC 7638 thumbprint of its public key).
pub struct SigningKey {
    /// The key id.
    pub kid: String,
    /// The key.
    pub key: Es256SigningKey,
}

/// A platform without a random number generator, as the SQLite-facing functions here
/// report their errors.
pub(crate) fn no_randomness(e: mirairo_id_sdk::NoRandomness) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

/// Generates a key and stores it with sequence number `seq` (0 = the seed key).
///
/// # Errors
/// SQLite errors.
pub fn insert_new_key(conn: &Connection, seq: i64, now: i64) -> rusqlite::Result<String> {
    let key = Es256SigningKey::generate().map_err(no_randomness)?;
    let kid = key.public_jwk().thumbprint();
    conn.execute(
        "INSERT INTO keys (kid, secret, seq, created) VALUES (?1, ?2, ?3, ?4)",
        params![kid, key.to_bytes().to_vec(), seq, now],
    )?;
    Ok(kid)
}

/// Adds a key that becomes the signing key; older keys stay in the JWKS.
///
/// # Errors
/// SQLite errors.
pub fn rotate(conn: &Connection, now: i64) -> rusqlite::Result<String> {
    let seq: i64 = conn.query_row("SELECT COALESCE(MAX(seq), -1) + 1 FROM keys", [], |r| {
        r.get(0)
    })?;
    insert_new_key(conn, seq, now)
}

fn load(kid: String, secret: Vec<u8>) -> rusqlite::Result<SigningKey> {
    let key = Es256SigningKey::from_bytes(&secret).map_err(|_| {
        rusqlite::Error::InvalidColumnType(1, "secret".into(), rusqlite::types::Type::Blob)
    })?;
    Ok(SigningKey { kid, key })
}

/// The current signing key (the newest).
///
/// # Errors
/// SQLite errors (or no key at all).
pub fn current(conn: &Connection) -> rusqlite::Result<SigningKey> {
    let (kid, secret): (String, Vec<u8>) = conn.query_row(
        "SELECT kid, secret FROM keys ORDER BY seq DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    load(kid, secret)
}

/// The JWK Set of every key, newest first.
///
/// # Errors
/// SQLite errors.
pub fn jwks(conn: &Connection) -> rusqlite::Result<Value> {
    let mut stmt = conn.prepare("SELECT kid, secret FROM keys ORDER BY seq DESC")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
    })?;
    let mut keys = Vec::new();
    for row in rows {
        let (kid, secret) = row?;
        let k = load(kid.clone(), secret)?;
        let mut jwk: EcPublicJwk = k.key.public_jwk();
        jwk.kid = Some(kid);
        jwk.key_use = Some("sig".into());
        jwk.alg = Some("ES256".into());
        keys.push(jwk.to_json());
    }
    Ok(json!({ "keys": keys }))
}

impl SigningKey {
    /// A JWS with header `{"alg":"ES256","typ":typ,"kid":…}`.
    pub fn sign(&self, typ: &str, payload: &Value) -> String {
        self.key.sign_json(&self.header(typ), &to_sdk(payload))
    }

    /// The header `{"typ":typ,"kid":…}` (`alg` is added by the signer).
    pub fn header(&self, typ: &str) -> Map {
        Map::from_pairs([("typ", typ.into()), ("kid", self.kid.as_str().into())])
    }
}

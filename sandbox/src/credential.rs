//! Users and certificates as stored, and what the provider signs from them: the ID token
//! (PROTOCOL.md §2.4) and the SD-JWT VC certificate credential (§3).

use mirairo_id_sdk::jose::EcPublicJwk;
use mirairo_id_sdk::sdjwt::issue_sd_jwt;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Map, Value};

use crate::keys;
use crate::util::{sha256_b64, to_sdk};

/// The credential type.
pub const VCT: &str = "urn:mirairo-id:disability-certificate:1";
/// Credential lifetime (PROTOCOL.md §3: at most 24 h).
pub const CREDENTIAL_TTL: i64 = 24 * 3600;
/// ID token and access token lifetime.
pub const TOKEN_TTL: i64 = 600;
/// Decoy digests added to every credential's `_sd`.
pub const DECOYS: usize = 3;

/// A certificate as stored.
#[derive(Debug, Clone)]
pub struct Certificate {
    /// Index within the user's certificates.
    pub idx: i64,
    /// `physical` | `mental` | `intellectual`.
    pub certificate_type: String,
    /// Grade as printed.
    pub grade: String,
    /// 1, 2 or none.
    pub fare_class: Option<i64>,
    /// 介護.
    pub caregiver: bool,
    /// JIS prefecture code.
    pub issuer_prefecture: String,
    /// 手帳番号.
    pub certificate_number: String,
    /// 交付日.
    pub issued_on: String,
    /// 更新日.
    pub renewed_on: Option<String>,
    /// 有効期限.
    pub valid_until: Option<String>,
    /// マイナポータル連携.
    pub mynaportal: String,
    /// Index in the status list.
    pub status_idx: i64,
}

/// A user as stored.
#[derive(Debug, Clone)]
pub struct User {
    /// Login id.
    pub id: String,
    /// 氏.
    pub family_name: String,
    /// 名.
    pub given_name: String,
    /// 氏 (フリガナ).
    pub family_name_kana: String,
    /// 名 (フリガナ).
    pub given_name_kana: String,
    /// 生年月日.
    pub birthdate: String,
    /// What the user is for, Japanese.
    pub note_ja: String,
    /// What the user is for, English.
    pub note_en: String,
    /// Certificates by index.
    pub certificates: Vec<Certificate>,
}

impl User {
    /// `氏 名`.
    pub fn name(&self) -> String {
        format!("{} {}", self.family_name, self.given_name)
    }
    /// `氏 名` in kana.
    pub fn name_kana(&self) -> String {
        format!("{} {}", self.family_name_kana, self.given_name_kana)
    }
}

fn certificates(conn: &Connection, user_id: &str) -> rusqlite::Result<Vec<Certificate>> {
    let mut stmt = conn.prepare(
        "SELECT idx, certificate_type, grade, fare_class, caregiver, issuer_prefecture, certificate_number, issued_on, renewed_on, valid_until, mynaportal, status_idx FROM certificates WHERE user_id = ?1 ORDER BY idx",
    )?;
    let rows = stmt.query_map([user_id], |r| {
        Ok(Certificate {
            idx: r.get(0)?,
            certificate_type: r.get(1)?,
            grade: r.get(2)?,
            fare_class: r.get(3)?,
            caregiver: r.get(4)?,
            issuer_prefecture: r.get(5)?,
            certificate_number: r.get(6)?,
            issued_on: r.get(7)?,
            renewed_on: r.get(8)?,
            valid_until: r.get(9)?,
            mynaportal: r.get(10)?,
            status_idx: r.get(11)?,
        })
    })?;
    rows.collect()
}

fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        family_name: r.get(1)?,
        given_name: r.get(2)?,
        family_name_kana: r.get(3)?,
        given_name_kana: r.get(4)?,
        birthdate: r.get(5)?,
        note_ja: r.get(6)?,
        note_en: r.get(7)?,
        certificates: Vec::new(),
    })
}

const USER_COLUMNS: &str =
    "id, family_name, given_name, family_name_kana, given_name_kana, birthdate, note_ja, note_en";

/// One user with certificates.
///
/// # Errors
/// SQLite errors.
pub fn load_user(conn: &Connection, id: &str) -> rusqlite::Result<Option<User>> {
    let user = conn
        .query_row(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"),
            [id],
            user_from_row,
        )
        .optional()?;
    match user {
        Some(mut u) => {
            u.certificates = certificates(conn, &u.id)?;
            Ok(Some(u))
        }
        None => Ok(None),
    }
}

/// Every user with certificates, in seed order.
///
/// # Errors
/// SQLite errors.
pub fn load_users(conn: &Connection) -> rusqlite::Result<Vec<User>> {
    let mut stmt = conn.prepare(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY ord"))?;
    let mut users: Vec<User> = stmt
        .query_map([], user_from_row)?
        .collect::<Result<_, _>>()?;
    for u in &mut users {
        u.certificates = certificates(conn, &u.id)?;
    }
    Ok(users)
}

fn opt(v: &Option<String>) -> Value {
    v.clone().map_or(Value::Null, Value::String)
}

/// The value of a certificate claim (PROTOCOL.md §3 types), `None` for an unknown name.
pub fn claim_value(user: &User, cert: &Certificate, name: &str) -> Option<Value> {
    Some(match name {
        "certificate_type" => json!(cert.certificate_type),
        "grade" => json!(cert.grade),
        "fare_class" => cert.fare_class.map_or(Value::Null, |c| json!(c)),
        "caregiver" => json!(cert.caregiver),
        "issuer_prefecture" => json!(cert.issuer_prefecture),
        "certificate_number" => json!(cert.certificate_number),
        "issued_on" => json!(cert.issued_on),
        "renewed_on" => opt(&cert.renewed_on),
        "valid_until" => opt(&cert.valid_until),
        "family_name" => json!(user.family_name),
        "given_name" => json!(user.given_name),
        "family_name_kana" => json!(user.family_name_kana),
        "given_name_kana" => json!(user.given_name_kana),
        "birthdate" => json!(user.birthdate),
        "mynaportal" => json!(cert.mynaportal),
        _ => return None,
    })
}

/// The pairwise subject: base64url(SHA-256(client_id | user id | salt)).
pub fn pairwise_sub(client_id: &str, user_id: &str, salt: &str) -> String {
    sha256_b64(format!("{client_id}|{user_id}|{salt}").as_bytes())
}

/// What an issued credential needs.
pub struct CredentialRequest<'a> {
    /// The issuer URL.
    pub issuer: &'a str,
    /// The status list URL.
    pub status_uri: &'a str,
    /// Issued-at.
    pub now: i64,
    /// The holder.
    pub user: &'a User,
    /// The certificate.
    pub cert: &'a Certificate,
    /// The claims to disclose, in order.
    pub claims: &'a [String],
    /// The holder's (DPoP) public key.
    pub holder: &'a EcPublicJwk,
}

/// Issues `<jwt>~<disclosure>~…~` signed by the current key.
///
/// # Errors
/// SQLite errors (loading the key).
pub fn issue(conn: &Connection, req: &CredentialRequest<'_>) -> rusqlite::Result<String> {
    let key = keys::current(conn)?;
    let mut cnf_jwk = req.holder.clone();
    cnf_jwk.kid = None;
    cnf_jwk.key_use = None;
    cnf_jwk.alg = None;
    let mut payload = Map::new();
    payload.insert("iss".into(), req.issuer.into());
    payload.insert("iat".into(), req.now.into());
    payload.insert("exp".into(), (req.now + CREDENTIAL_TTL).into());
    payload.insert("vct".into(), VCT.into());
    payload.insert("cnf".into(), json!({ "jwk": cnf_jwk.to_json() }));
    payload.insert(
        "status".into(),
        json!({ "status_list": { "idx": req.cert.status_idx, "uri": req.status_uri } }),
    );
    let disclosable = req
        .claims
        .iter()
        .filter_map(|c| claim_value(req.user, req.cert, c).map(|v| (c.clone(), to_sdk(&v))))
        .collect();
    let payload = to_sdk(&Value::Object(payload))
        .as_object()
        .cloned()
        .unwrap_or_default();
    issue_sd_jwt(
        &key.key,
        key.header("dc+sd-jwt"),
        payload,
        disclosable,
        DECOYS,
    )
    .map_err(crate::keys::no_randomness)
}

/// What an ID token needs.
pub struct IdTokenRequest<'a> {
    /// The issuer URL.
    pub issuer: &'a str,
    /// The pairwise subject.
    pub sub: &'a str,
    /// The client.
    pub client_id: &'a str,
    /// Issued-at.
    pub now: i64,
    /// Sign-in time.
    pub auth_time: i64,
    /// The request's nonce.
    pub nonce: &'a str,
    /// With `profile`: the user for `name` and `name_kana`.
    pub profile: Option<&'a User>,
}

/// A signed ID token.
///
/// # Errors
/// SQLite errors (loading the key).
pub fn id_token(conn: &Connection, req: &IdTokenRequest<'_>) -> rusqlite::Result<String> {
    let key = keys::current(conn)?;
    let mut claims = json!({
        "iss": req.issuer,
        "sub": req.sub,
        "aud": req.client_id,
        "exp": req.now + TOKEN_TTL,
        "iat": req.now,
        "auth_time": req.auth_time,
        "nonce": req.nonce,
    });
    if let (Some(u), Some(obj)) = (req.profile, claims.as_object_mut()) {
        obj.insert("name".into(), u.name().into());
        obj.insert("name_kana".into(), u.name_kana().into());
    }
    Ok(key.sign("JWT", &claims))
}

/// The status of a list index (0 when never set).
///
/// # Errors
/// SQLite errors.
pub fn status_of(conn: &Connection, idx: i64) -> rusqlite::Result<i64> {
    Ok(conn
        .query_row(
            "SELECT status FROM status WHERE idx = ?1",
            params![idx],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

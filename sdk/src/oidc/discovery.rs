//! Provider metadata (PROTOCOL.md §1).

use super::url::origin;
use super::LoginError;
use crate::json::{Map, Value};

/// The endpoints a client uses, read from `/.well-known/openid-configuration`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderMetadata {
    /// `issuer`, equal to the configured issuer.
    pub issuer: String,
    /// `authorization_endpoint`.
    pub authorization_endpoint: String,
    /// `token_endpoint`.
    pub token_endpoint: String,
    /// `jwks_uri`.
    pub jwks_uri: String,
    /// `userinfo_endpoint`, if advertised.
    pub userinfo_endpoint: Option<String>,
    /// `end_session_endpoint`, if advertised.
    pub end_session_endpoint: Option<String>,
}

fn endpoint(doc: &Map, name: &str) -> Result<Option<String>, LoginError> {
    match doc.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(url)) if origin(url).is_some() => Ok(Some(url.clone())),
        Some(_) => Err(LoginError::Malformed(
            "metadata endpoint is not an http(s) URL",
        )),
    }
}

fn required(doc: &Map, name: &str) -> Result<String, LoginError> {
    endpoint(doc, name)?.ok_or(LoginError::Malformed("metadata lacks a required endpoint"))
}

fn lists(doc: &Map, name: &str, value: &str) -> Result<(), LoginError> {
    match doc.get(name) {
        None => Ok(()),
        Some(Value::Array(items)) if items.iter().any(|v| v.as_str() == Some(value)) => Ok(()),
        Some(_) => Err(LoginError::Malformed(
            "the provider does not support S256 PKCE, ES256 or the iss parameter",
        )),
    }
}

/// The metadata URL of `issuer` (PROTOCOL.md §1):
/// `<issuer without a trailing "/">/.well-known/openid-configuration`.
pub fn discovery_url(issuer: &str) -> String {
    // Concatenation, not `format!`: this runs in the browser build too.
    let mut url = issuer.trim_end_matches('/').to_owned();
    url.push_str("/.well-known/openid-configuration");
    url
}

/// The issuer rule of PROTOCOL.md §1: the `issuer` named in a metadata document must be
/// the issuer URL the document was fetched for, **exactly**: no trailing-slash, case or
/// default-port leniency (`http://a/` is not `http://a`). Every layer (the login client,
/// the JS `Verifier.fromIssuer`, the widget, Rust servers) decides with this function.
///
/// # Errors
///
/// [`LoginError::IssuerMismatch`] when `named` is absent or differs.
pub fn check_issuer(named: Option<&str>, issuer: &str) -> Result<(), LoginError> {
    if named == Some(issuer) {
        Ok(())
    } else {
        Err(LoginError::IssuerMismatch)
    }
}

/// What a verifier needs from the metadata document `text` fetched for `issuer`: the
/// `jwks_uri`, after the issuer rule ([`check_issuer`]).
///
/// # Errors
///
/// `malformed` when the text is not a JSON object or has no http(s) `jwks_uri`;
/// `issuer_mismatch` (checked first on an object) when its `issuer` differs.
pub fn verifier_jwks_uri(text: &str, issuer: &str) -> Result<String, LoginError> {
    let value =
        crate::json::parse(text).map_err(|_| LoginError::Malformed("metadata is not JSON"))?;
    let doc = value
        .as_object()
        .ok_or(LoginError::Malformed("metadata is not a JSON object"))?;
    check_issuer(doc.get("issuer").and_then(Value::as_str), issuer)?;
    required(doc, "jwks_uri")
}

impl ProviderMetadata {
    /// Reads the metadata document fetched for `issuer`.
    ///
    /// # Errors
    ///
    /// `issuer_mismatch` when its `issuer` is missing or differs from `issuer`
    /// (checked first); `malformed` when it is not a JSON object, lacks
    /// `authorization_endpoint`, `token_endpoint` or `jwks_uri`, has a non-http(s)
    /// endpoint, or rules out S256 PKCE or ES256 ID tokens.
    pub fn parse(text: &str, issuer: &str) -> Result<Self, LoginError> {
        let value =
            crate::json::parse(text).map_err(|_| LoginError::Malformed("metadata is not JSON"))?;
        Self::from_value(&value, issuer)
    }

    /// [`ProviderMetadata::parse`] of a document already read as JSON (the same checks,
    /// in the same order): how a login attempt's stored copy ([`Self::to_json`]) is read
    /// back on its callback.
    ///
    /// # Errors
    ///
    /// As [`ProviderMetadata::parse`].
    pub fn from_value(value: &Value, issuer: &str) -> Result<Self, LoginError> {
        let doc = value
            .as_object()
            .ok_or(LoginError::Malformed("metadata is not a JSON object"))?;
        check_issuer(doc.get("issuer").and_then(Value::as_str), issuer)?;
        lists(doc, "code_challenge_methods_supported", "S256")?;
        lists(doc, "id_token_signing_alg_values_supported", "ES256")?;
        let iss_parameter = doc.get("authorization_response_iss_parameter_supported");
        if iss_parameter.and_then(Value::as_bool) == Some(false) {
            return Err(LoginError::Malformed(
                "the provider does not send iss in authorization responses",
            ));
        }
        Ok(Self {
            issuer: issuer.to_owned(),
            authorization_endpoint: required(doc, "authorization_endpoint")?,
            token_endpoint: required(doc, "token_endpoint")?,
            jwks_uri: required(doc, "jwks_uri")?,
            userinfo_endpoint: endpoint(doc, "userinfo_endpoint")?,
            end_session_endpoint: endpoint(doc, "end_session_endpoint")?,
        })
    }

    /// The metadata as a JSON object with its standard member names (what a login
    /// attempt keeps until its callback: see [`super::Transaction::metadata`]); read back
    /// with [`ProviderMetadata::from_value`].
    pub fn to_json(&self) -> Value {
        let mut m = Map::from_pairs([
            ("issuer", self.issuer.as_str().into()),
            (
                "authorization_endpoint",
                self.authorization_endpoint.as_str().into(),
            ),
            ("token_endpoint", self.token_endpoint.as_str().into()),
            ("jwks_uri", self.jwks_uri.as_str().into()),
        ]);
        crate::json::put(
            &mut m,
            "userinfo_endpoint",
            self.userinfo_endpoint.as_deref(),
        );
        crate::json::put(
            &mut m,
            "end_session_endpoint",
            self.end_session_endpoint.as_deref(),
        );
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;

    const ISS: &str = "http://127.0.0.1:8080";

    fn doc() -> Value {
        json!({
            "issuer": ISS,
            "authorization_endpoint": "http://127.0.0.1:8080/authorize",
            "token_endpoint": "http://127.0.0.1:8080/token",
            "jwks_uri": "http://127.0.0.1:8080/jwks.json",
            "end_session_endpoint": "http://127.0.0.1:8080/logout",
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "authorization_response_iss_parameter_supported": true
        })
    }

    #[test]
    fn metadata_rules() {
        let ok = ProviderMetadata::parse(&doc().to_string(), ISS).unwrap();
        assert_eq!(ok.token_endpoint, "http://127.0.0.1:8080/token");
        assert_eq!(ok.userinfo_endpoint, None);
        let table: [(&str, Value, &str); 7] = [
            (
                "other issuer",
                json!({"issuer": "http://127.0.0.1:9999"}),
                "issuer_mismatch",
            ),
            (
                "trailing slash",
                json!({"issuer": "http://127.0.0.1:8080/"}),
                "issuer_mismatch",
            ),
            ("no issuer", json!({"issuer": null}), "issuer_mismatch"),
            (
                "plain PKCE",
                json!({"code_challenge_methods_supported": ["plain"]}),
                "malformed",
            ),
            (
                "HS256 only",
                json!({"id_token_signing_alg_values_supported": ["HS256"]}),
                "malformed",
            ),
            (
                "no token endpoint",
                json!({"token_endpoint": null}),
                "malformed",
            ),
            (
                "js endpoint",
                json!({"jwks_uri": "javascript:x"}),
                "malformed",
            ),
        ];
        for (name, patch, code) in table {
            let mut d = doc();
            for (k, v) in patch.as_object().unwrap() {
                d.as_object_mut().unwrap().insert(k.clone(), v.clone());
            }
            let e = ProviderMetadata::parse(&d.to_string(), ISS).unwrap_err();
            assert_eq!(e.code(), code, "{name}");
        }
        assert_eq!(
            ProviderMetadata::parse("[]", ISS).unwrap_err().code(),
            "malformed"
        );
    }

    #[test]
    fn the_issuer_rule_is_exact() {
        // (named in the document, fetched for, accepted?)
        let rows: [(Option<&str>, &str, bool); 8] = [
            (Some(ISS), ISS, true),
            (Some("http://127.0.0.1:8080/"), ISS, false),
            (Some(ISS), "http://127.0.0.1:8080/", false),
            (Some("HTTP://127.0.0.1:8080"), ISS, false),
            (Some("http://127.0.0.1:8080:80"), ISS, false),
            (Some("http://127.0.0.1:9999"), ISS, false),
            (Some(""), ISS, false),
            (None, ISS, false),
        ];
        for (named, issuer, ok) in rows {
            assert_eq!(
                check_issuer(named, issuer).is_ok(),
                ok,
                "{named:?} vs {issuer}"
            );
            if !ok {
                assert_eq!(
                    check_issuer(named, issuer).unwrap_err().code(),
                    "issuer_mismatch"
                );
            }
        }
    }

    #[test]
    fn what_a_verifier_reads_from_metadata() {
        let ok = verifier_jwks_uri(&doc().to_string(), ISS).unwrap();
        assert_eq!(ok, "http://127.0.0.1:8080/jwks.json");
        let rows: [(&str, String, &str); 5] = [
            ("not JSON", "{".into(), "malformed"),
            ("not an object", "[]".into(), "malformed"),
            ("trailing slash", json!({"issuer": "http://127.0.0.1:8080/", "jwks_uri": "http://127.0.0.1:8080/jwks.json"}).to_string(), "issuer_mismatch"),
            ("no jwks_uri", json!({"issuer": ISS}).to_string(), "malformed"),
            ("jwks_uri not http(s)", json!({"issuer": ISS, "jwks_uri": "file:///etc/keys"}).to_string(), "malformed"),
        ];
        for (what, text, code) in rows {
            assert_eq!(
                verifier_jwks_uri(&text, ISS).unwrap_err().code(),
                code,
                "{what}"
            );
        }
    }

    #[test]
    fn discovery_url_of_an_issuer() {
        for issuer in ["http://127.0.0.1:8080", "http://127.0.0.1:8080/"] {
            assert_eq!(
                discovery_url(issuer),
                "http://127.0.0.1:8080/.well-known/openid-configuration"
            );
        }
        assert_eq!(
            discovery_url("https://id.example/tenant"),
            "https://id.example/tenant/.well-known/openid-configuration"
        );
    }
}

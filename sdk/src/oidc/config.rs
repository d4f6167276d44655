//! Client configuration and its validation (`MirairoId.create` options).

use super::url::origin;
use super::LoginError;
use crate::Lang;

/// Every name of `certificate_claims_supported` (PROTOCOL.md §1).
pub const CERTIFICATE_CLAIMS_SUPPORTED: [&str; 15] = [
    "certificate_type",
    "grade",
    "fare_class",
    "caregiver",
    "issuer_prefecture",
    "certificate_number",
    "issued_on",
    "renewed_on",
    "valid_until",
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "birthdate",
    "mynaportal",
];

/// The claims asked for when the partner names none (PROTOCOL.md §2.1).
pub const DEFAULT_CERTIFICATE_CLAIMS: [&str; 4] =
    ["certificate_type", "fare_class", "caregiver", "valid_until"];

/// The options a partner passes to `MirairoId.create`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOptions {
    /// The provider's issuer URL.
    pub issuer: String,
    /// The registered `client_id`.
    pub client_id: String,
    /// One of the registered redirect URIs; same origin as the page.
    pub redirect_uri: String,
    /// Claims to ask for; `None` means [`DEFAULT_CERTIFICATE_CLAIMS`], an empty list
    /// means no credential at all.
    pub certificate_claims: Option<Vec<String>>,
    /// Ask for the holder's name too (`profile` scope).
    pub profile: bool,
    /// `ja` or `en`; `None` means `ja`.
    pub lang: Option<String>,
}

/// A validated client configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    pub(crate) issuer: String,
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) certificate_claims: Vec<String>,
    pub(crate) profile: bool,
    pub(crate) lang: Lang,
}

/// Checks a list of claim names against `certificate_claims_supported`; no duplicates.
///
/// # Errors
///
/// `invalid_config` for an unknown or repeated name.
pub fn validate_claims(claims: &[String]) -> Result<Vec<String>, LoginError> {
    let mut out: Vec<String> = Vec::with_capacity(claims.len());
    for c in claims {
        if !CERTIFICATE_CLAIMS_SUPPORTED.contains(&c.as_str()) {
            return Err(LoginError::InvalidConfig(
                "certificateClaims has a name outside certificate_claims_supported",
            ));
        }
        if out.contains(c) {
            return Err(LoginError::InvalidConfig(
                "certificateClaims repeats a name",
            ));
        }
        out.push(c.clone());
    }
    Ok(out)
}

impl ClientConfig {
    /// Validates `options` for a page whose origin is `page_origin`
    /// (`location.origin`).
    ///
    /// # Errors
    ///
    /// `invalid_config` when the issuer is not an http(s) URL without query or
    /// fragment, the client id is empty, the redirect URI is not an http(s) URL on the
    /// page's origin, a claim is unknown, or `lang` is not `ja`/`en`.
    pub fn new(options: ClientOptions, page_origin: &str) -> Result<Self, LoginError> {
        let issuer = options.issuer;
        if origin(&issuer).is_none() || issuer.contains(['?', '#']) {
            return Err(LoginError::InvalidConfig("issuer is not an http(s) URL"));
        }
        if options.client_id.is_empty() || options.client_id.len() > 256 {
            return Err(LoginError::InvalidConfig("clientId is empty or too long"));
        }
        let page = origin(page_origin)
            .ok_or(LoginError::InvalidConfig("the page has no http(s) origin"))?;
        let redirect = origin(&options.redirect_uri).ok_or(LoginError::InvalidConfig(
            "redirectUri is not an http(s) URL",
        ))?;
        if redirect != page {
            return Err(LoginError::InvalidConfig(
                "redirectUri is not on the page's origin",
            ));
        }
        if options.redirect_uri.contains('#') {
            return Err(LoginError::InvalidConfig("redirectUri has a fragment"));
        }
        let certificate_claims = match &options.certificate_claims {
            None => DEFAULT_CERTIFICATE_CLAIMS
                .iter()
                .map(|c| (*c).to_owned())
                .collect(),
            Some(list) => validate_claims(list)?,
        };
        let lang = match &options.lang {
            None => Lang::Ja,
            Some(l) => Lang::from_wire(l)
                .ok_or(LoginError::InvalidConfig("lang must be \"ja\" or \"en\""))?,
        };
        Ok(Self {
            issuer,
            client_id: options.client_id,
            redirect_uri: options.redirect_uri,
            certificate_claims,
            profile: options.profile,
            lang,
        })
    }

    /// The issuer URL.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The `client_id`.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The redirect URI.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// `{issuer}/.well-known/openid-configuration`.
    pub fn discovery_url(&self) -> String {
        super::discovery::discovery_url(&self.issuer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "http://127.0.0.1:8080";

    fn options() -> ClientOptions {
        ClientOptions {
            issuer: "http://127.0.0.1:8080".into(),
            client_id: "demo-railway".into(),
            redirect_uri: "http://127.0.0.1:8080/demo/callback.html".into(),
            certificate_claims: None,
            profile: false,
            lang: None,
        }
    }

    #[test]
    fn valid_config_gets_defaults() {
        let c = ClientConfig::new(options(), PAGE).unwrap();
        assert_eq!(c.certificate_claims, DEFAULT_CERTIFICATE_CLAIMS);
        assert_eq!(c.lang, Lang::Ja);
        assert_eq!(
            c.discovery_url(),
            "http://127.0.0.1:8080/.well-known/openid-configuration"
        );
    }

    #[test]
    fn each_bad_option_is_invalid_config() {
        type Edit = fn(&mut ClientOptions);
        let table: [(&str, Edit); 10] = [
            ("issuer not a URL", |o| o.issuer = "not a url".into()),
            ("issuer ftp", |o| o.issuer = "ftp://127.0.0.1".into()),
            ("issuer with query", |o| {
                o.issuer = "http://127.0.0.1:8080?x".into()
            }),
            ("empty client", |o| o.client_id = String::new()),
            ("redirect elsewhere", |o| {
                o.redirect_uri = "http://evil.example/cb".into()
            }),
            ("redirect other port", |o| {
                o.redirect_uri = "http://127.0.0.1:9090/cb".into()
            }),
            ("redirect relative", |o| o.redirect_uri = "/cb".into()),
            ("unknown claim", |o| {
                o.certificate_claims = Some(vec!["blood_type".into()])
            }),
            ("repeated claim", |o| {
                o.certificate_claims = Some(vec!["grade".into(), "grade".into()])
            }),
            ("unknown lang", |o| o.lang = Some("fr".into())),
        ];
        for (name, edit) in table {
            let mut o = options();
            edit(&mut o);
            let e = ClientConfig::new(o, PAGE).unwrap_err();
            assert_eq!(e.code(), "invalid_config", "{name}");
        }
    }
}

//! [`LoginClient`]: the login state machine that a browser layer drives. It never
//! does I/O: it says what to fetch or sign and takes the answers.

use super::callback::{check_callback, CallbackParams};
use super::config::{validate_claims, ClientConfig, ClientOptions};
use super::discovery::ProviderMetadata;
use super::request::{
    self, random_token, AuthorizationRequest, LogoutParams, RequestParams, Transaction,
};
use super::resource::{
    after_resource_answer, after_token_answer, Answer, DpopNonces, Next, Retried,
};
use super::signing::{dpop_proof_input, PendingJws};
use super::token::{code_body, refresh_body, TokenResponse};
use super::LoginError;
use crate::dpop::access_token_hash;
use crate::error::{ErrorCode, VerifyError};
use crate::jose::{run_checks, EcPublicJwk, Es256Unavailable, SignatureCheck};
use crate::json::{self, Map, Value};
use crate::sdjwt::{sd_hash, SdJwt};
use crate::{
    IdTokenClaims, IdTokenError, IdTokenOptions, Prepared, PreparedIdToken, VerifiedCertificate,
    Verifier, VerifierConfig, VerifyOptions,
};
use std::fmt;

/// Seconds that must pass between two JWK Set refetches (PROTOCOL.md §1).
pub const JWKS_REFETCH_INTERVAL: i64 = 60;

/// The JWK Set refetch rule of PROTOCOL.md §1: a token naming an unknown `kid` may
/// trigger one refetch, at most once per [`JWKS_REFETCH_INTERVAL`]; the first fetch is
/// not counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JwksRefetchPolicy {
    last_refetch: Option<i64>,
}

impl JwksRefetchPolicy {
    /// True when a refetch is allowed at `now`.
    pub fn may_refetch(&self, now: i64) -> bool {
        self.last_refetch
            .is_none_or(|last| now.saturating_sub(last) >= JWKS_REFETCH_INTERVAL)
    }

    /// Notes a refetch made at `now`.
    pub fn record_refetch(&mut self, now: i64) {
        self.last_refetch = Some(now);
    }
}

/// The outcome of a verification step: done, or fetch the JWK Set again (from
/// [`ProviderMetadata::jwks_uri`]), pass it to [`LoginClient::set_jwks`] with
/// `refetch: true`, and repeat the step with the same input.
#[derive(Debug, Clone, PartialEq)]
pub enum Step<T> {
    /// The step finished.
    Done(T),
    /// A key was unknown and the refetch rule allows one refetch now.
    RefetchJwks,
}

/// A request for the token endpoint: POST `body` (form-urlencoded) to `url` with a
/// DPoP proof from [`LoginClient::dpop_proof`] for `url`.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenRequest {
    /// The token endpoint.
    pub url: String,
    /// The `application/x-www-form-urlencoded` body.
    pub body: String,
}

impl fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRequest")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// What a login or refresh yields (`LoginResult` in JS).
#[derive(Debug, Clone, PartialEq)]
pub struct LoginResult {
    /// The verified ID token claims.
    pub id_token: IdTokenClaims,
    /// The verified certificate credential, when one was asked for and issued.
    pub certificate: Option<VerifiedCertificate>,
    /// The `appState` given to the redirect login.
    pub app_state: Option<Value>,
}

impl LoginResult {
    /// `{ idToken, certificate, appState? }` (`certificate` `null` when none).
    pub fn to_json(&self) -> Value {
        let mut m = Map::from_pairs([
            ("idToken", self.id_token.to_json()),
            (
                "certificate",
                json::or_null(self.certificate.as_ref().map(VerifiedCertificate::to_json)),
            ),
        ]);
        json::put(&mut m, "appState", self.app_state.clone());
        Value::Object(m)
    }
}

/// Per-attempt login options (`loginWithRedirect` / `loginWithPopup`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoginOptions {
    /// Overrides the configured claims for this attempt.
    pub certificate_claims: Option<Vec<String>>,
    /// Returned as `appState` after the redirect.
    pub app_state: Option<Value>,
    /// `loginWithPopup`: how long the browser layer waits for the popup, in seconds
    /// (`None`: [`crate::options::DEFAULT_POPUP_TIMEOUT_SECONDS`]). Not used by the
    /// core itself.
    pub popup_timeout: Option<u64>,
}

/// A presentation waiting for its key-binding signature (see [`PendingJws`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingPresentation {
    prefix: String,
    kb: PendingJws,
}

impl PendingPresentation {
    /// The KB-JWT signing input, to be signed by the holder (DPoP) key.
    pub fn signing_input(&self) -> &str {
        self.kb.signing_input()
    }

    /// `<issuer JWT>~<chosen disclosures>~<KB-JWT>`.
    ///
    /// # Errors
    ///
    /// `malformed` unless `signature` is a 64-byte ES256 signature.
    pub fn finish(self, signature: &[u8]) -> Result<String, LoginError> {
        let kb = self.kb.finish(signature)?;
        Ok(self.prefix + &kb)
    }
}

#[derive(Clone)]
struct Session {
    access_token: String,
    refresh_token: Option<String>,
    /// The raw ID token (the latest one), sent as `id_token_hint` at logout.
    id_token: String,
    claims: IdTokenClaims,
    certificate: Option<VerifiedCertificate>,
    credential: Option<String>,
}

/// The login state machine. Holds the configuration, the provider metadata and
/// keys, and the session (tokens live only here, in memory).
///
/// Drive it as: [`LoginClient::new`] → fetch [`ClientConfig::discovery_url`] →
/// [`LoginClient::set_metadata`] → fetch `jwks_uri` → [`LoginClient::set_jwks`] →
/// [`LoginClient::authorization_request`] (store the transaction, go to its URL) →
/// on the callback [`LoginClient::accept_callback`] → [`LoginClient::code_token_request`]
/// plus [`LoginClient::dpop_proof`] → [`TokenResponse::parse`] →
/// [`LoginClient::complete_login`] (repeat after a refetch when it says so).
pub struct LoginClient {
    config: ClientConfig,
    metadata: Option<ProviderMetadata>,
    verifier: Option<Verifier>,
    refetch: JwksRefetchPolicy,
    session: Option<Session>,
    nonces: DpopNonces,
}

impl fmt::Debug for LoginClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginClient")
            .field("config", &self.config)
            .field("metadata", &self.metadata)
            .field("authenticated", &self.session.is_some())
            .finish_non_exhaustive()
    }
}

fn es256_unavailable(e: Es256Unavailable) -> LoginError {
    LoginError::from(IdTokenError::from(e))
}

/// A token answer (code exchange or refresh) whose ECDSA checks wait to be run: phase
/// one of [`LoginClient::complete_login`] / [`LoginClient::complete_refresh`], made by
/// [`LoginClient::prepare_login`] / [`LoginClient::prepare_refresh`], finished by
/// [`LoginClient::finish_login`]. `Debug` shows no token.
#[derive(Clone)]
pub struct PendingLogin {
    /// `Some` for the code exchange, `None` for a refresh.
    transaction: Option<Transaction>,
    response: TokenResponse,
    holder: EcPublicJwk,
    now: i64,
    id_token: Option<PreparedIdToken>,
    /// The credential's phase one, or its error (reported after the ID token's checks).
    credential: Option<Result<Prepared, VerifyError>>,
    checks: Vec<SignatureCheck>,
}

impl fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingLogin")
            .field("refresh", &self.transaction.is_none())
            .field("checks", &self.checks.len())
            .finish_non_exhaustive()
    }
}

impl PendingLogin {
    fn new(
        verifier: &Verifier,
        response: &TokenResponse,
        transaction: Option<Transaction>,
        holder: &EcPublicJwk,
        now: i64,
        id_token: Option<PreparedIdToken>,
    ) -> Self {
        let credential = response
            .certificate_credential
            .as_deref()
            .map(|c| verifier.prepare(c, &VerifyOptions::at(now)));
        let mut checks: Vec<SignatureCheck> = id_token
            .as_ref()
            .and_then(PreparedIdToken::signature_check)
            .into_iter()
            .cloned()
            .collect();
        if let Some(Ok(prepared)) = &credential {
            checks.extend(prepared.signature_checks().iter().cloned());
        }
        Self {
            transaction,
            response: response.clone(),
            holder: holder.clone(),
            now,
            id_token,
            credential,
            checks,
        }
    }

    /// The ECDSA checks to run, in order: the ID token's (when it has one), then the
    /// credential's.
    pub fn signature_checks(&self) -> &[SignatureCheck] {
        &self.checks
    }

    /// Finishes the ID token (when there is one) with its result, the first of
    /// `results`; returns its claims and the results left for the credential.
    fn finish_id_token<'r>(
        &self,
        results: &'r [bool],
    ) -> Result<(Option<IdTokenClaims>, &'r [bool]), LoginError> {
        let Some(prepared) = &self.id_token else {
            return Ok((None, results));
        };
        let has_check = prepared.signature_check().is_some();
        let ok = has_check && results.first() == Some(&true);
        let rest = if has_check {
            results.get(1..).unwrap_or_default()
        } else {
            results
        };
        Ok((Some(prepared.clone().finish(ok)?), rest))
    }
}

fn not_ready() -> LoginError {
    LoginError::Malformed("the provider metadata and keys are not loaded")
}

impl LoginClient {
    /// A client for `options` on a page of origin `page_origin`.
    ///
    /// # Errors
    ///
    /// `invalid_config`, see [`ClientConfig::new`].
    pub fn new(options: ClientOptions, page_origin: &str) -> Result<Self, LoginError> {
        Ok(Self {
            config: ClientConfig::new(options, page_origin)?,
            metadata: None,
            verifier: None,
            refetch: JwksRefetchPolicy::default(),
            session: None,
            nonces: DpopNonces::default(),
        })
    }

    /// The validated configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The provider metadata, once set.
    pub fn metadata(&self) -> Option<&ProviderMetadata> {
        self.metadata.as_ref()
    }

    /// Reads the metadata document fetched from [`ClientConfig::discovery_url`].
    ///
    /// # Errors
    ///
    /// `issuer_mismatch` or `malformed`, see [`ProviderMetadata::parse`].
    pub fn set_metadata(&mut self, text: &str) -> Result<&ProviderMetadata, LoginError> {
        let metadata = ProviderMetadata::parse(text, &self.config.issuer)?;
        Ok(self.metadata.insert(metadata))
    }

    /// Installs the JWK Set fetched from `jwks_uri` at `now`; `refetch` says whether
    /// this fetch answers a [`Step::RefetchJwks`] (it then counts for the rate limit).
    ///
    /// # Errors
    ///
    /// `malformed` when the text is not a JWK Set (the previous set stays).
    pub fn set_jwks(&mut self, text: &str, now: i64, refetch: bool) -> Result<(), LoginError> {
        let jwks = crate::json::parse(text)
            .map_err(|_| LoginError::Malformed("the JWK Set is not JSON"))?;
        let config = VerifierConfig::new(self.config.issuer.clone(), jwks);
        let verifier = Verifier::new(config)
            .map_err(|_| LoginError::Malformed("the JWK Set has no keys array"))?;
        self.verifier = Some(verifier);
        if refetch {
            self.refetch.record_refetch(now);
        }
        Ok(())
    }

    /// True when a refetch is allowed at `now` (exposed for tests and logs).
    pub fn may_refetch_jwks(&self, now: i64) -> bool {
        self.refetch.may_refetch(now)
    }

    /// A new authorization request bound to the DPoP key `holder`.
    ///
    /// # Errors
    ///
    /// `invalid_config` for unknown claims in `options`; `malformed` before
    /// [`LoginClient::set_metadata`].
    pub fn authorization_request(
        &self,
        options: LoginOptions,
        holder: &EcPublicJwk,
        now: i64,
    ) -> Result<AuthorizationRequest, LoginError> {
        let metadata = self.metadata.as_ref().ok_or_else(not_ready)?;
        let claims = match &options.certificate_claims {
            Some(list) => validate_claims(list)?,
            None => self.config.certificate_claims.clone(),
        };
        let jkt = holder.thumbprint();
        Ok(request::authorization_request(RequestParams {
            authorization_endpoint: &metadata.authorization_endpoint,
            client_id: &self.config.client_id,
            redirect_uri: &self.config.redirect_uri,
            claims: &claims,
            profile: self.config.profile,
            ui_locales: self.config.lang.as_str(),
            dpop_jkt: &jkt,
            app_state: options.app_state,
            metadata,
            now,
        })?)
    }

    /// Checks the callback `url` against `stored`, the transaction saved under the
    /// URL's `state` (see [`callback_state`]); the caller removes it from storage
    /// before calling (one use). Returns the authorization code.
    ///
    /// A client without provider metadata (a fresh one on the callback page) takes the
    /// metadata the attempt was made with ([`Transaction::metadata`]) once the callback
    /// has passed, after the same checks as a fetched document (issuer first); a copy
    /// that fails them is not used, and the client fetches the metadata as usual.
    /// Metadata the client already has is kept.
    ///
    /// # Errors
    ///
    /// See [`check_callback`]: `state_mismatch`, `issuer_mismatch`,
    /// `provider_error`, `malformed`, in that order.
    pub fn accept_callback(
        &mut self,
        url: &str,
        stored: Option<&Transaction>,
        now: i64,
    ) -> Result<String, LoginError> {
        let code = check_callback(
            &CallbackParams::parse(url),
            stored,
            &self.config.issuer,
            now,
        )?;
        if self.metadata.is_none() {
            self.metadata = stored
                .and_then(|t| t.metadata.as_ref())
                .and_then(|m| ProviderMetadata::from_value(m, &self.config.issuer).ok());
        }
        Ok(code)
    }

    /// The token request redeeming `code`.
    ///
    /// # Errors
    ///
    /// `malformed` before [`LoginClient::set_metadata`].
    pub fn code_token_request(
        &self,
        code: &str,
        transaction: &Transaction,
    ) -> Result<TokenRequest, LoginError> {
        let metadata = self.metadata.as_ref().ok_or_else(not_ready)?;
        Ok(TokenRequest {
            url: metadata.token_endpoint.clone(),
            body: code_body(
                code,
                &transaction.redirect_uri,
                &self.config.client_id,
                transaction.code_verifier.secret(),
            ),
        })
    }

    /// A DPoP proof for `htm` `url` at `now` with a fresh `jti`; with
    /// `with_access_token`, bound to the session's access token (`ath`); with the
    /// latest nonce `url`'s server gave (RFC 9449 §8), if any.
    ///
    /// # Errors
    ///
    /// `not_authenticated` when `with_access_token` is set without a session.
    pub fn dpop_proof(
        &self,
        holder: &EcPublicJwk,
        htm: &str,
        url: &str,
        now: i64,
        with_access_token: bool,
    ) -> Result<PendingJws, LoginError> {
        let ath = if with_access_token {
            let session = self.session.as_ref().ok_or(LoginError::NotAuthenticated)?;
            Some(access_token_hash(&session.access_token))
        } else {
            None
        };
        Ok(dpop_proof_input(
            holder,
            htm,
            url,
            now,
            &random_token()?,
            ath.as_deref(),
            self.nonces.for_url(url),
        ))
    }

    /// Reads the token endpoint's answer before [`TokenResponse::parse`]: remembers its
    /// `DPoP-Nonce` and says whether to send the request again with it (see
    /// [`super::after_token_answer`]; `retried` says what was already retried).
    ///
    /// # Errors
    ///
    /// `provider_error` `use_dpop_nonce` when the nonce demand cannot be met once more.
    pub fn after_token_answer(
        &mut self,
        url: &str,
        answer: &Answer<'_>,
        retried: Retried,
    ) -> Result<Next, LoginError> {
        after_token_answer(&mut self.nonces, url, answer, retried)
    }

    /// The userinfo endpoint to `GET` with `Authorization: DPoP <token>` (see
    /// [`LoginClient::authorization_header`]) and a proof made by
    /// [`LoginClient::dpop_proof`] with `with_access_token`.
    ///
    /// # Errors
    ///
    /// `not_authenticated` without a session; `invalid_config` when the provider
    /// advertises no userinfo endpoint.
    pub fn userinfo_url(&self) -> Result<String, LoginError> {
        if self.session.is_none() {
            return Err(LoginError::NotAuthenticated);
        }
        let metadata = self.metadata.as_ref().ok_or(LoginError::NotAuthenticated)?;
        metadata
            .userinfo_endpoint
            .clone()
            .ok_or(LoginError::InvalidConfig(
                "the provider advertises no userinfo_endpoint",
            ))
    }

    /// `DPoP <access token>`, the `Authorization` header of a resource request.
    ///
    /// # Errors
    ///
    /// `not_authenticated` without a session.
    pub fn authorization_header(&self) -> Result<String, LoginError> {
        let session = self.session.as_ref().ok_or(LoginError::NotAuthenticated)?;
        Ok(format!("DPoP {}", session.access_token))
    }

    /// Reads a userinfo answer (see [`super::after_resource_answer`] for the `401`
    /// rules): `Done` carries the claims, checked by [`LoginClient::check_userinfo`].
    ///
    /// # Errors
    ///
    /// As [`super::after_resource_answer`] and [`LoginClient::check_userinfo`].
    pub fn after_userinfo_answer(
        &mut self,
        url: &str,
        answer: &Answer<'_>,
        retried: Retried,
    ) -> Result<(Next, Option<Map>), LoginError> {
        let can_refresh = self
            .session
            .as_ref()
            .is_some_and(|s| s.refresh_token.is_some());
        match after_resource_answer(&mut self.nonces, url, answer, retried, can_refresh)? {
            Next::Done => Ok((Next::Done, Some(self.check_userinfo(answer.body)?))),
            other => Ok((other, None)),
        }
    }

    /// The credential's outcome after its signature checks (`results`, in
    /// [`Prepared::signature_checks`] order) or its phase-one error: `cnf.jwk` must be
    /// `holder`; an unknown `kid` asks for one JWK Set refetch when the rule allows.
    fn credential_outcome(
        &self,
        prepared: Result<Prepared, VerifyError>,
        results: &[bool],
        holder: &EcPublicJwk,
        now: i64,
    ) -> Result<Step<VerifiedCertificate>, LoginError> {
        match prepared.and_then(|p| p.finish(results)) {
            Ok(cert) if cert.holder_key_thumbprint == holder.thumbprint() => Ok(Step::Done(cert)),
            Ok(_) => Err(LoginError::Credential(VerifyError::new(
                ErrorCode::BadKeyBinding,
                "cnf.jwk is not this client's DPoP key",
            ))),
            Err(e) if e.code() == ErrorCode::UnknownKey && self.refetch.may_refetch(now) => {
                Ok(Step::RefetchJwks)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Phase one of an ID token check (PROTOCOL.md §2.4): an unknown `kid` asks for one
    /// JWK Set refetch when the rule allows.
    fn prepare_id_token(
        &self,
        verifier: &Verifier,
        token: &str,
        nonce: Option<String>,
        now: i64,
    ) -> Result<Step<PreparedIdToken>, LoginError> {
        let options = IdTokenOptions {
            audience: self.config.client_id.clone(),
            nonce,
            now,
        };
        match verifier.prepare_id_token(token, &options) {
            Ok(prepared) => Ok(Step::Done(prepared)),
            Err(IdTokenError::UnknownKey) if self.refetch.may_refetch(now) => Ok(Step::RefetchJwks),
            Err(e) => Err(e.into()),
        }
    }

    /// Verifies the token response of the code exchange (PROTOCOL.md §2.4): the ID
    /// token (nonce of `transaction`) and the certificate credential with every
    /// issuer-side check and `cnf.jwk` equal to `holder`. On success the session
    /// starts. [`LoginClient::prepare_login`] and [`LoginClient::finish_login`] with
    /// the ECDSA checks run synchronously ([`crate::jose::run_checks`]).
    ///
    /// # Errors
    ///
    /// `bad_key_binding` when `holder` is not the key of the transaction or of the
    /// credential's `cnf`; `bad_id_token` (with reason); a §4 code for the credential;
    /// `malformed` before [`LoginClient::set_jwks`]; `invalid_config` when the core has
    /// no synchronous ES256 (built without its `es256` feature, no verifier installed).
    pub fn complete_login(
        &mut self,
        response: &TokenResponse,
        transaction: &Transaction,
        holder: &EcPublicJwk,
        now: i64,
    ) -> Result<Step<LoginResult>, LoginError> {
        match self.prepare_login(response, transaction, holder, now)? {
            Step::RefetchJwks => Ok(Step::RefetchJwks),
            Step::Done(pending) => {
                let results = run_checks(pending.signature_checks()).map_err(es256_unavailable)?;
                self.finish_login(pending, &results)
            }
        }
    }

    /// Phase one of [`LoginClient::complete_login`]: every check that precedes the
    /// signatures (the DPoP key, parsing, `alg`, `typ`, key selection). The returned
    /// [`PendingLogin`] lists the ECDSA checks (ID token first, then the credential's)
    /// for the caller to run, e.g. with WebCrypto, before
    /// [`LoginClient::finish_login`]. The checks' order of errors is the one-phase
    /// order: a credential error found here is reported after the ID token's checks.
    ///
    /// # Errors
    ///
    /// As [`LoginClient::complete_login`], for the checks made so far.
    pub fn prepare_login(
        &self,
        response: &TokenResponse,
        transaction: &Transaction,
        holder: &EcPublicJwk,
        now: i64,
    ) -> Result<Step<PendingLogin>, LoginError> {
        if holder.thumbprint() != transaction.dpop_jkt {
            return Err(LoginError::Credential(VerifyError::new(
                ErrorCode::BadKeyBinding,
                "the DPoP key changed during the login",
            )));
        }
        let verifier = self.verifier.as_ref().ok_or_else(not_ready)?;
        let nonce = Some(transaction.nonce.secret().to_owned());
        let id_token = response
            .id_token
            .as_deref()
            .ok_or(LoginError::BadIdToken("missing"))?;
        let prepared_id = match self.prepare_id_token(verifier, id_token, nonce, now)? {
            Step::Done(p) => p,
            Step::RefetchJwks => return Ok(Step::RefetchJwks),
        };
        Ok(Step::Done(PendingLogin::new(
            verifier,
            response,
            Some(transaction.clone()),
            holder,
            now,
            Some(prepared_id),
        )))
    }

    /// Phase two of [`LoginClient::complete_login`] or
    /// [`LoginClient::complete_refresh`], given the outcomes of
    /// [`PendingLogin::signature_checks`] in order (a missing one counts as failed).
    ///
    /// # Errors
    ///
    /// As [`LoginClient::complete_login`] / [`LoginClient::complete_refresh`]; a
    /// refused refresh ends the session.
    pub fn finish_login(
        &mut self,
        pending: PendingLogin,
        results: &[bool],
    ) -> Result<Step<LoginResult>, LoginError> {
        if pending.transaction.is_some() {
            return self.finish_code_exchange(pending, results);
        }
        let result = self.finish_refresh(pending, results);
        if result.is_err() {
            self.session = None;
        }
        result
    }

    fn finish_code_exchange(
        &mut self,
        pending: PendingLogin,
        results: &[bool],
    ) -> Result<Step<LoginResult>, LoginError> {
        let (claims, rest) = match pending.finish_id_token(results)? {
            (Some(claims), rest) => (claims, rest),
            (None, _) => return Err(LoginError::BadIdToken("missing")),
        };
        let certificate = match pending.credential {
            None => None,
            Some(prepared) => {
                match self.credential_outcome(prepared, rest, &pending.holder, pending.now)? {
                    Step::Done(c) => Some(c),
                    Step::RefetchJwks => return Ok(Step::RefetchJwks),
                }
            }
        };
        let response = pending.response;
        self.session = Some(Session {
            access_token: response.access_token,
            refresh_token: response.refresh_token,
            id_token: response.id_token.unwrap_or_default(),
            claims: claims.clone(),
            certificate: certificate.clone(),
            credential: response.certificate_credential,
        });
        Ok(Step::Done(LoginResult {
            id_token: claims,
            certificate,
            app_state: pending.transaction.and_then(|t| t.app_state),
        }))
    }

    /// The refresh request (`grant_type=refresh_token`).
    ///
    /// # Errors
    ///
    /// `not_authenticated` without a session holding a refresh token.
    pub fn refresh_token_request(&self) -> Result<TokenRequest, LoginError> {
        let metadata = self.metadata.as_ref().ok_or(LoginError::NotAuthenticated)?;
        let refresh = self
            .session
            .as_ref()
            .and_then(|s| s.refresh_token.as_deref())
            .ok_or(LoginError::NotAuthenticated)?;
        Ok(TokenRequest {
            url: metadata.token_endpoint.clone(),
            body: refresh_body(refresh, &self.config.client_id),
        })
    }

    /// Verifies a refresh response and rotates the session's tokens. A new ID token
    /// must name the same `iss` and `sub` (OIDC Core §12.2); a new credential passes the
    /// same checks as at login. A refused answer ends the session.
    /// [`LoginClient::prepare_refresh`] and [`LoginClient::finish_login`] with the
    /// ECDSA checks run synchronously.
    ///
    /// # Errors
    ///
    /// `not_authenticated` without a session; `bad_id_token` (reason
    /// `wrong_subject` for another `sub`); a §4 code for the credential;
    /// `invalid_config` when the core has no synchronous ES256.
    pub fn complete_refresh(
        &mut self,
        response: &TokenResponse,
        holder: &EcPublicJwk,
        now: i64,
    ) -> Result<Step<LoginResult>, LoginError> {
        match self.prepare_refresh(response, holder, now)? {
            Step::RefetchJwks => Ok(Step::RefetchJwks),
            Step::Done(pending) => match run_checks(pending.signature_checks()) {
                Ok(results) => self.finish_login(pending, &results),
                Err(e) => {
                    self.session = None;
                    Err(es256_unavailable(e))
                }
            },
        }
    }

    /// Phase one of [`LoginClient::complete_refresh`] (see
    /// [`LoginClient::prepare_login`]); finish with [`LoginClient::finish_login`].
    ///
    /// # Errors
    ///
    /// As [`LoginClient::complete_refresh`], for the checks made so far; a refused
    /// answer ends the session.
    pub fn prepare_refresh(
        &mut self,
        response: &TokenResponse,
        holder: &EcPublicJwk,
        now: i64,
    ) -> Result<Step<PendingLogin>, LoginError> {
        let result = self.check_refresh(response, holder, now);
        if result.is_err() {
            self.session = None;
        }
        result
    }

    fn check_refresh(
        &self,
        response: &TokenResponse,
        holder: &EcPublicJwk,
        now: i64,
    ) -> Result<Step<PendingLogin>, LoginError> {
        self.session.as_ref().ok_or(LoginError::NotAuthenticated)?;
        let verifier = self.verifier.as_ref().ok_or_else(not_ready)?;
        let prepared_id = match response.id_token.as_deref() {
            None => None,
            Some(token) => match self.prepare_id_token(verifier, token, None, now)? {
                Step::RefetchJwks => return Ok(Step::RefetchJwks),
                Step::Done(p) => Some(p),
            },
        };
        Ok(Step::Done(PendingLogin::new(
            verifier,
            response,
            None,
            holder,
            now,
            prepared_id,
        )))
    }

    fn finish_refresh(
        &mut self,
        pending: PendingLogin,
        results: &[bool],
    ) -> Result<Step<LoginResult>, LoginError> {
        let session = self.session.as_ref().ok_or(LoginError::NotAuthenticated)?;
        let (new_claims, rest) = pending.finish_id_token(results)?;
        let (claims, id_token) = match (new_claims, pending.response.id_token.as_deref()) {
            (Some(c), _) if c.sub != session.claims.sub || c.iss != session.claims.iss => {
                return Err(LoginError::BadIdToken("wrong_subject"))
            }
            (Some(c), Some(token)) => (c, token.to_owned()),
            _ => (session.claims.clone(), session.id_token.clone()),
        };
        let (certificate, credential) = match pending.credential {
            None => (session.certificate.clone(), session.credential.clone()),
            Some(prepared) => {
                match self.credential_outcome(prepared, rest, &pending.holder, pending.now)? {
                    Step::RefetchJwks => return Ok(Step::RefetchJwks),
                    Step::Done(c) => (Some(c), pending.response.certificate_credential.clone()),
                }
            }
        };
        let response = pending.response;
        let refresh_token = response
            .refresh_token
            .or_else(|| session.refresh_token.clone());
        self.session = Some(Session {
            access_token: response.access_token,
            refresh_token,
            id_token,
            claims: claims.clone(),
            certificate: certificate.clone(),
            credential,
        });
        Ok(Step::Done(LoginResult {
            id_token: claims,
            certificate,
            app_state: None,
        }))
    }

    /// Checks a userinfo answer (PROTOCOL.md §2.5): its `sub` must be the ID token's
    /// (OIDC Core §5.3.2), else the answer is refused.
    ///
    /// # Errors
    ///
    /// `not_authenticated` without a session; `bad_id_token` with reason
    /// `wrong_subject` for another or no `sub`; `malformed` when not a JSON object.
    pub fn check_userinfo(&self, text: &str) -> Result<Map, LoginError> {
        let session = self.session.as_ref().ok_or(LoginError::NotAuthenticated)?;
        let value =
            crate::json::parse(text).map_err(|_| LoginError::Malformed("userinfo is not JSON"))?;
        let Value::Object(map) = value else {
            return Err(LoginError::Malformed("userinfo is not a JSON object"));
        };
        if map.get("sub").and_then(Value::as_str) != Some(session.claims.sub.as_str()) {
            return Err(LoginError::BadIdToken("wrong_subject"));
        }
        Ok(map)
    }

    /// Prepares a presentation for a partner server: the issuer JWT, the disclosures
    /// named in `disclose` (all when `None`; in the credential's order), and a KB-JWT
    /// (`aud` `audience`, `nonce`, `iat` `now`, `sd_hash`) left for the holder key to
    /// sign.
    ///
    /// # Errors
    ///
    /// `not_authenticated` without a session credential; `invalid_config` for an empty
    /// audience or nonce or an unknown claim name; `missing_claim` for a claim the
    /// credential does not disclose.
    pub fn prepare_presentation(
        &self,
        audience: &str,
        nonce: &str,
        disclose: Option<&[String]>,
        now: i64,
    ) -> Result<PendingPresentation, LoginError> {
        let credential = self
            .session
            .as_ref()
            .and_then(|s| s.credential.as_deref())
            .ok_or(LoginError::NotAuthenticated)?;
        if audience.is_empty() || nonce.is_empty() {
            return Err(LoginError::InvalidConfig(
                "audience and nonce must not be empty",
            ));
        }
        if let Some(names) = disclose {
            validate_claims(names)?;
        }
        let sd = SdJwt::parse(credential)?;
        let jwt = credential.split('~').next().unwrap_or_default();
        let mut prefix = String::from(jwt);
        prefix.push('~');
        for d in sd.disclosures() {
            let wanted = match (disclose, d.name()) {
                (None, _) => true,
                (Some(names), Some(name)) => names.iter().any(|n| n == name),
                (Some(_), None) => false,
            };
            if wanted {
                prefix.push_str(&d.encoded);
                prefix.push('~');
            }
        }
        for name in disclose.unwrap_or_default() {
            if !sd
                .disclosures()
                .iter()
                .any(|d| d.name() == Some(name.as_str()))
            {
                return Err(LoginError::Credential(VerifyError::new(
                    ErrorCode::MissingClaim,
                    "the credential does not disclose a requested claim",
                )));
            }
        }
        let mut header = Map::new();
        header.insert("typ".into(), "kb+jwt".into());
        let mut claims = Map::new();
        claims.insert("iat".into(), now.into());
        claims.insert("aud".into(), audience.into());
        claims.insert("nonce".into(), nonce.into());
        claims.insert("sd_hash".into(), sd_hash(&prefix).into());
        Ok(PendingPresentation {
            prefix,
            kb: PendingJws::new(&header, &Value::Object(claims)),
        })
    }

    /// Ends the session (tokens forgotten) and returns the provider's end-session URL
    /// when it advertises one (OpenID Connect RP-Initiated Logout 1.0): with the
    /// session's latest raw ID token as `id_token_hint` (so the provider signs the user
    /// out without asking; without a session there is no hint and the provider asks),
    /// `client_id`, `post_logout_redirect_uri` = `return_to`, a fresh `state` and
    /// `ui_locales`.
    pub fn logout(&mut self, return_to: Option<&str>) -> Option<String> {
        let session = self.session.take();
        let endpoint = self.metadata.as_ref()?.end_session_endpoint.as_deref()?;
        Some(request::logout_url(LogoutParams {
            end_session_endpoint: endpoint,
            id_token_hint: session.as_ref().map(|s| s.id_token.as_str()),
            client_id: &self.config.client_id,
            post_logout_redirect_uri: return_to,
            ui_locales: self.config.lang.as_str(),
        }))
    }

    /// True while a session is held.
    pub fn is_authenticated(&self) -> bool {
        self.session.is_some()
    }

    /// The session's ID token claims.
    pub fn id_token_claims(&self) -> Option<&IdTokenClaims> {
        self.session.as_ref().map(|s| &s.claims)
    }

    /// The session's verified certificate.
    pub fn certificate(&self) -> Option<&VerifiedCertificate> {
        self.session.as_ref().and_then(|s| s.certificate.as_ref())
    }
}

/// The `state` of a callback URL, to look its transaction up in storage; `None` when
/// the URL is not an authorization response.
pub fn callback_state(url: &str) -> Option<String> {
    let params = CallbackParams::parse(url);
    params.is_callback().then_some(params.state).flatten()
}

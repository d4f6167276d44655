//! `LoginCore`, the wasm face of [`mirairo_id_sdk::oidc::LoginClient`], driven by
//! `sdk/js/login.js` (which does the fetches, storage, WebCrypto signing, popups and
//! redirects). Values cross as JSON text; errors are `MirairoIdError`s.

use crate::error::{js_error_with, ErrorDetails, OrThrow};
use crate::verifier::push_check;
use mirairo_id_sdk::jose::EcPublicJwk;
use mirairo_id_sdk::json::{self, Map, Value};
use mirairo_id_sdk::oidc::{
    callback_state, should_retry, Answer, Attempt, LoginClient, LoginError, LoginResult, Next,
    PendingJws, PendingLogin, PendingPresentation, Retried, Step, TokenRequest, TokenResponse,
    Transaction,
};
use mirairo_id_sdk::options;
use wasm_bindgen::prelude::*;

pub(crate) fn login_error(e: &LoginError) -> JsValue {
    js_error_with(
        e.code(),
        &e.message(),
        ErrorDetails {
            reason: e.reason(),
            provider_error: e.provider_error(),
        },
    )
}

fn holder(jwk_json: &str) -> Result<EcPublicJwk, JsValue> {
    options::holder_jwk(jwk_json).or_throw()
}

/// A stored transaction (JSON text), if it is one.
fn stored_transaction(text: &str) -> Option<Transaction> {
    Transaction::from_json(&json::parse(text).ok()?).ok()
}

fn whole_seconds(now: f64) -> Result<i64, JsValue> {
    options::seconds(now, "now").map_err(|_| {
        login_error(&LoginError::InvalidConfig(
            "now must be a finite number of seconds",
        ))
    })
}

fn request_json(r: &TokenRequest) -> String {
    Map::from_pairs([
        ("url", r.url.as_str().into()),
        ("body", r.body.as_str().into()),
    ])
    .to_string()
}

fn next_name(next: &Next) -> &'static str {
    match next {
        Next::Done => "done",
        Next::RetryWithNonce => "retry_nonce",
        Next::RefreshThenRetry => "refresh",
    }
}

/// A JWS waiting for the holder key's signature (`signingInput` → `finish(sig)`).
#[wasm_bindgen]
pub struct PendingSignature {
    inner: Option<PendingJws>,
    presentation: Option<PendingPresentation>,
}

#[wasm_bindgen]
impl PendingSignature {
    /// The ASCII text to sign with ECDSA P-256 / SHA-256.
    #[wasm_bindgen(getter, js_name = signingInput)]
    pub fn signing_input(&self) -> String {
        match (&self.inner, &self.presentation) {
            (Some(j), _) => j.signing_input().to_owned(),
            (None, Some(p)) => p.signing_input().to_owned(),
            (None, None) => String::new(),
        }
    }

    /// The finished JWS (or presentation) given the 64-byte `r ‖ s` signature.
    pub fn finish(self, signature: &[u8]) -> Result<String, JsValue> {
        match (self.inner, self.presentation) {
            (Some(j), _) => j.finish(signature).or_throw(),
            (None, Some(p)) => p.finish(signature).or_throw(),
            (None, None) => Err(login_error(&LoginError::Malformed("nothing to sign"))),
        }
    }
}

/// A token answer between the two phases of its verification: run `checks` (with
/// WebCrypto, as `Verifier.verifyOnline` does), then `LoginCore.finishLogin`.
#[wasm_bindgen]
pub struct PendingTokenAnswer {
    inner: Option<PendingLogin>,
}

#[wasm_bindgen]
impl PendingTokenAnswer {
    /// The ECDSA P-256/SHA-256 checks, flat `[x, y, data, signature, …]` (as
    /// `PreparedCredential.checks`): the ID token's, then the credential's.
    #[wasm_bindgen(getter)]
    pub fn checks(&self) -> js_sys::Array {
        let out = js_sys::Array::new();
        for check in self.inner.iter().flat_map(PendingLogin::signature_checks) {
            push_check(&out, check);
        }
        out
    }
}

fn pending_answer(step: Step<PendingLogin>) -> Option<PendingTokenAnswer> {
    match step {
        Step::RefetchJwks => None,
        Step::Done(pending) => Some(PendingTokenAnswer {
            inner: Some(pending),
        }),
    }
}

/// The login state machine for `sdk/js/login.js`.
#[wasm_bindgen]
pub struct LoginCore {
    inner: LoginClient,
}

#[wasm_bindgen]
impl LoginCore {
    /// Validates `MirairoId.create` options (JSON) for a page of `page_origin`.
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str, page_origin: &str) -> Result<LoginCore, JsValue> {
        let options = options::client_options(options_json).or_throw()?;
        let inner = LoginClient::new(options, page_origin).or_throw()?;
        Ok(LoginCore { inner })
    }

    /// The metadata URL to fetch.
    #[wasm_bindgen(js_name = discoveryUrl)]
    pub fn discovery_url(&self) -> String {
        self.inner.config().discovery_url()
    }

    /// The configured language (`ja` / `en`).
    pub fn lang(&self) -> String {
        self.inner.config().lang().as_str().to_owned()
    }

    /// Reads the metadata; returns the `jwks_uri`.
    #[wasm_bindgen(js_name = setMetadata)]
    pub fn set_metadata(&mut self, text: &str) -> Result<String, JsValue> {
        Ok(self.inner.set_metadata(text).or_throw()?.jwks_uri.clone())
    }

    /// The `jwks_uri` of the metadata the client has (fetched, or the login attempt's
    /// own, taken back by `acceptCallback`), or `undefined` before either.
    #[wasm_bindgen(js_name = jwksUri)]
    pub fn jwks_uri(&self) -> Option<String> {
        self.inner.metadata().map(|m| m.jwks_uri.clone())
    }

    /// Installs a JWK Set fetched at `now` (`refetch`: answering a refetch request).
    #[wasm_bindgen(js_name = setJwks)]
    pub fn set_jwks(&mut self, text: &str, now: f64, refetch: bool) -> Result<(), JsValue> {
        self.inner
            .set_jwks(text, whole_seconds(now)?, refetch)
            .or_throw()
    }

    /// `{url, state, transaction, timeoutSeconds}` (JSON): go to `url`, keep
    /// `transaction` under `state`; a popup waits `timeoutSeconds` (validated, default 300).
    #[wasm_bindgen(js_name = authorizationRequest)]
    pub fn authorization_request(
        &self,
        options_json: &str,
        holder_jwk: &str,
        now: f64,
    ) -> Result<String, JsValue> {
        // `loginWithRedirect` / `loginWithPopup` options, as the caller gave them.
        let options = options::login_options(options_json).or_throw()?;
        let timeout = options
            .popup_timeout
            .unwrap_or(options::DEFAULT_POPUP_TIMEOUT_SECONDS);
        let request = self
            .inner
            .authorization_request(options, &holder(holder_jwk)?, whole_seconds(now)?)
            .or_throw()?;
        let out = Map::from_pairs([
            ("url", request.url.as_str().into()),
            ("state", request.transaction.state.secret().into()),
            (
                "transaction",
                request.transaction.to_json().to_string().into(),
            ),
            ("timeoutSeconds", timeout.into()),
        ]);
        Ok(out.to_string())
    }

    /// The `state` of a callback URL (`undefined` when the URL is not a callback).
    #[wasm_bindgen(js_name = callbackState)]
    pub fn callback_state(url: &str) -> Option<String> {
        callback_state(url)
    }

    /// Checks the callback against the stored transaction (JSON, or empty when none
    /// was found) at `now` (seconds); returns the code. A core without metadata takes
    /// the attempt's own (see `jwksUri`).
    #[wasm_bindgen(js_name = acceptCallback)]
    pub fn accept_callback(
        &mut self,
        url: &str,
        stored: &str,
        now: f64,
    ) -> Result<String, JsValue> {
        self.inner
            .accept_callback(
                url,
                stored_transaction(stored).as_ref(),
                whole_seconds(now)?,
            )
            .or_throw()
    }

    /// `{url, body}` (JSON) of the code exchange.
    #[wasm_bindgen(js_name = codeTokenRequest)]
    pub fn code_token_request(&self, code: &str, transaction: &str) -> Result<String, JsValue> {
        let tx = stored_transaction(transaction)
            .ok_or_else(|| login_error(&LoginError::StateMismatch))?;
        Ok(request_json(
            &self.inner.code_token_request(code, &tx).or_throw()?,
        ))
    }

    /// `{url, body}` (JSON) of a refresh.
    #[wasm_bindgen(js_name = refreshTokenRequest)]
    pub fn refresh_token_request(&self) -> Result<String, JsValue> {
        Ok(request_json(
            &self.inner.refresh_token_request().or_throw()?,
        ))
    }

    /// A DPoP proof to sign.
    #[wasm_bindgen(js_name = dpopProof)]
    pub fn dpop_proof(
        &self,
        holder_jwk: &str,
        htm: &str,
        url: &str,
        now: f64,
        with_access_token: bool,
    ) -> Result<PendingSignature, JsValue> {
        let pending = self
            .inner
            .dpop_proof(
                &holder(holder_jwk)?,
                htm,
                url,
                whole_seconds(now)?,
                with_access_token,
            )
            .or_throw()?;
        Ok(PendingSignature {
            inner: Some(pending),
            presentation: None,
        })
    }

    /// Whether to retry a token request: `kind` is `"network"` (fetch rejected, no
    /// response), `"timeout"`, `"body"` (a response whose body could not be read, with
    /// `status`) or `"status"` (with `status`); `attempts` made so far.
    #[wasm_bindgen(js_name = shouldRetry)]
    pub fn should_retry(kind: &str, status: u16, attempts: u32) -> bool {
        let attempt = match kind {
            "network" => Attempt::NetworkFailure,
            "timeout" => Attempt::TimedOut,
            "body" => Attempt::BodyUnreadable(status),
            _ => Attempt::Status(status),
        };
        should_retry(attempt, attempts)
    }

    /// Reads a token endpoint answer before `completeLogin` / `completeRefresh`:
    /// `"done"` or `"retry_nonce"` (send it again with a fresh proof: the core now puts
    /// the server's nonce in it). `retriedNonce`: this request was already retried so.
    #[wasm_bindgen(js_name = afterTokenAnswer)]
    pub fn after_token_answer(
        &mut self,
        url: &str,
        status: u16,
        body: &str,
        dpop_nonce: Option<String>,
        retried_nonce: bool,
    ) -> Result<String, JsValue> {
        let answer = Answer {
            status,
            body,
            www_authenticate: None,
            dpop_nonce: dpop_nonce.as_deref(),
        };
        let retried = Retried {
            nonce: retried_nonce,
            refreshed: false,
        };
        let next = self
            .inner
            .after_token_answer(url, &answer, retried)
            .or_throw()?;
        Ok(next_name(&next).to_owned())
    }

    /// The userinfo endpoint.
    #[wasm_bindgen(js_name = userinfoUrl)]
    pub fn userinfo_url(&self) -> Result<String, JsValue> {
        self.inner.userinfo_url().or_throw()
    }

    /// `DPoP <access token>` for a resource request's `Authorization` header.
    #[wasm_bindgen(js_name = authorizationHeader)]
    pub fn authorization_header(&self) -> Result<String, JsValue> {
        self.inner.authorization_header().or_throw()
    }

    /// Reads a userinfo answer: `{"next":"done","claims":{…}}`, `{"next":"retry_nonce"}`
    /// or `{"next":"refresh"}` (refresh once, then ask again).
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(js_name = afterUserinfoAnswer)]
    pub fn after_userinfo_answer(
        &mut self,
        url: &str,
        status: u16,
        body: &str,
        www_authenticate: Option<String>,
        dpop_nonce: Option<String>,
        retried_nonce: bool,
        refreshed: bool,
    ) -> Result<String, JsValue> {
        let answer = Answer {
            status,
            body,
            www_authenticate: www_authenticate.as_deref(),
            dpop_nonce: dpop_nonce.as_deref(),
        };
        let retried = Retried {
            nonce: retried_nonce,
            refreshed,
        };
        let (next, claims) = self
            .inner
            .after_userinfo_answer(url, &answer, retried)
            .or_throw()?;
        let mut out = Map::from_pairs([("next", next_name(&next).into())]);
        json::put(&mut out, "claims", claims.map(Value::Object));
        Ok(out.to_string())
    }

    /// Phase one of verifying the code exchange's answer (PROTOCOL §2.4): the checks
    /// before the signatures; `undefined` when the JWK Set must be fetched again first
    /// (`setJwks(…, true)`, then call again). Finish with `finishLogin`.
    ///
    /// # Errors
    ///
    /// The token endpoint's error, or the first failing check so far.
    #[wasm_bindgen(js_name = prepareLogin)]
    pub fn prepare_login(
        &self,
        status: u16,
        body: &str,
        transaction: &str,
        holder_jwk: &str,
        now: f64,
    ) -> Result<Option<PendingTokenAnswer>, JsValue> {
        let tx = stored_transaction(transaction)
            .ok_or_else(|| login_error(&LoginError::StateMismatch))?;
        let response = TokenResponse::parse(status, body).or_throw()?;
        let step = self
            .inner
            .prepare_login(&response, &tx, &holder(holder_jwk)?, whole_seconds(now)?)
            .or_throw()?;
        Ok(pending_answer(step))
    }

    /// Like `prepareLogin` for a refresh answer (a refused answer ends the session).
    ///
    /// # Errors
    ///
    /// The token endpoint's error, or the first failing check so far.
    #[wasm_bindgen(js_name = prepareRefresh)]
    pub fn prepare_refresh(
        &mut self,
        status: u16,
        body: &str,
        holder_jwk: &str,
        now: f64,
    ) -> Result<Option<PendingTokenAnswer>, JsValue> {
        let response = TokenResponse::parse(status, body).or_throw()?;
        let step = self
            .inner
            .prepare_refresh(&response, &holder(holder_jwk)?, whole_seconds(now)?)
            .or_throw()?;
        Ok(pending_answer(step))
    }

    /// Phase two, given `results[i]` = 1 when check `i` passed: `{"refetch":true}`
    /// (fetch the JWK Set, `setJwks(…, true)`, start again) or `{"result": LoginResult}`;
    /// the session starts or rotates.
    ///
    /// # Errors
    ///
    /// The first failing check; `malformed` if called twice.
    #[wasm_bindgen(js_name = finishLogin)]
    pub fn finish_login(
        &mut self,
        pending: &mut PendingTokenAnswer,
        results: &[u8],
    ) -> Result<String, JsValue> {
        let pending = pending
            .inner
            .take()
            .ok_or_else(|| login_error(&LoginError::Malformed("finishLogin was already called")))?;
        let passed: Vec<bool> = results.iter().map(|r| *r == 1).collect();
        step_json(self.inner.finish_login(pending, &passed).or_throw()?)
    }

    /// A presentation whose KB-JWT waits for the holder key's signature, for
    /// `present({ audience, nonce, disclose? })` (the options as JSON text).
    #[wasm_bindgen(js_name = preparePresentation)]
    pub fn prepare_presentation(
        &self,
        options_json: &str,
        now: f64,
    ) -> Result<PendingSignature, JsValue> {
        let (audience, nonce, disclose) = options::presentation_options(options_json).or_throw()?;
        let pending = self
            .inner
            .prepare_presentation(&audience, &nonce, disclose.as_deref(), whole_seconds(now)?)
            .or_throw()?;
        Ok(PendingSignature {
            inner: None,
            presentation: Some(pending),
        })
    }

    /// Forgets the session; returns the end-session URL, if the provider has one.
    pub fn logout(&mut self, return_to: Option<String>) -> Option<String> {
        self.inner.logout(return_to.as_deref())
    }

    /// True while a session is held.
    #[wasm_bindgen(js_name = isAuthenticated)]
    pub fn is_authenticated(&self) -> bool {
        self.inner.is_authenticated()
    }

    /// The ID token claims (JSON), or empty.
    #[wasm_bindgen(js_name = idTokenClaims)]
    pub fn id_token_claims(&self) -> Result<String, JsValue> {
        Ok(self
            .inner
            .id_token_claims()
            .map_or_else(String::new, |c| c.to_json().to_string()))
    }

    /// The verified certificate (JSON), or empty.
    pub fn certificate(&self) -> Result<String, JsValue> {
        Ok(self
            .inner
            .certificate()
            .map_or_else(String::new, |c| c.to_json().to_string()))
    }
}

fn step_json(step: Step<LoginResult>) -> Result<String, JsValue> {
    match step {
        Step::RefetchJwks => Ok(r#"{"refetch":true}"#.to_owned()),
        Step::Done(result) => Ok(Map::from_pairs([("result", result.to_json())]).to_string()),
    }
}

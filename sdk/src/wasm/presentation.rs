//! Counter presentation for JS (PROTOCOL.md §7): `PresentationRequest` (created and
//! read back in the core, crossing as JSON text) and the first phase of
//! `Verifier.verifyPresentationResponse`; `sdk/js/presentation.js` and
//! `sdk/js/verifier.js` wrap them.

use super::error::js_error;
use super::verifier::{
    config_error, now_seconds, parse_options, seconds, PreparedCredential, VerifierCore,
};
use crate::json::{self, Map, Value};
use crate::openid4vp::{PresentationRequest, PresentationRequestOptions, PresentationResponse};
use wasm_bindgen::prelude::*;

/// `{"request": <stored JSON>, "url", "clientId"}` as JSON text.
fn described(request: &PresentationRequest) -> String {
    Value::from(Map::from_pairs([
        ("request", request.to_json()),
        ("url", request.url().into()),
        ("clientId", request.client_id().into()),
    ]))
    .to_string()
}

/// `PresentationRequest.create(opts)`: `opts` as JSON text (`responseUri`, `claims`,
/// `clientName?`, `expiresInSeconds?`; unknown members refused), at the JS clock.
///
/// # Errors
///
/// `invalid_config` for bad options (see `PresentationRequest::create`).
#[wasm_bindgen(js_name = createPresentationRequest)]
pub fn create_presentation_request(options_json: &str) -> Result<String, JsValue> {
    const KNOWN: [&str; 4] = ["responseUri", "claims", "clientName", "expiresInSeconds"];
    let (response_uri, claims, client_name, expires_in) =
        parse_options(options_json, &KNOWN, |f| {
            Ok((
                f.optional("responseUri", json::string)?,
                f.optional("claims", json::strings)?,
                f.optional("clientName", json::string)?,
                f.optional("expiresInSeconds", Value::as_f64)?,
            ))
        })?;
    let response_uri = response_uri
        .ok_or_else(|| config_error("PresentationRequest.create needs { responseUri }"))?;
    let claims =
        claims.ok_or_else(|| config_error("PresentationRequest.create needs { claims }"))?;
    let expires_in = match expires_in {
        None => None,
        Some(n) => Some(
            u64::try_from(seconds(n, "expiresInSeconds")?)
                .map_err(|_| config_error("expiresInSeconds must be 30–3600"))?,
        ),
    };
    let options = PresentationRequestOptions {
        response_uri,
        claims,
        client_name,
        expires_in,
    };
    Ok(described(&PresentationRequest::create(
        options,
        now_seconds(),
    )?))
}

/// `PresentationRequest.fromJSON(json)`: the stored request (JSON text), read strictly.
///
/// # Errors
///
/// `invalid_config` for anything but a stored request.
#[wasm_bindgen(js_name = readPresentationRequest)]
pub fn read_presentation_request(json_text: &str) -> Result<String, JsValue> {
    let value = json::parse(json_text)
        .map_err(|_| config_error("a stored presentation request is JSON"))?;
    Ok(described(&PresentationRequest::from_json(&value)?))
}

/// The `state` of a `direct_post` body, to find the stored request.
///
/// # Errors
///
/// `invalid_request` when the body is not a response (see `PresentationResponse::parse`).
#[wasm_bindgen(js_name = presentationResponseState)]
pub fn presentation_response_state(body: &str) -> Result<String, JsValue> {
    Ok(PresentationResponse::parse(body)?.state().to_owned())
}

#[wasm_bindgen]
impl VerifierCore {
    /// Phase one of `verifyPresentationResponse`: the §7.2 checks and `prepare` with
    /// key binding, audience, nonce, claims and status required; the cached status
    /// list is attached. `request_json` is the stored request, `options_json` `{ now? }`.
    ///
    /// # Errors
    ///
    /// A §7.2 code, `malformed`, `unsupported_algorithm`, `wrong_type`, `unknown_key`;
    /// `invalid_config` for a bad request or options.
    #[wasm_bindgen(js_name = preparePresentationResponse)]
    pub fn prepare_presentation_response(
        &self,
        body: &str,
        request_json: &str,
        options_json: &str,
    ) -> Result<PreparedCredential, JsValue> {
        let now = parse_options(options_json, &["now"], |f| f.optional("now", Value::as_f64))?;
        let now = match now {
            Some(n) => seconds(n, "now")?,
            None => now_seconds(),
        };
        let value = json::parse(request_json)
            .map_err(|_| js_error("invalid_config", "the request is not JSON"))?;
        let request = PresentationRequest::from_json(&value)?;
        let prepared = self
            .core()
            .prepare_presentation_response(body, &request, now, None)?;
        Ok(self.wrap_prepared(prepared))
    }
}

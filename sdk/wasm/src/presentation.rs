//! Counter presentation for JS (PROTOCOL.md §7): `PresentationRequest` (created and
//! read back in the core, crossing as JSON text) and the first phase of
//! `Verifier.verifyPresentationResponse`; `sdk/js/presentation.js` and
//! `sdk/js/verifier.js` wrap them.

use crate::error::{js_error, OrThrow};
use crate::verifier::{config_error, now_seconds, PreparedCredential, VerifierCore};
use mirairo_id_sdk::json::{self, Map, Value};
use mirairo_id_sdk::openid4vp::{PresentationRequest, PresentationResponse};
use mirairo_id_sdk::options::{presentation_request_options, presentation_response_now};
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
    let options = presentation_request_options(options_json).or_throw()?;
    let request = PresentationRequest::create(options, now_seconds()).or_throw()?;
    Ok(described(&request))
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
    Ok(described(
        &PresentationRequest::from_json(&value).or_throw()?,
    ))
}

/// The `state` of a `direct_post` body, to find the stored request.
///
/// # Errors
///
/// `invalid_request` when the body is not a response (see `PresentationResponse::parse`).
#[wasm_bindgen(js_name = presentationResponseState)]
pub fn presentation_response_state(body: &str) -> Result<String, JsValue> {
    Ok(PresentationResponse::parse(body)
        .or_throw()?
        .state()
        .to_owned())
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
        let now = presentation_response_now(options_json, now_seconds()).or_throw()?;
        let value = json::parse(request_json)
            .map_err(|_| js_error("invalid_config", "the request is not JSON"))?;
        let request = PresentationRequest::from_json(&value).or_throw()?;
        let prepared = self
            .core()
            .prepare_presentation_response(body, &request, now, None)
            .or_throw()?;
        Ok(self.wrap_prepared(prepared))
    }
}

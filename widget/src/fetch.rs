//! Loading places and coupons: provider metadata first (PROTOCOL.md §1), then the
//! endpoints it names (§5). Every GET is revalidated with `If-None-Match` against a
//! copy kept in memory and in Cache Storage; when the network or the provider fails,
//! the saved copy is shown and marked stale.
//!
//! Bodies are parsed by the browser (`Response.json()`) and read into the `model`
//! types by `serde-wasm-bindgen`: no JSON parser in the wasm.

use std::cell::RefCell;

use gloo_timers::callback::Timeout;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Cache, Headers, Request, RequestCache, RequestInit, Response};

use crate::i18n::Lang;
use mirairo_id_sdk::oidc::{check_issuer, discovery_url};

use crate::model::{safe_url, Coupon, CouponsPage, Metadata, Place, PlacesPage};

/// The `mirairo-error` codes.
pub mod code {
    /// `fetch` rejected: offline, DNS, CORS.
    pub const NETWORK: &str = "network";
    /// No answer within [`super::TIMEOUT_MS`].
    pub const TIMEOUT: &str = "timeout";
    /// The provider answered with an error status.
    pub const PROVIDER_ERROR: &str = "provider_error";
    /// The body was not the JSON the protocol describes.
    pub const BAD_RESPONSE: &str = "bad_response";
    /// `api` missing or wrong, metadata without the endpoint, or issuer mismatch.
    pub const INVALID_CONFIG: &str = "invalid_config";
}

/// How long an element waits for its `api` attribute before reporting `invalid_config`.
pub const MISSING_API_GRACE_MS: u32 = 2_000;
/// How long one request may take.
pub const TIMEOUT_MS: u32 = 10_000;
const CACHE_NAME: &str = "mirairo-id-widget-v1";
/// Safety stop for a cursor chain that never ends.
const MAX_PAGES: usize = 100;
/// Pages of 500, the most the protocol allows.
const PAGE_LIMIT: &str = "limit=500";

/// A saved response: its ETag and body, as the browser parsed it.
#[derive(Clone)]
struct Saved {
    etag: Option<String>,
    body: JsValue,
}

thread_local! {
    // A few dozen URLs at most (metadata, pages, per language): a list will do.
    static MEMORY: RefCell<Vec<(String, Saved)>> = const { RefCell::new(Vec::new()) };
}

/// A value and whether it came from the saved copy after a failure.
pub struct Fetched<T> {
    pub value: T,
    pub stale: bool,
}

type Code = &'static str;

/// All places, following `next_cursor` with `limit=500`.
pub async fn load_places(api: &str, lang: Lang) -> Result<Fetched<Vec<Place>>, Code> {
    let meta = metadata(api).await?;
    let endpoint = meta.value.places_endpoint.ok_or(code::INVALID_CONFIG)?;
    let mut stale = meta.stale;
    let mut places = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut url = with_query(&endpoint, &[PAGE_LIMIT, "&lang=", lang.as_str()].concat());
        if let Some(c) = &cursor {
            url.push_str("&cursor=");
            url.push_str(&String::from(js_sys::encode_uri_component(c)));
        }
        let page = get_json::<PlacesPage>(&url).await?;
        stale |= page.stale;
        places.extend(page.value.items);
        match page.value.next_cursor.filter(|c| !c.is_empty()) {
            Some(next) if Some(&next) != cursor.as_ref() => cursor = Some(next),
            _ => break,
        }
    }
    Ok(Fetched {
        value: places,
        stale,
    })
}

/// All coupons.
pub async fn load_coupons(api: &str, lang: Lang) -> Result<Fetched<Vec<Coupon>>, Code> {
    let meta = metadata(api).await?;
    let endpoint = meta.value.coupons_endpoint.ok_or(code::INVALID_CONFIG)?;
    let url = with_query(&endpoint, &["lang=", lang.as_str()].concat());
    let page = get_json::<CouponsPage>(&url).await?;
    Ok(Fetched {
        value: page.value.items,
        stale: meta.stale || page.stale,
    })
}

/// The metadata of the issuer `api` (an http(s) URL), which must name `api` as its
/// issuer exactly: the core's rule (`check_issuer`), as for login and verification.
async fn metadata(api: &str) -> Result<Fetched<Metadata>, Code> {
    let issuer = safe_url(api).ok_or(code::INVALID_CONFIG)?;
    let meta = get_json::<Metadata>(&discovery_url(issuer)).await?;
    check_issuer(Some(&meta.value.issuer), issuer).map_err(|_| code::INVALID_CONFIG)?;
    Ok(meta)
}

fn with_query(endpoint: &str, query: &str) -> String {
    let sep = if endpoint.contains('?') { "&" } else { "?" };
    [endpoint, sep, query].concat()
}

/// GET `url` as JSON read into `T`, revalidating the saved copy, falling back to it.
async fn get_json<T: DeserializeOwned>(url: &str) -> Result<Fetched<T>, Code> {
    let mut value = None;
    let stale = {
        let mut accept = |body: &JsValue| {
            value = serde_wasm_bindgen::from_value(body.clone()).ok();
            value.is_some()
        };
        get_accepted(url, &mut accept).await?
    };
    let value = value.ok_or(code::BAD_RESPONSE)?;
    Ok(Fetched { value, stale })
}

/// The work of [`get_json`], not generic so that it is in the wasm once: finds a body
/// of `url` that `accept` reads (and keeps), fresh or else saved. `Ok(true)` when it
/// was the saved copy, after a failure.
async fn get_accepted(url: &str, accept: &mut dyn FnMut(&JsValue) -> bool) -> Result<bool, Code> {
    let in_memory = MEMORY.with(|m| {
        let m = m.borrow();
        m.iter().find(|(u, _)| u == url).map(|(_, s)| s.clone())
    });
    let saved = match in_memory {
        Some(s) => Some(s),
        None => read_saved(url).await,
    };
    let fresh = request(url, saved.as_ref().and_then(|s| s.etag.as_deref())).await;
    match fresh {
        Ok(Answer::NotModified) => match saved {
            Some(s) if accept(&s.body) => {
                remember(url, s);
                Ok(false)
            }
            _ => Err(code::BAD_RESPONSE),
        },
        Ok(Answer::Body { etag, body, copy }) if accept(&body) => {
            remember(url, Saved { etag, body });
            write_saved(url, &copy).await;
            Ok(false)
        }
        Ok(Answer::Body { .. }) => fallback(saved.as_ref(), accept, code::BAD_RESPONSE),
        Err(err) => fallback(saved.as_ref(), accept, err),
    }
}

/// After `err`: the saved copy if there is one and `accept` reads it.
fn fallback(
    saved: Option<&Saved>,
    accept: &mut dyn FnMut(&JsValue) -> bool,
    err: Code,
) -> Result<bool, Code> {
    match saved {
        Some(s) if accept(&s.body) => Ok(true),
        _ => Err(err),
    }
}

fn remember(url: &str, saved: Saved) {
    MEMORY.with(|m| {
        let mut m = m.borrow_mut();
        match m.iter_mut().find(|(u, _)| u == url) {
            Some((_, s)) => *s = saved,
            None => m.push((url.to_owned(), saved)),
        }
    });
}

enum Answer {
    NotModified,
    /// The parsed body, and an unread copy of the response for Cache Storage.
    Body {
        etag: Option<String>,
        body: JsValue,
        copy: Response,
    },
}

async fn request(url: &str, etag: Option<&str>) -> Result<Answer, Code> {
    let window = web_sys::window().ok_or(code::NETWORK)?;
    let headers = Headers::new().map_err(|_| code::NETWORK)?;
    headers
        .set("Accept", "application/json")
        .map_err(|_| code::NETWORK)?;
    if let Some(tag) = etag {
        headers
            .set("If-None-Match", tag)
            .map_err(|_| code::NETWORK)?;
    }
    let controller = AbortController::new().map_err(|_| code::NETWORK)?;
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_headers_headers(&headers);
    // We keep our own copy and revalidate it ourselves.
    init.set_cache(RequestCache::NoStore);
    init.set_signal(Some(&controller.signal()));
    let request = Request::new_with_str_and_init(url, &init).map_err(|_| code::INVALID_CONFIG)?;
    let timer = Timeout::new(TIMEOUT_MS, {
        let controller = controller.clone();
        crate::dom::boxed(move || controller.abort())
    });
    // Err(None): fetch itself failed (network or our abort); Err(Some(code)): an answer.
    let result: Result<Answer, Option<Code>> = async {
        let response: Response = JsFuture::from(window.fetch_with_request(&request))
            .await
            .map_err(|_| None)?
            .dyn_into()
            .map_err(|_| None)?;
        if response.status() == 304 {
            return Ok(Answer::NotModified);
        }
        if !response.ok() {
            return Err(Some(code::PROVIDER_ERROR));
        }
        let etag = response.headers().get("ETag").ok().flatten();
        let copy = response.clone().map_err(|_| None)?;
        // A body that is not JSON rejects with a SyntaxError; anything else is the
        // network (or our abort) failing while it was read.
        let body = JsFuture::from(response.json().map_err(|_| None)?)
            .await
            .map_err(|e| {
                e.is_instance_of::<js_sys::SyntaxError>()
                    .then_some(code::BAD_RESPONSE)
            })?;
        Ok(Answer::Body { etag, body, copy })
    }
    .await;
    drop(timer);
    result.map_err(|e| {
        e.unwrap_or(if controller.signal().aborted() {
            code::TIMEOUT
        } else {
            code::NETWORK
        })
    })
}

async fn cache() -> Option<Cache> {
    let storage = web_sys::window()?.caches().ok()?;
    JsFuture::from(storage.open(CACHE_NAME))
        .await
        .ok()?
        .dyn_into()
        .ok()
}

async fn read_saved(url: &str) -> Option<Saved> {
    let cache = cache().await?;
    let response: Response = JsFuture::from(cache.match_with_str(url))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    let etag = response.headers().get("ETag").ok().flatten();
    let body = JsFuture::from(response.json().ok()?).await.ok()?;
    Some(Saved { etag, body })
}

/// Saves the response (body unread, headers with its ETag) in Cache Storage.
async fn write_saved(url: &str, response: &Response) {
    let Some(cache) = cache().await else { return };
    // Storage may be full or disabled; the in-memory copy still works.
    let _: Result<JsValue, JsValue> = JsFuture::from(cache.put_with_str(url, response)).await;
}

//! The handles the JS custom-element shim (js/index.js) drives: one per connected
//! element. Creating one mounts the Yew app into the host's shadow root; an
//! attribute change re-reads the attributes into props; freeing it unmounts.

use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};
use yew::AppHandle;

use crate::components::coupons::{Coupons, CouponsProps};
use crate::components::places::{Places, PlacesProps};
use crate::i18n::{calendar_of_attr, lang_of_tag, Lang};

// The stylesheets in src/styles/, minified by build.rs (comments and indentation out).
const BASE_CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/base.css"));
const PLACES_CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/places.css"));
const COUPONS_CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/coupons.css"));

/// An attribute value, `None` when absent or blank.
fn attr(host: &HtmlElement, name: &str) -> Option<String> {
    host.get_attribute(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// `lang` of the element, else of the nearest ancestor that has one, else Japanese.
fn lang_of(host: &HtmlElement) -> Lang {
    attr(host, "lang")
        .or_else(|| {
            host.closest("[lang]")
                .ok()
                .flatten()
                .and_then(|e| e.get_attribute("lang"))
        })
        .map(|tag| lang_of_tag(&tag))
        .unwrap_or_default()
}

/// Opens (or reuses) the host's shadow root, adopts the element type's stylesheet
/// and appends a fresh mount point.
fn mount_point(
    host: &HtmlElement,
    kind: &'static str,
    css: &'static str,
) -> Result<Element, JsValue> {
    let root: ShadowRoot = match host.shadow_root() {
        Some(root) => root,
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
    };
    crate::dom::adopt_sheet(&root, kind, || [BASE_CSS, css].concat());
    let document = host
        .owner_document()
        .ok_or_else(|| JsValue::from_str("element has no document"))?;
    let mount = document.create_element("div")?;
    mount.set_class_name("mount");
    root.append_child(&mount)?;
    Ok(mount)
}

fn places_props(host: &HtmlElement) -> PlacesProps {
    PlacesProps {
        host: host.clone(),
        api: attr(host, "api").unwrap_or_default().into(),
        lang: lang_of(host),
        prefecture: attr(host, "prefecture"),
        category: attr(host, "category"),
    }
}

fn coupons_props(host: &HtmlElement) -> CouponsProps {
    CouponsProps {
        host: host.clone(),
        api: attr(host, "api").unwrap_or_default().into(),
        lang: lang_of(host),
        prefecture: attr(host, "prefecture"),
        category: attr(host, "category"),
        calendar: calendar_of_attr(attr(host, "calendar").as_deref()),
    }
}

/// Drives one `<mirairo-places>`.
#[wasm_bindgen]
pub struct PlacesElement {
    host: HtmlElement,
    mount: Element,
    app: Option<AppHandle<Places>>,
}

#[wasm_bindgen]
impl PlacesElement {
    /// Mounts the widget into `host`'s shadow root.
    #[wasm_bindgen(constructor)]
    pub fn new(host: HtmlElement) -> Result<PlacesElement, JsValue> {
        let mount = mount_point(&host, "places", PLACES_CSS)?;
        let app = yew::Renderer::<Places>::with_root_and_props(mount.clone(), places_props(&host))
            .render();
        Ok(PlacesElement {
            host,
            mount,
            app: Some(app),
        })
    }

    /// Re-reads the attributes after one changed.
    #[wasm_bindgen(js_name = attributesChanged)]
    pub fn attributes_changed(&mut self) {
        if let Some(app) = self.app.as_mut() {
            app.update(places_props(&self.host));
        }
    }
}

impl Drop for PlacesElement {
    fn drop(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
        self.mount.remove();
    }
}

/// Drives one `<mirairo-coupons>`.
#[wasm_bindgen]
pub struct CouponsElement {
    host: HtmlElement,
    mount: Element,
    app: Option<AppHandle<Coupons>>,
}

#[wasm_bindgen]
impl CouponsElement {
    /// Mounts the widget into `host`'s shadow root.
    #[wasm_bindgen(constructor)]
    pub fn new(host: HtmlElement) -> Result<CouponsElement, JsValue> {
        let mount = mount_point(&host, "coupons", COUPONS_CSS)?;
        let app =
            yew::Renderer::<Coupons>::with_root_and_props(mount.clone(), coupons_props(&host))
                .render();
        Ok(CouponsElement {
            host,
            mount,
            app: Some(app),
        })
    }

    /// Re-reads the attributes after one changed.
    #[wasm_bindgen(js_name = attributesChanged)]
    pub fn attributes_changed(&mut self) {
        if let Some(app) = self.app.as_mut() {
            app.update(coupons_props(&self.host));
        }
    }
}

impl Drop for CouponsElement {
    fn drop(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
        self.mount.remove();
    }
}

//! Small browser effects: events on the host, focus, stylesheets. (Timers are
//! `gloo_timers::callback::Timeout`.)

use std::cell::RefCell;

use mirairo_id_sdk::Date;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleSheet, CustomEvent, CustomEventInit, HtmlElement, ShadowRoot};

/// A timer callback, boxed so that every `gloo_timers` `Timeout` in the widget takes
/// the same closure type: one wasm-bindgen closure shim instead of one per caller
/// (measured: see docs/contract-notes.md).
pub fn boxed(f: impl FnOnce() + 'static) -> Box<dyn FnOnce()> {
    Box::new(f)
}

/// Dispatches `CustomEvent(name, { detail: { [key]: value }, bubbles, composed })` on `host`.
pub fn emit(host: &HtmlElement, name: &str, key: &str, value: &str) {
    let detail = js_sys::Object::new();
    if js_sys::Reflect::set(&detail, &JsValue::from_str(key), &JsValue::from_str(value)).is_err() {
        return;
    }
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&detail);
    if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = host.dispatch_event(&event);
    }
}

/// Moves focus to the element with `id` inside the host's shadow root.
pub fn focus_in(host: &HtmlElement, id: &str) {
    if let Some(el) = host
        .shadow_root()
        .and_then(|root| root.get_element_by_id(id))
        .and_then(|el| el.dyn_into::<HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

thread_local! {
    // One per element type: a list beats a hash map at this size (and in wasm bytes).
    static SHEETS: RefCell<Vec<(&'static str, CssStyleSheet)>> = const { RefCell::new(Vec::new()) };
}

/// Adopts the one stylesheet of element type `kind` (created on first use, then
/// shared by every instance) into `root`.
pub fn adopt_sheet(root: &ShadowRoot, kind: &'static str, css: impl FnOnce() -> String) {
    let sheet = SHEETS.with(|sheets| {
        let mut sheets = sheets.borrow_mut();
        if let Some((_, sheet)) = sheets.iter().find(|(k, _)| *k == kind) {
            return Some(sheet.clone());
        }
        let sheet = CssStyleSheet::new().ok()?;
        sheet.replace_sync(&css()).ok()?;
        sheets.push((kind, sheet.clone()));
        Some(sheet)
    });
    if let Some(sheet) = sheet {
        root.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
    }
}

/// Today in Japan by the browser's clock (the core's civil-date rule).
pub fn today_in_japan() -> Option<Date> {
    Date::today_in_japan((js_sys::Date::now() / 1000.0) as i64)
}

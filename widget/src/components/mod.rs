//! Yew components. Every value from the provider is rendered as a text node or an
//! attribute value set by Yew; nothing is ever parsed as HTML.

pub mod coupons;
pub mod places;

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::{HtmlElement, HtmlSelectElement};
use yew::prelude::*;

use gloo_timers::callback::Timeout;

use crate::dom::{boxed, focus_in};
use crate::geo::{Region, PREFECTURES};
use crate::i18n::{self, Lang};
use crate::state::Load;

/// Calls `settled` with `value` once it has stayed the same for `ms` milliseconds (for
/// polite announcements). The settled value is kept in the element's state (its
/// `Announce` action) rather than in a `use_state` of its own: one hook type less in
/// the wasm (docs/contract-notes.md, widget-size).
#[hook]
pub fn use_debounced(value: String, ms: u32, settled: Callback<String>) {
    use_effect_with(value, move |v| {
        let v = v.clone();
        let timer = Timeout::new(ms, boxed(move || settled.emit(v)));
        move || drop(timer)
    });
}

/// Dispatches `action(value)` on mount and whenever the attribute `value` changes (and
/// only then, so a filter the user chose stays until its attribute changes). One hook
/// for every attribute-driven filter: its effect is one closure type per element type
/// rather than one per attribute (docs/contract-notes.md, widget-size).
#[hook]
pub fn use_attribute_filter<R: Reducible + 'static>(
    value: Option<String>,
    dispatcher: UseReducerDispatcher<R>,
    action: fn(Option<String>) -> R::Action,
) {
    use_effect_with(value, move |v| dispatcher.dispatch(action(v.clone())));
}

/// Put an element id here and it receives focus after the next render.
pub type PendingFocus = Rc<RefCell<Option<String>>>;

/// See [`PendingFocus`].
#[hook]
pub fn use_pending_focus(host: HtmlElement) -> PendingFocus {
    let pending: PendingFocus = use_mut_ref(|| None);
    {
        let pending = pending.clone();
        use_effect(move || {
            let id = pending.borrow_mut().take();
            if let Some(id) = id {
                focus_in(&host, &id);
            }
        });
    }
    pending
}

/// The value of the `<select>` that fired `e`; empty means "all".
pub fn select_value(e: &Event) -> Option<String> {
    let v = e.target_unchecked_into::<HtmlSelectElement>().value();
    (!v.is_empty()).then_some(v)
}

/// What a filter `<select>` chooses from.
#[derive(Clone, Copy, PartialEq)]
pub enum Choices {
    /// The 47 prefectures, grouped by region.
    Prefectures,
    /// [`i18n::CATEGORIES`].
    Categories,
    /// [`i18n::CERTIFICATES`].
    Certificates,
}

#[derive(Properties, PartialEq)]
pub struct SelectProps {
    pub choices: Choices,
    pub lang: Lang,
    pub value: Option<String>,
    /// Told which filter changed and its new value, so that one callback serves every
    /// `<select>` of an element (one hook instead of one per filter).
    pub onchange: Callback<(Choices, Option<String>)>,
}

/// One `<option>`.
fn choice(value: &'static str, label: AttrValue, current: &str) -> Html {
    html! { <option key={value} {value} selected={current == value}>{ label }</option> }
}

/// A labelled filter `<select>` with an "all" choice first. One component for every
/// filter (options built here from static tables) keeps props cheap to compare and
/// the wasm smaller than one component per kind.
#[component]
pub fn Select(props: &SelectProps) -> Html {
    let lang = props.lang;
    let ja = lang == Lang::Ja;
    let t = i18n::text(lang);
    let onchange = {
        let (cb, choices) = (props.onchange.clone(), props.choices);
        Callback::from(move |e: Event| cb.emit((choices, select_value(&e))))
    };
    let current = props.value.as_deref().unwrap_or("");
    let (id, label) = match props.choices {
        Choices::Prefectures => ("pref", t.prefecture),
        Choices::Categories => ("cat", t.category),
        Choices::Certificates => ("cert", t.certificate),
    };
    let options = match props.choices {
        Choices::Prefectures => Region::ALL
            .iter()
            .map(|r| {
                html! {
                    <optgroup key={r.name(false)} label={r.name(ja)}>
                        { for PREFECTURES.iter().filter(|p| p.region == *r)
                            .map(|p| choice(p.code, p.name(ja).into(), current)) }
                    </optgroup>
                }
            })
            .collect::<Html>(),
        Choices::Categories => i18n::CATEGORIES
            .iter()
            .map(|c| choice(c, i18n::category(lang, c).into(), current))
            .collect(),
        Choices::Certificates => i18n::CERTIFICATES
            .iter()
            .map(|c| choice(c, i18n::certificate(lang, c).into(), current))
            .collect(),
    };
    html! {
        <div class="field">
            <label for={id}>{ label }</label>
            <select {id} part="select" {onchange}>
                <option value="" selected={current.is_empty()}>{ t.all }</option>
                { options }
            </select>
        </div>
    }
}

/// Placeholder rows the size of the real ones, so nothing moves when data arrives
/// (each element's stylesheet sizes `.skeleton-row` like its real rows).
///
/// This and [`load_status`] are plain functions, not components: they hold no state
/// and are cheap to rebuild, and each component costs wasm bytes of its own.
pub fn skeleton(lang: Lang, rows: usize) -> Html {
    html! {
        <>
            <p class="count">{ i18n::text(lang).loading }</p>
            <div class="skeleton" part="skeleton" aria-hidden="true">
                { for (0..rows).map(|i| html! { <div key={i} class="skeleton-row"></div> }) }
            </div>
        </>
    }
}

/// The error with a retry button, or the stale-data notice; nothing otherwise.
pub fn load_status(lang: Lang, load: &Load, on_retry: Callback<MouseEvent>) -> Html {
    let t = i18n::text(lang);
    match load {
        Load::Loading | Load::Ready { stale: false } => html! {},
        Load::Failed { code } => html! {
            <div class="error" role="alert" part="error">
                <p>{ i18n::error_message(lang, code) }</p>
                <button type="button" class="button" part="retry-button" onclick={on_retry}>
                    { t.retry }
                </button>
            </div>
        },
        Load::Ready { stale: true } => html! {
            <div class="notice" part="notice">
                <p>{ t.stale }</p>
                <button type="button" class="button secondary" part="retry-button" onclick={on_retry}>
                    { t.retry }
                </button>
            </div>
        },
    }
}

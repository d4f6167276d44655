//! Yew components. Every value from the provider is rendered as a text node or an
//! attribute value set by Yew; nothing is ever parsed as HTML.

pub mod coupons;
pub mod places;

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::{HtmlElement, HtmlSelectElement};
use yew::prelude::*;

use crate::dom::{focus_in, Timeout};
use crate::geo::{Region, PREFECTURES};
use crate::i18n::{self, Lang};
use crate::state::Load;

/// `value` after it has stayed the same for `ms` milliseconds (for polite announcements).
#[hook]
pub fn use_debounced(value: String, ms: i32) -> String {
    let settled = use_state(String::new);
    {
        let settled = settled.clone();
        use_effect_with(value, move |v| {
            let v = v.clone();
            let timer = Timeout::new(ms, move || settled.set(v));
            move || drop(timer)
        });
    }
    (*settled).clone()
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

#[derive(Properties, PartialEq)]
pub struct SelectProps {
    pub id: AttrValue,
    pub label: AttrValue,
    pub lang: Lang,
    pub value: Option<String>,
    pub onchange: Callback<Option<String>>,
}

/// A labelled prefecture `<select>`, grouped by region.
#[component]
pub fn PrefectureSelect(props: &SelectProps) -> Html {
    let t = i18n::text(props.lang);
    let onchange = {
        let cb = props.onchange.clone();
        Callback::from(move |e: Event| cb.emit(select_value(&e)))
    };
    let current = props.value.as_deref().unwrap_or("");
    html! {
        <div class="field">
            <label for={props.id.clone()}>{ props.label.clone() }</label>
            <select id={props.id.clone()} part="select" {onchange}>
                <option value="" selected={current.is_empty()}>{ t.all }</option>
                { for Region::ALL.iter().map(|r| html! {
                    <optgroup key={r.name(false)} label={r.name(props.lang.ja())}>
                        { for PREFECTURES.iter().filter(|p| p.region == *r).map(|p| html! {
                            <option key={p.code} value={p.code} selected={current == p.code}>
                                { p.name(props.lang.ja()) }
                            </option>
                        }) }
                    </optgroup>
                }) }
            </select>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct OptionsProps {
    pub id: AttrValue,
    pub label: AttrValue,
    pub lang: Lang,
    pub value: Option<String>,
    /// (value, label) pairs.
    pub options: Vec<(String, String)>,
    pub onchange: Callback<Option<String>>,
}

/// A labelled `<select>` with an "all" choice first.
#[component]
pub fn OptionsSelect(props: &OptionsProps) -> Html {
    let t = i18n::text(props.lang);
    let onchange = {
        let cb = props.onchange.clone();
        Callback::from(move |e: Event| cb.emit(select_value(&e)))
    };
    let current = props.value.as_deref().unwrap_or("");
    html! {
        <div class="field">
            <label for={props.id.clone()}>{ props.label.clone() }</label>
            <select id={props.id.clone()} part="select" {onchange}>
                <option value="" selected={current.is_empty()}>{ t.all }</option>
                { for props.options.iter().map(|(v, l)| html! {
                    <option key={v.clone()} value={v.clone()} selected={current == v}>{ l.clone() }</option>
                }) }
            </select>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct StatusProps {
    pub lang: Lang,
    pub load: Load,
    pub on_retry: Callback<MouseEvent>,
}

#[derive(Properties, PartialEq)]
pub struct SkeletonProps {
    pub lang: Lang,
    pub rows: usize,
    /// CSS class of one placeholder row (sized like the real one).
    pub row_class: AttrValue,
}

/// Placeholder rows the size of the real ones, so nothing moves when data arrives.
#[component]
pub fn Skeleton(props: &SkeletonProps) -> Html {
    html! {
        <>
            <p class="count">{ i18n::text(props.lang).loading }</p>
            <div class="skeleton" part="skeleton" aria-hidden="true">
                { for (0..props.rows).map(|i| html! {
                    <div key={i} class={classes!("skeleton-row", props.row_class.to_string())}></div>
                }) }
            </div>
        </>
    }
}

/// The error with a retry button, or the stale-data notice; nothing otherwise.
#[component]
pub fn LoadStatus(props: &StatusProps) -> Html {
    let t = i18n::text(props.lang);
    match &props.load {
        Load::Loading => html! {},
        Load::Failed { code } => html! {
            <div class="error" role="alert" part="error">
                <p>{ i18n::error_message(props.lang, code) }</p>
                <button type="button" class="button" part="retry-button" onclick={props.on_retry.clone()}>
                    { t.retry }
                </button>
            </div>
        },
        Load::Ready { stale: true } => html! {
            <div class="notice" part="notice">
                <p>{ t.stale }</p>
                <button type="button" class="button secondary" part="retry-button" onclick={props.on_retry.clone()}>
                    { t.retry }
                </button>
            </div>
        },
        Load::Ready { stale: false } => html! {},
    }
}

//! `<mirairo-coupons>`: coupon cards with validity, conditions and terms.

use std::cell::Cell;
use std::rc::Rc;

use mirairo_id_sdk::Date;
use web_sys::HtmlElement;
use yew::prelude::*;

use super::{load_status, skeleton, use_attribute_filter, use_debounced, Choices, Select};
use gloo_timers::callback::Timeout;

use crate::dom::{boxed, emit, today_in_japan};
use crate::fetch::load_coupons;
use crate::fetch::{code, MISSING_API_GRACE_MS};
use crate::geo::prefecture;
use crate::i18n::{self, Calendar, Lang};
use crate::model::{safe_url, Coupon};
use crate::state::{CouponsAction, CouponsState, Load, Validity};

/// Properties: the element's attributes, plus the host for events.
#[derive(Properties, PartialEq, Clone)]
pub struct CouponsProps {
    pub host: HtmlElement,
    pub api: AttrValue,
    pub lang: Lang,
    pub prefecture: Option<String>,
    pub category: Option<String>,
    pub calendar: Calendar,
}

#[component]
pub fn Coupons(props: &CouponsProps) -> Html {
    let state = use_reducer(|| CouponsState::new(today_in_japan()));
    let lang = props.lang;
    let t = i18n::text(lang);

    {
        let dispatcher = state.dispatcher();
        let host = props.host.clone();
        use_effect_with(
            (props.api.clone(), lang, state.attempt),
            move |(api, lang, _)| {
                let cancelled = Rc::new(Cell::new(false));
                if api.trim().is_empty() {
                    // Pages often set `api` from script just after the element is
                    // defined: wait a moment before calling the missing attribute an error.
                    let timer = Timeout::new(
                        MISSING_API_GRACE_MS,
                        boxed(move || {
                            dispatcher.dispatch(CouponsAction::Failed {
                                code: code::INVALID_CONFIG.into(),
                            });
                            emit(&host, "mirairo-error", "code", code::INVALID_CONFIG);
                        }),
                    );
                    return Box::new(move || drop(timer)) as Box<dyn FnOnce()>;
                }
                dispatcher.dispatch(CouponsAction::Loading);
                if let Some(today) = today_in_japan() {
                    dispatcher.dispatch(CouponsAction::Today(today));
                }
                let (api, lang, flag) = (api.to_string(), *lang, cancelled.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let result = load_coupons(&api, lang).await;
                    if flag.get() {
                        return;
                    }
                    match result {
                        Ok(f) => dispatcher.dispatch(CouponsAction::Loaded {
                            coupons: f.value,
                            stale: f.stale,
                        }),
                        Err(code) => {
                            dispatcher.dispatch(CouponsAction::Failed { code: code.into() });
                            emit(&host, "mirairo-error", "code", code);
                        }
                    }
                });
                Box::new(move || cancelled.set(true))
            },
        );
    }
    // The prefecture and category attributes set the filters whenever they change.
    use_attribute_filter(
        props.prefecture.clone(),
        state.dispatcher(),
        CouponsAction::Prefecture,
    );
    use_attribute_filter(
        props.category.clone(),
        state.dispatcher(),
        CouponsAction::Category,
    );

    let on_retry = {
        let d = state.dispatcher();
        Callback::from(move |_| d.dispatch(CouponsAction::Retry))
    };
    let on_select = use_callback(props.host.clone(), |id: String, host| {
        emit(host, "mirairo-coupon-select", "id", &id);
    });
    let on_filter = {
        let d = state.dispatcher();
        Callback::from(move |(kind, v)| match kind {
            Choices::Prefectures => d.dispatch(CouponsAction::Prefecture(v)),
            Choices::Categories => d.dispatch(CouponsAction::Category(v)),
            // Coupons have no certificate filter.
            Choices::Certificates => {}
        })
    };
    let visible = state.visible();
    let ready = matches!(state.load, Load::Ready { .. });
    let count = i18n::coupons_count(lang, visible.len());
    {
        let d = state.dispatcher();
        let settled = Callback::from(move |text| d.dispatch(CouponsAction::Announce(text)));
        use_debounced(
            if ready { count.clone() } else { String::new() },
            700,
            settled,
        );
    }
    let busy = matches!(state.load, Load::Loading);

    html! {
        <section class="root" part="root" lang={lang.as_str()} aria-labelledby="coupons-heading" aria-busy={if busy { "true" } else { "false" }}>
            <h2 id="coupons-heading" class="heading" part="heading">{ t.coupons_heading }</h2>
            <p class="sr-only" role="status">{ state.announced.clone() }</p>
            { load_status(lang, &state.load, on_retry) }
            if !matches!(state.load, Load::Failed { .. }) {
                <div class="controls" part="controls">
                    <Select choices={Choices::Categories} {lang} value={state.category.clone()} onchange={on_filter.clone()} />
                    <Select choices={Choices::Prefectures} {lang} value={state.prefecture.clone()} onchange={on_filter} />
                </div>
                if !ready {
                    { skeleton(lang, 3) }
                } else {
                    <p class="count" part="count">{ count }</p>
                    if visible.is_empty() {
                        <p class="empty" part="empty">{ t.no_coupons }</p>
                    }
                    <ul class="cards" part="list" aria-labelledby="coupons-heading">
                        { for visible.iter().map(|(coupon, validity)| {
                            coupon_card(coupon, *validity, lang, props.calendar, &on_select)
                        }) }
                    </ul>
                }
            }
        </section>
    }
}

/// One coupon card, keyed by the coupon's id. A plain function, not a component: the
/// list is a few dozen cards, and each component type costs wasm bytes of its own
/// (see `super::skeleton`).
fn coupon_card(
    c: &Coupon,
    validity: Validity,
    lang: Lang,
    calendar: Calendar,
    on_select: &Callback<String>,
) -> Html {
    let ja = lang == Lang::Ja;
    let t = i18n::text(lang);
    let title_id = ["coupon-", &c.id].concat();
    let colon = if ja { "：" } else { ": " };
    let onclick = {
        let (cb, id) = (on_select.clone(), c.id.clone());
        Callback::from(move |_: MouseEvent| cb.emit(id.clone()))
    };
    let until = Date::parse(&c.valid_until).map(|d| i18n::date(lang, calendar, d));
    let pref = prefecture(&c.prefecture).map(|p| p.name(ja));
    html! {
        <li key={c.id.clone()} class="card" part="card">
            <article aria-labelledby={title_id.clone()}>
                <p class="business">{ c.business.clone() }</p>
                <h3 id={title_id} class="card-title">{ c.title.clone() }</h3>
                if !c.discount.is_empty() {
                    <p class="discount" part="discount">{ c.discount.clone() }</p>
                }
                <p class="meta">
                    <span class="tag">{ i18n::category(lang, &c.category) }</span>
                    if let Some(p) = pref { { " " }{ p } }
                </p>
                if let Validity::Upcoming(from) = validity {
                    <p class="badge" part="badge">{ i18n::valid_from(lang, from) }</p>
                }
                if let Some(until) = until {
                    <p class="validity">{ i18n::valid_until(lang, &until) }</p>
                }
                if !c.description.is_empty() {
                    <p class="description">{ c.description.clone() }</p>
                }
                if !c.conditions.is_empty() {
                    <h4 class="small-heading">{ t.conditions }</h4>
                    <ul class="conditions">
                        { for c.conditions.iter().enumerate().map(|(i, x)| html! { <li key={i}>{ x.clone() }</li> }) }
                    </ul>
                }
                <p class="terms" part="terms">{ t.terms }</p>
                <div class="actions">
                    <button type="button" class="button" part="select-button" {onclick}>
                        { t.choose_coupon }<span class="sr-only">{ colon }{ c.title.clone() }</span>
                    </button>
                    if let Some(url) = safe_url(&c.url) {
                        <a href={url.to_owned()} target="_blank" rel="noopener noreferrer" part="link">
                            { t.details }<span class="sr-only">{ colon }{ c.title.clone() }</span>
                            <span class="hint">{ t.new_tab }</span>
                        </a>
                    }
                </div>
            </article>
        </li>
    }
}

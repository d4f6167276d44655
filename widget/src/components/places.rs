//! `<mirairo-places>`: search, filters, a tile map, a paged list and a detail view.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

use super::{
    load_status, skeleton, use_attribute_filter, use_debounced, use_pending_focus, Choices, Select,
};
use gloo_timers::callback::Timeout;

use crate::dom::{boxed, emit};
use crate::fetch::load_places;
use crate::fetch::{code, MISSING_API_GRACE_MS};
use crate::geo::{neighbor, prefecture, Direction, PREFECTURES};
use crate::i18n::{self, Lang};
use crate::model::{safe_url, Place};
use crate::state::{Load, PlacesAction, PlacesState};

/// Properties: the element's attributes, plus the host for events and focus.
#[derive(Properties, PartialEq, Clone)]
pub struct PlacesProps {
    pub host: HtmlElement,
    pub api: AttrValue,
    pub lang: Lang,
    pub prefecture: Option<String>,
    pub category: Option<String>,
}

fn row_id(id: &str) -> String {
    ["row-", id].concat()
}

const DETAIL_HEADING: &str = "detail-heading";

#[component]
pub fn Places(props: &PlacesProps) -> Html {
    let state = use_reducer(PlacesState::default);
    let lang = props.lang;
    let t = i18n::text(lang);
    let pending = use_pending_focus(props.host.clone());

    // Load on api/lang change and on retry.
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
                            dispatcher.dispatch(PlacesAction::Failed {
                                code: code::INVALID_CONFIG.into(),
                            });
                            emit(&host, "mirairo-error", "code", code::INVALID_CONFIG);
                        }),
                    );
                    return Box::new(move || drop(timer)) as Box<dyn FnOnce()>;
                }
                dispatcher.dispatch(PlacesAction::Loading);
                let (api, lang, flag) = (api.to_string(), *lang, cancelled.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let result = load_places(&api, lang).await;
                    if flag.get() {
                        return;
                    }
                    match result {
                        Ok(f) => dispatcher.dispatch(PlacesAction::Loaded {
                            places: f.value,
                            stale: f.stale,
                        }),
                        Err(code) => {
                            dispatcher.dispatch(PlacesAction::Failed { code: code.into() });
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
        PlacesAction::Prefecture,
    );
    use_attribute_filter(
        props.category.clone(),
        state.dispatcher(),
        PlacesAction::Category,
    );

    let on_retry = {
        let d = state.dispatcher();
        Callback::from(move |_| d.dispatch(PlacesAction::Retry))
    };
    // The `onchange` of every filter `<select>`, made once per element so the selects
    // re-render only when their own props change.
    let on_filter = use_callback(state.dispatcher(), |(kind, v), d| {
        d.dispatch(match kind {
            Choices::Prefectures => PlacesAction::Prefecture(v),
            Choices::Categories => PlacesAction::Category(v),
            Choices::Certificates => PlacesAction::Certificate(v),
        })
    });
    let on_open = {
        let d = state.dispatcher();
        let pending = pending.clone();
        use_callback(props.host.clone(), move |id: String, host| {
            emit(host, "mirairo-place-select", "id", &id);
            *pending.borrow_mut() = Some(DETAIL_HEADING.to_owned());
            d.dispatch(PlacesAction::Open(id));
        })
    };
    let on_close = {
        let d = state.dispatcher();
        let pending = pending.clone();
        let open = state.open.clone();
        Callback::from(move |_: ()| {
            *pending.borrow_mut() = open.as_deref().map(row_id);
            d.dispatch(PlacesAction::Close);
        })
    };

    let count = i18n::places_count(lang, state.results.len());
    let ready = matches!(state.load, Load::Ready { .. });
    {
        let d = state.dispatcher();
        let settled = Callback::from(move |text| d.dispatch(PlacesAction::Announce(text)));
        use_debounced(
            if ready { count.clone() } else { String::new() },
            700,
            settled,
        );
    }
    let busy = matches!(state.load, Load::Loading);

    let open_place = state
        .open
        .as_deref()
        .and_then(|id| state.place(id))
        .cloned();

    html! {
        <section class="root" part="root" lang={lang.as_str()} aria-labelledby="places-heading" aria-busy={if busy { "true" } else { "false" }}>
            <h2 id="places-heading" class="heading" part="heading">{ t.places_heading }</h2>
            <p class="sr-only" role="status">{ state.announced.clone() }</p>
            { load_status(lang, &state.load, on_retry) }
            if let Some(place) = open_place {
                { detail(&place, lang, &on_close) }
            } else if !matches!(state.load, Load::Failed { .. }) {
                { filters(&state, lang, &on_filter) }
                <div class="layout">
                    <div class="results" part="results">
                        if ready {
                            <p class="count" part="count">{ count }</p>
                            if state.results.is_empty() {
                                <p class="empty" part="empty">{ t.no_places }</p>
                            }
                            <ul class="list" part="list" aria-labelledby="places-heading">
                                { for state.visible().map(|p| html! {
                                    <PlaceRow key={p.id.clone()} place={p.clone()} {lang} on_open={on_open.clone()} />
                                }) }
                            </ul>
                            if state.remaining() > 0 {
                                { show_more(&state, lang, &pending) }
                            }
                        } else {
                            { skeleton(lang, 6) }
                        }
                    </div>
                    { tile_map(&state, lang) }
                </div>
            }
        </section>
    }
}

/// Search box and filters. This, [`tile_map`], [`show_more`] and [`detail`] are plain
/// functions, not components: each re-rendered with every state change anyway (so a
/// component saved nothing but compared the whole state), and each component costs
/// wasm bytes of its own. Their hooks live in [`Places`].
fn filters(
    s: &UseReducerHandle<PlacesState>,
    lang: Lang,
    on_filter: &Callback<(Choices, Option<String>)>,
) -> Html {
    let t = i18n::text(lang);
    let d = s.dispatcher();
    let oninput = {
        let d = d.clone();
        Callback::from(move |e: InputEvent| {
            d.dispatch(PlacesAction::Query(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        })
    };
    let on_clear = Callback::from(move |_: MouseEvent| d.dispatch(PlacesAction::ClearFilters));
    html! {
        <div class="controls" part="controls" role="search">
            <div class="field search">
                <label for="q">{ t.search }</label>
                <input id="q" type="search" part="search" autocomplete="off"
                    aria-describedby="q-hint" value={s.filter.query.clone()} {oninput} />
                <span id="q-hint" class="hint">{ t.search_hint }</span>
            </div>
            <Select choices={Choices::Prefectures} {lang} value={s.filter.prefecture.clone()} onchange={on_filter.clone()} />
            <Select choices={Choices::Categories} {lang} value={s.filter.category.clone()} onchange={on_filter.clone()} />
            <Select choices={Choices::Certificates} {lang} value={s.filter.certificate.clone()} onchange={on_filter.clone()} />
            if s.filter.is_active() {
                <div class="field clear">
                    <button type="button" class="button secondary" part="clear-button" onclick={on_clear}>{ t.clear_filters }</button>
                </div>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct RowProps {
    place: Rc<Place>,
    lang: Lang,
    on_open: Callback<String>,
}

/// One result row; re-rendered only when its place, language or callback change.
#[component]
fn PlaceRow(props: &RowProps) -> Html {
    let p = &props.place;
    let ja = props.lang == Lang::Ja;
    let onclick = {
        let (cb, id) = (props.on_open.clone(), p.id.clone());
        Callback::from(move |_: MouseEvent| cb.emit(id.clone()))
    };
    let pref = prefecture(&p.prefecture).map(|x| x.name(ja)).unwrap_or("");
    html! {
        <li class="row" part="item">
            <button id={row_id(&p.id)} type="button" class="row-button" part="item-button" {onclick}>
                <span class="row-name">{ p.name.clone() }</span>
                <span class="row-meta">
                    <span class="tag">{ i18n::category(props.lang, &p.category) }</span>
                    { " " }{ pref }{ " " }{ p.city.clone() }
                </span>
            </button>
        </li>
    }
}

/// "Show more": a plain function, see [`super::skeleton`].
fn show_more(s: &UseReducerHandle<PlacesState>, lang: Lang, pending: &super::PendingFocus) -> Html {
    let next = s
        .results
        .get(s.shown)
        .and_then(|&i| s.places.get(i))
        .map(|p| row_id(&p.id));
    let onclick = {
        let d = s.dispatcher();
        let pending = pending.clone();
        Callback::from(move |_: MouseEvent| {
            // Focus the first newly shown row, so keyboard users continue from there.
            *pending.borrow_mut() = next.clone();
            d.dispatch(PlacesAction::ShowMore);
        })
    };
    html! {
        <button type="button" class="button more" part="more-button" {onclick}>
            { i18n::show_more(lang, s.remaining()) }
        </button>
    }
}

/// The 47 prefectures as equal tiles; one Tab stop, arrow keys move between tiles.
/// The Tab stop is `s.roving` once the user has moved it, else the selected
/// prefecture, else Tokyo.
fn tile_map(s: &UseReducerHandle<PlacesState>, lang: Lang) -> Html {
    let ja = lang == Lang::Ja;
    let t = i18n::text(lang);
    let selected = s.filter.prefecture.clone();
    let current: &str = s
        .roving
        .or_else(|| selected.as_deref().and_then(prefecture).map(|p| p.code))
        .unwrap_or("13");
    let onkeydown = {
        let d = s.dispatcher();
        let current = current.to_owned();
        Callback::from(move |e: KeyboardEvent| {
            let dir = match e.key().as_str() {
                "ArrowUp" => Direction::Up,
                "ArrowDown" => Direction::Down,
                "ArrowLeft" => Direction::Left,
                "ArrowRight" => Direction::Right,
                _ => return,
            };
            e.prevent_default();
            if let Some(next) = neighbor(&current, dir) {
                d.dispatch(PlacesAction::Rove(next));
                // The tiles share one parent; focus the next one right away.
                let tile = e
                    .target_dyn_into::<Element>()
                    .and_then(|t| t.parent_element())
                    .and_then(|tiles| {
                        tiles
                            .query_selector(&["#tile-", next].concat())
                            .ok()
                            .flatten()
                    })
                    .and_then(|t| t.dyn_into::<HtmlElement>().ok());
                if let Some(tile) = tile {
                    let _ = tile.focus();
                }
            }
        })
    };
    let ready = matches!(s.load, Load::Ready { .. });
    html! {
        <section class="map" part="map" aria-labelledby="map-heading">
            <h3 id="map-heading" class="subheading">{ t.map_heading }</h3>
            <p id="map-hint" class="hint">{ t.map_hint }</p>
            if ready {
                <div class="tiles" part="tiles" role="group" aria-labelledby="map-heading"
                    aria-describedby="map-hint" {onkeydown}>
                    { for PREFECTURES.iter().zip(s.per_prefecture.iter()).map(|(p, n)| {
                        let pressed = selected.as_deref() == Some(p.code);
                        let onclick = {
                            let d = s.dispatcher();
                            let code = p.code;
                            Callback::from(move |_: MouseEvent| {
                                d.dispatch(PlacesAction::Rove(code));
                                d.dispatch(PlacesAction::Prefecture((!pressed).then(|| code.to_owned())));
                            })
                        };
                        html! {
                            <button key={p.code} id={["tile-", p.code].concat()} type="button" class="tile"
                                data-col={number(p.col)} data-row={number(p.row)}
                                data-empty={(*n == 0).then_some("")}
                                part={if pressed { "tile tile-selected" } else { "tile" }}
                                aria-pressed={if pressed { "true" } else { "false" }}
                                aria-label={i18n::tile_name(lang, p.name(ja), *n)}
                                tabindex={if p.code == current { "0" } else { "-1" }}
                                {onclick}>
                                { p.short(ja) }
                            </button>
                        }
                    }) }
                </div>
            } else {
                <div class="tiles placeholder" aria-hidden="true"></div>
            }
        </section>
    }
}

/// A tile coordinate as attribute text (the map is 12 × 11 tiles).
fn number(n: u8) -> &'static str {
    const TEXT: [&str; 12] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"];
    TEXT.get(usize::from(n)).copied().unwrap_or("0")
}

/// One term and its definition in the facts of [`detail`].
fn fact(term: &'static str, definition: Html) -> Html {
    html! { <><dt>{ term }</dt><dd>{ definition }</dd></> }
}

/// Values as a `<ul class="plain">` of their labels.
fn plain_list(values: &[String], lang: Lang, label: fn(Lang, &str) -> String) -> Html {
    html! {
        <ul class="plain">
            { for values.iter().map(|v| html! { <li key={v.clone()}>{ label(lang, v) }</li> }) }
        </ul>
    }
}

/// The details of one place, instead of the list: a plain function, see
/// [`super::skeleton`].
fn detail(p: &Place, lang: Lang, on_close: &Callback<()>) -> Html {
    let ja = lang == Lang::Ja;
    let t = i18n::text(lang);
    let onclick = {
        let cb = on_close.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let onkeydown = {
        let cb = on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                cb.emit(());
            }
        })
    };
    let pref = prefecture(&p.prefecture).map(|x| x.name(ja)).unwrap_or("");
    let region = prefecture(&p.prefecture).map(|x| x.region.name(ja));
    html! {
        <article class="detail" part="detail" aria-labelledby={DETAIL_HEADING} {onkeydown}>
            <button type="button" class="button secondary back" part="back-button" {onclick}>
                <span aria-hidden="true">{ "← " }</span>{ t.back }
            </button>
            <h3 id={DETAIL_HEADING} class="detail-heading" tabindex="-1">{ p.name.clone() }</h3>
            if ja && !p.name_kana.is_empty() {
                <p class="kana">{ p.name_kana.clone() }</p>
            }
            <dl class="facts">
                { fact(t.category, html! { { i18n::category(lang, &p.category) } }) }
                if !p.business.is_empty() {
                    { fact(t.business, html! { { p.business.clone() } }) }
                }
                // The provider's address is complete; fall back to prefecture and city.
                { fact(t.address, html! {
                    <>
                        if p.address.is_empty() {
                            { pref }{ " " }{ p.city.clone() }
                        } else {
                            { p.address.clone() }
                        }
                        if let Some(r) = region { <span class="hint">{ " (" }{ r }{ ")" }</span> }
                    </>
                }) }
                { fact(t.accepts, html! {
                    <>
                        if p.accepts.is_empty() {
                            { t.no_support_listed }
                        }
                        { plain_list(&p.accepts, lang, i18n::certificate) }
                    </>
                }) }
                { fact(t.mynaportal, html! {
                    { if p.requires_mynaportal { t.mynaportal_required } else { t.mynaportal_not_required } }
                }) }
                { fact(t.support, if p.support.is_empty() {
                    html! { { t.no_support_listed } }
                } else {
                    plain_list(&p.support, lang, i18n::support)
                }) }
            </dl>
            if let Some(url) = safe_url(&p.url) {
                <p>
                    <a href={url.to_owned()} target="_blank" rel="noopener noreferrer" part="link">
                        { t.website }{ ": " }{ p.name.clone() }<span class="hint">{ t.new_tab }</span>
                    </a>
                </p>
            }
        </article>
    }
}

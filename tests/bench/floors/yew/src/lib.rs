//! Size baseline for `cargo xtask bench`: about the smallest useful Yew app, a search box
//! filtering a keyed list (what js-framework-benchmark measures, minus its buttons). Its
//! wasm is built and optimised exactly like `@mirairo-id/widget`'s, so the size report
//! shows what the widget costs beyond Yew's own runtime. Not shipped.

use web_sys::HtmlInputElement;
use yew::prelude::*;

/// As in the widget (`widget/src/lib.rs`): talc, not std's dlmalloc.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

const ITEMS: [&str; 8] = [
    "東京",
    "大阪",
    "名古屋",
    "札幌",
    "福岡",
    "仙台",
    "広島",
    "那覇",
];

/// The items whose text contains `query`.
pub fn matching(query: &str) -> impl Iterator<Item = &'static str> + '_ {
    ITEMS.into_iter().filter(move |item| item.contains(query))
}

#[component]
fn App() -> Html {
    let query = use_state(String::new);
    let oninput = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            query.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    html! {
        <main>
            <label for="q">{ "検索" }</label>
            <input id="q" type="search" value={(*query).clone()} {oninput} />
            <ul>
                { for matching(&query).map(|item| html! { <li key={item}>{ item }</li> }) }
            </ul>
        </main>
    }
}

/// Renders the app into `<body>`.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn start() {
    yew::Renderer::<App>::new().render();
}

#[cfg(test)]
mod tests {
    #[test]
    fn filters_by_substring() {
        assert_eq!(super::matching("阪").collect::<Vec<_>>(), ["大阪"]);
        assert_eq!(super::matching("").count(), 8);
    }
}

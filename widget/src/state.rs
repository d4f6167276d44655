//! The widgets' state machines: plain data and pure transitions, tested natively.
//! The Yew components only render a state and dispatch [`PlacesAction`]s /
//! [`CouponsAction`]s.

use std::rc::Rc;

use yew::Reducible;

use crate::geo::PREFECTURES;
use crate::model::{Coupon, Place};
use crate::normalize::fold;
use mirairo_id_sdk::Date;

/// How many rows one "Show more" adds.
pub const PAGE: usize = 50;

/// Where loading stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Load {
    /// Fetching (first time or after a retry): the skeleton is shown.
    Loading,
    /// Data is shown; `stale` when it came from the saved copy because the network failed.
    Ready { stale: bool },
    /// Nothing to show; `code` is the `mirairo-error` code.
    Failed { code: String },
}

/// `items` without the ones whose id an earlier item already has, in order.
fn first_of_each_id<T>(items: Vec<T>, id: fn(&T) -> &str) -> Vec<T> {
    let keep = firsts(&items.iter().map(id).collect::<Vec<_>>());
    items
        .into_iter()
        .zip(keep)
        .filter_map(|(item, k)| k.then_some(item))
        .collect()
}

/// For each id, whether it is the first with that value.
fn firsts(ids: &[&str]) -> Vec<bool> {
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    ids.iter().map(|id| seen.insert(*id)).collect()
}

/// Trims a filter value; an empty one means "no filter".
fn opt(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Search and filters of `<mirairo-places>`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlaceFilter {
    /// As typed.
    pub query: String,
    /// Folded query split into words; every word must match.
    words: Vec<String>,
    pub prefecture: Option<String>,
    pub category: Option<String>,
    pub certificate: Option<String>,
}

impl PlaceFilter {
    fn matches(&self, place: &Place, haystack: &str, ignore_prefecture: bool) -> bool {
        (ignore_prefecture
            || self
                .prefecture
                .as_deref()
                .is_none_or(|p| place.prefecture == p))
            && self.category.as_deref().is_none_or(|c| place.category == c)
            && self
                .certificate
                .as_deref()
                .is_none_or(|c| place.accepts.iter().any(|a| a == c))
            && self.words.iter().all(|w| haystack.contains(w.as_str()))
    }

    /// True when any search or filter is set.
    pub fn is_active(&self) -> bool {
        !self.words.is_empty()
            || self.prefecture.is_some()
            || self.category.is_some()
            || self.certificate.is_some()
    }
}

/// State of one `<mirairo-places>`.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacesState {
    pub load: Load,
    /// Every place, in the provider's order.
    pub places: Rc<Vec<Rc<Place>>>,
    /// Folded name, kana, city and address of each place (same order).
    haystacks: Rc<Vec<String>>,
    /// Index into [`PREFECTURES`] of each place's prefecture (same order).
    pref_index: Rc<Vec<Option<usize>>>,
    pub filter: PlaceFilter,
    /// Indices into `places` of the matches.
    pub results: Rc<Vec<usize>>,
    /// Matches per prefecture under every filter except the prefecture one,
    /// in the order of [`PREFECTURES`].
    pub per_prefecture: Rc<Vec<usize>>,
    /// How many of the results are rendered.
    pub shown: usize,
    /// The place whose details are open.
    pub open: Option<String>,
    /// The row to focus when the list comes back (after closing details).
    pub return_focus: Option<String>,
    /// The prefecture code of the map tile that holds the Tab stop, once the user
    /// has moved it (arrow keys or a click).
    pub roving: Option<&'static str>,
    /// What the polite live region says (the count, once it has settled).
    pub announced: String,
    /// Bumped by Retry; the fetch effect depends on it.
    pub attempt: u32,
}

impl Default for PlacesState {
    fn default() -> Self {
        PlacesState {
            load: Load::Loading,
            places: Rc::default(),
            haystacks: Rc::default(),
            pref_index: Rc::default(),
            filter: PlaceFilter::default(),
            results: Rc::default(),
            per_prefecture: Rc::new(vec![0; PREFECTURES.len()]),
            shown: PAGE,
            open: None,
            return_focus: None,
            roving: None,
            announced: String::new(),
            attempt: 0,
        }
    }
}

/// Everything that changes a [`PlacesState`].
#[derive(Clone, Debug, PartialEq)]
pub enum PlacesAction {
    /// A fetch started (api or lang changed, or a retry).
    Loading,
    /// The places arrived; `stale` when read from the saved copy.
    Loaded {
        places: Vec<Place>,
        stale: bool,
    },
    /// The fetch failed and nothing was saved.
    Failed {
        code: String,
    },
    /// The user asked to try again.
    Retry,
    Query(String),
    Prefecture(Option<String>),
    Category(Option<String>),
    Certificate(Option<String>),
    ClearFilters,
    ShowMore,
    Open(String),
    Close,
    /// The map's Tab stop moves to the tile of this prefecture code.
    Rove(&'static str),
    /// The live region's new text.
    Announce(String),
}

impl PlacesState {
    /// The place with `id`.
    pub fn place(&self, id: &str) -> Option<&Rc<Place>> {
        self.places.iter().find(|p| p.id == id)
    }

    /// The rendered rows.
    pub fn visible(&self) -> impl Iterator<Item = &Rc<Place>> {
        self.results
            .iter()
            .take(self.shown)
            .filter_map(|&i| self.places.get(i))
    }

    /// Results not rendered yet.
    pub fn remaining(&self) -> usize {
        self.results.len().saturating_sub(self.shown)
    }

    fn refilter(&mut self) {
        let mut results = Vec::new();
        let mut per = vec![0; PREFECTURES.len()];
        let rows = self.places.iter().zip(self.haystacks.iter());
        for (i, ((place, hay), pref)) in rows.zip(self.pref_index.iter()).enumerate() {
            if self.filter.matches(place, hay, true) {
                if let Some(slot) = pref.and_then(|k| per.get_mut(k)) {
                    *slot += 1;
                }
                if self
                    .filter
                    .prefecture
                    .as_deref()
                    .is_none_or(|p| place.prefecture == p)
                {
                    results.push(i);
                }
            }
        }
        self.results = Rc::new(results);
        self.per_prefecture = Rc::new(per);
        self.shown = PAGE;
    }
}

impl Reducible for PlacesState {
    type Action = PlacesAction;

    fn reduce(self: Rc<Self>, action: PlacesAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            PlacesAction::Loading => {
                // Keep showing data already there; only an empty widget shows the skeleton.
                if s.places.is_empty() {
                    s.load = Load::Loading;
                }
            }
            PlacesAction::Loaded { places, stale } => {
                let places = first_of_each_id(places, |p| &p.id);
                s.haystacks = Rc::new(
                    places
                        .iter()
                        .map(|p| fold(&[&*p.name, &p.name_kana, &p.city, &p.address].join(" ")))
                        .collect(),
                );
                s.pref_index = Rc::new(
                    places
                        .iter()
                        .map(|p| PREFECTURES.iter().position(|x| x.code == p.prefecture))
                        .collect(),
                );
                s.places = Rc::new(places.into_iter().map(Rc::new).collect());
                s.load = Load::Ready { stale };
                if s.open.as_deref().is_some_and(|id| s.place(id).is_none()) {
                    s.open = None;
                }
                s.refilter();
            }
            PlacesAction::Failed { code } => {
                if s.places.is_empty() {
                    s.load = Load::Failed { code };
                }
            }
            PlacesAction::Retry => {
                s.attempt = s.attempt.wrapping_add(1);
                if s.places.is_empty() {
                    s.load = Load::Loading;
                }
            }
            PlacesAction::Query(q) => {
                let words: Vec<String> = fold(&q).split(' ').map(str::to_owned).collect();
                s.filter.words = words.into_iter().filter(|w| !w.is_empty()).collect();
                s.filter.query = q;
                s.refilter();
            }
            PlacesAction::Prefecture(p) => {
                s.filter.prefecture = opt(p);
                s.refilter();
            }
            PlacesAction::Category(c) => {
                s.filter.category = opt(c);
                s.refilter();
            }
            PlacesAction::Certificate(c) => {
                s.filter.certificate = opt(c);
                s.refilter();
            }
            PlacesAction::ClearFilters => {
                s.filter = PlaceFilter::default();
                s.refilter();
            }
            PlacesAction::ShowMore => {
                s.shown = s.shown.saturating_add(PAGE).min(s.results.len().max(PAGE));
            }
            PlacesAction::Open(id) => {
                if s.place(&id).is_some() {
                    s.return_focus = None;
                    s.open = Some(id);
                }
            }
            PlacesAction::Close => {
                s.return_focus = s.open.take();
            }
            PlacesAction::Rove(code) => s.roving = Some(code),
            PlacesAction::Announce(text) => s.announced = text,
        }
        Rc::new(s)
    }
}

/// State of one `<mirairo-coupons>`.
#[derive(Clone, Debug, PartialEq)]
pub struct CouponsState {
    pub load: Load,
    pub coupons: Rc<Vec<Rc<Coupon>>>,
    pub prefecture: Option<String>,
    pub category: Option<String>,
    /// Today in Japan; coupons that ended before it are hidden. `None` (a clock
    /// outside the years 1–9999) hides nothing.
    pub today: Option<Date>,
    /// What the polite live region says (the count, once it has settled).
    pub announced: String,
    pub attempt: u32,
}

/// Everything that changes a [`CouponsState`].
#[derive(Clone, Debug, PartialEq)]
pub enum CouponsAction {
    Loading,
    Loaded {
        coupons: Vec<Coupon>,
        stale: bool,
    },
    Failed {
        code: String,
    },
    Retry,
    Prefecture(Option<String>),
    Category(Option<String>),
    Today(Date),
    /// The live region's new text.
    Announce(String),
}

/// When a coupon can be used, relative to today.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validity {
    /// Usable today.
    Current,
    /// Starts later (shown, marked "M月D日から").
    Upcoming(Date),
    /// Ended (hidden).
    Expired,
}

/// A coupon's validity on `today`. Unreadable dates do not limit it.
pub fn validity(coupon: &Coupon, today: Date) -> Validity {
    match (
        Date::parse(&coupon.valid_from),
        Date::parse(&coupon.valid_until),
    ) {
        (_, Some(until)) if until < today => Validity::Expired,
        (Some(from), _) if from > today => Validity::Upcoming(from),
        _ => Validity::Current,
    }
}

impl CouponsState {
    /// A fresh state for `today`.
    pub fn new(today: Option<Date>) -> Self {
        CouponsState {
            load: Load::Loading,
            coupons: Rc::default(),
            prefecture: None,
            category: None,
            today,
            announced: String::new(),
            attempt: 0,
        }
    }

    /// Coupons to show: not expired, matching the filters; current ones first.
    pub fn visible(&self) -> Vec<(Rc<Coupon>, Validity)> {
        let (mut current, mut upcoming) = (Vec::new(), Vec::new());
        for c in self.coupons.iter() {
            if self
                .prefecture
                .as_deref()
                .is_some_and(|p| c.prefecture != p)
                || self.category.as_deref().is_some_and(|k| c.category != k)
            {
                continue;
            }
            // A stable partition, not a sort: smaller wasm, same order.
            match self.today.map_or(Validity::Current, |t| validity(c, t)) {
                Validity::Expired => {}
                v @ Validity::Current => current.push((Rc::clone(c), v)),
                v @ Validity::Upcoming(_) => upcoming.push((Rc::clone(c), v)),
            }
        }
        current.append(&mut upcoming);
        current
    }
}

impl Reducible for CouponsState {
    type Action = CouponsAction;

    fn reduce(self: Rc<Self>, action: CouponsAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            CouponsAction::Loading => {
                if s.coupons.is_empty() {
                    s.load = Load::Loading;
                }
            }
            CouponsAction::Loaded { coupons, stale } => {
                s.coupons = Rc::new(
                    first_of_each_id(coupons, |c| &c.id)
                        .into_iter()
                        .map(Rc::new)
                        .collect(),
                );
                s.load = Load::Ready { stale };
            }
            CouponsAction::Failed { code } => {
                if s.coupons.is_empty() {
                    s.load = Load::Failed { code };
                }
            }
            CouponsAction::Retry => {
                s.attempt = s.attempt.wrapping_add(1);
                if s.coupons.is_empty() {
                    s.load = Load::Loading;
                }
            }
            CouponsAction::Prefecture(p) => s.prefecture = opt(p),
            CouponsAction::Category(c) => s.category = opt(c),
            CouponsAction::Today(d) => s.today = Some(d),
            CouponsAction::Announce(text) => s.announced = text,
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(id: &str, name: &str, kana: &str, pref: &str, cat: &str, accepts: &[&str]) -> Place {
        Place {
            id: id.into(),
            name: name.into(),
            name_kana: kana.into(),
            prefecture: pref.into(),
            category: cat.into(),
            city: "渋谷区".into(),
            address: "道玄坂１－２".into(),
            accepts: accepts.iter().map(|s| s.to_string()).collect(),
            ..Place::default()
        }
    }

    fn loaded() -> Rc<PlacesState> {
        let places = vec![
            place(
                "a",
                "渋谷駅",
                "しぶやえき",
                "13",
                "railway",
                &["physical", "mental"],
            ),
            place(
                "b",
                "東京タワー",
                "とうきょうたわー",
                "13",
                "leisure",
                &["physical"],
            ),
            place(
                "c",
                "大阪城",
                "おおさかじょう",
                "27",
                "museum",
                &["intellectual"],
            ),
            place(
                "d",
                "ＳＨＩＢＵＹＡ ＣＩＮＥＭＡ",
                "しぶやしねま",
                "13",
                "cinema",
                &[],
            ),
        ];
        Rc::new(PlacesState::default()).reduce(PlacesAction::Loaded {
            places,
            stale: false,
        })
    }

    fn ids(s: &PlacesState) -> Vec<&str> {
        s.visible().map(|p| p.id.as_str()).collect()
    }

    #[test]
    fn search_folds_kana_and_width() {
        let table: &[(&str, &[&str])] = &[
            ("", &["a", "b", "c", "d"]),
            ("しぶや", &["a", "d"]),  // hiragana finds the kana reading
            ("シブヤ", &["a", "d"]),  // katakana too
            ("ｼﾌﾞﾔ", &["a", "d"]),     // and half-width katakana
            ("shibuya", &["d"]),      // full-width name, half-width query
            ("ＣＩＮＥＭＡ", &["d"]), // full-width query
            ("渋谷区", &["a", "b", "c", "d"]), // city
            ("道玄坂1-2", &["a", "b", "c", "d"]), // address, folded
            ("しぶや えき", &["a"]),  // every word must match
            ("しぶや　えき", &["a"]), // ideographic space separates words
            ("京都", &[]),
        ];
        for (q, expected) in table {
            let s = loaded().reduce(PlacesAction::Query((*q).into()));
            assert_eq!(ids(&s), *expected, "query {q:?}");
        }
    }

    #[test]
    fn filters_combine() {
        /// (prefecture, category, certificate) -> ids shown
        type Row<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            &'a [&'a str],
        );
        let table: &[Row] = &[
            (Some("13"), None, None, &["a", "b", "d"]),
            (Some("27"), None, None, &["c"]),
            (None, Some("railway"), None, &["a"]),
            (None, None, Some("physical"), &["a", "b"]),
            (Some("13"), None, Some("mental"), &["a"]),
            (Some("13"), Some("museum"), None, &[]),
            (Some(""), Some(" "), None, &["a", "b", "c", "d"]), // empty = no filter
        ];
        for (pref, cat, cert, expected) in table {
            let s = loaded()
                .reduce(PlacesAction::Prefecture(pref.map(Into::into)))
                .reduce(PlacesAction::Category(cat.map(Into::into)))
                .reduce(PlacesAction::Certificate(cert.map(Into::into)));
            assert_eq!(ids(&s), *expected, "{pref:?} {cat:?} {cert:?}");
        }
    }

    #[test]
    fn map_counts_ignore_only_the_prefecture_filter() {
        let s = loaded()
            .reduce(PlacesAction::Prefecture(Some("27".into())))
            .reduce(PlacesAction::Certificate(Some("physical".into())));
        assert_eq!(
            s.per_prefecture[12], 2,
            "東京都 under the certificate filter"
        );
        assert_eq!(s.per_prefecture[26], 0, "大阪府");
        assert_eq!(s.results.len(), 0);
        let cleared = s.reduce(PlacesAction::ClearFilters);
        assert!(!cleared.filter.is_active());
        assert_eq!(cleared.results.len(), 4);
    }

    #[test]
    fn long_lists_render_in_pages() {
        let many: Vec<Place> = (0..120)
            .map(|i| place(&format!("p{i}"), "駅", "えき", "13", "railway", &[]))
            .collect();
        let s = Rc::new(PlacesState::default()).reduce(PlacesAction::Loaded {
            places: many,
            stale: false,
        });
        assert_eq!((s.visible().count(), s.remaining()), (50, 70));
        let s = s.reduce(PlacesAction::ShowMore);
        assert_eq!((s.visible().count(), s.remaining()), (100, 20));
        let s = s
            .reduce(PlacesAction::ShowMore)
            .reduce(PlacesAction::ShowMore);
        assert_eq!((s.visible().count(), s.remaining()), (120, 0));
        // a new search starts from the first page again
        let s = s.reduce(PlacesAction::Query("駅".into()));
        assert_eq!(s.visible().count(), 50);
    }

    #[test]
    fn duplicate_ids_keep_the_first() {
        let s = Rc::new(PlacesState::default()).reduce(PlacesAction::Loaded {
            places: vec![
                place("a", "一", "", "13", "bus", &[]),
                place("a", "二", "", "13", "bus", &[]),
            ],
            stale: false,
        });
        assert_eq!(s.places.len(), 1);
        assert_eq!(s.places[0].name, "一");
    }

    #[test]
    fn the_map_tab_stop_moves_and_survives_filters_and_reloads() {
        let s = loaded();
        assert_eq!(s.roving, None);
        let s = s.reduce(PlacesAction::Rove("27"));
        assert_eq!(s.roving, Some("27"));
        // It moves only the Tab stop: the prefecture filter is a separate action.
        assert_eq!(s.filter.prefecture, None);
        assert_eq!(s.results.len(), 4);
        let s = s
            .reduce(PlacesAction::Prefecture(Some("13".into())))
            .reduce(PlacesAction::ClearFilters)
            .reduce(PlacesAction::Loaded {
                places: Vec::new(),
                stale: false,
            });
        assert_eq!(s.roving, Some("27"));
        assert_eq!(s.reduce(PlacesAction::Rove("01")).roving, Some("01"));
    }

    #[test]
    fn the_live_region_says_what_was_announced_last() {
        let s = loaded();
        assert_eq!(s.announced, "");
        let s = s.reduce(PlacesAction::Announce("4件".into()));
        assert_eq!(s.announced, "4件");
        // Searching changes the count, not the announcement (that waits for the debounce).
        let s = s.reduce(PlacesAction::Query("駅".into()));
        assert_eq!((s.results.len(), s.announced.as_str()), (1, "4件"));
        let c =
            Rc::new(CouponsState::new(None)).reduce(CouponsAction::Announce("2 coupons".into()));
        assert_eq!(c.announced, "2 coupons");
        assert_eq!(c.reduce(CouponsAction::Retry).announced, "2 coupons");
    }

    #[test]
    fn firsts_marks_only_the_first_of_each_id() {
        let ids = ["b", "a", "b", "c", "a", "a"];
        assert_eq!(firsts(&ids), [true, true, false, true, false, false]);
        assert_eq!(firsts(&[]), Vec::<bool>::new());
    }

    #[test]
    fn details_open_close_and_return_focus() {
        let s = loaded().reduce(PlacesAction::Open("b".into()));
        assert_eq!(s.open.as_deref(), Some("b"));
        let s = s.reduce(PlacesAction::Close);
        assert_eq!(
            (s.open.as_deref(), s.return_focus.as_deref()),
            (None, Some("b"))
        );
        // unknown ids do not open anything
        let s = s.reduce(PlacesAction::Open("zzz".into()));
        assert_eq!(s.open, None);
    }

    #[test]
    fn load_transitions() {
        let s = Rc::new(PlacesState::default());
        assert_eq!(s.load, Load::Loading);
        let failed = s.clone().reduce(PlacesAction::Failed {
            code: "timeout".into(),
        });
        assert_eq!(
            failed.load,
            Load::Failed {
                code: "timeout".into()
            }
        );
        let retry = failed.reduce(PlacesAction::Retry);
        assert_eq!((retry.load.clone(), retry.attempt), (Load::Loading, 1));
        // with data on screen, a later failure keeps the data
        let shown = loaded()
            .reduce(PlacesAction::Loading)
            .reduce(PlacesAction::Failed {
                code: "network".into(),
            });
        assert_eq!(shown.load, Load::Ready { stale: false });
        let stale = Rc::new(PlacesState::default()).reduce(PlacesAction::Loaded {
            places: vec![],
            stale: true,
        });
        assert_eq!(stale.load, Load::Ready { stale: true });
    }

    fn coupon(id: &str, from: &str, until: &str, pref: &str, cat: &str) -> Coupon {
        Coupon {
            id: id.into(),
            valid_from: from.into(),
            valid_until: until.into(),
            prefecture: pref.into(),
            category: cat.into(),
            ..Coupon::default()
        }
    }

    #[test]
    fn coupons_hide_expired_and_mark_upcoming() {
        let today = Date::parse("2026-11-27").expect("date");
        let s = Rc::new(CouponsState::new(Some(today))).reduce(CouponsAction::Loaded {
            coupons: vec![
                coupon("future", "2026-12-01", "2027-01-31", "13", "museum"),
                coupon("ended", "2026-01-01", "2026-11-26", "13", "museum"),
                coupon("last-day", "2026-01-01", "2026-11-27", "27", "railway"),
                coupon("first-day", "2026-11-27", "2026-12-31", "13", "railway"),
                coupon("open-ended", "", "", "13", "dining"),
            ],
            stale: false,
        });
        let got: Vec<_> = s
            .visible()
            .iter()
            .map(|(c, v)| (c.id.clone(), *v))
            .collect();
        let dec1 = Date::parse("2026-12-01").expect("date");
        assert_eq!(
            got,
            [
                ("last-day".to_string(), Validity::Current),
                ("first-day".to_string(), Validity::Current),
                ("open-ended".to_string(), Validity::Current),
                ("future".to_string(), Validity::Upcoming(dec1)),
            ]
        );
        let s = s.reduce(CouponsAction::Prefecture(Some("13".into())));
        assert_eq!(s.visible().len(), 3);
        let s = s.reduce(CouponsAction::Category(Some("railway".into())));
        let ids: Vec<_> = s.visible().iter().map(|(c, _)| c.id.clone()).collect();
        assert_eq!(ids, ["first-day"]);
        // the next day, the last-day coupon is gone
        let s = s
            .reduce(CouponsAction::Prefecture(None))
            .reduce(CouponsAction::Today(
                Date::parse("2026-11-28").expect("date"),
            ));
        let ids: Vec<_> = s.visible().iter().map(|(c, _)| c.id.clone()).collect();
        assert_eq!(ids, ["first-day"]);
    }
}

//! Places and coupons (PROTOCOL.md §5), static files, and robustness: every malformed
//! input gets a JSON error, never a panic, an HTML page or a stack trace.
// Helpers in this test crate fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{HashMap, HashSet};

use common::*;
use mirairo_id_sandbox::Config;
use serde_json::Value;

const CATEGORIES: [&str; 14] = [
    "railway", "bus", "taxi", "airline", "ferry", "leisure", "museum", "cinema", "sports", "hotel",
    "retail", "dining", "public", "other",
];

#[tokio::test]
async fn places_cover_japan_and_paginate_with_cursors() {
    let sb = Sandbox::start().await;
    let mut seen = HashSet::new();
    let mut prefectures = HashSet::new();
    let mut categories = HashSet::new();
    let mut cursor: Option<String> = None;
    let mut total: u64;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/places?limit=500&cursor={c}"),
            None => "/api/v1/places?limit=500".to_owned(),
        };
        let (status, v) = sb.get_json(&path).await;
        assert_eq!(status, 200, "{v}");
        total = v["total"].as_u64().unwrap();
        for item in v["items"].as_array().unwrap() {
            assert!(
                seen.insert(item["id"].as_str().unwrap().to_owned()),
                "ids are unique"
            );
            prefectures.insert(item["prefecture"].as_str().unwrap().to_owned());
            categories.insert(item["category"].as_str().unwrap().to_owned());
            for field in ["name", "name_kana", "city", "address", "business", "url"] {
                assert!(
                    item[field].as_str().is_some_and(|s| !s.is_empty()),
                    "{field}: {item}"
                );
            }
            let (lat, lng) = (item["lat"].as_f64().unwrap(), item["lng"].as_f64().unwrap());
            assert!((24.0..46.0).contains(&lat) && (122.0..146.0).contains(&lng));
            assert!(item["accepts"].as_array().is_some_and(|a| !a.is_empty()));
            assert!(item["requires_mynaportal"].is_boolean());
            assert!(item["support"].is_array());
        }
        pages += 1;
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len() as u64, total);
    assert!(total >= 3000, "{total}");
    assert_eq!(pages, total.div_ceil(500));
    assert_eq!(prefectures.len(), 47);
    for p in 1..=47 {
        assert!(prefectures.contains(&format!("{p:02}")));
    }
    assert_eq!(categories.len(), CATEGORIES.len());
    sb.stop().await;
}

#[tokio::test]
async fn places_filters_search_and_languages() {
    let sb = Sandbox::start().await;
    let (_, v) = sb
        .get_json("/api/v1/places?prefecture=13&category=railway&limit=500")
        .await;
    let items = v["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert_eq!(items.len() as u64, v["total"].as_u64().unwrap());
    assert!(items
        .iter()
        .all(|i| i["prefecture"] == "13" && i["category"] == "railway"));

    // q matches name, kana, city and address as plain text.
    let (_, v) = sb
        .get_json("/api/v1/places?q=%E6%B8%8B%E8%B0%B7&limit=500")
        .await; // 渋谷
    let hits = v["items"].as_array().unwrap();
    assert!(!hits.is_empty());
    for i in hits {
        let text = format!("{}{}{}", i["name"], i["city"], i["address"]);
        assert!(text.contains("渋谷"), "{i}");
    }
    let (_, kana) = sb
        .get_json("/api/v1/places?q=%E3%81%97%E3%81%B6%E3%82%84&limit=500")
        .await; // しぶや
    assert_eq!(
        kana["total"], v["total"],
        "hiragana finds the katakana reading"
    );
    let (_, en) = sb
        .get_json("/api/v1/places?q=shibuya&lang=en&limit=1")
        .await;
    let first = &en["items"][0];
    assert!(first["city"].as_str().unwrap().contains("Shibuya"));
    assert!(first["name"].as_str().unwrap().is_ascii(), "{first}");

    let (_, ja) = sb.get_json("/api/v1/places?limit=1").await;
    let (_, en) = sb.get_json("/api/v1/places?limit=1&lang=en").await;
    assert_eq!(ja["items"][0]["id"], en["items"][0]["id"]);
    assert_ne!(ja["items"][0]["name"], en["items"][0]["name"]);
    sb.stop().await;
}

#[tokio::test]
async fn bad_parameters_are_400_json() {
    let sb = Sandbox::start().await;
    let cases = [
        ("/api/v1/places?limit=501", 400),
        ("/api/v1/places?limit=0", 400),
        ("/api/v1/places?limit=-1", 400),
        ("/api/v1/places?limit=ten", 400),
        ("/api/v1/places?limit=500", 200),
        ("/api/v1/places?prefecture=48", 400),
        ("/api/v1/places?prefecture=1", 400),
        ("/api/v1/places?prefecture=00", 400),
        ("/api/v1/places?category=spaceship", 400),
        ("/api/v1/places?lang=fr", 400),
        ("/api/v1/places?cursor=not-a-cursor", 400),
        ("/api/v1/places?q=%zz", 400),
        ("/api/v1/places?q=%FF%FE", 400),
        ("/api/v1/places?limit=1&limit=2", 400),
        ("/api/v1/coupons?prefecture=99", 400),
        ("/api/v1/coupons?category=x", 400),
        ("/api/v1/nothing", 404),
        ("/api/v2/places", 404),
        ("/_sandbox/nothing", 404),
    ];
    for (path, expected) in cases {
        let r = sb.http.get(sb.url(path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), expected, "{path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{path}"
        );
        let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        if expected != 200 {
            assert!(
                v["error"].is_string() && v["error_description"].is_string(),
                "{path}: {v}"
            );
        }
    }
    sb.stop().await;
}

#[tokio::test]
async fn search_text_is_plain_text_never_sql() {
    let sb = Sandbox::start().await;
    let (_, all) = sb.get_json("/api/v1/places?limit=1").await;
    let total = all["total"].as_u64().unwrap();
    let long = "渋".repeat(3500); // ~10 KB of UTF-8
    let cases: Vec<(String, u64)> = vec![
        ("' OR '1'='1".to_owned(), 0),
        ("\"; DROP TABLE places; --".to_owned(), 0),
        ("%".to_owned(), 0),
        ("_".to_owned(), 0),
        ("\\".to_owned(), 0),
        ("*".to_owned(), 0),
        ("1) UNION SELECT * FROM users --".to_owned(), 0),
        ("x".repeat(10 * 1024), 0),
        (long, 0),
    ];
    for (q, expected) in cases {
        let url = format!(
            "/api/v1/places?q={}",
            mirairo_id_sandbox::util::form_encode(&q)
        );
        let (status, v) = sb.get_json(&url).await;
        assert_eq!(status, 200, "{q:.40}");
        assert_eq!(v["total"].as_u64(), Some(expected), "{q:.40}");
    }
    let (_, after) = sb.get_json("/api/v1/places?limit=1").await;
    assert_eq!(after["total"].as_u64(), Some(total), "the table is intact");
    sb.stop().await;
}

#[tokio::test]
async fn etag_304_cache_and_cors_headers() {
    let sb = Sandbox::start().await;
    for path in [
        "/api/v1/places?prefecture=27&limit=5",
        "/api/v1/coupons?lang=en",
    ] {
        let r = sb
            .http
            .get(sb.url(path))
            .header("Origin", "http://any.example")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let h = r.headers().clone();
        assert_eq!(h["access-control-allow-origin"], "*");
        assert!(h["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .contains("ETag"));
        assert_eq!(h["cache-control"], "public, max-age=300");
        let etag = h["etag"].to_str().unwrap().to_owned();
        let again = sb
            .http
            .get(sb.url(path))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status().as_u16(), 304, "{path}");
        assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
        assert!(again.text().await.unwrap().is_empty());
        let weak = sb
            .http
            .get(sb.url(path))
            .header("If-None-Match", format!("W/{etag}"))
            .send()
            .await
            .unwrap();
        assert_eq!(weak.status().as_u16(), 304);
        let other = sb
            .http
            .get(sb.url(path))
            .header("If-None-Match", "\"other\"")
            .send()
            .await
            .unwrap();
        assert_eq!(other.status().as_u16(), 200);
        let pre = sb
            .http
            .request(reqwest::Method::OPTIONS, sb.url(path))
            .header("Origin", "http://any.example")
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "if-none-match")
            .send()
            .await
            .unwrap();
        assert_eq!(pre.status().as_u16(), 204);
        assert_eq!(pre.headers()["access-control-allow-origin"], "*");
        let allowed = pre.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        assert!(allowed.contains("if-none-match"));
    }
    sb.stop().await;
}

#[tokio::test]
async fn coupons_in_both_languages_with_validity() {
    let sb = Sandbox::start().await;
    let (_, ja) = sb.get_json("/api/v1/coupons").await;
    let (_, en) = sb.get_json("/api/v1/coupons?lang=en").await;
    let ja = ja["items"].as_array().unwrap();
    let en = en["items"].as_array().unwrap();
    assert!(ja.len() >= 24, "a few dozen coupons");
    assert_eq!(ja.len(), en.len());
    let today = mirairo_id_sandbox::util::format_day(mirairo_id_sandbox::util::today_jst(sb.now()));
    let (mut expired, mut future, mut current) = (0, 0, 0);
    for (j, e) in ja.iter().zip(en) {
        for f in [
            "id",
            "business",
            "title",
            "description",
            "discount",
            "valid_from",
            "valid_until",
            "conditions",
            "category",
            "url",
        ] {
            assert!(j[f].as_str().is_some_and(|s| !s.is_empty()), "{f}: {j}");
        }
        assert!(j.get("prefecture").is_some());
        assert_eq!(j["id"], e["id"]);
        assert_ne!(j["title"], e["title"]);
        assert!(
            e["title"].as_str().unwrap().is_ascii() || e["title"].as_str().unwrap().contains('¥')
        );
        let (from, until) = (
            j["valid_from"].as_str().unwrap(),
            j["valid_until"].as_str().unwrap(),
        );
        assert!(from <= until);
        if until < today.as_str() {
            expired += 1;
        } else if from > today.as_str() {
            future += 1;
        } else {
            current += 1;
        }
    }
    assert!(
        expired > 0 && future > 0 && current > 0,
        "{expired} {future} {current}"
    );
    let (_, by_pref) = sb.get_json("/api/v1/coupons?prefecture=13").await;
    for c in by_pref["items"].as_array().unwrap() {
        assert!(c["prefecture"] == "13" || c["prefecture"].is_null());
    }
    sb.stop().await;
}

fn www_fixture() -> std::path::PathBuf {
    let dir = temp_dir("www");
    let files: &[(&str, &[u8])] = &[
        ("index.html", b"<!doctype html><title>root</title>"),
        ("app.js", b"export const a = 1;"),
        ("mod.mjs", b"export {};"),
        ("style.css", b"body{}"),
        ("icon.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("data.json", b"{}"),
        ("sdk_bg.wasm", b"\0asm\x01\0\0\0"),
        ("demo/index.html", b"<!doctype html><title>demo</title>"),
    ];
    for (name, body) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
    dir
}

#[tokio::test]
async fn static_files_types_csp_and_no_traversal() {
    let www = www_fixture();
    let mut config = Config::for_tests();
    config.www = www.clone();
    config.pkg = www.join("demo");
    config.examples = www.join("missing-directory");
    let sb = Sandbox::start_with(config).await;
    let cases = [
        ("/", 200, "text/html; charset=utf-8"),
        ("/app.js", 200, "text/javascript; charset=utf-8"),
        ("/mod.mjs", 200, "text/javascript; charset=utf-8"),
        ("/style.css", 200, "text/css; charset=utf-8"),
        ("/icon.svg", 200, "image/svg+xml"),
        ("/data.json", 200, "application/json"),
        ("/sdk_bg.wasm", 200, "application/wasm"),
        ("/demo/", 200, "text/html; charset=utf-8"),
        ("/pkg/", 200, "text/html; charset=utf-8"),
        ("/pkg/index.html", 200, "text/html; charset=utf-8"),
        ("/nope.js", 404, "text/html; charset=utf-8"),
        ("/examples/", 404, "text/html; charset=utf-8"),
        ("/examples/plain-html/", 404, "text/html; charset=utf-8"),
    ];
    for (path, status, ct) in cases {
        let r = sb.http.get(sb.url(path)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}");
        assert_eq!(r.headers()["content-type"], ct, "{path}");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff", "{path}");
        if ct.starts_with("text/html") {
            let csp = r.headers()["content-security-policy"].to_str().unwrap();
            assert_eq!(csp, mirairo_id_sandbox::pages::CSP, "{path}");
        }
    }
    let r = sb.http.get(sb.url("/demo")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 301);
    assert_eq!(r.headers()["location"], "/demo/");

    // Raw requests, so that no client library normalises the dots away.
    std::fs::write(
        www.parent().unwrap().join("secret-outside-www.txt"),
        "TOP SECRET",
    )
    .ok();
    for target in [
        "/../secret-outside-www.txt",
        "/%2e%2e/secret-outside-www.txt",
        "/%2E%2E%2Fsecret-outside-www.txt",
        "/demo/..%2F..%2Fsecret-outside-www.txt",
        "/pkg/../../secret-outside-www.txt",
        "/pkg/%2e%2e/%2e%2e/secret-outside-www.txt",
        "/examples/..%5c..%5csecret-outside-www.txt",
        "/..%00/etc/passwd",
        "//etc/passwd",
        "/.git/config",
    ] {
        let resp = raw_http(
            sb.handle.addr,
            format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await;
        let status_line = resp.lines().next().unwrap_or("");
        assert!(
            status_line.contains(" 404 ") || status_line.contains(" 400 "),
            "{target}: {status_line}"
        );
        assert!(
            !resp.contains("TOP SECRET") && !resp.contains("root:"),
            "{target}"
        );
    }
    sb.stop().await;
    std::fs::remove_dir_all(&www).ok();
}

#[tokio::test]
async fn malformed_requests_never_panic_and_answer_json() {
    let sb = Sandbox::start().await;
    let addr = sb.handle.addr;
    let token_raw = |headers: &str, body: &[u8]| {
        let mut req = format!(
            "POST /token HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n{headers}\r\n",
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(body);
        req
    };
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("invalid UTF-8 form", token_raw("Content-Type: application/x-www-form-urlencoded\r\n", b"grant_type=\xff\xfe&client_id=sandbox-test"), 400),
        ("bad percent escape", token_raw("Content-Type: application/x-www-form-urlencoded\r\n", b"client_id=%zz"), 400),
        ("non-ASCII DPoP header", token_raw("Content-Type: application/x-www-form-urlencoded\r\nDPoP: あ\r\n", b"grant_type=authorization_code&client_id=sandbox-test&code=x&redirect_uri=x&code_verifier=x"), 400),
        ("two DPoP headers", token_raw("Content-Type: application/x-www-form-urlencoded\r\nDPoP: a\r\nDPoP: b\r\n", b"grant_type=authorization_code&client_id=sandbox-test"), 400),
        ("no content type", token_raw("", b"grant_type=authorization_code"), 400),
        ("binary garbage", token_raw("Content-Type: application/x-www-form-urlencoded\r\n", &[0, 1, 2, 255, 254, b'=', b'&', b'=']), 400),
        ("repeated client_id", token_raw("Content-Type: application/x-www-form-urlencoded\r\n", b"client_id=a&client_id=b"), 400),
    ];
    for (name, req, expected) in cases {
        let resp = raw_http(addr, &req).await;
        let status_line = resp.lines().next().unwrap_or("");
        assert!(
            status_line.contains(&format!(" {expected} ")),
            "{name}: {status_line}"
        );
        assert!(
            resp.to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{name}: {resp}"
        );
        let body = resp.split("\r\n\r\n").nth(1).unwrap_or("");
        let v: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("{name}: {body}"));
        assert!(v["error"].is_string(), "{name}");
    }

    // JSON control endpoints with broken bodies.
    for (path, body) in [
        ("/_sandbox/status", "{"),
        ("/_sandbox/status", "[1,2]"),
        ("/_sandbox/status", "{\"idx\": -1, \"status\": 1}"),
        ("/_sandbox/status", "{\"idx\": 1, \"status\": 3}"),
        ("/_sandbox/faults", "{\"path\": \"token\"}"),
        ("/_sandbox/faults", "{\"path\": \"/token\", \"status\": 42}"),
        (
            "/_sandbox/issue",
            "{\"user\": \"hanako\", \"holder_jwk\": {\"kty\": \"RSA\"}}",
        ),
        (
            "/_sandbox/issue",
            "{\"user\": \"nobody\", \"holder_jwk\": {}}",
        ),
    ] {
        let r = sb.http.post(sb.url(path)).body(body).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 400, "{path} {body}");
        let v: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
        assert!(v["error"].is_string(), "{path} {body}");
    }

    // Wrong methods and an oversized body: JSON, not an empty or HTML page.
    for (method, path, expected) in [
        (reqwest::Method::GET, "/token", 405),
        (reqwest::Method::DELETE, "/api/v1/places", 405),
        (reqwest::Method::GET, "/_sandbox/reset", 405),
    ] {
        let r = sb
            .http
            .request(method.clone(), sb.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), expected, "{method} {path}");
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
    }
    let huge = vec![b'a'; 3 * 1024 * 1024];
    let r = sb
        .http
        .post(sb.url("/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));

    // Still serving afterwards.
    let (status, _) = sb.get_json("/.well-known/openid-configuration").await;
    assert_eq!(status, 200);
    sb.stop().await;
}

#[tokio::test]
async fn places_answer_matches_the_seed_counts() {
    let sb = Sandbox::start().await;
    let mut per_category: HashMap<String, u64> = HashMap::new();
    for c in CATEGORIES {
        let (_, v) = sb
            .get_json(&format!("/api/v1/places?category={c}&limit=1"))
            .await;
        per_category.insert(c.to_owned(), v["total"].as_u64().unwrap());
    }
    let (_, all) = sb.get_json("/api/v1/places?limit=1").await;
    assert_eq!(
        per_category.values().sum::<u64>(),
        all["total"].as_u64().unwrap()
    );
    assert!(per_category.values().all(|&n| n >= 47), "{per_category:?}");
    sb.stop().await;
}

//! The wallet's words for the holder, in Japanese and English: claim labels and values
//! as the app shows them, why a request was refused, and what the verifier answered.

use serde_json::{json, Value};

use super::Delivery;
use crate::pages::{certificate_type_name, claim_label};
use crate::util::wareki;

/// A text in Japanese and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// Japanese.
    pub ja: String,
    /// English.
    pub en: String,
}

impl Text {
    /// A text from its two languages.
    pub fn new(ja: impl Into<String>, en: impl Into<String>) -> Self {
        Text {
            ja: ja.into(),
            en: en.into(),
        }
    }

    /// `{"ja", "en"}`.
    pub fn to_json(&self) -> Value {
        json!({ "ja": self.ja, "en": self.en })
    }
}

/// A claim's label and value as the app shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimDisplay {
    /// What the value is (`有効期限` / `Valid until`).
    pub label: Text,
    /// The value (`令和10年1月31日` / `2028-01-31`).
    pub value: Text,
}

impl ClaimDisplay {
    /// `{"name", "label": {"ja","en"}, "value": {"ja","en"}}`.
    pub fn to_json(&self, name: &str) -> Value {
        json!({ "name": name, "label": self.label.to_json(), "value": self.value.to_json() })
    }
}

fn prefecture(code: &str) -> Option<Text> {
    crate::seed::prefecture_name(code).map(|(ja, en)| Text::new(ja, en))
}

fn date(value: &Value, none: Text) -> Text {
    match value.as_str() {
        Some(d) => Text::new(wareki(d), d),
        None => none,
    }
}

/// How the app shows `value` of the §3 claim `name`.
pub fn claim_display(name: &str, value: &Value) -> ClaimDisplay {
    let label = Text::new(claim_label(false, name), claim_label(true, name));
    let plain = |v: &Value| match v {
        Value::String(s) => Text::new(s.clone(), s.clone()),
        Value::Null => Text::new("なし", "none"),
        other => Text::new(other.to_string(), other.to_string()),
    };
    let value = match name {
        "certificate_type" => value.as_str().map_or_else(
            || plain(value),
            |t| {
                Text::new(
                    certificate_type_name(false, t),
                    certificate_type_name(true, t),
                )
            },
        ),
        "grade" => match value.as_str() {
            Some(g) if !g.is_empty() && g.chars().all(|c| c.is_ascii_digit()) => {
                Text::new(format!("{g}級"), format!("grade {g}"))
            }
            Some(g) => Text::new(g, format!("grade {g}")),
            None => plain(value),
        },
        "fare_class" => match value.as_i64() {
            Some(c) => Text::new(format!("第{c}種"), format!("class {c}")),
            None => Text::new("なし", "none"),
        },
        "caregiver" => match value.as_bool() {
            Some(true) => Text::new(
                "あり（介護者も割引）",
                "yes (a companion travels at the discount too)",
            ),
            Some(false) => Text::new("なし", "no"),
            None => plain(value),
        },
        "issuer_prefecture" => value
            .as_str()
            .and_then(prefecture)
            .unwrap_or_else(|| plain(value)),
        "issued_on" | "birthdate" => date(value, plain(value)),
        "renewed_on" => date(value, Text::new("なし", "none")),
        "valid_until" => date(
            value,
            Text::new("記載なし（期限なし）", "none printed (no expiry)"),
        ),
        "mynaportal" => match value.as_str() {
            Some("linked") => Text::new("連携済", "linked"),
            Some("pending") => Text::new("申請中", "pending"),
            Some("unlinked") => Text::new("未連携", "not linked"),
            _ => plain(value),
        },
        _ => plain(value),
    };
    ClaimDisplay { label, value }
}

/// Why a request was refused before anything was shown (PROTOCOL.md §7.3), by the
/// core's rule (`WalletRequestError::reason`).
pub fn request_error_message(rule: &str) -> Text {
    let (ja, en) = match rule {
        "malformed" => (
            "読み取ったものは、ミライロIDで手帳を提示する依頼（OpenID4VP）ではありません。",
            "What was scanned is not a request to present a certificate with Mirairo ID (OpenID4VP).",
        ),
        "request_object" => (
            "この依頼は、このアプリが対応していない形式（署名付き・参照先にある依頼）です。",
            "This request is in a form this app does not support (signed, or stored elsewhere).",
        ),
        "response_type" => (
            "この依頼は、手帳の提示以外のものを求めています。",
            "This request asks for something other than presenting a certificate.",
        ),
        "response_mode" | "redirect_uri" => (
            "この依頼は、このアプリが対応していない方法での返信を求めています。",
            "This request asks for an answer in a way this app does not support.",
        ),
        "client_id" | "client_id_mismatch" => (
            "依頼の送り主と返信先が一致しません。なりすましのおそれがあるため、内容を表示しません。",
            "The request's sender does not match where the answer would go. It may be an impersonation, so its contents are not shown.",
        ),
        "response_uri" => (
            "返信先が安全な接続（https）ではありません。",
            "The answer would not be sent over a secure connection (https).",
        ),
        "nonce" | "state" => (
            "この依頼には、使い回しを防ぐための情報が欠けています。",
            "This request lacks the information that prevents it from being replayed.",
        ),
        "transaction_data" => (
            "この依頼は、このアプリが対応していない取引の同意を求めています。",
            "This request asks to approve a transaction, which this app does not support.",
        ),
        "dcql_query" | "credential" => (
            "この依頼は、ミライロIDの障害者手帳を求めるものではありません。",
            "This request does not ask for a Mirairo ID disability certificate.",
        ),
        "claims" => (
            "この依頼は、障害者手帳にない項目や、対応していない条件を求めています。",
            "This request asks for items that are not on a disability certificate, or with conditions this app does not support.",
        ),
        "client_metadata" | "vp_formats" => (
            "依頼の送り主の情報が正しくないか、このアプリの手帳の形式を受け取れない相手です。",
            "The sender's details are not valid, or it cannot accept this app's certificate format.",
        ),
        _ => (
            "この依頼は正しい形式ではないため、表示できません。",
            "This request is not in the right form, so it cannot be shown.",
        ),
    };
    Text::new(ja, en)
}

/// What the verifier's reply means for the holder.
pub fn verifier_error_message(d: &Delivery) -> Text {
    if d.accepted() {
        return Text::new("相手に届きました。", "It was received.");
    }
    let (ja, en) = match d.error.as_deref() {
        Some("request_not_found" | "request_expired") => (
            "この依頼は期限切れか、すでに回答済みです。窓口で新しいQRコードを表示してもらってください。",
            "This request has expired or was already answered. Ask for a new QR code at the counter.",
        ),
        Some("invalid_request") => (
            "相手のサービスが回答を受け付けませんでした（形式の誤り）。",
            "The service did not accept the answer (it was not in the expected form).",
        ),
        Some("revoked") => (
            "この手帳は無効になっています。",
            "This certificate has been revoked.",
        ),
        Some("suspended") => (
            "この手帳は一時停止されています。",
            "This certificate is suspended.",
        ),
        Some("certificate_expired") => (
            "この手帳は有効期限が切れています。",
            "This certificate has expired.",
        ),
        Some("expired") => (
            "アプリ内の手帳の情報が古くなっています。アプリを開き直してください。",
            "The certificate in the app is out of date. Please reopen the app.",
        ),
        Some("missing_claim") => (
            "求められた項目がそろっていませんでした。",
            "Not everything that was asked for was included.",
        ),
        Some("bad_key_binding" | "key_binding_required") => (
            "この端末からの提示であることを確認できませんでした。",
            "The service could not confirm that the answer came from this device.",
        ),
        Some("status_unavailable") => (
            "相手のサービスが手帳の状態を確認できませんでした。時間をおいてお試しください。",
            "The service could not check the certificate's status. Please try again later.",
        ),
        _ => (
            "相手のサービスが手帳を確認できませんでした。",
            "The service could not verify the certificate.",
        ),
    };
    Text::new(ja, en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_on_the_certificate() {
        let table = [
            (
                "certificate_type",
                json!("physical"),
                "身体障害者手帳",
                "Physical disability certificate",
            ),
            ("grade", json!("2"), "2級", "grade 2"),
            ("grade", json!("4度"), "4度", "grade 4度"),
            ("fare_class", json!(1), "第1種", "class 1"),
            ("fare_class", Value::Null, "なし", "none"),
            ("caregiver", json!(false), "なし", "no"),
            ("issuer_prefecture", json!("27"), "大阪府", "Osaka"),
            (
                "issued_on",
                json!("1994-03-01"),
                "平成6年3月1日",
                "1994-03-01",
            ),
            (
                "valid_until",
                Value::Null,
                "記載なし（期限なし）",
                "none printed (no expiry)",
            ),
            ("mynaportal", json!("pending"), "申請中", "pending"),
            ("family_name", json!("ミライロ"), "ミライロ", "ミライロ"),
        ];
        for (name, value, ja, en) in table {
            let d = claim_display(name, &value);
            assert_eq!(
                (d.value.ja.as_str(), d.value.en.as_str()),
                (ja, en),
                "{name} {value}"
            );
        }
    }
}

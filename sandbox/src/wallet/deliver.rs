//! Delivering the wallet's answer: an HTTP/1.1 POST of the `direct_post` form to the
//! verifier's `response_uri`, from the server as a real app would (no browser, no CORS).
//! The sandbox reaches only loopback `http`; anything else is refused before any
//! connection is made. No redirects are followed, and the reply is read up to a limit.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::http::{header, Method, Request, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::Text;

/// How long connecting, sending and reading the reply may take altogether.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(15);
/// The `User-Agent` of every delivery. The sandbox's own control endpoints and wallet
/// API refuse a request carrying it ([`crate::control::same_origin_only`]): a request
/// whose `response_uri` names them would otherwise let any QR code drive them through
/// the wallet, whose server-side POST has no `Origin`.
pub const DELIVERY_USER_AGENT: &str = "mirairo-id-sandbox-wallet";
/// The largest reply read from a verifier.
pub const MAX_REPLY_BYTES: usize = 64 * 1024;

/// The verifier's reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The HTTP status.
    pub status: u16,
    /// `error` from a JSON error body.
    pub error: Option<String>,
    /// `error_description` from a JSON error body.
    pub error_description: Option<String>,
}

impl Delivery {
    /// The verifier took the answer (a 2xx status).
    pub fn accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why nothing could be delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryError {
    /// The `response_uri` is not loopback `http` (with the reason).
    NotLoopback(String),
    /// No connection could be made.
    Connect(String),
    /// The exchange failed or took too long.
    Exchange(String),
}

impl std::fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeliveryError::NotLoopback(why) => write!(
                f,
                "the sandbox wallet delivers only to loopback http response_uris: {why}"
            ),
            DeliveryError::Connect(e) => write!(f, "could not connect to the verifier: {e}"),
            DeliveryError::Exchange(e) => write!(f, "the verifier did not answer: {e}"),
        }
    }
}

impl DeliveryError {
    /// The holder's explanation.
    pub fn message(&self) -> Text {
        match self {
            DeliveryError::NotLoopback(_) => Text::new(
                "このサンドボックスのアプリは、この端末の中（ループバック）の相手にしか送信できません。送信していません。",
                "This sandbox app can only send to services on this computer (loopback). Nothing was sent.",
            ),
            DeliveryError::Connect(_) | DeliveryError::Exchange(_) => Text::new(
                "相手のサービスに接続できませんでした。時間をおいて、もう一度読み取ってください。",
                "The service could not be reached. Please scan the request again later.",
            ),
        }
    }
}

/// Where to connect for a loopback `http` URL, and the request target.
///
/// # Errors
/// [`DeliveryError::NotLoopback`] for any other scheme or host, userinfo, or a URL
/// that does not parse.
pub fn loopback_target(url: &str) -> Result<(SocketAddr, Uri), DeliveryError> {
    let refuse = |why: &str| DeliveryError::NotLoopback(why.to_owned());
    let uri: Uri = url.parse().map_err(|_| refuse("not a URL"))?;
    if uri.scheme_str() != Some("http") {
        return Err(refuse("the scheme is not http"));
    }
    let authority = uri.authority().ok_or_else(|| refuse("no host"))?;
    if authority.as_str().contains('@') {
        return Err(refuse("user information in the URL"));
    }
    let host = authority.host();
    let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .map_err(|_| refuse("the host is not a loopback address"))?
    };
    if !ip.is_loopback() {
        return Err(refuse("the host is not a loopback address"));
    }
    let port = authority.port_u16().unwrap_or(80);
    Ok((SocketAddr::new(ip, port), uri))
}

/// POSTs `form` (`application/x-www-form-urlencoded`) to `url` and reads the reply.
///
/// # Errors
/// [`DeliveryError`]: not loopback http (nothing sent), no connection, or a failed or
/// slow exchange.
pub async fn deliver(url: &str, form: &str) -> Result<Delivery, DeliveryError> {
    let (addr, uri) = loopback_target(url)?;
    match tokio::time::timeout(DELIVERY_TIMEOUT, exchange(addr, &uri, form.to_owned())).await {
        Ok(r) => r,
        Err(_) => Err(DeliveryError::Exchange("timed out".into())),
    }
}

async fn exchange(addr: SocketAddr, uri: &Uri, form: String) -> Result<Delivery, DeliveryError> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| DeliveryError::Connect(e.to_string()))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| DeliveryError::Connect(e.to_string()))?;
    let conn = tokio::spawn(conn);
    let target = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let host = uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .unwrap_or_default();
    let request = Request::builder()
        .method(Method::POST)
        .uri(target)
        .header(header::HOST, host)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header(header::USER_AGENT, DELIVERY_USER_AGENT)
        .body(Full::new(Bytes::from(form)))
        .map_err(|e| DeliveryError::Exchange(e.to_string()))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| DeliveryError::Exchange(e.to_string()))?;
    let status = response.status().as_u16();
    let body = Limited::new(response.into_body(), MAX_REPLY_BYTES)
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    conn.abort();
    let json: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    let field = |name: &str| {
        json.as_ref()
            .and_then(|v| v.get(name))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    Ok(Delivery {
        status,
        error: field("error"),
        error_description: field("error_description"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http_is_a_target() {
        let accepted = [
            (
                "http://127.0.0.1:8080/demo/api/counter/response",
                "127.0.0.1:8080",
                "/demo/api/counter/response",
            ),
            ("http://127.3.4.5/r?x=1", "127.3.4.5:80", "/r?x=1"),
            ("http://[::1]:9000/r", "[::1]:9000", "/r"),
            ("http://localhost:81/r", "127.0.0.1:81", "/r"),
        ];
        for (url, addr, target) in accepted {
            let (a, uri) = loopback_target(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(a.to_string(), addr, "{url}");
            assert_eq!(uri.path_and_query().map(|p| p.as_str()), Some(target));
        }
        let refused = [
            "https://127.0.0.1/r",
            "http://example.com/r",
            "http://10.0.0.1/r",
            "http://192.168.1.1/r",
            "http://0.0.0.0/r",
            "http://user@127.0.0.1/r",
            "ftp://127.0.0.1/r",
            "http://127.0.0.1.example.com/r",
            "/relative",
            "not a url",
        ];
        for url in refused {
            assert!(
                matches!(loopback_target(url), Err(DeliveryError::NotLoopback(_))),
                "{url}"
            );
        }
    }
}

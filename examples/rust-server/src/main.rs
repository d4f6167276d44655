//! `cargo run -p mirairo-id-example-rust-server -- --issuer http://127.0.0.1:8080`

use std::net::SocketAddr;
use std::process::ExitCode;

use mirairo_id_example_rust_server::{app, Config};

const USAGE: &str =
    "usage: mirairo-id-example-rust-server [--issuer URL] [--addr HOST:PORT] [--audience ID]
  --issuer    the Mirairo ID provider (default http://127.0.0.1:8080, the sandbox)
  --addr      where to listen (default 127.0.0.1:3001)
  --audience  this partner's identifier, the KB-JWT aud (default http://<addr>)
";

fn parse(args: Vec<String>) -> Result<(Config, SocketAddr), String> {
    let mut issuer = "http://127.0.0.1:8080".to_owned();
    let mut addr: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 3001));
    let mut audience = None;
    let mut it = args.into_iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--issuer" => issuer = value()?,
            "--addr" => {
                let v = value()?;
                addr = v
                    .parse()
                    .map_err(|_| format!("--addr: '{v}' is not HOST:PORT"))?;
            }
            "--audience" => audience = Some(value()?),
            _ => return Err(format!("unknown option '{flag}'")),
        }
    }
    let audience = audience.unwrap_or_else(|| format!("http://{addr}"));
    Ok((Config::new(issuer, audience), addr))
}

#[tokio::main]
async fn main() -> ExitCode {
    let (config, addr) = match parse(std::env::args().skip(1).collect()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let router = match app(config.clone()).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot reach the provider {}: {e}", config.issuer);
            return ExitCode::FAILURE;
        }
    };
    let bound = listener.local_addr().map_or(addr, |a| a);
    println!(
        "partner server listening on http://{bound} (issuer {}, audience {})",
        config.issuer, config.audience
    );
    match axum::serve(listener, router).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}

//! `cargo xtask demo [--port N]`: build everything, then serve the sandbox provider, the
//! demo partner site (`www/`) and the npm packages on 127.0.0.1.

use crate::setup::{self, Needs};
use crate::util::{self, Result};
use std::net::TcpListener;

pub fn run(args: &[String]) -> Result {
    let port = parse_port(args)?;
    // Fail before a long build if the port is taken.
    check_port(port)?;
    setup::run(Needs::Build)?;
    crate::build::build_packages()?;
    let root = util::root();
    util::step("demo: building the sandbox");
    util::run(
        &root,
        &util::cargo(),
        &["build", "-p", "mirairo-id-sandbox"],
        &[],
    )?;
    check_port(port)?;
    let url = format!("http://127.0.0.1:{port}");
    println!("\nMirairo ID demo: {url}/");
    println!("  demo partner site (みらい鉄道): {url}/demo/");
    println!("  its station window (counter):  {url}/demo/counter/");
    println!("  playground:                    {url}/playground/");
    println!("  places and coupons widgets:    {url}/widgets/");
    println!("  partner docs (ja / en):        {url}/docs/");
    println!("  Mirairo ID app (simulator):    {url}/wallet/");
    println!("  provider metadata:             {url}/.well-known/openid-configuration");
    println!("  stop with Ctrl-C\n");
    let binary = root
        .join("target/debug/mirairo-id-sandbox")
        .display()
        .to_string();
    util::run(
        &root,
        &binary,
        &["--addr", &format!("127.0.0.1:{port}")],
        &[],
    )
}

fn parse_port(args: &[String]) -> Result<u16> {
    match args {
        [] => Ok(8080),
        [flag, value] if flag == "--port" => value
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| format!("`--port {value}` is not a port number (1-65535)")),
        _ => Err("usage: cargo xtask demo [--port N]".to_owned()),
    }
}

fn check_port(port: u16) -> Result {
    TcpListener::bind(("127.0.0.1", port)).map(drop).map_err(|e| {
        format!("port {port} on 127.0.0.1 is not free ({e}): stop what uses it, or run `cargo xtask demo --port 8081`")
    })
}

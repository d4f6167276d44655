//! `mirairo-id-sandbox`: the command line over [`mirairo_id_sandbox::serve`].

use std::io::Write;
use std::process::ExitCode;

use mirairo_id_sandbox::config::{parse_args, Cli, USAGE};
use mirairo_id_sandbox::{serve, ServeError};

fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(Cli::Run(c)) => *c,
        Ok(Cli::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("mirairo-id-sandbox: {msg}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mirairo-id-sandbox: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(config))
}

async fn run(config: mirairo_id_sandbox::Config) -> ExitCode {
    // Register the signal handlers before announcing the address, so that a signal
    // sent right after the listening line already means "shut down gracefully".
    let signals = match Signals::register() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("mirairo-id-sandbox: cannot install signal handlers: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut handle = match serve(config).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("mirairo-id-sandbox: {e}");
            return match e {
                ServeError::NonLoopback(_) => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            };
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "mirairo-id-sandbox listening on {}", handle.issuer);
        let _ = out.flush();
    }
    let trigger = handle.take_shutdown();
    tokio::spawn(async move {
        signals.recv().await;
        eprintln!("mirairo-id-sandbox: shutting down");
        if let Some(t) = trigger {
            let _ = t.send(());
        }
    });
    match handle.wait().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mirairo-id-sandbox: server error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// SIGINT and SIGTERM (Ctrl-C elsewhere).
struct Signals {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Signals {
    #[cfg(unix)]
    fn register() -> std::io::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
        })
    }

    #[cfg(not(unix))]
    fn register() -> std::io::Result<Self> {
        Ok(Signals {})
    }

    #[cfg(unix)]
    async fn recv(mut self) {
        tokio::select! {
            _ = self.int.recv() => {},
            _ = self.term.recv() => {},
        }
    }

    #[cfg(not(unix))]
    async fn recv(self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}

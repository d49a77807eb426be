//! The `buergerkonto` command: `serve`, `check-config`, `keys generate`, `keys hash-secret`.

use buergerkonto::clock::SystemClock;
use buergerkonto::config::{Config, LogFormat};
use buergerkonto::keys::{RingKey, SigningAlg};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// mimalloc instead of glibc malloc: a request allocates and frees many small buffers on whichever
/// runtime thread runs it, and glibc's arenas contended on their locks and fragmented under the
/// login bench (docs/performance.md, "Profile").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "buergerkonto",
    version,
    about = "Login broker: eID / ELSTER / certificates upstream, OpenID Connect downstream"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the broker.
    Serve {
        /// Configuration file.
        #[arg(long, default_value = "config/dev.toml")]
        config: PathBuf,
    },
    /// Validate a configuration file and print every problem.
    CheckConfig {
        /// Configuration file.
        #[arg(long, default_value = "config/dev.toml")]
        config: PathBuf,
    },
    /// Key management.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Generate a signing key (PEM, PKCS#8) and print its kid.
    Generate {
        /// ES256 (default), RS256, PS256 or EdDSA.
        #[arg(long, default_value = "ES256")]
        alg: String,
        /// Output file (mode 0600); refuses to overwrite.
        #[arg(long)]
        out: PathBuf,
    },
    /// Generate a client secret and print it with its `secret_hash` for the config.
    HashSecret {
        /// Hash this secret instead of generating one (read from the environment variable named).
        #[arg(long)]
        from_env: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::CheckConfig { config } => match Config::load(&config) {
            Ok(c) => {
                println!("{}: configuration is valid", config.display());
                println!();
                println!("Must be equal on every instance behind one load balancer (compare this part of the");
                println!("output between instances; fingerprints are truncated SHA-256, never the secret):");
                for (setting, value) in buergerkonto::config::instances::must_match(&c) {
                    println!("  {setting:<22} {value}");
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                for p in &e.problems {
                    eprintln!("{p}");
                }
                ExitCode::from(2)
            }
        },
        Command::Serve { config } => serve(&config),
        Command::Keys {
            command: KeysCommand::Generate { alg, out },
        } => keys_generate(&alg, &out),
        Command::Keys {
            command: KeysCommand::HashSecret { from_env },
        } => hash_secret(from_env.as_deref()),
    }
}

fn serve(path: &std::path::Path) -> ExitCode {
    let config = match Config::load(path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("buergerkonto: configuration {} is invalid:", path.display());
            for p in &e.problems {
                eprintln!("  {p}");
            }
            return ExitCode::from(2);
        }
    };
    // Declared before the runtime, so dropped after it: queued log lines are flushed at exit.
    let _log_writer = init_tracing(config.server.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("buergerkonto: cannot start runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let metrics = metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder().ok();
        if let Some(handle) = metrics.clone() {
            // `install_recorder` starts no upkeep: histogram samples pile up until something drains
            // them, and the resident memory grows with every request while nobody scrapes
            // /metrics (seen in the 10-minute soak, docs/operations.md "Load and soak").
            tokio::spawn(async move {
                let mut every = tokio::time::interval(Duration::from_secs(5));
                loop {
                    every.tick().await;
                    handle.run_upkeep();
                }
            });
        }
        let listen = config.server.listen;
        let tls = config.server.tls.clone();
        let grace = Duration::from_secs(config.server.shutdown_grace_secs);
        let issuer = config.server.issuer.clone();
        let development = config.server.development;
        let state = match buergerkonto::build_state(config, Arc::new(SystemClock), metrics).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("buergerkonto: cannot start: {e}");
                return ExitCode::FAILURE;
            }
        };
        let _workers = match buergerkonto::app::start_workers(&state) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("buergerkonto: cannot start: {e}");
                return ExitCode::FAILURE;
            }
        };
        // SIGHUP: reopen the audit file after logrotate moved it (docs/operations.md).
        #[cfg(unix)]
        {
            let audit = state.broker().audit_trail().clone();
            if let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
                tokio::spawn(async move {
                    while hup.recv().await.is_some() {
                        audit.reopen();
                    }
                });
            }
        }
        let handle_for_mtls = axum_server::Handle::new();
        tokio::spawn(buergerkonto::http::server::shutdown_on_signal(handle_for_mtls.clone(), grace));
        let listener = match std::net::TcpListener::bind(listen) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("buergerkonto: cannot listen on {listen}: {e}");
                return ExitCode::FAILURE;
            }
        };
        if let Some(cert) = state.config().certificate.clone() {
            match std::net::TcpListener::bind(cert.listen) {
                Ok(l) => {
                    let (st, h) = (state.clone(), handle_for_mtls.clone());
                    tokio::spawn(async move {
                        if let Err(e) = buergerkonto::http::mtls::serve_mtls(l, st, h).await {
                            tracing::error!(error = %e, "certificate listener stopped");
                        }
                    });
                    tracing::info!(listen = %cert.listen, "certificate (mTLS) listener started");
                }
                Err(e) => {
                    eprintln!("buergerkonto: cannot listen on {} (certificate.listen): {e}", cert.listen);
                    return ExitCode::FAILURE;
                }
            }
        }
        if let Some(admin) = state.config().server.admin_listen {
            match std::net::TcpListener::bind(admin) {
                Ok(l) => {
                    let bound = l.local_addr().unwrap_or(admin);
                    let (router, h) = (buergerkonto::app::admin_router(state.clone()), handle_for_mtls.clone());
                    tokio::spawn(async move {
                        if let Err(e) = buergerkonto::http::server::serve_on(l, router, None, h).await {
                            tracing::error!(error = %e, "admin listener stopped");
                        }
                    });
                    tracing::info!(admin_listen = %bound, "admin listener (metrics, health) started");
                }
                Err(e) => {
                    eprintln!("buergerkonto: cannot listen on {admin} (server.admin_listen): {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        let app = buergerkonto::build_app(state);
        let handle = axum_server::Handle::new();
        tokio::spawn(buergerkonto::http::server::shutdown_on_signal(handle.clone(), grace));
        // With port 0 the system picks a free port: log the address actually bound.
        let listen = listener.local_addr().unwrap_or(listen);
        tracing::info!(%listen, %issuer, "buergerkonto listening");
        if development {
            println!("buergerkonto is running. Open {}demo in a browser for a demo login.", issuer);
        }
        match buergerkonto::http::server::serve_on(listener, app, tls.as_ref(), handle).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("buergerkonto: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

/// The application log on standard output, written by the batching line writer
/// (`buergerkonto::stdout_lines`); the returned guard flushes what is queued when `main` ends.
fn init_tracing(format: LogFormat) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let (writer, guard) = buergerkonto::stdout_lines::install()?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
    Some(guard)
}

fn keys_generate(alg: &str, out: &std::path::Path) -> ExitCode {
    let alg: SigningAlg = match alg.parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("buergerkonto: {e}");
            return ExitCode::from(2);
        }
    };
    match buergerkonto::keys::generate_pem(alg) {
        Ok(pem) => {
            if let Err(e) = write_private_file(out, pem.as_bytes()) {
                eprintln!("buergerkonto: cannot write {}: {e}", out.display());
                return ExitCode::FAILURE;
            }
            match RingKey::from_pem(alg, pem.as_bytes(), true, &out.display().to_string()) {
                Ok(k) => {
                    println!("wrote {} ({alg}, kid {})", out.display(), k.kid());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("buergerkonto: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(e) => {
            eprintln!("buergerkonto: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write_private_file(path: &std::path::Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(data)
}

fn hash_secret(from_env: Option<&str>) -> ExitCode {
    use buergerkonto::oidc_provider::client_auth::{generate_secret, sha256_hash};
    let secret = match from_env {
        Some(name) => match std::env::var(name) {
            Ok(v) if v.len() >= 32 => v,
            Ok(_) => {
                eprintln!("buergerkonto: weak secret in {name}: use at least 32 random characters");
                return ExitCode::from(2);
            }
            Err(_) => {
                eprintln!("buergerkonto: environment variable {name} is not set");
                return ExitCode::from(2);
            }
        },
        None => generate_secret(),
    };
    if from_env.is_none() {
        println!("client secret (give it to the relying party): {secret}");
    }
    println!("secret_hash = \"{}\"", sha256_hash(&secret));
    ExitCode::SUCCESS
}

//! What the test binaries share: the server they run against, tokens minted on it, the processes of
//! its runs, and the log.
//!
//! The server is the one tests/harness/cargo-test.mjs started for the whole `cargo test` and named
//! in `CLAWDFORGE_TEST_SERVER`; under a plain `cargo test`, each test binary starts its own on first
//! use through tests/harness/server.ts.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use clawdforge::{Client, NewToken};

pub struct Server {
    pub url: String,
    pub admin_token: String,
    pub data_dir: PathBuf,
    /// The harness this binary started, held open for its life: it stops the server when its stdin
    /// closes. `None` for the server cargo-test.mjs started.
    _harness: Option<Mutex<Child>>,
}

#[derive(serde::Deserialize)]
struct Announced {
    url: String,
    admin_token: String,
    data_dir: PathBuf,
}

pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("..")
        .canonicalize()
        .expect("the checkout around clients/rust")
}

/// The server for this test binary: the one named in `CLAWDFORGE_TEST_SERVER`, or else one started on
/// first use. Should it fail to start, every test that needs it fails with the same message, without
/// starting another.
pub fn server() -> &'static Server {
    static SERVER: Mutex<Option<&'static Result<Server, String>>> = Mutex::new(None);
    match once(&SERVER, start_server) {
        Ok(server) => server,
        Err(problem) => panic!("{problem}"),
    }
}

/// The value `init` makes the first time, for the life of the test binary (callers meanwhile wait).
pub fn once<T>(slot: &Mutex<Option<&'static T>>, init: impl FnOnce() -> T) -> &'static T {
    let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
    slot.get_or_insert_with(|| Box::leak(Box::new(init())))
}

fn start_server() -> Result<Server, String> {
    if let Ok(line) = std::env::var("CLAWDFORGE_TEST_SERVER") {
        let announced: Announced = serde_json::from_str(&line).map_err(|error| {
            format!("CLAWDFORGE_TEST_SERVER is not the harness's line ({error}): {line:?}")
        })?;
        return Ok(Server {
            url: announced.url,
            admin_token: announced.admin_token,
            data_dir: announced.data_dir,
            _harness: None,
        });
    }
    let root = project_root();
    let ts_node = root.join("node_modules").join(".bin").join("ts-node");
    if !ts_node.exists() {
        return Err(format!(
            "{} is missing: run `npm ci` in {}",
            ts_node.display(),
            root.display()
        ));
    }
    let mut child = Command::new(&ts_node)
        .args(["--transpile-only", "clients/rust/tests/harness/server.ts"])
        .current_dir(&root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|error| format!("could not start {}: {error}", ts_node.display()))?;
    let mut line = String::new();
    let stdout = child.stdout.take().expect("the harness's stdout");
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|error| format!("reading the harness: {error}"))?;
    let announced: Announced = serde_json::from_str(&line).map_err(|error| {
        format!("the harness did not announce a server ({error}): {line:?}; what it said is above")
    })?;
    Ok(Server {
        url: announced.url,
        admin_token: announced.admin_token,
        data_dir: announced.data_dir,
        _harness: Some(Mutex::new(child)),
    })
}

/// A client holding only the admin token.
pub fn admin() -> Client {
    Client::builder(&server().url)
        .admin_token(&server().admin_token)
        .build()
        .expect("a client")
}

/// A name no other test uses, in this binary or another on the same server.
pub fn unique(prefix: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// An app token minted for a test: its client, its plaintext and its name.
pub struct App {
    pub client: Client,
    pub token: String,
    pub name: String,
}

/// A fresh app token, minted with `token`'s limits (its name made unique), and a client holding it.
pub async fn app_with(token: NewToken) -> App {
    let token = NewToken {
        name: unique(&token.name),
        ..token
    };
    let minted = admin()
        .admin()
        .create_token(&token)
        .await
        .expect("minting a token");
    App {
        client: Client::new(&server().url, &minted.token).expect("a client"),
        token: minted.token,
        name: token.name,
    }
}

/// A fresh app token without limits, and a client holding it.
pub async fn app(name: &str) -> App {
    app_with(NewToken::named(name)).await
}

/// Live processes whose working directory is inside the server's runs directory: a run's claude
/// and anything it started (the harness keeps no warm spares there).
pub fn run_processes() -> Vec<String> {
    let runs = server().data_dir.join("runs");
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let cwd = match std::fs::read_link(entry.path().join("cwd")) {
            Ok(cwd) => cwd,
            Err(_) => continue,
        };
        if !cwd.starts_with(&runs) {
            continue;
        }
        let status = std::fs::read_to_string(entry.path().join("status")).unwrap_or_default();
        if status
            .lines()
            .any(|line| line.starts_with("State:") && line.contains('Z'))
        {
            continue;
        }
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        found.push(format!(
            "{} {}",
            name.to_string_lossy(),
            String::from_utf8_lossy(&cmdline).replace('\0', " ").trim()
        ));
    }
    found
}

/// Polls `check` until it holds or `timeout` passes; whether it held.
pub async fn eventually<F, Fut>(timeout: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every line logged through the `log` crate since [`capture_log`] was first called.
pub struct CapturedLog(Mutex<Vec<String>>);

impl log::Log for CapturedLog {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        self.0.lock().unwrap().push(format!(
            "{} {}: {}",
            record.level(),
            record.target(),
            record.args()
        ));
    }
    fn flush(&self) {}
}

pub fn capture_log() -> &'static CapturedLog {
    static LOG: CapturedLog = CapturedLog(Mutex::new(Vec::new()));
    if log::set_logger(&LOG).is_ok() {
        log::set_max_level(log::LevelFilter::Debug);
    }
    &LOG
}

impl CapturedLog {
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// The OpenAPI document the server serves.
pub async fn openapi() -> serde_json::Value {
    let response = reqwest::get(format!("{}/docs-json", server().url))
        .await
        .expect("GET /docs-json");
    serde_json::from_slice(&response.bytes().await.expect("its body")).expect("JSON")
}

/// Holds `value`'s fields (as it serialises) equal to those of the document's schema `schema`, less
/// the `ok` every success carries (kept as a field only where it says more, as in health): a field the server adds or drops fails here, named.
pub async fn assert_fields_match<T: serde::Serialize>(schema: &str, value: &T) {
    let document = openapi().await;
    let documented: BTreeSet<String> = document["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("no schema {schema} in the document"))
        .keys()
        .filter(|name| *name != "ok")
        .cloned()
        .collect();
    let ours: BTreeSet<String> = serde_json::to_value(value)
        .expect("serialises")
        .as_object()
        .expect("an object")
        .keys()
        .filter(|name| *name != "ok")
        .cloned()
        .collect();
    assert_eq!(
        ours.difference(&documented).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "fields of ours that {schema} does not have"
    );
    assert_eq!(
        documented.difference(&ours).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "fields of {schema} that ours does not have"
    );
}

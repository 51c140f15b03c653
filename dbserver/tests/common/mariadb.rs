//! Debian's MariaDB server as a test peer: a fresh data directory in a temporary
//! directory, a server listening on a unix socket only (no TCP port, so no port races),
//! killed and removed on drop.

use super::{program, run_limited, POLL_INTERVAL};
use mysql::{Conn, Opts, OptsBuilder};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// The Debian package of `mariadbd` and `mariadb-install-db`.
pub const SERVER_PACKAGE: &str = "mariadb-server";
/// How long initialising the data directory may take (about 5 s on a quiet machine).
const INSTALL_TIMEOUT: Duration = Duration::from_secs(120);
/// How long the server may take to accept a login.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// Lines of MariaDB's error log shown when it fails.
const LOG_TAIL_LINES: usize = 40;
/// Server settings shared by the initialisation and the server: small, fast, unsafe on
/// crash (the data is thrown away), READ COMMITTED and utf8mb4 like dbserver.
const SERVER_SETTINGS: &[&str] = &[
    "--innodb-buffer-pool-size=64M",
    "--innodb-flush-log-at-trx-commit=0",
    "--skip-log-bin",
    "--skip-name-resolve",
    "--character-set-server=utf8mb4",
    "--collation-server=utf8mb4_general_ci",
    "--transaction-isolation=READ-COMMITTED",
];

/// A running MariaDB server, killed and deleted on drop.
pub struct MariaDb {
    child: Child,
    /// The unix socket it listens on.
    pub socket: PathBuf,
    dir: TempDir,
}

impl MariaDb {
    /// Initialise a data directory and start `mariadbd` on it; returns once `root` can log
    /// in. Panics (naming the package) when MariaDB is not installed.
    pub fn start() -> MariaDb {
        let mariadbd = program("mariadbd", SERVER_PACKAGE);
        let install_db = program("mariadb-install-db", SERVER_PACKAGE);
        let dir = tempfile::Builder::new()
            .prefix("ring0db-mariadb-")
            .tempdir()
            .expect("create a temporary directory for MariaDB");
        let datadir = dir.path().join("data");
        // Its own tmpdir: a starting server deletes other servers' temporary tables.
        let tmpdir = dir.path().join("tmp");
        std::fs::create_dir(&tmpdir).expect("create MariaDB's tmpdir");
        install(&install_db, &datadir, &tmpdir);
        let socket = dir.path().join("sock");
        let error_log = dir.path().join("error.log");
        let child = Command::new(mariadbd)
            .arg("--no-defaults")
            .arg("--user=root")
            .arg(format!("--datadir={}", datadir.display()))
            .arg(format!("--tmpdir={}", tmpdir.display()))
            .arg(format!("--socket={}", socket.display()))
            .arg(format!("--pid-file={}", dir.path().join("pid").display()))
            .arg(format!("--log-error={}", error_log.display()))
            .arg("--skip-networking")
            .args(SERVER_SETTINGS)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start mariadbd");
        let mut server = MariaDb { child, socket, dir };
        server.await_login();
        server
    }

    /// Poll until `root` logs in over the socket; panic with the error log if the server
    /// exits or does not get there within [`START_TIMEOUT`].
    fn await_login(&mut self) {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let error = match Conn::new(self.opts(None)) {
                Ok(_) => return,
                Err(e) => e,
            };
            if let Some(status) = self.child.try_wait().expect("wait for mariadbd") {
                panic!(
                    "mariadbd exited ({status}) during start-up; error log:\n{}",
                    self.error_log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "mariadbd did not accept a login within {START_TIMEOUT:?} (last error: {error}); \
                 error log:\n{}",
                self.error_log()
            );
            thread::sleep(POLL_INTERVAL);
        }
    }

    /// Connection options for `root` over the socket, with `database` selected.
    pub fn opts(&self, database: Option<&str>) -> Opts {
        OptsBuilder::new()
            .socket(Some(self.socket.to_string_lossy()))
            .user(Some("root"))
            .db_name(database)
            .prefer_socket(true)
            .into()
    }

    /// A new connection as `root`.
    pub fn connect(&self, database: Option<&str>) -> Conn {
        Conn::new(self.opts(database)).unwrap_or_else(|e| {
            panic!(
                "connect to MariaDB at {}: {e}; error log:\n{}",
                self.socket.display(),
                self.error_log()
            )
        })
    }

    /// The last lines of MariaDB's error log.
    pub fn error_log(&self) -> String {
        tail(&self.dir.path().join("error.log"))
    }
}

impl Drop for MariaDb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Create the system tables in `datadir` (root logs in with an empty password).
fn install(install_db: &Path, datadir: &Path, tmpdir: &Path) {
    let mut command = Command::new(install_db);
    command
        .arg("--no-defaults")
        .arg("--user=root")
        .arg(format!("--datadir={}", datadir.display()))
        .arg(format!("--tmpdir={}", tmpdir.display()))
        .arg("--auth-root-authentication-method=normal")
        .arg("--skip-test-db")
        .args(SERVER_SETTINGS);
    let out = run_limited(command, "", INSTALL_TIMEOUT);
    assert!(
        out.status.success(),
        "mariadb-install-db failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The last [`LOG_TAIL_LINES`] lines of the file at `path` (or why it cannot be read).
fn tail(path: &Path) -> String {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n")
        }
        Err(e) => format!("({}: {e})", path.display()),
    }
}

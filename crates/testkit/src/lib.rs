//! # steward-testkit
//!
//! Owns fixtures for Steward's tests: a throwaway PostgreSQL cluster from Debian's `postgresql`
//! package (initdb + pg_ctl on a temp dir, loopback only, a free port), stopped when dropped.
//! Nothing here assumes a running server. Also [`copy_dir`], for tests that work on a copy of a
//! workspace. Test-only: never a dependency of shipped code.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A private PostgreSQL cluster. The superuser `steward` connects without a password over
/// loopback; roles created with a password must use it (scram-sha-256), so tests can check
/// authentication failures.
pub struct PgCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
    as_postgres_user: bool,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// The newest `/usr/lib/postgresql/<version>/bin` with initdb and pg_ctl.
fn server_bin() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, b)| b).unwrap_or_else(|| {
        panic!("PostgreSQL server binaries not found under /usr/lib/postgresql: install Debian's `postgresql` package (make test does)")
    })
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

impl PgCluster {
    /// Creates and starts a cluster (fsync off: tests need no crash safety from PostgreSQL
    /// itself); panics with the server log when it cannot.
    pub fn start() -> PgCluster {
        PgCluster::start_with(false)
    }

    /// A cluster that syncs commits to disk as a production server does, for benchmarks.
    pub fn start_durable() -> PgCluster {
        PgCluster::start_with(true)
    }

    fn start_with(fsync: bool) -> PgCluster {
        let bin = server_bin();
        let dir = tempfile::Builder::new().prefix("steward-pg-").tempdir().expect("temp dir");
        let as_postgres_user = is_root();
        if as_postgres_user {
            // PostgreSQL refuses to run as root: hand the folder to the `postgres` user.
            let ok =
                Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir.path()).status().map(|s| s.success());
            assert!(matches!(ok, Ok(true)), "chown of the cluster folder to postgres failed");
        }
        let port = free_port();
        let c = PgCluster { dir, bin, port, as_postgres_user };
        let data = c.data();
        c.run(
            "initdb",
            &["-D", data.to_str().unwrap_or_default(), "-A", "trust", "-U", "steward", "--no-sync", "-E", "UTF8"],
        );
        // Password roles authenticate with scram; everyone else (the superuser) is trusted on loopback.
        let hba = data.join("pg_hba.conf");
        let rules = "host all +password_users 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 trust\nlocal all all trust\n";
        std::fs::write(&hba, rules).expect("write pg_hba.conf");
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync={} -c max_connections=200",
            port,
            c.dir.path().display(),
            if fsync { "on" } else { "off" }
        );
        let log = c.dir.path().join("server.log");
        c.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap_or_default(),
                "-o",
                &opts,
                "-l",
                log.to_str().unwrap_or_default(),
                "-w",
                "-t",
                "30",
                "start",
            ],
        );
        c.psql("CREATE ROLE password_users NOLOGIN;");
        c
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn command(&self, tool: &str) -> Command {
        let exe = self.bin.join(tool);
        if self.as_postgres_user {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let out = self.command(tool).args(args).output().unwrap_or_else(|e| panic!("{tool}: {e}"));
        if !out.status.success() {
            let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
            panic!(
                "{tool} failed: {}\n{}\nserver log:\n{log}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    /// Runs SQL as the superuser through psql (on_error_stop).
    pub fn psql(&self, sql: &str) {
        let psql = self.bin.join("psql");
        let out = Command::new(psql)
            .args(["-v", "ON_ERROR_STOP=1", "-q", "-h", "127.0.0.1", "-U", "steward", "-d", "postgres", "-p"])
            .arg(self.port.to_string())
            .args(["-c", sql])
            .output()
            .expect("run psql");
        assert!(out.status.success(), "psql failed: {}\n{sql}", String::from_utf8_lossy(&out.stderr));
    }

    /// Creates a login role that must authenticate with `password`.
    pub fn create_password_user(&self, user: &str, password: &str) {
        self.psql(&format!("CREATE ROLE {user} LOGIN PASSWORD '{password}' IN ROLE password_users;"));
    }

    pub fn socket_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Makes `user` authenticate with a cleartext password (pg_hba `password`), over TLS or not.
    pub fn use_cleartext_password_for(&self, user: &str) {
        let hba = self.data().join("pg_hba.conf");
        let rules = std::fs::read_to_string(&hba).expect("read pg_hba.conf");
        std::fs::write(&hba, format!("host all {user} 127.0.0.1/32 password\n{rules}")).expect("write pg_hba.conf");
        self.psql("SELECT pg_reload_conf()");
        std::thread::sleep(std::time::Duration::from_millis(500));
    }

    /// Turns TLS on with this server certificate and key (PEM), reloading the configuration.
    /// Plain connections stay allowed; the client decides what it accepts.
    pub fn enable_tls(&self, cert_pem: &str, key_pem: &str) {
        let cert = self.dir.path().join("server.crt");
        let key = self.dir.path().join("server.key");
        std::fs::write(&cert, cert_pem).expect("write server.crt");
        std::fs::write(&key, key_pem).expect("write server.key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("chmod server.key");
        }
        if self.as_postgres_user {
            let ok = Command::new("chown").arg("postgres:postgres").arg(&cert).arg(&key).status().map(|s| s.success());
            assert!(matches!(ok, Ok(true)), "chown of the TLS files to postgres failed");
        }
        // ALTER SYSTEM cannot run in a transaction block: one statement per psql call.
        self.psql(&format!("ALTER SYSTEM SET ssl_cert_file = '{}'", cert.display()));
        self.psql(&format!("ALTER SYSTEM SET ssl_key_file = '{}'", key.display()));
        self.psql("ALTER SYSTEM SET ssl = on");
        self.psql("SELECT pg_reload_conf()");
        // The reload is asynchronous: wait until the server says TLS is on.
        for _ in 0..50 {
            let out = Command::new(self.bin.join("psql"))
                .args(["-tA", "-h", "127.0.0.1", "-U", "steward", "-d", "postgres", "-p"])
                .arg(self.port.to_string())
                .args(["-c", "SHOW ssl"])
                .output()
                .expect("run psql");
            if String::from_utf8_lossy(&out.stdout).trim() == "on" {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("TLS did not turn on");
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self.command("pg_ctl").args(["-D"]).arg(&data).args(["-m", "immediate", "-w", "stop"]).output();
    }
}

/// A server process started by a test, killed when dropped.
pub struct ServerProcess(pub std::process::Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `command` (stdout piped here) and waits for its first line, `listening on URL`, as
/// Steward's servers print once they accept connections. Panics with that line otherwise.
pub fn spawn_listening(command: &mut Command) -> (ServerProcess, String) {
    use std::io::BufRead;
    let mut child = command.stdout(std::process::Stdio::piped()).spawn().expect("start the server");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("piped stdout");
    std::io::BufReader::new(stdout).read_line(&mut line).expect("read the server's first line");
    let server = ServerProcess(child);
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("the server did not start: {line:?}"))
        .to_string();
    (server, url)
}

/// Copies a folder and everything in it (a workspace a test may change without touching the
/// committed one).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for e in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let e = e.unwrap_or_else(|e| panic!("{}: {e}", from.display()));
        let target = to.join(e.file_name());
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        }
    }
}

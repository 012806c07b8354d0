//! The access log: one JSON line per answer — who (consumer key and name), what (product,
//! version, endpoint), under which profile, how many entities, the status — never a value of
//! the data. Lines are hash-chained (each holds the hash of the one before and its own, over
//! its canonical JSON), and written by one thread that appends every waiting line, then lets
//! the answers go: an answer that left the node is in the log, and a `kill -9` loses only lines
//! no answer waited for. How far "in the log" goes is [`LogSync`]'s: synced to disk before the
//! answers leave (the default), or written before and synced within an interval after.
//! [`verify_log`] checks a log end to end.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use crate::NodeError;

/// The `prev` of the first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Lines written in one go at most (then synced, then acknowledged).
const GROUP: usize = 1024;
/// The newest entries kept in memory, for the product's owners to read back.
pub const RECENT: usize = 1000;

/// One line of the access log: the shape the product's owners read back, written once in
/// `steward_app::consume`.
pub use steward_app::consume::NodeAccess as AccessEntry;

/// The hash a line must carry: sha256 of the canonical JSON of every other field, `prev`
/// included, so changing any line breaks every later one.
fn compute_hash(e: &AccessEntry) -> Result<String, NodeError> {
    let mut v = serde_json::to_value(e).map_err(|e| NodeError::Io(e.to_string()))?;
    if let Some(o) = v.as_object_mut() {
        o.remove("hash");
    }
    let bytes = steward_signing::canonical_json(&v, "access log entry").map_err(|e| NodeError::Io(e.to_string()))?;
    Ok(steward_signing::hex(&steward_signing::sha256(&bytes)))
}

/// What a request logs; the writer numbers and chains it.
#[derive(Debug, Clone)]
pub struct Access {
    pub consumer: String,
    pub consumer_name: String,
    pub product: String,
    pub version: String,
    pub profile: String,
    pub endpoint: &'static str,
    pub entities: u64,
}

type Ack = tokio::sync::oneshot::Sender<Result<u64, String>>;

/// When the log is synced to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogSync {
    /// Before any answer whose line it holds leaves: a machine that loses power loses no
    /// answered access.
    Answer,
    /// Answers leave once their lines are written (a crash of the node loses none); the file
    /// is synced at least this often, so a machine that loses power loses at most this much.
    Every(std::time::Duration),
}

impl std::str::FromStr for LogSync {
    type Err = String;

    /// `answer`, or an interval in milliseconds: `20ms`.
    fn from_str(s: &str) -> Result<LogSync, String> {
        if s == "answer" {
            return Ok(LogSync::Answer);
        }
        match s.strip_suffix("ms").and_then(|n| n.parse::<u64>().ok()) {
            Some(ms) if (1..=1000).contains(&ms) => Ok(LogSync::Every(std::time::Duration::from_millis(ms))),
            _ => Err(format!("`{s}`: `answer`, or an interval of 1ms to 1000ms (`20ms`)")),
        }
    }
}

/// The log's writer: send an [`Access`], get its index once it is on disk.
#[derive(Clone)]
pub struct AccessLog {
    tx: mpsc::Sender<(Access, Ack)>,
    pub path: PathBuf,
    recent: std::sync::Arc<std::sync::Mutex<std::collections::VecDeque<AccessEntry>>>,
}

/// What a log holds: its entries checked, and whether its last line was cut short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogCheck {
    pub entries: u64,
    pub head: Option<String>,
    /// A last line without its end: written when the node was killed, acknowledged to no one.
    pub torn_tail: bool,
}

fn bad(path: &Path, line: usize, m: impl std::fmt::Display) -> NodeError {
    NodeError::Io(format!("{}: line {line}: {m}", path.display()))
}

/// Checks every line of the log at `path`: each parses, follows the one before (index and
/// `prev`) and matches its hash.
pub fn verify_log(path: &Path) -> Result<LogCheck, NodeError> {
    verify_log_keeping(path, &mut |_| {})
}

/// [`verify_log`], handing each entry checked to `keep`.
fn verify_log_keeping(path: &Path, keep: &mut dyn FnMut(AccessEntry)) -> Result<LogCheck, NodeError> {
    let f = std::fs::File::open(path).map_err(|e| NodeError::Io(format!("{}: {e}", path.display())))?;
    let mut reader = std::io::BufReader::new(f);
    let (mut prev, mut entries, mut torn_tail, mut n) = (GENESIS.to_string(), 0u64, false, 0usize);
    let mut line = String::new();
    loop {
        line.clear();
        let read = reader.read_line(&mut line).map_err(|e| NodeError::Io(format!("{}: {e}", path.display())))?;
        if read == 0 {
            break;
        }
        n += 1;
        if !line.ends_with('\n') {
            torn_tail = true;
            break;
        }
        let e: AccessEntry = serde_json::from_str(line.trim_end()).map_err(|e| bad(path, n, e))?;
        if e.index != entries || e.prev != prev {
            return Err(bad(
                path,
                n,
                format!("entry {} does not follow entry {}: the chain is broken", e.index, entries.wrapping_sub(1)),
            ));
        }
        if compute_hash(&e)? != e.hash {
            return Err(bad(path, n, format!("entry {} does not match its hash: it was changed", e.index)));
        }
        prev = e.hash.clone();
        entries += 1;
        keep(e);
    }
    Ok(LogCheck { entries, head: (entries > 0).then_some(prev), torn_tail })
}

impl AccessLog {
    /// Opens (or creates) the log at `path`, checked first; a torn last line is cut off (no one
    /// was told it was written). Starts the writer thread.
    pub fn open(path: &Path, sync: LogSync) -> Result<AccessLog, NodeError> {
        let io = |e: std::io::Error| NodeError::Io(format!("{}: {e}", path.display()));
        let (mut next, mut prev) = (0u64, GENESIS.to_string());
        let recent = std::sync::Arc::new(std::sync::Mutex::new(std::collections::VecDeque::with_capacity(RECENT)));
        let remember = |q: &mut std::collections::VecDeque<AccessEntry>, e: AccessEntry| {
            if q.len() == RECENT {
                q.pop_front();
            }
            q.push_back(e);
        };
        if path.exists() {
            let mut q = std::collections::VecDeque::with_capacity(RECENT);
            let check = verify_log_keeping(path, &mut |e| remember(&mut q, e))?;
            *recent.lock().unwrap_or_else(|p| p.into_inner()) = q;
            if check.torn_tail {
                let text = std::fs::read(path).map_err(io)?;
                let keep = text.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
                let f = std::fs::OpenOptions::new().write(true).open(path).map_err(io)?;
                f.set_len(keep as u64).map_err(io)?;
                f.sync_all().map_err(io)?;
                tracing::warn!(log = %path.display(), "cut a torn last line off the access log (it was never acknowledged)");
            }
            next = check.entries;
            prev = check.head.unwrap_or(prev);
        }
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(io)?;
        let (tx, rx) = mpsc::channel::<(Access, Ack)>();
        let shown = path.display().to_string();
        let kept = recent.clone();
        std::thread::Builder::new()
            .name("access-log".into())
            .spawn(move || {
                // Lines written and not yet synced (with `LogSync::Every`), and the last sync.
                let mut dirty = false;
                let mut synced = std::time::Instant::now();
                loop {
                    let first = match sync {
                        LogSync::Answer => match rx.recv() {
                            Ok(x) => x,
                            Err(_) => break,
                        },
                        LogSync::Every(every) => match rx.recv_timeout(every) {
                            Ok(x) => x,
                            Err(mpsc::RecvTimeoutError::Timeout) => {
                                if dirty {
                                    if let Err(e) = file.sync_data() {
                                        tracing::error!(log = %shown, error = %e, "cannot sync the access log: every answer is refused from now on");
                                        break;
                                    }
                                    (dirty, synced) = (false, std::time::Instant::now());
                                }
                                continue;
                            }
                            Err(mpsc::RecvTimeoutError::Disconnected) => break,
                        },
                    };
                    let mut group = vec![first];
                    while group.len() < GROUP {
                        match rx.try_recv() {
                            Ok(x) => group.push(x),
                            Err(_) => break,
                        }
                    }
                    let mut text = String::new();
                    let mut written_entries = vec![];
                    let mut done = vec![];
                    let mut failed = None;
                    for (a, ack) in group {
                        let mut e = AccessEntry {
                            index: next,
                            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                            consumer: a.consumer,
                            consumer_name: a.consumer_name,
                            product: a.product,
                            version: a.version,
                            profile: a.profile,
                            endpoint: a.endpoint.to_string(),
                            entities: a.entities,
                            prev: prev.clone(),
                            hash: String::new(),
                        };
                        match compute_hash(&e).and_then(|h| {
                            e.hash = h;
                            serde_json::to_string(&e).map_err(|x| NodeError::Io(x.to_string()))
                        }) {
                            Ok(line) => {
                                text.push_str(&line);
                                text.push('\n');
                                prev = e.hash.clone();
                                written_entries.push(e);
                                done.push((next, ack));
                                next += 1;
                            }
                            Err(x) => failed = Some((x.to_string(), ack)),
                        }
                    }
                    let written = file.write_all(text.as_bytes()).and_then(|_| match sync {
                        LogSync::Answer => file.sync_data(),
                        LogSync::Every(_) => {
                            dirty = true;
                            Ok(())
                        }
                    });
                    if written.is_ok() {
                        let mut q = kept.lock().unwrap_or_else(|p| p.into_inner());
                        for e in written_entries {
                            remember(&mut q, e);
                        }
                    }
                    for (i, ack) in done {
                        let _ = ack.send(written.as_ref().map(|_| i).map_err(|e| format!("{shown}: {e}")));
                    }
                    if let Some((m, ack)) = failed {
                        let _ = ack.send(Err(m));
                    }
                    // A failed write leaves the file's end unknown: stop, so every later answer is
                    // refused rather than logged out of chain.
                    if let Err(e) = written {
                        tracing::error!(log = %shown, error = %e, "cannot write the access log: every answer is refused from now on");
                        break;
                    }
                    // Under steady load the wait above never times out: sync on the interval here.
                    if let LogSync::Every(every) = sync {
                        if dirty && synced.elapsed() >= every {
                            if let Err(e) = file.sync_data() {
                                tracing::error!(log = %shown, error = %e, "cannot sync the access log: every answer is refused from now on");
                                break;
                            }
                            (dirty, synced) = (false, std::time::Instant::now());
                        }
                    }
                }
            })
            .map_err(io)?;
        Ok(AccessLog { tx, path: path.to_path_buf(), recent })
    }

    /// The newest entries about `product`, newest first, at most `limit`.
    pub fn recent(&self, product: &str, limit: usize) -> Vec<AccessEntry> {
        let q = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        q.iter().rev().filter(|e| e.product == product).take(limit).cloned().collect()
    }

    /// Appends `a`; returns its index once it is in the log (as [`LogSync`] says).
    pub async fn append(&self, a: Access) -> Result<u64, NodeError> {
        let (ack, done) = tokio::sync::oneshot::channel();
        self.tx.send((a, ack)).map_err(|_| NodeError::Io("the access log writer stopped".into()))?;
        done.await.map_err(|_| NodeError::Io("the access log writer stopped".into()))?.map_err(NodeError::Io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(n: u64) -> Access {
        Access {
            consumer: "SHA256:abc".into(),
            consumer_name: "app".into(),
            product: "p".into(),
            version: "1.0.0".into(),
            profile: "analytics".into(),
            endpoint: "entity",
            entities: n,
        }
    }

    #[test]
    fn sync_modes_parse_and_refuse_what_they_do_not_know() {
        assert_eq!("answer".parse::<LogSync>(), Ok(LogSync::Answer));
        assert_eq!("20ms".parse::<LogSync>(), Ok(LogSync::Every(std::time::Duration::from_millis(20))));
        for bad in ["0ms", "2000ms", "20", "often", ""] {
            assert!(bad.parse::<LogSync>().is_err(), "{bad}");
        }
    }

    /// Synced on an interval, an acknowledged line is already in the file (a crash of the node
    /// loses none), chained like the others.
    #[test]
    fn with_an_interval_an_answered_line_is_written_before_the_answer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("access.log");
        let log = AccessLog::open(&path, LogSync::Every(std::time::Duration::from_millis(1000))).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        for n in 0..5 {
            assert_eq!(rt.block_on(log.append(access(n))).unwrap(), n);
            let lines = std::fs::read_to_string(&path).unwrap().lines().count() as u64;
            assert_eq!(lines, n + 1, "line {n} written before its answer");
        }
        assert_eq!(verify_log(&path).unwrap().entries, 5);
    }
}

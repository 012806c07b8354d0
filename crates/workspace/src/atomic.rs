//! Atomic file replacement: write a sibling temp file, flush it to disk, rename it over the target.
//! A reader (or a crash) sees the old file or the new one, never half of one.
//!
//! The temp file has a random name and is created exclusively (`O_EXCL`), so nothing planted at
//! a predictable name — a symlink, say — is ever opened or written through; the rename replaces
//! a symlink at the target itself rather than the file it points to.

use std::io::Write;
use std::path::Path;

use crate::WorkspaceError;

/// Replaces `path` with `bytes` atomically. An existing target keeps its permissions.
///
/// Only files are replaced: a device or pipe at `path` (`/dev/null`, `/dev/stdout`, a FIFO) is
/// written into as a stream — renaming over it would destroy it, which as root means replacing
/// `/dev/null` for every program — and anything else that is not a file is refused.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WorkspaceError> {
    let io = |source| WorkspaceError::Io { path: path.to_path_buf(), source };
    if let Ok(meta) = std::fs::metadata(path) {
        if !meta.is_file() {
            #[cfg(unix)]
            {
                use std::os::unix::fs::FileTypeExt;
                let t = meta.file_type();
                if t.is_char_device() || t.is_fifo() {
                    let mut out = std::fs::OpenOptions::new().write(true).open(path).map_err(io)?;
                    return out.write_all(bytes).and_then(|()| out.flush()).map_err(io);
                }
            }
            return Err(io(std::io::Error::other("not a regular file; Steward writes only files, devices and pipes")));
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let permissions = std::fs::symlink_metadata(path).ok().filter(|m| m.is_file()).map(|m| m.permissions());
    let prefix = format!(".{file_name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    let default_mode = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o644)
    };
    #[cfg(unix)]
    builder.permissions(permissions.unwrap_or(default_mode));
    #[cfg(not(unix))]
    let _ = permissions;
    let mut tmp = builder.tempfile_in(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    // On failure the temp file is removed when dropped.
    tmp.persist(path).map_err(|e| io(e.error))?;
    if let Ok(d) = std::fs::File::open(dir) {
        // Persist the rename itself; not all platforms allow syncing a directory.
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by trying `--out /dev/null` as root: the rename replaced the device with a file.
    #[cfg(unix)]
    #[test]
    fn devices_and_pipes_are_written_into_never_replaced() {
        use std::os::unix::fs::FileTypeExt;
        write_atomic(Path::new("/dev/null"), b"discarded").unwrap();
        assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
        };
        write_atomic(&fifo, b"through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), "through the pipe");
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
        let e = write_atomic(dir.path(), b"x").unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }

    #[test]
    fn replaces_content_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.yaml");
        std::fs::write(&p, "old").unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn concurrent_writers_of_one_file_never_collide() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("same.yaml");
        std::thread::scope(|s| {
            for i in 0..8 {
                let p = &p;
                s.spawn(move || {
                    for _ in 0..50 {
                        write_atomic(p, format!("writer {i}\n").as_bytes()).unwrap();
                    }
                });
            }
        });
        assert!(std::fs::read_to_string(&p).unwrap().starts_with("writer "));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temp files left");
    }

    /// Earlier versions wrote `.<name>.<pid>-<n>.tmp`, opened following symlinks: a symlink
    /// planted there sent the write to any file the attacker chose.
    #[cfg(unix)]
    #[test]
    fn a_symlink_at_the_old_predictable_temp_name_is_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        let p = dir.path().join("steward.yaml");
        std::fs::write(&p, "old").unwrap();
        for n in 0..2000 {
            let planted = dir.path().join(format!(".steward.yaml.{}-{n}.tmp", std::process::id()));
            std::os::unix::fs::symlink(&victim, planted).unwrap();
        }
        write_atomic(&p, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(std::fs::symlink_metadata(&p).unwrap().is_file(), "the target is a plain file");
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
    }

    /// A symlink at the target is replaced, not followed.
    #[cfg(unix)]
    #[test]
    fn a_symlink_at_the_target_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        let p = dir.path().join("steward.yaml");
        std::os::unix::fs::symlink(&victim, &p).unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
    }

    #[cfg(unix)]
    #[test]
    fn an_existing_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.yaml");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o640);
    }

    #[test]
    fn failure_names_the_file_and_keeps_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sub");
        std::fs::create_dir(&target).unwrap();
        // Renaming a file over a non-empty directory fails.
        std::fs::write(target.join("keep"), "x").unwrap();
        let err = write_atomic(&target, b"new").unwrap_err();
        assert!(err.to_string().contains("sub"), "{err}");
        assert!(target.join("keep").exists());
    }
}

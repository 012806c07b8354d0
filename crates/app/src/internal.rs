//! What the steward sees when Steward itself fails: never a raw panic or a task id, but what was
//! being done, the detail, and that nothing was changed.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Error code of an internal failure, shared by every front-end.
pub const INTERNAL_CODE: &str = "app.internal";

/// The text of a panic's payload.
pub fn panic_detail(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "no detail".into())
}

/// The message shown for a panic while doing `what`.
pub fn internal_message(what: &str, payload: &(dyn Any + Send)) -> String {
    format!(
        "Steward could not finish {what}: {}. Nothing was changed. If a column of an unusual type is involved, \
         leave it out of the selection and try again; the log (STEWARD_LOG=debug) has the details.",
        panic_detail(payload).lines().next().unwrap_or("no detail")
    )
}

/// Runs `f`; a panic becomes `Err(on_panic(message))` instead of unwinding into the caller.
pub fn guarded<T, E>(what: &str, on_panic: impl FnOnce(String) -> E, f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            tracing::error!(what, detail = %panic_detail(&*payload), "internal error");
            Err(on_panic(internal_message(what, &*payload)))
        }
    }
}

/// Installs a panic hook that logs the panic (with its place) instead of printing it raw; the
/// front-end then shows [`internal_message`].
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let place = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        tracing::error!(place, detail = %panic_detail(info.payload()), "panic");
    }));
}

/// Turns transparent huge pages off for this process. Where the system allows them on request
/// (`madvise`), the kernel compacts memory on the spot to find a free 2 MiB block for every fault
/// in a region asked for them: once other programs have fragmented memory, an export's buffers
/// spent as much time in the kernel as in Polars (see docs/benchmarks.md). Returns whether the
/// kernel took the request; elsewhere than Linux there is nothing to do.
pub fn without_huge_pages() -> bool {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_SET_THP_DISABLE takes one integer flag and touches no memory of ours.
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0 }
    }
    #[cfg(not(target_os = "linux"))]
    {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_plain_error() {
        let r: Result<(), String> = guarded("the preview", |m| m, || panic!("not yet implemented: Writing Decimal"));
        let m = r.unwrap_err();
        assert!(m.starts_with("Steward could not finish the preview: not yet implemented: Writing Decimal."), "{m}");
        assert!(m.contains("Nothing was changed"), "{m}");
        let ok: Result<u8, String> = guarded("x", |m| m, || Ok(7));
        assert_eq!(ok, Ok(7));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn huge_pages_are_off_once_asked() {
        assert!(without_huge_pages());
        // SAFETY: PR_GET_THP_DISABLE reads one flag of this process.
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) }, 1);
    }
}

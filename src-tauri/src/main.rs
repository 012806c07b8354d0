// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

// Polars allocates and frees large buffers all the time: mimalloc serves them with far fewer page
// faults than the system allocator (see docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

unsafe extern "C" {
    /// mimalloc's option setter, from the library the `mimalloc` crate links.
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in mimalloc's `mi_option_e` (the same index in its v2 and v3).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// Memory freed is given back to the system after a second instead of 10 ms: an export frees
/// and allocates buffers of the same sizes range after range, and memory handed back is zeroed
/// again by the kernel when it returns (a quarter of an export's time went there; see
/// docs/benchmarks.md).
fn keep_freed_memory_a_while() {
    // SAFETY: sets one integer option of the allocator; any value is valid for this option.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 1000) };
}

fn main() -> std::process::ExitCode {
    keep_freed_memory_a_while();
    steward_desktop::run()
}

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

// Polars allocates and frees large buffers all the time: mimalloc serves them with far fewer page
// faults than the system allocator (see docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    steward_app::without_huge_pages();
    steward_desktop::run()
}

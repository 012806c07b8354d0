//! Work shared over the machine's cores: a queue of independent items (columns to mask, columns
//! to search) taken by scoped threads, results kept in the items' order.

/// `f` over every item, on up to one thread per core, results in the order of `items`; `None`
/// when a worker stopped (a bug in `f`), which the caller reports as an error.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Option<Vec<R>> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 16).min(items.len());
    if workers <= 1 {
        return Some(items.iter().map(f).collect());
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = vec![];
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, f(item)));
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    if done.len() != items.len() {
        return None;
    }
    done.sort_by_key(|(i, _)| *i);
    Some(done.into_iter().map(|(_, r)| r).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_items_order() {
        let items: Vec<u64> = (0..1000).collect();
        assert_eq!(super::map(&items, |x| x * 2), Some(items.iter().map(|x| x * 2).collect::<Vec<_>>()));
        assert_eq!(super::map(&[] as &[u8], |x| *x), Some(vec![]));
    }

    #[test]
    fn a_worker_that_stops_is_reported_not_lost() {
        if std::thread::available_parallelism().map_or(2, |n| n.get()) < 2 {
            return; // one thread: `f` runs on the caller's, whose panic is its own
        }
        let items: Vec<u64> = (0..64).collect();
        assert_eq!(super::map(&items, |x| if *x == 40 { panic!("a bug") } else { *x }), None);
    }
}

//! Load for the data node benchmark (bench/run-node.sh): threads asking for one entity's masked
//! 360 tree by random keys, every request signed (RFC 9421) as a consumer signs it, over
//! keep-alive connections. Closed loop (as fast as answers come) or, with a rate, open loop:
//! each request is due at its time and its latency counts from then, so a slow answer cannot
//! hide the ones queued behind it.
//!
//!   node_load URL PRODUCT SEED_HEX KEYS_FILE THREADS SECONDS [REQUESTS_PER_SECOND]
//!
//! Prints one JSON line: requests, errors, seconds, rps, p50/p90/p99/max in milliseconds.
//! `node_load --public SEED_HEX` prints the key's public half instead.

use std::time::{Duration, Instant};

use steward_signing::KeyPair;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    // `node_load --public SEED_HEX`: the consumer key's public half, to grant it.
    if a.len() == 3 && a[1] == "--public" {
        println!("{}", KeyPair::from_seed("load", seed_of(&a[2])).public().to_text());
        return;
    }
    if a.len() < 7 {
        eprintln!("usage: node_load URL PRODUCT SEED_HEX KEYS_FILE THREADS SECONDS [REQUESTS_PER_SECOND]");
        std::process::exit(2);
    }
    let (url, product) = (a[1].trim_end_matches('/').to_string(), a[2].clone());
    let seed = seed_of(&a[3]);
    let keys: Vec<String> = std::fs::read_to_string(&a[4])
        .expect("keys file")
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let threads: usize = a[5].parse().expect("threads");
    let seconds: u64 = a[6].parse().expect("seconds");
    let rate: Option<f64> = a.get(7).and_then(|r| r.parse().ok());
    let authority = url.trim_start_matches("http://").split('/').next().unwrap_or_default().to_string();
    let keys = std::sync::Arc::new(keys);
    let start = Instant::now();
    let end = start + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let (url, product, keys, authority) = (url.clone(), product.clone(), keys.clone(), authority.clone());
            std::thread::spawn(move || {
                let key = KeyPair::from_seed("load", seed);
                let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
                let mut rng = 0x9E37_79B9_7F4A_7C15u64 ^ (t as u64 + 1);
                let (mut latencies, mut errors) = (Vec::new(), 0u64);
                let every = rate.map(|r| Duration::from_secs_f64(threads as f64 / r));
                let mut due = start + every.map_or(Duration::ZERO, |e| e.mul_f64(t as f64 / threads as f64));
                while Instant::now() < end {
                    if every.is_some() {
                        let now = Instant::now();
                        if due > now {
                            std::thread::sleep(due - now);
                        }
                    }
                    let sent = if every.is_some() { due } else { Instant::now() };
                    rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    let k = &keys[(rng >> 33) as usize % keys.len()];
                    let path = format!("/v1/products/{product}/entities/{k}");
                    let req = steward_httpsig::Request {
                        method: "GET",
                        authority: &authority,
                        path: &path,
                        query: None,
                        headers: &[],
                    };
                    let secs =
                        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
                    let (input, sig) = steward_httpsig::sign_request(&req, &key, secs as i64).expect("sign");
                    let ok = match agent
                        .get(format!("{url}{path}"))
                        .header("Signature-Input", &input)
                        .header("Signature", &sig)
                        .call()
                    {
                        Ok(mut r) => r.status().as_u16() == 200 && r.body_mut().read_to_vec().is_ok(),
                        Err(_) => false,
                    };
                    if ok {
                        latencies.push(sent.elapsed());
                    } else {
                        errors += 1;
                    }
                    if let Some(e) = every {
                        due += e;
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let (mut all, mut errors) = (Vec::new(), 0u64);
    for w in workers {
        let (l, e) = w.join().expect("a load thread failed");
        all.extend(l);
        errors += e;
    }
    let took = start.elapsed().as_secs_f64();
    all.sort();
    let at = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{{\"requests\":{},\"errors\":{errors},\"seconds\":{took:.2},\"rps\":{:.1},\"p50_ms\":{:.3},\"p90_ms\":{:.3},\"p99_ms\":{:.3},\"max_ms\":{:.3}}}",
        all.len(),
        all.len() as f64 / took,
        at(0.50),
        at(0.90),
        at(0.99),
        at(1.0)
    );
}

fn seed_of(hex: &str) -> [u8; 32] {
    let bytes: Vec<u8> =
        (0..hex.len() / 2).filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()).collect();
    bytes.try_into().expect("a 32-byte seed in hex")
}

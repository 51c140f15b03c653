//! `echo-vs-get`: dbserver's GET P=1 throughput against the echo ceiling in the same
//! booted image, same connection count and request bytes, rounds interleaved.

use std::fs;
use std::io::Write;
use std::time::Duration;

use anyhow::{Context, Result};
use ring0db_harness::{NetVm, Network};

use crate::csv_environment::Environment;

/// The GET request loadgen sends for a 10-character key, and the reply to expect.
const GET_REQUEST: &[u8] = b"*2\r\n$3\r\nGET\r\n$10\r\nkey:000001\r\n";

pub(crate) fn echo_vs_get(
    out: &std::path::Path,
    environment: &Environment,
    rounds: usize,
    phase: Duration,
    connections: usize,
) -> Result<()> {
    const ECHO_PORT: u16 = 7;
    const KV_PORT: u16 = 6379;
    let vm = NetVm::boot(Network::Tap, &format!("echo={ECHO_PORT}"))?;
    let value = [b'v'; 100];
    let mut set = Vec::new();
    set.extend_from_slice(b"*3\r\n$3\r\nSET\r\n$10\r\nkey:000001\r\n$100\r\n");
    set.extend_from_slice(&value);
    set.extend_from_slice(b"\r\n");
    let mut stream = vm.connect(KV_PORT)?;
    stream.write_all(&set)?;
    let mut ok = [0u8; 5];
    std::io::Read::read_exact(&mut stream, &mut ok)?;
    anyhow::ensure!(&ok == b"+OK\r\n", "SET answered {ok:?}");
    let mut get_reply = b"$100\r\n".to_vec();
    get_reply.extend_from_slice(&value);
    get_reply.extend_from_slice(b"\r\n");
    let mut csv = format!(
        "{},round,connections,request_bytes,echo_round_trips_per_s,get_ops_per_s,get_vs_echo\n",
        Environment::HEADER
    );
    let mut ratios = Vec::new();
    for round in 1..=rounds {
        let echo = parallel_ping_pong(&vm, ECHO_PORT, connections, phase, GET_REQUEST)?;
        let get = parallel_ping_pong(&vm, KV_PORT, connections, phase, &get_reply)?;
        let ratio = get / echo;
        eprintln!("round {round}/{rounds}: echo {echo:.0} round trips/s, GET {get:.0} ops/s, GET/echo {ratio:.2}");
        csv.push_str(&format!(
            "{},{round},{connections},{},{echo:.0},{get:.0},{ratio:.3}\n",
            environment.row(),
            GET_REQUEST.len()
        ));
        ratios.push((ratio, echo, get));
    }
    ratios.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (ratio, echo, get) = ratios[ratios.len() / 2];
    println!(
        "GET P=1 vs echo, {connections} connections, {}-byte requests (median of {rounds} by ratio): echo {echo:.0} round trips/s, GET {get:.0} ops/s, GET/echo {ratio:.2}",
        GET_REQUEST.len()
    );
    let path = out.join("echo-vs-get.csv");
    fs::write(&path, csv).with_context(|| format!("write {}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

/// `connections` clients on `port`, each sending [`GET_REQUEST`] and reading `reply`
/// (its exact bytes) in a loop for `phase`; completed round trips per second in total.
fn parallel_ping_pong(
    vm: &NetVm,
    port: u16,
    connections: usize,
    phase: Duration,
    reply: &[u8],
) -> Result<f64> {
    let streams = (0..connections)
        .map(|_| vm.connect(port))
        .collect::<Result<Vec<_>>>()?;
    let start = std::time::Instant::now();
    let counts = std::thread::scope(|scope| {
        let workers: Vec<_> = streams
            .into_iter()
            .map(|mut stream| {
                scope.spawn(move || -> Result<u64> {
                    use std::io::Read;
                    stream.set_nodelay(true)?;
                    let mut got = vec![0u8; reply.len()];
                    let mut count = 0u64;
                    while start.elapsed() < phase {
                        stream.write_all(GET_REQUEST)?;
                        stream.read_exact(&mut got)?;
                        anyhow::ensure!(got == reply, "unexpected reply {got:?}");
                        count += 1;
                    }
                    Ok(count)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().map_err(|_| anyhow::anyhow!("client panicked"))?)
            .collect::<Result<Vec<u64>>>()
    })?;
    Ok(counts.iter().sum::<u64>() as f64 / start.elapsed().as_secs_f64())
}

//! `test=net-up`: brings the network up (done by the boot path from `ip=`), then serves
//! (poll + wait) for `ttl=` seconds so the host can ping the guest, and exits success.

use crate::exit::ExitCode;
use crate::net::{self, STACK};
use crate::time;
use crate::Kernel;

const DEFAULT_TTL_S: u64 = 30;
const NS_PER_S: u64 = 1_000_000_000;

/// Serves until `ttl=` seconds have passed.
pub fn serve(kernel: &Kernel) -> ExitCode {
    let ttl_s = match kernel
        .cmdline
        .parse_or("ttl", DEFAULT_TTL_S, "a number of seconds")
    {
        Ok(ttl_s) => ttl_s,
        Err(error) => {
            log::error!("net-up: {error}");
            return ExitCode::BadCommandLine;
        }
    };
    let Some(address) = STACK.lock().as_ref().map(|stack| stack.config.ip) else {
        log::error!("net-up: the network is not up (no ip= on the command line, or no NIC)");
        return ExitCode::TestFailed;
    };
    log::info!("net-up: serving at {address} for {ttl_s} s");
    let deadline_ns = time::now_ns().saturating_add(ttl_s.saturating_mul(NS_PER_S));
    loop {
        let timer_ns = STACK.lock().as_mut().and_then(|stack| {
            while stack.poll(|_| {}) {}
            stack.poll_delay_ns()
        });
        let now_ns = time::now_ns();
        if now_ns >= deadline_ns {
            break;
        }
        net::wait_for_event(net::earliest(Some(deadline_ns - now_ns), timer_ns));
    }
    let stats = net::stats();
    log::info!(
        "net-up: done: rx {} frames ({} bytes), tx {} frames ({} bytes), {} NIC irqs, {} polls, {} tx-queue-full, {} driver errors",
        stats.rx_packets,
        stats.rx_bytes,
        stats.tx_packets,
        stats.tx_bytes,
        stats.irqs,
        stats.polls,
        stats.tx_queue_full,
        stats.driver_errors
    );
    if stats.driver_errors == 0 {
        ExitCode::Success
    } else {
        ExitCode::TestFailed
    }
}

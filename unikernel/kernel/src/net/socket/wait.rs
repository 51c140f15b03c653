//! Waiting for readiness: `poll_wait` drives the network forward (smoltcp poll,
//! listener refill, reaping of closed connections, built-in services) and idles until
//! a descriptor is ready or the timeout passes.

use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};

use smoltcp::socket::tcp;

use super::table::{Table, TABLE};
use super::{with_stack, PollEvent};
use crate::errno::Errno;
use crate::net::{self, NetStack, STACK};

/// How long a closed connection may take to finish TCP's close handshake before it is
/// reset (a peer that keeps sending, or never acknowledges our FIN).
const CLOSE_LINGER_NS: u64 = 10_000_000_000;
/// TSC cycles spent halted (or spinning, in `net=poll`) in `poll_wait` with nothing to do.
pub static IDLE_CYCLES: AtomicU64 = AtomicU64::new(0);
/// `epoll_wait(2)`: polls the network, fills `events` with ready descriptors and waits
/// (halting in `net=irq` mode) up to `timeout_ms` (-1 = forever) when none is ready.
pub fn poll_wait(events: &mut [PollEvent], timeout_ms: i32) -> Result<usize, Errno> {
    let start = crate::time::now_ns();
    let deadline = u64::try_from(timeout_ms)
        .ok()
        .map(|ms| start + ms * 1_000_000);
    loop {
        let (ready, delay_ns) = {
            let mut table = TABLE.lock();
            with_stack(|stack| {
                progress(stack, &mut table);
                let ready = table.collect_ready(stack, events);
                let now = crate::time::now_ns();
                if ready > 0 || events.is_empty() || deadline.is_some_and(|d| now >= d) {
                    return Ok((Some(ready), None));
                }
                // Only when about to wait: smoltcp computes its next timer by visiting
                // every socket.
                Ok((None, stack.poll_delay_ns()))
            })?
        };
        if let Some(ready) = ready {
            return Ok(ready);
        }
        let now = crate::time::now_ns();
        let wait_ns = match (deadline, delay_ns) {
            (Some(d), Some(delay)) => Some(d.saturating_sub(now).min(delay)),
            (Some(d), None) => Some(d.saturating_sub(now)),
            (None, delay) => delay,
        };
        let idle_start = crate::arch::cpu::rdtsc();
        crate::interrupts::set_idle(true);
        net::wait_for_event(wait_ns);
        crate::interrupts::set_idle(false);
        IDLE_CYCLES.fetch_add(crate::arch::cpu::rdtsc() - idle_start, Ordering::Relaxed);
    }
}

/// Runs the network without an application: poll, serve the echo service, idle.
/// For images whose application does not call `poll_wait` (tests, echo-only).
pub fn serve_forever_until(deadline_ns: Option<u64>) {
    let mut no_events: [PollEvent; 0] = [];
    while deadline_ns.is_none_or(|d| crate::time::now_ns() < d) {
        let _ = poll_wait(&mut no_events, 0);
        let wait = {
            let mut guard = STACK.lock();
            guard.as_mut().and_then(NetStack::poll_delay_ns)
        };
        let until_deadline = deadline_ns.map(|d| d.saturating_sub(crate::time::now_ns()));
        let wait = match (wait, until_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if wait != Some(0) {
            net::wait_for_event(wait);
        }
    }
}
/// One round of network progress: smoltcp poll (refilling the listening pools between
/// bursts of frames), reaping of connections that finished closing, and the built-in
/// services.
fn progress(stack: &mut NetStack, table: &mut Table) {
    stack.poll(|stack| {
        table.replenish_listeners(stack);
        net::services::replenish(stack);
    });
    let now = crate::time::now_ns();
    table.closing.retain(|&(handle, closed_at)| {
        let socket = stack.sockets.get_mut::<tcp::Socket>(handle);
        // Nobody will read a closed socket: discard what still arrives, so a peer that
        // is still sending is not stalled by a zero window and can read our last reply.
        let _ = socket.recv(|unread| (unread.len(), ()));
        let done = matches!(socket.state(), tcp::State::Closed | tcp::State::TimeWait);
        if done || now.saturating_sub(closed_at) > CLOSE_LINGER_NS {
            net::listener::release(stack, handle);
            return false;
        }
        true
    });
    stack.park_idle(now);
    if let Some(map) = stack.compact_sockets() {
        table.remap(&map);
        net::services::remap(&map);
    }
    if table.closing.is_empty() && table.closing.capacity() > 0 {
        // After a storm of closes: give the memory back, so the heap returns to where
        // it was before the storm.
        table.closing = Vec::new();
    }
    let snapshot = table.snapshot(Some(stack));
    net::services::serve(stack, &snapshot);
}

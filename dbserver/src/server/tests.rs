//! The event loop against an in-memory platform: partial frames, partial sends,
//! backpressure, protocol errors and `maxclients`, all deterministic.

mod fake_sys;
mod requests;
mod timeouts;

use super::Server;
use fake_sys::FakeSys;

/// Plenty of socket buffer.
const ROOMY: usize = usize::MAX;

fn spin(server: &mut Server<'_, FakeSys>, rounds: usize) {
    for _ in 0..rounds {
        server.poll_once().expect("poll");
    }
}

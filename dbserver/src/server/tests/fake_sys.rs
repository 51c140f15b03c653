//! An in-memory platform for the event-loop tests: the test plays the clients, sockets
//! take as many bytes as their send budget allows, and the clock moves only when told.

use crate::sys::{Errno, Event, Fd, Interest, SockAddrV4, Syscalls};
use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;
use core::cell::RefCell;

pub(super) const LISTENER: Fd = 3;

#[derive(Default)]
pub(super) struct Sock {
    /// Bytes the client sent that the server has not read yet.
    pub(super) input: VecDeque<u8>,
    /// Bytes the server sent.
    pub(super) output: Vec<u8>,
    pub(super) peer_closed: bool,
    pub(super) interest: Interest,
    /// Bytes the socket accepts before `send` returns EAGAIN.
    pub(super) send_budget: usize,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) next_fd: Fd,
    pub(super) listener_readable: bool,
    pub(super) waiting: VecDeque<Fd>,
    pub(super) socks: BTreeMap<Fd, Sock>,
    pub(super) closed: Vec<Fd>,
    pub(super) clock_ns: u64,
}

/// An in-memory platform: the test plays the clients.
#[derive(Default)]
pub(super) struct FakeSys {
    pub(super) st: RefCell<State>,
}

impl FakeSys {
    /// A client connects; returns its server-side fd.
    pub(super) fn connect(&self, send_budget: usize) -> Fd {
        let mut st = self.st.borrow_mut();
        st.next_fd += 1;
        let fd = LISTENER + st.next_fd;
        st.socks.insert(
            fd,
            Sock {
                send_budget,
                ..Sock::default()
            },
        );
        st.waiting.push_back(fd);
        fd
    }

    pub(super) fn write(&self, fd: Fd, bytes: &[u8]) {
        self.st
            .borrow_mut()
            .socks
            .get_mut(&fd)
            .expect("sock")
            .input
            .extend(bytes);
    }

    pub(super) fn take_output(&self, fd: Fd) -> Vec<u8> {
        core::mem::take(
            &mut self
                .st
                .borrow_mut()
                .socks
                .get_mut(&fd)
                .expect("sock")
                .output,
        )
    }

    pub(super) fn set_budget(&self, fd: Fd, budget: usize) {
        self.st
            .borrow_mut()
            .socks
            .get_mut(&fd)
            .expect("sock")
            .send_budget = budget;
    }

    pub(super) fn interest(&self, fd: Fd) -> Interest {
        self.st
            .borrow()
            .socks
            .get(&fd)
            .map(|s| s.interest)
            .unwrap_or_default()
    }

    pub(super) fn is_closed(&self, fd: Fd) -> bool {
        self.st.borrow().closed.contains(&fd)
    }
}

impl Syscalls for FakeSys {
    fn socket(&self) -> Result<Fd, Errno> {
        Ok(LISTENER)
    }
    fn bind(&self, _: Fd, _: SockAddrV4) -> Result<(), Errno> {
        Ok(())
    }
    fn listen(&self, _: Fd, _: u32) -> Result<(), Errno> {
        Ok(())
    }
    fn accept(&self, _: Fd) -> Result<Fd, Errno> {
        self.st
            .borrow_mut()
            .waiting
            .pop_front()
            .ok_or(Errno::EAGAIN)
    }
    fn recv(&self, fd: Fd, buf: &mut [u8]) -> Result<usize, Errno> {
        let mut st = self.st.borrow_mut();
        let sock = st.socks.get_mut(&fd).ok_or(Errno::EBADF)?;
        if sock.input.is_empty() {
            return if sock.peer_closed {
                Ok(0)
            } else {
                Err(Errno::EAGAIN)
            };
        }
        let n = buf.len().min(sock.input.len());
        for (dst, src) in buf.iter_mut().zip(sock.input.drain(..n)) {
            *dst = src;
        }
        Ok(n)
    }
    fn send(&self, fd: Fd, buf: &[u8]) -> Result<usize, Errno> {
        let mut st = self.st.borrow_mut();
        let sock = st.socks.get_mut(&fd).ok_or(Errno::EBADF)?;
        let n = buf.len().min(sock.send_budget);
        if n == 0 {
            return Err(Errno::EAGAIN);
        }
        sock.send_budget -= n;
        sock.output.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn close(&self, fd: Fd) -> Result<(), Errno> {
        let mut st = self.st.borrow_mut();
        if let Some(s) = st.socks.get_mut(&fd) {
            s.interest = Interest::default();
        }
        st.closed.push(fd);
        Ok(())
    }
    fn poll_ctl(&self, fd: Fd, interest: Interest) -> Result<(), Errno> {
        let mut st = self.st.borrow_mut();
        if fd == LISTENER {
            st.listener_readable = interest.readable;
        } else {
            st.socks.get_mut(&fd).ok_or(Errno::EBADF)?.interest = interest;
        }
        Ok(())
    }
    fn poll_wait(&self, events: &mut [Event], _timeout_ms: i32) -> Result<usize, Errno> {
        let st = self.st.borrow();
        let mut ready = Vec::new();
        if st.listener_readable && !st.waiting.is_empty() {
            ready.push(Event {
                fd: LISTENER,
                readable: true,
                ..Event::default()
            });
        }
        for (&fd, s) in &st.socks {
            let readable = s.interest.readable && (!s.input.is_empty() || s.peer_closed);
            let writable = s.interest.writable && s.send_budget > 0;
            if readable || writable {
                ready.push(Event {
                    fd,
                    readable,
                    writable,
                    hangup: s.peer_closed,
                });
            }
        }
        let n = ready.len().min(events.len());
        events[..n].copy_from_slice(&ready[..n]);
        Ok(n)
    }
    fn clock_ns(&self) -> u64 {
        self.st.borrow().clock_ns
    }
    fn log(&self, _: &str) {}
    fn platform_stats(&self, _: &mut dyn FnMut(&str, u64)) {}
}

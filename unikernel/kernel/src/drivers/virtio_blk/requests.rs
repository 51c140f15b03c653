//! Requests: splitting a transfer over the slots, putting requests on the queue, taking
//! completions off it, and halting until the device interrupts.

use core::sync::atomic::Ordering;

use super::slots::{InFlight, RequestType};
use super::{
    IoError, VirtioBlk, ERRORS, HALTED_CYCLES, INTERRUPT_PENDING, QUEUE, READ_BYTES, REQUESTS,
    REQUEST_BYTES, SECTOR_SIZE, WAIT_CYCLES, WATCHDOG_NS, WRITTEN_BYTES,
};
use virtio_drivers::transport::Transport;

/// The caller's side of a transfer.
pub(super) enum Buffer<'a> {
    Read(&'a mut [u8]),
    Write(&'a [u8]),
}

impl Buffer<'_> {
    fn len(&self) -> usize {
        match self {
            Buffer::Read(buf) => buf.len(),
            Buffer::Write(buf) => buf.len(),
        }
    }
}

impl VirtioBlk {
    /// Splits the transfer into requests, keeps as many in flight as there are slots,
    /// and returns when all completed (the first error, if any).
    pub(super) fn transfer(
        &mut self,
        first_sector: u64,
        mut buffer: Buffer<'_>,
    ) -> Result<(), IoError> {
        let total = buffer.len();
        let mut submitted = 0;
        let mut result = Ok(());
        loop {
            while submitted < total && result.is_ok() {
                let len = REQUEST_BYTES.min(total - submitted);
                let kind = match buffer {
                    Buffer::Read(_) => RequestType::In,
                    Buffer::Write(_) => RequestType::Out,
                };
                let request = InFlight {
                    kind,
                    offset: submitted,
                    len,
                };
                let sector = first_sector + (submitted / SECTOR_SIZE) as u64;
                let Some(slot) = self.slots.take(request, sector) else {
                    break;
                };
                if let Buffer::Write(data) = &buffer {
                    let parts = self.slots.parts(slot, len);
                    parts
                        .data
                        .copy_from_slice(&data[submitted..submitted + len]);
                }
                result = self.submit(slot, request);
                submitted += len;
            }
            self.notify();
            if self.slots.in_flight() == 0 {
                return result;
            }
            self.wait_for_completion();
            while let Some((slot, outcome)) = self.complete_one() {
                if let (Ok(()), Some(done), Buffer::Read(buf)) =
                    (outcome, self.slots.request(slot), &mut buffer)
                {
                    let parts = self.slots.parts(slot, done.len);
                    buf[done.offset..done.offset + done.len].copy_from_slice(parts.data);
                }
                self.slots.release(slot);
                result = result.and(outcome);
            }
        }
    }

    /// Puts the request of `slot` on the queue. On failure the slot is given back.
    pub(super) fn submit(&mut self, slot: usize, request: InFlight) -> Result<(), IoError> {
        let parts = self.slots.parts(slot, request.len);
        // SAFETY: the buffers are the slot's DMA memory, which nothing touches until
        // `complete_one` pops this token with the same buffers.
        let added = unsafe {
            match request.kind {
                RequestType::Out => self
                    .queue
                    .add(&[parts.header, parts.data], &mut [parts.status]),
                RequestType::In => self
                    .queue
                    .add(&[parts.header], &mut [parts.data, parts.status]),
                RequestType::Flush => self.queue.add(&[parts.header], &mut [parts.status]),
            }
        };
        match added {
            Ok(token) => {
                self.slots.bind_token(token, slot);
                Ok(())
            }
            Err(error) => {
                self.slots.release(slot);
                ERRORS.fetch_add(1, Ordering::Relaxed);
                Err(IoError::Driver(error))
            }
        }
    }

    /// Tells the device about new requests, unless it asked not to be told.
    pub(super) fn notify(&mut self) {
        if self.queue.should_notify() {
            self.transport.notify(QUEUE);
        }
    }

    /// Takes the next completed request off the used ring: its slot (still reserved: the
    /// caller releases it after copying data out) and how it ended. Flush slots are
    /// released here.
    pub(super) fn complete_one(&mut self) -> Option<(usize, Result<(), IoError>)> {
        let token = self.queue.peek_used()?;
        let slot = self.slot_of(token);
        let request = self.slots.request(slot)?;
        let parts = self.slots.parts(slot, request.len);
        // SAFETY: the same buffers `submit` added under this token.
        let popped = unsafe {
            match request.kind {
                RequestType::Out => {
                    self.queue
                        .pop_used(token, &[parts.header, parts.data], &mut [parts.status])
                }
                RequestType::In => {
                    self.queue
                        .pop_used(token, &[parts.header], &mut [parts.data, parts.status])
                }
                RequestType::Flush => {
                    self.queue
                        .pop_used(token, &[parts.header], &mut [parts.status])
                }
            }
        };
        let status = parts.status[0];
        let outcome = match popped {
            Err(error) => Err(IoError::Driver(error)),
            Ok(_) if status != 0 => Err(IoError::Device(status)),
            Ok(_) => Ok(()),
        };
        REQUESTS.fetch_add(1, Ordering::Relaxed);
        match (&outcome, request.kind) {
            (Err(_), _) => {
                ERRORS.fetch_add(1, Ordering::Relaxed);
            }
            (Ok(()), RequestType::In) => {
                READ_BYTES.fetch_add(request.len as u64, Ordering::Relaxed);
            }
            (Ok(()), RequestType::Out) => {
                WRITTEN_BYTES.fetch_add(request.len as u64, Ordering::Relaxed);
            }
            (Ok(()), RequestType::Flush) => {}
        }
        if request.kind == RequestType::Flush {
            self.slots.release(slot);
        }
        Some((slot, outcome))
    }

    fn slot_of(&self, token: u16) -> usize {
        self.slots.slot_of_token(token)
    }

    /// Halts until the device has used a request (interrupts on, as `poll_wait` idles);
    /// spins when the interrupt is not routed. The halted time is idle time.
    pub(super) fn wait_for_completion(&mut self) {
        let start = crate::arch::cpu::rdtsc();
        while !self.queue.can_pop() {
            if !self.interrupt_routed {
                core::hint::spin_loop();
                continue;
            }
            // Interrupts are off here: a completion from now on raises an interrupt that
            // wakes the `hlt` below, so none can be missed between the check and the halt.
            INTERRUPT_PENDING.store(false, Ordering::Relaxed);
            crate::time::timer::set_deadline_in(WATCHDOG_NS);
            let halt_start = crate::arch::cpu::rdtsc();
            crate::interrupts::set_idle(true);
            crate::arch::cpu::wait_for_interrupt();
            crate::interrupts::set_idle(false);
            HALTED_CYCLES.fetch_add(
                crate::arch::cpu::rdtsc().wrapping_sub(halt_start),
                Ordering::Relaxed,
            );
        }
        WAIT_CYCLES.fetch_add(
            crate::arch::cpu::rdtsc().wrapping_sub(start),
            Ordering::Relaxed,
        );
    }
}

//! [`HandlerCell`]: a lock-free slot for an optional handler function pointer, read in
//! interrupt context with one load. The conversions between `fn` pointers and the
//! stored word (the only unsafe part of a handler table) live here, once.

use core::marker::PhantomData;
use core::sync::atomic::{AtomicUsize, Ordering};

use super::entry::TrapFrame;

mod sealed {
    pub trait Sealed {}
}

/// Function-pointer types a [`HandlerCell`] can hold.
pub trait HandlerFn: Copy + sealed::Sealed {
    #[doc(hidden)]
    fn into_word(self) -> usize;
    /// # Safety
    /// `word` must come from [`HandlerFn::into_word`] of the same type.
    #[doc(hidden)]
    unsafe fn from_word(word: usize) -> Self;
}

macro_rules! handler_fn {
    ($($ty:ty),*) => {$(
        impl sealed::Sealed for $ty {}
        impl HandlerFn for $ty {
            #[inline(always)]
            fn into_word(self) -> usize {
                self as usize
            }
            #[inline(always)]
            unsafe fn from_word(word: usize) -> Self {
                // SAFETY: per the contract, `word` is a non-null pointer to a function
                // of exactly this type.
                unsafe { core::mem::transmute::<usize, $ty>(word) }
            }
        }
    )*};
}

handler_fn!(fn(), fn(&mut TrapFrame));

/// An optional function pointer of type `F`, set with [`set`](Self::set) and read
/// lock-free with [`get`](Self::get).
pub struct HandlerCell<F: HandlerFn> {
    word: AtomicUsize,
    _handler: PhantomData<F>,
}

impl<F: HandlerFn> HandlerCell<F> {
    /// An empty cell.
    pub const fn new() -> Self {
        Self {
            word: AtomicUsize::new(0),
            _handler: PhantomData,
        }
    }

    /// Stores `handler`, replacing any earlier one.
    pub fn set(&self, handler: F) {
        self.word.store(handler.into_word(), Ordering::Release);
    }

    /// The handler stored last, if any.
    #[inline(always)]
    pub fn get(&self) -> Option<F> {
        match self.word.load(Ordering::Acquire) {
            0 => None,
            // SAFETY: only `set` stores non-zero words, and it stores `F` pointers.
            word => Some(unsafe { F::from_word(word) }),
        }
    }
}

impl<F: HandlerFn> Default for HandlerCell<F> {
    fn default() -> Self {
        Self::new()
    }
}

//! Host-side harness for the unikernel.

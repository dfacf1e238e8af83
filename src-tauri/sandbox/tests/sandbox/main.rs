//! The sandbox gateway over real HTTP on loopback, one dialect per module.
//! One test binary for both dialects: one link step instead of two.

mod coingate;
mod control;
mod counos;
mod faults;
mod support;

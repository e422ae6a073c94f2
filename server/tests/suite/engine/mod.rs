//! Engine-level tests: every operation through `Engine::handle`, with the clock as an input.

mod support;

mod at_rest;
mod cache;
mod concurrency;
mod damaged;
mod index_fill;
mod items;
mod kms;
mod lifecycle;
mod props;
mod storage;
mod tables;
mod trail;

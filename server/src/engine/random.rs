//! Real randomness for the endpoint: key material and nonces from the operating system's CSPRNG
//! (`getrandom`), and ids in AWS's formats through [`SystemIds`].
//!
//! Key material and nonces fail loudly when the OS generator fails. Ids are not secret: they come
//! from a thread-local CSPRNG (`rand`'s `StdRng`, ChaCha12, seeded from the OS), which saves the
//! `getrandom` system call that every request id would otherwise cost; if that generator cannot
//! be seeded they fall back to a time-and-counter mix so that a request can still be answered.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

use ddbsse_crypto::KeyMaterial;
use ddbsse_wire::ids::IdSource;
use ddbsse_wire::{ApiError, ErrorCode};
use zeroize::Zeroizing;

/// Ids from the OS generator (request ids, event ids, key ids, grant ids).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemIds;

thread_local! {
    /// Each thread's id generator, seeded from the OS on first use.
    static ID_RNG: RefCell<Option<StdRng>> = const { RefCell::new(None) };
}

static FALLBACK: AtomicU64 = AtomicU64::new(0x5DEE_CE66_D1CE_4E5B);

impl IdSource for SystemIds {
    fn fill(&mut self, buf: &mut [u8]) {
        let filled = ID_RNG.with(|cell| {
            let mut rng = cell.borrow_mut();
            if rng.is_none() {
                *rng = StdRng::try_from_os_rng().ok();
            }
            rng.as_mut().map(|r| r.fill_bytes(buf)).is_some()
        });
        if filled {
            return;
        }
        // Not secret: ids only. SplitMix64 over a process counter and the time.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        for chunk in buf.chunks_mut(8) {
            let mut z = FALLBACK
                .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
                .wrapping_add(nanos);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
    }
}

/// A fresh UUID (v4).
pub fn uuid() -> String {
    SystemIds.uuid()
}

/// A fresh KMS grant id: 32 random bytes as 64 lowercase hex digits.
pub fn grant_id() -> String {
    SystemIds.hex(32)
}

fn internal() -> ApiError {
    ApiError::new(
        ErrorCode::InternalServerError,
        "The random number generator of the server failed",
    )
}

/// 32 bytes of fresh key material from the OS CSPRNG.
pub fn key_material() -> Result<KeyMaterial, ApiError> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    getrandom::fill(bytes.as_mut()).map_err(|_| internal())?;
    Ok(KeyMaterial::from_bytes(*bytes))
}

/// `N` fresh random bytes (nonces, data-key ids, table uids).
pub fn bytes<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|_| internal())?;
    Ok(b)
}

/// `n` fresh random bytes (GenerateDataKey plaintexts), zeroized on drop.
pub fn secret_vec(n: usize) -> Result<Zeroizing<Vec<u8>>, ApiError> {
    let mut v = Zeroizing::new(vec![0u8; n]);
    getrandom::fill(&mut v).map_err(|_| internal())?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_material_are_fresh() {
        assert_ne!(uuid(), uuid());
        let (a, b) = (key_material().unwrap(), key_material().unwrap());
        assert_ne!(a.expose_secret(), b.expose_secret());
        assert_ne!(bytes::<16>().unwrap(), [0u8; 16]);
    }
}

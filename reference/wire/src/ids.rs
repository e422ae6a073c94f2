//! Identifiers: key ids, grant ids, request and event ids, table ids.
//!
//! [`IdSource`] says what an id looks like; where its bytes come from is the implementor's business.
//! The model uses [`SeededIds`], a deterministic generator (SplitMix64) so that two runs with the
//! same seed produce the same ids and snapshots need no redaction. Targets draw real random bytes.
//! Nothing here is secret: key material never comes from this module.

/// A source of identifier bytes and the id formats AWS uses.
pub trait IdSource {
    /// Fills `buf` with fresh bytes.
    fn fill(&mut self, buf: &mut [u8]);

    /// A random (version 4) UUID in lower-case hyphenated form, as KMS key ids and request ids.
    fn uuid(&mut self) -> String {
        let mut b = [0u8; 16];
        self.fill(&mut b);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        // Formatted by hand: request ids are made on every request, and `format!` over hex
        // slices costs several allocations.
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(36);
        for (i, byte) in b.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                out.push('-');
            }
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        out
    }

    /// `n` random bytes as lower-case hex (a KMS grant id is 32 bytes, 64 hex characters).
    fn hex(&mut self, n: usize) -> String {
        let mut b = vec![0u8; n];
        self.fill(&mut b);
        hex::encode(b)
    }

    /// A 32-byte array of fresh bytes.
    fn bytes32(&mut self) -> [u8; 32] {
        let mut b = [0u8; 32];
        self.fill(&mut b);
        b
    }
}

/// A deterministic id generator: SplitMix64 over a seed. Not for secrets.
#[derive(Clone, Debug)]
pub struct SeededIds {
    state: u64,
}

impl SeededIds {
    /// A generator whose output depends only on `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl IdSource for SeededIds {
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_ids_and_uuid_shape() {
        let (mut a, mut b) = (SeededIds::new(7), SeededIds::new(7));
        let u = a.uuid();
        assert_eq!(u, b.uuid());
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(a.uuid(), u);
        assert_eq!(a.hex(32).len(), 64);
    }
}

//! Keys and keyed primitives: per-rule subkeys (BLAKE3 key derivation), keyed hashes, a keyed
//! bijection on 63-bit integers for instance and join keys, and FF1 on digit strings.

use aes::Aes256;
use fpe::ff1::{FlexibleNumeralString, FF1};

/// A product's masking key: 32 random bytes, kept in the OS keychain. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct MaskingKey(pub [u8; 32]);

impl std::fmt::Debug for MaskingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MaskingKey(…)")
    }
}

impl MaskingKey {
    /// A new random key.
    /// A fresh key from the operating system's random number generator. Fails, rather than
    /// falling back to anything guessable, when the generator does.
    pub fn generate() -> Result<MaskingKey, getrandom::Error> {
        let mut k = [0u8; 32];
        getrandom::fill(&mut k)?;
        Ok(MaskingKey(k))
    }

    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn from_hex(s: &str) -> Option<MaskingKey> {
        let s = s.trim();
        if s.len() != 64 {
            return None;
        }
        let mut k = [0u8; 32];
        for (i, chunk) in s.as_bytes().chunks(2).enumerate() {
            k[i] = u8::from_str_radix(std::str::from_utf8(chunk).ok()?, 16).ok()?;
        }
        Some(MaskingKey(k))
    }
}

/// The key of one rule: derived from the product key, the rule id and the rule version, so two
/// rules never share outputs and rotating the key or bumping the version changes every output.
pub fn subkey(key: &MaskingKey, rule_id: &str, version: u32) -> [u8; 32] {
    let mut material = Vec::with_capacity(32 + rule_id.len() + 5);
    material.extend_from_slice(&key.0);
    material.extend_from_slice(rule_id.as_bytes());
    material.push(0);
    material.extend_from_slice(&version.to_le_bytes());
    blake3::derive_key("steward masking 2026-11 rule subkey", &material)
}

/// Keyed BLAKE3 of a normalised input.
pub(crate) fn keyed(sub: &[u8; 32], input: &[u8]) -> [u8; 32] {
    *blake3::keyed_hash(sub, input).as_bytes()
}

pub(crate) fn keyed_u64(sub: &[u8; 32], input: &[u8]) -> u64 {
    let h = keyed(sub, input);
    u64::from_le_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]])
}

/// A keyed permutation of the non-negative i64 values (a 64-bit Feistel network with AES-256 as
/// its round function, cycle-walked into [0, 2^63)), and of the negative ones onto themselves.
/// Bijective, so remapped keys never collide and every join still joins.
pub struct KeyRemap {
    aes: Aes256,
}

impl KeyRemap {
    pub fn new(sub: &[u8; 32]) -> KeyRemap {
        use aes::cipher::KeyInit;
        KeyRemap { aes: Aes256::new(sub.into()) }
    }

    fn round(&self, r: u8, half: u32) -> u32 {
        use aes::cipher::BlockEncrypt;
        let mut block = aes::Block::default();
        block[0] = r;
        block[1..5].copy_from_slice(&half.to_le_bytes());
        self.aes.encrypt_block(&mut block);
        u32::from_le_bytes([block[0], block[1], block[2], block[3]])
    }

    fn feistel(&self, v: u64) -> u64 {
        let (mut l, mut r) = ((v >> 32) as u32, v as u32);
        for i in 0..6u8 {
            let next = l ^ self.round(i, r);
            l = r;
            r = next;
        }
        (u64::from(l) << 32) | u64::from(r)
    }

    pub fn remap(&self, v: i64) -> i64 {
        let negative = v < 0;
        let mut x = if negative { !(v as u64) } else { v as u64 }; // !v maps [-2^63, -1] onto [0, 2^63)
        loop {
            x = self.feistel(x);
            if x < (1u64 << 63) {
                break;
            }
        }
        if negative {
            !(x as i64)
        } else {
            x as i64
        }
    }
}

/// [`KeyRemap::remap`] with a one-off permutation (use a [`KeyRemap`] for many values).
pub fn remap_i64(sub: &[u8; 32], v: i64) -> i64 {
    KeyRemap::new(sub).remap(v)
}

/// FF1 (NIST SP 800-38G) over the decimal digits of `digits`, radix 10. Refuses fewer than 6
/// digits: the draft revision requires a domain of at least a million values.
pub fn ff1_encrypt_digits(sub: &[u8; 32], digits: &[u16]) -> Result<Vec<u16>, String> {
    ff1(sub, digits, true)
}

/// The inverse of [`ff1_encrypt_digits`], for key holders.
pub fn ff1_decrypt_digits(sub: &[u8; 32], digits: &[u16]) -> Result<Vec<u16>, String> {
    ff1(sub, digits, false)
}

fn ff1(sub: &[u8; 32], digits: &[u16], encrypt: bool) -> Result<Vec<u16>, String> {
    if digits.len() < 6 {
        return Err(format!(
            "{} digits give {} possible values; format-preserving encryption needs at least 1,000,000",
            digits.len(),
            10u64.pow(digits.len() as u32)
        ));
    }
    let f = FF1::<Aes256>::new(sub, 10).map_err(|e| format!("{e:?}"))?;
    let ns = FlexibleNumeralString::from(digits.to_vec());
    let out = if encrypt { f.encrypt(&[], &ns) } else { f.decrypt(&[], &ns) }.map_err(|e| format!("{e:?}"))?;
    Ok(Vec::from(out))
}

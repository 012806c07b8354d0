//! A Merkle tree over the audit log (RFC 9162 §2.1): leaf `i` is SHA-256(0x00 ‖ hash of log
//! entry `i`), a node SHA-256(0x01 ‖ left ‖ right). The registry keeps the hash of every complete,
//! aligned subtree (level `l`, position `j`: leaves `j·2^l … (j+1)·2^l − 1`), added as entries are
//! appended, so the root of any tree size and consistency proofs between two sizes take
//! O(log² n) lookups. Checkpoints sign the size and root; a consumer that saw one checkpoint
//! can check a later one extends it (the log was only appended to) with [`verify_consistency`].

use sha2::{Digest as _, Sha256};

use crate::RegistryError;

pub type Hash = [u8; 32];

pub fn leaf_hash(entry_hash_hex: &str) -> Result<Hash, RegistryError> {
    let bytes = unhex(entry_hash_hex)?;
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(bytes);
    Ok(h.finalize().into())
}

pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

pub fn unhex(s: &str) -> Result<Hash, RegistryError> {
    let bad = || RegistryError::Signature(format!("`{}` is not a sha256 in hex", s.escape_debug()));
    if s.len() != 64 {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * i..2 * i + 2).ok_or_else(bad)?, 16).map_err(|_| bad())?;
    }
    Ok(out)
}

pub fn hex(h: &Hash) -> String {
    steward_signing::hex(h)
}

/// The largest power of two smaller than `n` (n ≥ 2).
fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// Where subtree hashes come from: the database, or (in tests) memory.
pub trait Nodes {
    /// The hash of the complete subtree at `level`, position `j`.
    fn node(&mut self, level: u32, j: u64) -> Result<Hash, RegistryError>;
}

/// MTH(D[a:b]) per RFC 9162, from stored complete subtrees.
pub fn range_hash(nodes: &mut dyn Nodes, a: u64, b: u64) -> Result<Hash, RegistryError> {
    let n = b - a;
    if n == 1 {
        return nodes.node(0, a);
    }
    if n.is_power_of_two() && a.is_multiple_of(n) {
        return nodes.node(n.trailing_zeros(), a / n);
    }
    let k = split(n);
    Ok(node_hash(&range_hash(nodes, a, a + k)?, &range_hash(nodes, a + k, b)?))
}

/// The root of the tree of the first `size` entries.
pub fn root(nodes: &mut dyn Nodes, size: u64) -> Result<Hash, RegistryError> {
    if size == 0 {
        return Ok(Sha256::digest([]).into());
    }
    range_hash(nodes, 0, size)
}

/// The consistency proof from tree size `m` to size `n` (0 < m ≤ n), RFC 9162 §2.1.4.1.
pub fn consistency_proof(nodes: &mut dyn Nodes, m: u64, n: u64) -> Result<Vec<Hash>, RegistryError> {
    fn sub(
        nodes: &mut dyn Nodes,
        m: u64,
        a: u64,
        b: u64,
        complete: bool,
        out: &mut Vec<Hash>,
    ) -> Result<(), RegistryError> {
        let n = b - a;
        if m == n {
            if !complete {
                out.push(range_hash(nodes, a, b)?);
            }
            return Ok(());
        }
        let k = split(n);
        if m <= k {
            sub(nodes, m, a, a + k, complete, out)?;
            out.push(range_hash(nodes, a + k, b)?);
        } else {
            sub(nodes, m - k, a + k, b, false, out)?;
            out.push(range_hash(nodes, a, a + k)?);
        }
        Ok(())
    }
    let mut out = vec![];
    if m < n {
        sub(nodes, m, 0, n, true, &mut out)?;
    }
    Ok(out)
}

/// Checks that the tree of size `n` with root `new` extends the tree of size `m` with root
/// `old`, given `proof` (RFC 9162 §2.1.4.2).
pub fn verify_consistency(m: u64, n: u64, old: &Hash, new: &Hash, proof: &[Hash]) -> Result<(), RegistryError> {
    let bad =
        |why: &str| RegistryError::Signature(format!("log of size {n} does not extend the one of size {m}: {why}"));
    if m > n || m == 0 {
        return Err(bad("sizes out of order"));
    }
    if m == n {
        return if proof.is_empty() && old == new { Ok(()) } else { Err(bad("different roots")) };
    }
    let mut path: Vec<Hash> = proof.to_vec();
    if m.is_power_of_two() {
        path.insert(0, *old);
    }
    let (first, rest) = path.split_first().ok_or_else(|| bad("empty proof"))?;
    let (mut fn_, mut sn) = (m - 1, n - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if sn == 0 {
            return Err(bad("proof too long"));
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(bad("proof too short"));
    }
    if fr != *old || sr != *new {
        return Err(bad("the roots do not match"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Mem(Vec<Hash>);

    impl Nodes for Mem {
        fn node(&mut self, level: u32, j: u64) -> Result<Hash, RegistryError> {
            let size = 1u64 << level;
            let (a, b) = (j * size, (j + 1) * size);
            assert!(b as usize <= self.0.len(), "only complete subtrees are asked for");
            Ok(naive(&self.0[a as usize..b as usize]))
        }
    }

    /// MTH straight from RFC 9162.
    fn naive(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => Sha256::digest([]).into(),
            1 => leaves[0],
            n => {
                let k = split(n as u64) as usize;
                node_hash(&naive(&leaves[..k]), &naive(&leaves[k..]))
            }
        }
    }

    #[test]
    fn roots_and_consistency_proofs_follow_rfc_9162() {
        let leaves: Vec<Hash> = (0..70u8).map(|i| leaf_hash(&hex(&Sha256::digest([i]).into())).unwrap()).collect();
        let mut mem = Mem(leaves.clone());
        for n in 1..=leaves.len() as u64 {
            let new = root(&mut mem, n).unwrap();
            assert_eq!(new, naive(&leaves[..n as usize]));
            for m in 1..=n {
                let old = naive(&leaves[..m as usize]);
                let proof = consistency_proof(&mut mem, m, n).unwrap();
                verify_consistency(m, n, &old, &new, &proof).unwrap_or_else(|e| panic!("{m} → {n}: {e}"));
                if m < n {
                    // Another history of the first m entries does not pass.
                    let mut forked = leaves[..n as usize].to_vec();
                    forked[(m - 1) as usize] = leaf_hash(&hex(&[9u8; 32])).unwrap();
                    assert!(verify_consistency(m, n, &naive(&forked[..m as usize]), &new, &proof).is_err());
                    assert!(verify_consistency(m, n, &old, &naive(&forked), &proof).is_err());
                    if !proof.is_empty() {
                        assert!(verify_consistency(m, n, &old, &new, &proof[1..]).is_err());
                    }
                }
            }
        }
        // A known value: RFC 6962's test vectors use other leaves; check the empty tree instead.
        assert_eq!(
            hex(&root(&mut mem, 0).unwrap()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}

"""Synthetic substitution, Steward vs Python Faker, side by side in one run.

Both replace the same N person names (row i holds `name_of(i)`, as in
crates/privacy/examples/throughput.rs) with a deterministic fake name: Faker seeded per value from
a keyed BLAKE2 hash of the input (its documented way to get repeatable values), Steward with its
`fake` rule. Steward's figure comes from its own run over 1M rows; Faker runs on FAKER_ROWS values
(default 200,000) and is reported per second.
"""
import hashlib
import json
import subprocess
import sys
import time

from faker import Faker

throughput, rows = sys.argv[1], int(sys.argv[2])
faker_rows = int(sys.argv[3]) if len(sys.argv) > 3 else 200_000
FIRST = ["Zoë", "Jan", "Amélie", "Jürgen", "Maria", "João", "Noah", "Emma"]
LAST = ["Ærø", "Smit", "Dubois", "Müller", "Rossi", "Silva", "Brown", "Jansen"]
name_of = lambda i: f"{FIRST[i % 8]} {LAST[(i // 8) % 8]} {i}"

steward = json.loads(subprocess.run([throughput, str(rows)], capture_output=True, text=True, check=True).stdout)

fake = Faker("en_US")
key = bytes([42] * 32)
inputs = [name_of(i) for i in range(faker_rows)]
t = time.perf_counter()
out = []
for v in inputs:
    fake.seed_instance(int.from_bytes(hashlib.blake2b(v.encode(), key=key, digest_size=8).digest(), "little"))
    out.append(fake.name())
faker_s = time.perf_counter() - t
faker_rate = faker_rows / faker_s

print(f"rows: {steward['rows']:,} on {steward['threads']} threads")
print(f"masking mix (6 PII columns: key remap, fake name, keyed pseudonym, 2 partial, age band):")
print(f"  {steward['mix_seconds']:.2f} s -> {steward['mix_values_per_second'] / 1e6:.1f}M masked values/s")
print(f"fake names: Steward {steward['fake_names_per_second']:,.0f}/s, Faker {faker_rate:,.0f}/s "
      f"({faker_rows:,} values in {faker_s:.1f} s) -> Steward {steward['fake_names_per_second'] / faker_rate:.0f}x faster")
print(f"k-anonymity over 4 quasi-identifiers on {steward['rows']:,} rows: {steward['kanon_seconds']:.2f} s "
      f"(k = {steward['k']}, {steward['classes']:,} classes)")

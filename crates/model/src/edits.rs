//! Property test: random edits of the kinds the modeller makes, on every definition the project
//! ships and on one whose keys a person ordered differently, each change their own line and no
//! other; an unchanged save is the file itself, byte for byte.

use std::path::Path;

use super::*;

/// A small deterministic generator (no seed files, the same edits on every run).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// Every field of a definition, at every depth, lookups included.
fn fields(def: &mut ProductDefinition) -> Vec<&mut Field> {
    fn of_related<'a>(r: &'a mut Related, out: &mut Vec<&'a mut Field>) {
        out.extend(r.fields.iter_mut());
        for l in r.reference.iter_mut() {
            out.extend(l.fields.iter_mut());
        }
        for c in r.related.iter_mut() {
            of_related(c, out);
        }
    }
    let mut out: Vec<&mut Field> = def.entity.fields.iter_mut().collect();
    for l in def.reference.iter_mut() {
        out.extend(l.fields.iter_mut());
    }
    for r in def.related.iter_mut() {
        of_related(r, &mut out);
    }
    out
}

/// The definitions the project ships, and the sample with its privacy checks ordered by hand.
fn texts() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data/products");
    let mut out = vec![];
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
        }
    }
    let (_, sample) = out.iter().find(|(p, _)| p.ends_with("customer360.yaml")).unwrap().clone();
    let reordered = sample.replacen("      min_k: 2\n      max_leaks: 0\n", "      max_leaks: 0\n      min_k: 2\n", 1);
    assert_ne!(reordered, sample, "the sample's checks are where this test expects them");
    out.push(("customer360 with max_leaks before min_k".into(), reordered));
    out
}

/// Lines that differ, as (before, after); the texts must have the same number of lines.
fn changed<'a>(before: &'a str, after: &'a str) -> Vec<(&'a str, &'a str)> {
    assert_eq!(before.lines().count(), after.lines().count(), "an edit of one value added or removed lines:\n{after}");
    before.lines().zip(after.lines()).filter(|(a, b)| a != b).collect()
}

#[test]
fn each_edit_changes_only_its_own_line_and_unchanged_saves_are_the_file() {
    let mut rng = Lcg(20241201);
    let types = [FieldType::Str, FieldType::I64, FieldType::F64, FieldType::Bool, FieldType::Date, FieldType::Datetime];
    for (name, text) in texts() {
        let def = parse(&text, Path::new(&name)).unwrap();
        let again = to_yaml_replacing(&def, &text);
        assert!(again == text, "{name}: an unchanged save rewrote {:#?}", changed(&text, &again));
        for round in 0..150 {
            let mut edited = def.clone();
            // What the edit touches: a token its line must hold.
            let token = match rng.below(5) {
                0 => {
                    let mut all = fields(&mut edited);
                    let n = all.len();
                    let f = &mut all[rng.below(n)];
                    let now = f.field_type;
                    f.field_type = Some(
                        types.iter().copied().find(|t| Some(*t) != now && rng.below(2) == 0).unwrap_or(FieldType::Str),
                    );
                    if f.field_type == now {
                        continue;
                    }
                    format!("column: {}", f.column)
                }
                1 => {
                    let mut all = fields(&mut edited);
                    let n = all.len();
                    let f = &mut all[rng.below(n)];
                    f.description = Some(format!("note {round}"));
                    format!("column: {}", f.column)
                }
                2 => {
                    let Some(p) = edited.masking.values_mut().nth(rng.below(def.masking.len())) else { continue };
                    p.description = Some(format!("profile note {round}"));
                    format!("profile note {round}")
                }
                3 => {
                    let Some(checks) = edited.masking.values_mut().find_map(|p| p.checks.as_mut()) else { continue };
                    checks.max_leaks = Some(checks.max_leaks.unwrap_or(0) + 1 + rng.below(9) as u64);
                    "max_leaks:".to_string()
                }
                _ => {
                    edited.metadata.version = format!("1.{round}.0");
                    format!("version: 1.{round}.0")
                }
            };
            let written = to_yaml_replacing(&edited, &text);
            let lines = changed(&text, &written);
            assert_eq!(lines.len(), 1, "{name}, round {round}: one value changed, but these lines did: {lines:#?}");
            assert!(
                lines[0].1.contains(&token),
                "{name}, round {round}: the changed line is not the edit's: {lines:?}"
            );
            assert_eq!(
                parse(&written, Path::new(&name)).unwrap(),
                edited,
                "{name}, round {round}: the edit reads back"
            );
        }
    }
}

//! The semantic difference between two versions of a product definition, as a consumer of the
//! product feels it: fields added, removed or retyped, keys, relationships, quality rules, and
//! masking weakened or strengthened — with the semver bump it calls for.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{Derived, Field, MaskingProfile, MaskingRule, ProductDefinition, QualityRule};

/// How much a change matters to consumers, and the version bump it calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// Nothing a consumer sees changed.
    None,
    /// Descriptions, owner, tags.
    Patch,
    /// Added fields, tables, rules or profiles: existing consumers keep working.
    Minor,
    /// Removed or retyped fields, changed keys or joins, removed guarantees: consumers break.
    Major,
}

impl Bump {
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// One change, where it is, and what it calls for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// `entity.fields[email]`, `related[orders].join`, `quality[3]`, `masking[analytics].email`.
    pub path: String,
    /// `added`, `removed`, `retyped`, `changed`, `weakened`, `strengthened`.
    pub kind: String,
    pub message: String,
    pub bump: Bump,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub product: String,
    pub from_version: String,
    pub to_version: String,
    pub changes: Vec<Change>,
    /// The bump the changes call for.
    pub suggested: Bump,
    /// The bump from `from_version` to `to_version` (`None` when it does not increase).
    pub actual: Option<Bump>,
    /// Masking got weaker somewhere: a privacy officer should review before consumers get it.
    pub privacy_review: bool,
}

impl Diff {
    /// The version does not increase enough for the changes: a breaking change needs a major
    /// bump (a minor one below 1.0.0), an addition a minor one.
    pub fn under_bumped(&self) -> bool {
        match self.actual {
            None => true,
            Some(a) => a < self.required(),
        }
    }

    /// The smallest bump that publishing these changes takes.
    pub fn required(&self) -> Bump {
        let pre_1 = semver::Version::parse(&self.from_version).map(|v| v.major == 0).unwrap_or(false);
        match self.suggested {
            // Below 1.0.0 a minor bump may break (semver's rule for initial development).
            Bump::Major if pre_1 => Bump::Minor,
            b => b,
        }
    }
}

/// The bump from `from` to `to`, or `None` when `to` is not greater (or either is not semver).
pub fn bump_between(from: &str, to: &str) -> Option<Bump> {
    let (a, b) = (semver::Version::parse(from).ok()?, semver::Version::parse(to).ok()?);
    if b <= a {
        return None;
    }
    Some(if b.major > a.major {
        Bump::Major
    } else if b.minor > a.minor {
        Bump::Minor
    } else {
        Bump::Patch
    })
}

/// The semantic difference from `old` to `new`.
pub fn diff(old: &ProductDefinition, new: &ProductDefinition) -> Diff {
    let mut d = Differ { out: vec![] };
    d.metadata(old, new);
    d.key(old, new);
    d.fields("entity", &old.entity.fields, &new.entity.fields, &old.entity.derived, &new.entity.derived);
    if old.entity.source != new.entity.source {
        d.push(
            "entity.source",
            "changed",
            format!("source `{}` → `{}`", old.entity.source, new.entity.source),
            Bump::Minor,
        );
    }
    d.tables(old, new);
    d.quality(&old.quality, &new.quality);
    d.masking(&old.masking, &new.masking);
    let suggested = d.out.iter().map(|c| c.bump).max().unwrap_or(Bump::None);
    let privacy_review = d.out.iter().any(|c| c.kind == "weakened");
    Diff {
        product: new.metadata.name.clone(),
        from_version: old.metadata.version.clone(),
        to_version: new.metadata.version.clone(),
        changes: d.out,
        suggested,
        actual: bump_between(&old.metadata.version, &new.metadata.version),
        privacy_review,
    }
}

struct Differ {
    out: Vec<Change>,
}

/// A related or reference table at any depth, as the diff compares them.
struct Table<'a> {
    kind: &'static str,
    /// Where it is: `related[invoices].related[lines]`; tables match by it.
    at: String,
    /// How people name it: `invoices.lines`.
    name: String,
    source: &'a str,
    join: &'a [crate::JoinPair],
    cardinality: Option<crate::Cardinality>,
    fields: &'a [Field],
    derived: &'a [Derived],
}

impl<'a> Table<'a> {
    fn all(def: &'a ProductDefinition) -> Vec<Table<'a>> {
        let tree = def.tree();
        let related = tree.nodes.iter().map(|n| Table {
            kind: "related",
            at: tree.ats[n.index].clone(),
            name: tree.paths[n.index].clone(),
            source: &n.table.source,
            join: &n.table.join,
            cardinality: Some(n.table.cardinality),
            fields: &n.table.fields,
            derived: &n.table.derived,
        });
        let reference = tree.lookups.iter().map(|l| Table {
            kind: "reference",
            at: l.at.clone(),
            name: match l.owner {
                None => l.reference.name.clone(),
                Some(o) => format!("{}.{}", tree.paths[o], l.reference.name),
            },
            source: &l.reference.source,
            join: &l.reference.join,
            cardinality: None,
            fields: &l.reference.fields,
            derived: &[],
        });
        related.chain(reference).collect()
    }
}

fn type_of(t: Option<crate::FieldType>) -> &'static str {
    t.map(|t| t.as_str()).unwrap_or("as in the source")
}

impl Differ {
    fn push(&mut self, path: impl Into<String>, kind: &str, message: String, bump: Bump) {
        self.out.push(Change { path: path.into(), kind: kind.to_string(), message, bump });
    }

    fn metadata(&mut self, old: &ProductDefinition, new: &ProductDefinition) {
        let (a, b) = (&old.metadata, &new.metadata);
        if a.domain != b.domain {
            self.push("metadata.domain", "changed", format!("domain `{}` → `{}`", a.domain, b.domain), Bump::Major);
        }
        if a.owner != b.owner {
            self.push("metadata.owner", "changed", format!("owner `{}` → `{}`", a.owner, b.owner), Bump::Patch);
        }
        if a.description != b.description {
            self.push("metadata.description", "changed", "description changed".into(), Bump::Patch);
        }
        if a.tags != b.tags {
            self.push(
                "metadata.tags",
                "changed",
                format!("tags [{}] → [{}]", a.tags.join(", "), b.tags.join(", ")),
                Bump::Patch,
            );
        }
        if old.entity.name != new.entity.name {
            self.push(
                "entity.name",
                "changed",
                format!("entity `{}` → `{}`", old.entity.name, new.entity.name),
                Bump::Patch,
            );
        }
    }

    fn key(&mut self, old: &ProductDefinition, new: &ProductDefinition) {
        let (a, b) = (old.entity.key.names(), new.entity.key.names());
        if a != b {
            self.push(
                "entity.key",
                "changed",
                format!("instance key ({}) → ({})", a.join(", "), b.join(", ")),
                Bump::Major,
            );
        }
    }

    fn fields(&mut self, table: &str, old: &[Field], new: &[Field], old_d: &[Derived], new_d: &[Derived]) {
        // name → (type, what it is computed from)
        let shape = |fs: &[Field], ds: &[Derived]| -> BTreeMap<String, (&'static str, String)> {
            let mut m: BTreeMap<String, (&'static str, String)> = fs
                .iter()
                .map(|f| (f.name().to_string(), (type_of(f.field_type), format!("column `{}`", f.column))))
                .collect();
            for d in ds {
                m.insert(d.name.clone(), (type_of(d.field_type), format!("`{}`", d.sql)));
            }
            m
        };
        let (a, b) = (shape(old, old_d), shape(new, new_d));
        for (name, (t, from)) in &a {
            let path = format!("{table}.fields[{name}]");
            match b.get(name) {
                None => self.push(path, "removed", format!("field `{name}` removed"), Bump::Major),
                Some((t2, _)) if t2 != t => {
                    self.push(path, "retyped", format!("field `{name}`: {t} → {t2}"), Bump::Major)
                }
                Some((_, from2)) if from2 != from => {
                    self.push(path, "changed", format!("field `{name}` now from {from2} (was {from})"), Bump::Minor)
                }
                _ => {}
            }
        }
        for (name, (t, _)) in &b {
            if !a.contains_key(name) {
                self.push(
                    format!("{table}.fields[{name}]"),
                    "added",
                    format!("field `{name}` ({t}) added"),
                    Bump::Minor,
                );
            }
        }
    }

    fn tables(&mut self, old: &ProductDefinition, new: &ProductDefinition) {
        let joins = |j: &[crate::JoinPair]| {
            j.iter().map(|p| format!("{} = {}", p.parent, p.child)).collect::<Vec<_>>().join(", ")
        };
        let (before, after) = (Table::all(old), Table::all(new));
        for r in &before {
            let path = r.at.clone();
            let Some(n) = after.iter().find(|x| x.at == r.at) else {
                self.push(path, "removed", format!("{} table `{}` removed", r.kind, r.name), Bump::Major);
                continue;
            };
            if n.join != r.join {
                let message = format!("join ({}) → ({})", joins(r.join), joins(n.join));
                self.push(format!("{path}.join"), "changed", message, Bump::Major);
            }
            if n.cardinality != r.cardinality {
                let name = |c: Option<crate::Cardinality>| match c {
                    Some(crate::Cardinality::OneToOne) => "one_to_one",
                    Some(crate::Cardinality::OneToMany) => "one_to_many",
                    None => "none",
                };
                let message = format!("cardinality {} → {}", name(r.cardinality), name(n.cardinality));
                self.push(format!("{path}.cardinality"), "changed", message, Bump::Major);
            }
            if n.source != r.source {
                let message = format!("source `{}` → `{}`", r.source, n.source);
                self.push(format!("{path}.source"), "changed", message, Bump::Minor);
            }
            self.fields(&path, r.fields, n.fields, r.derived, n.derived);
        }
        for n in &after {
            if !before.iter().any(|r| r.at == n.at) {
                let message = format!("{} table `{}` added", n.kind, n.name);
                self.push(n.at.clone(), "added", message, Bump::Minor);
            }
        }
    }

    fn quality(&mut self, old: &[QualityRule], new: &[QualityRule]) {
        let text = |q: &QualityRule| serde_json::to_string(q).unwrap_or_default();
        for q in old {
            if !new.contains(q) {
                self.push("quality", "removed", format!("quality rule removed: {}", text(q)), Bump::Major);
            }
        }
        for q in new {
            if !old.contains(q) {
                self.push("quality", "added", format!("quality rule added: {}", text(q)), Bump::Minor);
            }
        }
    }

    fn masking(&mut self, old: &BTreeMap<String, MaskingProfile>, new: &BTreeMap<String, MaskingProfile>) {
        for (name, p) in old {
            let path = format!("masking[{name}]");
            let Some(n) = new.get(name) else {
                self.push(path, "removed", format!("masking profile `{name}` removed"), Bump::Major);
                continue;
            };
            if p.key_version != n.key_version {
                self.push(
                    format!("{path}.key_version"),
                    "changed",
                    format!(
                        "key version {} → {}: every masked value changes",
                        p.key_version.unwrap_or(1),
                        n.key_version.unwrap_or(1)
                    ),
                    Bump::Major,
                );
            }
            self.masking_rules(&path, &p.rules, &n.rules);
            self.checks(&path, p, n);
        }
        for name in new.keys() {
            if !old.contains_key(name) {
                self.push(format!("masking[{name}]"), "added", format!("masking profile `{name}` added"), Bump::Minor);
            }
        }
    }

    fn masking_rules(&mut self, path: &str, old: &[MaskingRule], new: &[MaskingRule]) {
        let target = |r: &MaskingRule| match (&r.field, &r.tag) {
            (Some(f), _) => f.clone(),
            (None, Some(t)) => format!("tag:{t}"),
            _ => "?".into(),
        };
        // The first rule on a target is the one that applies.
        let by_target = |rs: &[MaskingRule]| {
            let mut m: BTreeMap<String, MaskingRule> = BTreeMap::new();
            for r in rs {
                m.entry(target(r)).or_insert_with(|| r.clone());
            }
            m
        };
        let (a, b) = (by_target(old), by_target(new));
        let describe = |r: &MaskingRule| {
            let params = r.params();
            if params.is_empty() {
                r.rule().to_string()
            } else {
                format!("{} {}", r.rule(), serde_json::to_string(&params).unwrap_or_default())
            }
        };
        for (t, r) in &a {
            let at = format!("{path}.{t}");
            match b.get(t) {
                // Consumers get more than before: nothing breaks for them, but privacy review.
                None => self.push(at, "weakened", format!("`{t}` no longer masked (was {})", describe(r)), Bump::Minor),
                Some(n) if n == r => {}
                Some(n) => {
                    let (s1, s2) = (r.masking.strength(), n.masking.strength());
                    let same = n.rule() == r.rule();
                    let kind = if s2 < s1 || (same && n.masking.looser_than(&r.masking)) {
                        "weakened"
                    } else if s2 > s1 || (same && r.masking.looser_than(&n.masking)) {
                        "strengthened"
                    } else {
                        // Another rule of the same strength, or other parameters: a privacy
                        // officer should look, so treat it as weaker until reviewed.
                        "weakened"
                    };
                    // Stronger masking takes away values consumers had: breaking. Weaker: review.
                    let bump = if kind == "strengthened" { Bump::Major } else { Bump::Minor };
                    self.push(at, kind, format!("`{t}`: {} → {}", describe(r), describe(n)), bump);
                }
            }
        }
        for (t, n) in &b {
            if !a.contains_key(t) {
                self.push(
                    format!("{path}.{t}"),
                    "strengthened",
                    format!("`{t}` now masked ({})", describe(n)),
                    Bump::Major,
                );
            }
        }
    }

    fn checks(&mut self, path: &str, old: &MaskingProfile, new: &MaskingProfile) {
        let (a, b) = (old.checks.clone().unwrap_or_default(), new.checks.clone().unwrap_or_default());
        let lower = |x: Option<u64>, y: Option<u64>| match (x, y) {
            (Some(x), Some(y)) => y < x,
            (Some(_), None) => true,
            _ => false,
        };
        let mut weaker = vec![];
        if lower(a.min_k, b.min_k) {
            weaker.push(format!("min_k {:?} → {:?}", a.min_k, b.min_k));
        }
        if lower(a.min_l, b.min_l) {
            weaker.push(format!("min_l {:?} → {:?}", a.min_l, b.min_l));
        }
        // A higher leak allowance is weaker.
        let higher = |x: Option<u64>, y: Option<u64>| match (x, y) {
            (Some(x), Some(y)) => y > x,
            (Some(_), None) => true,
            _ => false,
        };
        if higher(a.max_leaks, b.max_leaks) {
            weaker.push(format!("max_leaks {:?} → {:?}", a.max_leaks, b.max_leaks));
        }
        if higher(a.max_uncovered, b.max_uncovered) {
            weaker.push(format!("max_uncovered {:?} → {:?}", a.max_uncovered, b.max_uncovered));
        }
        if !weaker.is_empty() {
            self.push(
                format!("{path}.checks"),
                "weakened",
                format!("thresholds relaxed: {}", weaker.join(", ")),
                Bump::Minor,
            );
        } else if a != b {
            self.push(format!("{path}.checks"), "changed", "thresholds changed".into(), Bump::Patch);
        }
    }
}

//! Writes definitions as YAML a person would write: block mappings for the structure, one line
//! per field or rule (`- { column: email, type: str }`), short lists inline, and strings quoted
//! only when they have to be. Saving an unchanged definition reproduces the file, so edits made
//! in the modeller show up in git as the lines that changed and nothing else.

use serde_norway::Value;

/// Longest line written in flow style before falling back to block style.
const MAX_FLOW: usize = 120;

/// The definition as YAML text, after `header` (comment lines kept from the file it replaces).
pub fn emit(value: &Value, header: &str) -> String {
    let mut out = String::from(header);
    if let Value::Mapping(m) = value {
        block_mapping(m, 0, &mut out);
    } else {
        out.push_str(&flow(value));
        out.push('\n');
    }
    out
}

/// `value` with its mappings' keys in the order `before` (the file it replaces) has them, at
/// every depth: the keys `before` has keep its order among themselves, new keys take their usual
/// places. List items are matched by their name (`name`, `field`, `column`, `source`), else by
/// position.
pub fn in_order_of(value: Value, before: &Value) -> Value {
    match (value, before) {
        (Value::Mapping(m), Value::Mapping(b)) => {
            let mut entries: Vec<(Value, Value)> = m.into_iter().collect();
            // The places of the keys `before` has are filled with those keys in its order; new
            // keys keep their own places (`as` between `column` and `type`).
            let known: Vec<usize> = (0..entries.len()).filter(|&i| b.contains_key(&entries[i].0)).collect();
            let mut moved: Vec<(Value, Value)> = known.iter().map(|&i| entries[i].clone()).collect();
            moved.sort_by_key(|(k, _)| b.keys().position(|x| x == k));
            for (slot, entry) in known.into_iter().zip(moved) {
                entries[slot] = entry;
            }
            entries
                .into_iter()
                .map(|(k, v)| {
                    let v = match b.get(&k) {
                        Some(old) => in_order_of(v, old),
                        None => v,
                    };
                    (k, v)
                })
                .collect::<serde_norway::Mapping>()
                .into()
        }
        (Value::Sequence(items), Value::Sequence(b)) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                let same = identity(&item).and_then(|id| b.iter().find(|x| identity(x).as_ref() == Some(&id)));
                match same.or_else(|| b.get(i)) {
                    Some(old) => in_order_of(item, old),
                    None => item,
                }
            })
            .collect::<Vec<_>>()
            .into(),
        (v, _) => v,
    }
}

/// What names a list item: its `name`, `field`, `column` or `source`, with which key it was.
fn identity(v: &Value) -> Option<(String, Value)> {
    let Value::Mapping(m) = v else { return None };
    ["name", "field", "column", "source"].into_iter().find_map(|k| m.get(k).map(|x| (k.to_string(), x.clone())))
}

/// The leading comment and blank lines of a YAML text, which a rewrite keeps.
pub fn header_of(text: &str) -> String {
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with('#') || t.trim().is_empty() {
            out.push_str(line);
        } else {
            break;
        }
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Mapping(_) | Value::Sequence(_) | Value::Tagged(_))
}

/// A mapping or list that fits on one line: scalars, or lists of scalars.
fn is_flat(v: &Value) -> bool {
    match v {
        Value::Mapping(m) => {
            m.iter().all(|(k, v)| is_scalar(k) && (is_scalar(v) || is_scalar_list(v) || is_leaf_map(v)))
        }
        Value::Sequence(s) => s.iter().all(is_scalar),
        _ => true,
    }
}

/// A mapping of scalars (a rule's `params: { kind: email }`), written inline inside a flat item.
fn is_leaf_map(v: &Value) -> bool {
    matches!(v, Value::Mapping(m) if m.iter().all(|(k, v)| is_scalar(k) && (is_scalar(v) || is_scalar_list(v))))
}

fn is_scalar_list(v: &Value) -> bool {
    matches!(v, Value::Sequence(s) if s.iter().all(is_scalar))
}

fn indent(n: usize, out: &mut String) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn block_mapping(m: &serde_norway::Mapping, depth: usize, out: &mut String) {
    for (k, v) in m {
        indent(depth, out);
        out.push_str(&scalar(k, false));
        out.push(':');
        value_after_key(v, depth, out);
    }
}

fn value_after_key(v: &Value, depth: usize, out: &mut String) {
    match v {
        Value::Mapping(m) if m.is_empty() => out.push_str(" {}\n"),
        Value::Sequence(s) if s.is_empty() => out.push_str(" []\n"),
        Value::Mapping(m) => {
            out.push('\n');
            block_mapping(m, depth + 2, out);
        }
        Value::Sequence(s) => {
            let inline = flow(v);
            if is_scalar_list(v) && depth + inline.len() < MAX_FLOW {
                out.push(' ');
                out.push_str(&inline);
                out.push('\n');
            } else {
                out.push('\n');
                block_sequence(s, depth + 2, out);
            }
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other, false));
            out.push('\n');
        }
    }
}

fn block_sequence(s: &[Value], depth: usize, out: &mut String) {
    for item in s {
        indent(depth, out);
        out.push('-');
        match item {
            Value::Mapping(m) if !m.is_empty() => {
                let inline = flow(item);
                if is_flat(item) && depth + 2 + inline.len() <= MAX_FLOW {
                    out.push(' ');
                    out.push_str(&inline);
                    out.push('\n');
                } else {
                    // `- name: orders` then the other keys aligned under it.
                    let mut first = true;
                    for (k, v) in m {
                        if first {
                            out.push(' ');
                            first = false;
                        } else {
                            indent(depth + 2, out);
                        }
                        out.push_str(&scalar(k, false));
                        out.push(':');
                        value_after_key(v, depth + 2, out);
                    }
                }
            }
            Value::Sequence(inner) if !inner.is_empty() => {
                out.push('\n');
                block_sequence(inner, depth + 2, out);
            }
            other => {
                out.push(' ');
                out.push_str(&flow(other));
                out.push('\n');
            }
        }
    }
}

/// A value on one line, in YAML flow style.
fn flow(v: &Value) -> String {
    match v {
        Value::Mapping(m) if m.is_empty() => "{}".into(),
        Value::Mapping(m) => {
            let parts: Vec<String> = m.iter().map(|(k, v)| format!("{}: {}", scalar(k, true), flow(v))).collect();
            format!("{{ {} }}", parts.join(", "))
        }
        Value::Sequence(s) => format!("[{}]", s.iter().map(flow).collect::<Vec<_>>().join(", ")),
        Value::Tagged(t) => format!("{} {}", t.tag, flow(&t.value)),
        other => scalar(other, true),
    }
}

fn scalar(v: &Value, in_flow: bool) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_f64() {
            // Whole floats as integers (`min: 0`): they read back as the same f64.
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        Value::String(s) => string(s, in_flow),
        other => flow(other),
    }
}

/// Words and forms YAML would read as something other than a string.
fn needs_quotes(s: &str, in_flow: bool) -> bool {
    const RESERVED: &[&str] = &["true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"];
    if s.is_empty() || s.trim() != s || RESERVED.contains(&s.to_ascii_lowercase().as_str()) {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if !(first.is_alphanumeric() || first == '_' || first == '/') {
        return true;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return true;
    }
    let special_in_flow = |c: char| matches!(c, ',' | '[' | ']' | '{' | '}');
    if s.chars().any(|c| {
        c.is_control()
            || matches!(c, '"' | '\'' | '\\' | '`' | '|' | '>' | '*' | '&' | '!' | '%' | '#')
            || (in_flow && special_in_flow(c))
    }) {
        return true;
    }
    // Numbers in any notation (`1.0`, `0x1F`, `1e3`): the parser decides what is not a string.
    !matches!(serde_norway::from_str::<Value>(s), Ok(Value::String(back)) if back == s)
}

fn string(s: &str, in_flow: bool) -> String {
    if !needs_quotes(s, in_flow) {
        return s.to_string();
    }
    // A JSON string is a valid YAML double-quoted scalar.
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(s: &str) {
        let v = Value::String(s.to_string());
        for text in [emit(&serde_norway::to_value(std::collections::BTreeMap::from([("k", s)])).unwrap(), ""), {
            let mut m = serde_norway::Mapping::new();
            m.insert(
                "list".into(),
                Value::Sequence(vec![serde_norway::to_value(std::collections::BTreeMap::from([
                    ("a", v.clone()),
                    ("b", Value::String("x".into())),
                ]))
                .unwrap()]),
            );
            emit(&Value::Mapping(m), "")
        }] {
            let back: Value = serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let found = match &back {
                Value::Mapping(m) => m
                    .get("k")
                    .cloned()
                    .or_else(|| m.get("list").and_then(|l| l.get(0)).and_then(|i| i.get("a")).cloned()),
                _ => None,
            };
            assert_eq!(found, Some(v.clone()), "{s:?} came back differently from:\n{text}");
        }
    }

    #[test]
    fn awkward_strings_come_back_unchanged() {
        for s in [
            "plain",
            "",
            " padded ",
            "true",
            "No",
            "null",
            "~",
            "1.0",
            "1.0.0",
            "-5",
            "+1",
            ".5",
            "1e3",
            "0x1F",
            "a: b",
            "a #b",
            "ends:",
            "#hash",
            "- dash",
            "[x]",
            "a, b",
            "{y}",
            "it's",
            "say \"hi\"",
            "back\\slash",
            "line\nbreak",
            "tab\tin",
            "Zoë Ærøskøbing",
            "@at",
            "*star",
            "&amp",
            "!bang",
            "%pct",
            "|pipe",
            ">gt",
            "`tick`",
            "first_name || ' ' || last_name",
            "^[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}$",
            "customer-data@example.com",
            "/abs/path",
            "?q",
        ] {
            round_trip(s);
        }
    }

    #[test]
    fn header_keeps_leading_comments_only() {
        let text = "# one\n#two\n\nsteward: x\n# later\n";
        assert_eq!(header_of(text), "# one\n#two\n\n");
        assert_eq!(header_of("steward: x\n"), "");
    }
}

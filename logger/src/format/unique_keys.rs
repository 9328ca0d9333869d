//! One name per key in a record's `fields`: a `log` key-value source may
//! yield the same key twice (`kv::Source` allows it), and a JSON object
//! with two equal keys loses one of them in most readers.
//!
//! The rule: the first field with a given key keeps it; each later one is
//! renamed `<key>#<n>`, with `n` the smallest number from 2 up that makes
//! a name no field of the record has (so `"dup":3,"dup#2":4`, and a field
//! literally named `dup#2` keeps its name while the copy becomes `dup#3`).
//! Every value is kept, in call order. Records without a repeated key, the
//! common case, cost one comparison per pair of keys (a set above
//! [`SMALL`] fields) and no allocation.

use std::borrow::Cow;
use std::collections::HashSet;

use crate::view::Field;

/// Up to this many fields, duplicates are looked for pair by pair.
const SMALL: usize = 32;

/// Renames repeated keys; keeps its allocations between records.
#[derive(Default)]
pub(crate) struct UniqueKeys {
    taken: HashSet<String>,
}

impl UniqueKeys {
    /// `None` when every key of `fields` is distinct (write them as they
    /// are), else the name to write for each field, in order.
    pub(crate) fn names<'a>(&mut self, fields: &[Field<'a>]) -> Option<Vec<Cow<'a, str>>> {
        if !has_repeat(fields) {
            return None;
        }
        self.taken.clear();
        self.taken.extend(fields.iter().map(|f| f.key.to_string()));
        let mut first_seen: HashSet<&str> = HashSet::with_capacity(fields.len());
        let names = fields
            .iter()
            .map(|f| {
                if first_seen.insert(f.key) {
                    return Cow::Borrowed(f.key);
                }
                let mut n = 2u32;
                loop {
                    let name = format!("{}#{n}", f.key);
                    if !self.taken.contains(&name) {
                        self.taken.insert(name.clone());
                        return Cow::Owned(name);
                    }
                    n += 1;
                }
            })
            .collect();
        Some(names)
    }
}

fn has_repeat(fields: &[Field<'_>]) -> bool {
    if fields.len() < 2 {
        return false;
    }
    if fields.len() <= SMALL {
        return fields
            .iter()
            .enumerate()
            .any(|(i, f)| fields[..i].iter().any(|g| g.key == f.key));
    }
    let mut seen = HashSet::with_capacity(fields.len());
    !fields.iter().all(|f| seen.insert(f.key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::Value;

    fn fields<'a>(keys: &[&'a str]) -> Vec<Field<'a>> {
        keys.iter()
            .map(|&key| Field {
                key,
                value: Value::Null,
            })
            .collect()
    }

    fn names(keys: &[&str]) -> Option<Vec<String>> {
        UniqueKeys::default()
            .names(&fields(keys))
            .map(|v| v.into_iter().map(Cow::into_owned).collect())
    }

    #[test]
    fn distinct_keys_are_left_alone() {
        assert_eq!(names(&[]), None);
        assert_eq!(names(&["a"]), None);
        assert_eq!(names(&["a", "b", "c"]), None);
        let many: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(names(&many), None);
    }

    #[test]
    fn repeats_get_the_next_free_suffix() {
        assert_eq!(names(&["dup", "dup"]).unwrap(), ["dup", "dup#2"]);
        assert_eq!(
            names(&["dup", "x", "dup", "dup"]).unwrap(),
            ["dup", "x", "dup#2", "dup#3"]
        );
        // A field already named like a suffix keeps its name.
        assert_eq!(
            names(&["dup", "dup", "dup#2"]).unwrap(),
            ["dup", "dup#3", "dup#2"]
        );
        assert_eq!(names(&["", ""]).unwrap(), ["", "#2"]);
    }

    #[test]
    fn repeats_among_many_fields() {
        let mut keys: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
        keys.push("k7".into());
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let got = names(&keys).unwrap();
        assert_eq!(got[100], "k7#2");
        assert_eq!(got[7], "k7");
    }
}

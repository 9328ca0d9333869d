//! "Did you mean ...?": the known name closest to a misspelt one, for the
//! errors of the filter spec and of the configuration file.
//!
//! The distance is the optimal string alignment distance (Levenshtein's
//! insertions, deletions and substitutions, plus the swap of two adjacent
//! characters, each costing 1), over `char`s, ASCII case ignored: `infoo`,
//! `ifno` and `INOF` are each 1 from `info`.

/// The optimal string alignment distance between `a` and `b` (ASCII case
/// ignored): the fewest single-character insertions, deletions,
/// substitutions and swaps of adjacent characters that turn one into the
/// other, no substring edited twice.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    // Three rows of the dynamic programming table: i-2, i-1 and i.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut row: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        row[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(row[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            row[j] = d;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut row);
    }
    prev[b.len()]
}

/// The candidate closest to `word` whose distance is at most
/// `max(candidate)` (a bound that may depend on the candidate's length),
/// or `None`; on a tie, the first in `candidates`' order. `word` equal to
/// a candidate (distance 0) is returned too: callers ask only about names
/// they did not recognise.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    max: impl Fn(&str) -> usize,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (distance(word, c), c))
        .filter(|&(d, c)| d <= max(c))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// The known key closest to the misspelt `key`: within 1 edit for keys of
/// up to 4 characters, 2 up to 8, 3 beyond (`levle` -> `level`,
/// `max_file_byte` -> `max_file_bytes`, `retention_day` -> `retention_days`).
pub(crate) fn closest_key<'a>(
    key: &str,
    known: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    closest(key, known, |k| match k.chars().count() {
        0..=4 => 1,
        5..=8 => 2,
        _ => 3,
    })
}

/// serde's error for an unknown key of a struct (`unknown field `levle`,
/// expected one of `dir`, `level`, ...`, `serde_json` adding ` at line 1
/// column 8`) with ` (did you mean `level`?)` after the unknown key when a
/// known key is close ([`closest_key`]); any other message unchanged.
pub(crate) fn hint_unknown_field(message: String) -> String {
    const HEAD: &str = "unknown field `";
    let Some(start) = message.find(HEAD) else {
        return message;
    };
    let name_start = start + HEAD.len();
    let Some(len) = message[name_start..].find('`') else {
        return message;
    };
    let name_end = name_start + len;
    let rest = &message[name_end + 1..];
    // serde names the known keys in backticks: "expected `a`",
    // "expected `a` or `b`", "expected one of `a`, `b`, ...".
    let Some(expected) = rest.strip_prefix(", expected ") else {
        return message;
    };
    let known = expected.split('`').skip(1).step_by(2);
    match closest_key(&message[name_start..name_end], known) {
        Some(key) => format!("{} (did you mean `{key}`?){rest}", &message[..=name_end]),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_count_each_kind_of_edit_once() {
        assert_eq!(distance("info", "info"), 0);
        assert_eq!(distance("infoo", "info"), 1); // insertion
        assert_eq!(distance("inf", "info"), 1); // deletion
        assert_eq!(distance("inf0", "info"), 1); // substitution
        assert_eq!(distance("ifno", "info"), 1); // adjacent swap
        assert_eq!(distance("INFO", "info"), 0); // ASCII case ignored
        assert_eq!(distance("", "warn"), 4);
        assert_eq!(distance("warn", ""), 4);
        assert_eq!(distance("debgu", "debug"), 1);
        assert_eq!(distance("degub", "debug"), 2); // not adjacent: two substitutions
        assert_eq!(distance("tracing", "trace"), 3);
        assert_eq!(distance("hyper", "error"), 4);
        assert_eq!(distance("crit", "critical"), 4);
        // Multi-byte characters count as one.
        assert_eq!(distance("débug", "debug"), 1);
    }

    #[test]
    fn distance_is_symmetric() {
        for (a, b) in [
            ("infoo", "info"),
            ("ca", "abc"),
            ("warp", "warn"),
            ("", "x"),
        ] {
            assert_eq!(distance(a, b), distance(b, a), "{a} {b}");
        }
    }

    #[test]
    fn closest_takes_the_nearest_within_its_bound_and_the_first_on_a_tie() {
        let names = ["warn", "warning", "error"];
        assert_eq!(closest("warnin", names, |_| 1), Some("warning"));
        assert_eq!(closest("wrn", names, |_| 1), Some("warn"));
        assert_eq!(closest("xyz", names, |_| 2), None);
        // "warm" is 1 from "warn" and 3 from "warning": the nearest wins.
        assert_eq!(closest("warm", names, |_| 3), Some("warn"));
        assert_eq!(closest("a", ["b", "c"], |_| 1), Some("b"));
    }

    #[test]
    fn an_unknown_field_gets_the_closest_known_key() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Keys {
            level: Option<String>,
            retention_days: Option<u32>,
            ring_bytes: Option<u32>,
        }
        let message = |json: &str| {
            hint_unknown_field(serde_json::from_str::<Keys>(json).unwrap_err().to_string())
        };
        assert_eq!(
            message(r#"{"levle": "info"}"#),
            "unknown field `levle` (did you mean `level`?), expected one of `level`, \
             `retention_days`, `ring_bytes` at line 1 column 8"
        );
        assert!(message(r#"{"retention_day": 1}"#).contains("(did you mean `retention_days`?)"));
        // Nothing close: serde's message as it was.
        assert_eq!(
            message(r#"{"colour": 1}"#),
            "unknown field `colour`, expected one of `level`, `retention_days`, `ring_bytes` \
             at line 1 column 9"
        );
        // serde's shorter lists.
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Two {
            name: Option<String>,
            level: Option<String>,
        }
        let e = serde_json::from_str::<Two>(r#"{"nme": 1}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected `name` or `level`"), "{e}");
        assert!(hint_unknown_field(e).contains("`nme` (did you mean `name`?)"));
        // Other errors are left alone.
        let e = "invalid type: string \"x\", expected u32".to_owned();
        assert_eq!(hint_unknown_field(e.clone()), e);
    }

    #[test]
    fn closest_key_allows_more_edits_for_longer_keys() {
        let keys = ["dir", "level", "max_file_bytes", "retention_days"];
        assert_eq!(closest_key("levle", keys), Some("level"));
        assert_eq!(closest_key("lvl", keys), Some("level")); // 2 edits, 5 characters
        assert_eq!(closest_key("lv", keys), None); // 3 edits
        assert_eq!(closest_key("dri", keys), Some("dir"));
        assert_eq!(closest_key("max_file_size", keys), None); // 4 edits
        assert_eq!(closest_key("max_file_byte", keys), Some("max_file_bytes"));
        assert_eq!(closest_key("retension_days", keys), Some("retention_days"));
        assert_eq!(closest_key("colour", keys), None);
    }
}

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
}

//! Byte-level helpers that walk JSON text without building values: the end of
//! a string, of a scalar, of a whole (nested) value. They never panic: every
//! index is checked, and malformed input gives `None`.

use memchr::{memchr2, memchr3};

/// `b[i]` must be `"`: returns the index just after the closing quote and
/// whether the string holds escapes.
#[inline]
pub(crate) fn string_end(b: &[u8], i: usize) -> Option<(usize, bool)> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let mut j = i + 1;
    // Keys, levels, kinds and targets end within a few bytes: a plain loop
    // beats setting up a vectorised search.
    let short = (j + 24).min(b.len());
    while j < short {
        match b[j] {
            b'"' => return Some((j + 1, false)),
            b'\\' => break,
            _ => j += 1,
        }
    }
    let mut escaped = false;
    loop {
        let k = memchr2(b'"', b'\\', b.get(j..)?)?;
        let p = j + k;
        if b[p] == b'"' {
            return Some((p + 1, escaped));
        }
        escaped = true;
        j = p + 2;
    }
}

/// The end of a scalar (number, `true`, `false`, `null`) starting at `i`:
/// the index of the `,`, `}` or `]` after it (or the end of `b`).
#[inline]
pub(crate) fn scalar_end(b: &[u8], i: usize) -> Option<usize> {
    let rest = b.get(i..)?;
    let n = memchr3(b',', b'}', b']', rest).unwrap_or(rest.len());
    let v = &rest[..n];
    (!v.is_empty() && v.iter().all(|c| !c.is_ascii_whitespace() && *c != b'"')).then_some(i + n)
}

/// The end of any JSON value starting at `i` (no whitespace is expected
/// around tokens, as the writer emits none; whitespace inside is tolerated
/// only within strings).
pub(crate) fn value_end(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => string_end(b, i).map(|(e, _)| e),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = string_end(b, j)?.0;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => scalar_end(b, i),
    }
}

/// Calls `each(key_raw, value_start, value_end)` for the members of the
/// object whose `{` is at `i`, in order; stops early when `each` returns
/// `false`. Returns `None` on malformed text.
pub(crate) fn members<'a>(
    b: &'a [u8],
    i: usize,
    mut each: impl FnMut(&'a [u8], usize, usize) -> bool,
) -> Option<()> {
    if b.get(i) != Some(&b'{') {
        return None;
    }
    let mut j = i + 1;
    if b.get(j) == Some(&b'}') {
        return Some(());
    }
    loop {
        let (kend, _) = string_end(b, j)?;
        if b.get(kend) != Some(&b':') {
            return None;
        }
        let v = kend + 1;
        let vend = value_end(b, v)?;
        if !each(&b[j + 1..kend - 1], v, vend) {
            return Some(());
        }
        match b.get(vend) {
            Some(b',') => j = vend + 1,
            Some(b'}') => return Some(()),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_values() {
        let b = br#"{"a":"x\"y","b":12,"c":{"d":[1,{"e":"}"}],"f":null},"g":true}"#;
        let mut seen = Vec::new();
        members(b, 0, |k, s, e| {
            seen.push((
                String::from_utf8_lossy(k).into_owned(),
                String::from_utf8_lossy(&b[s..e]).into_owned(),
            ));
            true
        })
        .unwrap();
        assert_eq!(
            seen,
            [
                ("a".into(), r#""x\"y""#.into()),
                ("b".into(), "12".into()),
                ("c".into(), r#"{"d":[1,{"e":"}"}],"f":null}"#.into()),
                ("g".into(), "true".into()),
            ]
        );
    }

    #[test]
    fn malformed_is_none() {
        for b in [
            &b"{\"a"[..],
            b"{\"a\":",
            b"{\"a\":\"x",
            b"{\"a\":{",
            b"{\"a\":1",
            b"{]",
        ] {
            assert!(members(b, 0, |_, _, _| true).is_none(), "{b:?}");
        }
        assert_eq!(string_end(b"\"ab\\", 0), None);
        assert_eq!(value_end(b"}}", 0), None);
    }
}

//! `--where` predicates: `fields.qty>=500`, `service=risk`,
//! `context.strategy` (the key exists), `!correlation_id` (it does not).
//!
//! Grammar: `[!]PATH` or `PATH OP VALUE` with `OP` one of `=` (or `==`),
//! `!=`, `<`, `<=`, `>`, `>=`. `PATH` is a top-level key of the record
//! schema, or `fields.<name>` / `context.<name>` (dots go deeper into
//! nested objects). `VALUE` is a number, `true`/`false`/`null`, a quoted
//! string (`"a b"` or `'a b'`) or a bare word.
//!
//! Semantics: a comparison with an absent key is false (so `!=` does not
//! select records without the key: add `!key` for those). Numbers compare
//! as numbers (`500` equals `500.0`); strings compare byte-wise, which for
//! `ts` is time order; a number compared with a string compares the
//! number's JSON text for `=`/`!=` and is false otherwise.

use std::cmp::Ordering;

use serde_json::Value;

/// The top-level keys of a record, in schema order (README "Record schema").
pub const TOP_LEVEL_KEYS: [&str; 17] = [
    "ts",
    "level",
    "kind",
    "target",
    "service",
    "msg",
    "module",
    "file",
    "line",
    "function",
    "thread",
    "tid",
    "pid",
    "host",
    "correlation_id",
    "context",
    "fields",
];

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=` or `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// A number, with its text as written.
    Number(f64, String),
    /// A string (quoted or a bare word).
    Str(String),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// One parsed `--where` predicate.
#[derive(Debug, Clone, PartialEq)]
pub enum Predicate {
    /// `PATH`: the key is present.
    Exists(String),
    /// `!PATH`: the key is absent.
    Absent(String),
    /// `PATH OP VALUE`.
    Compare(String, Op, Literal),
}

impl Predicate {
    /// Parses one `--where` expression.
    ///
    /// # Errors
    ///
    /// A message quoting the expression and naming what is wrong: an empty
    /// path or value, an unknown top-level key (with the keys allowed).
    pub fn parse(expr: &str) -> Result<Predicate, String> {
        let e = expr.trim();
        let fail = |why: String| Err(format!("--where {expr:?}: {why}"));
        if let Some(rest) = e.strip_prefix('!')
            && !rest.starts_with('=')
        {
            let path = rest.trim();
            return match check_path(path) {
                Ok(()) => Ok(Predicate::Absent(path.to_string())),
                Err(why) => fail(why),
            };
        }
        let Some((at, op, len)) = find_op(e) else {
            return match check_path(e) {
                Ok(()) => Ok(Predicate::Exists(e.to_string())),
                Err(why) => fail(why),
            };
        };
        let path = e[..at].trim();
        let value = e[at + len..].trim();
        if let Err(why) = check_path(path) {
            return fail(why);
        }
        if value.is_empty() {
            return fail("no value after the operator (quote an empty string: \"\")".into());
        }
        match parse_literal(value) {
            Ok(lit) => Ok(Predicate::Compare(path.to_string(), op, lit)),
            Err(why) => fail(why),
        }
    }

    /// The key path this predicate reads.
    pub fn path(&self) -> &str {
        match self {
            Predicate::Exists(p) | Predicate::Absent(p) | Predicate::Compare(p, _, _) => p,
        }
    }

    /// Whether a record whose value at [`path`](Self::path) is `value`
    /// (`None`: absent) satisfies the predicate.
    pub fn eval(&self, value: Option<&Value>) -> bool {
        match self {
            Predicate::Exists(_) => value.is_some(),
            Predicate::Absent(_) => value.is_none(),
            Predicate::Compare(_, op, lit) => value.is_some_and(|v| compare(v, *op, lit)),
        }
    }
}

/// The first operator in `e`: (byte index, operator, its length).
fn find_op(e: &str) -> Option<(usize, Op, usize)> {
    let b = e.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let next = b.get(i + 1).copied();
        let found = match (b[i], next) {
            (b'!', Some(b'=')) => Some((Op::Ne, 2)),
            (b'<', Some(b'=')) => Some((Op::Le, 2)),
            (b'>', Some(b'=')) => Some((Op::Ge, 2)),
            (b'=', Some(b'=')) => Some((Op::Eq, 2)),
            (b'=', _) => Some((Op::Eq, 1)),
            (b'<', _) => Some((Op::Lt, 1)),
            (b'>', _) => Some((Op::Gt, 1)),
            _ => None,
        };
        if let Some((op, len)) = found {
            return Some((i, op, len));
        }
        i += 1;
    }
    None
}

/// Checks that `path` names a key the schema has (a top-level key,
/// `fields.<name>` or `context.<name>`).
///
/// # Errors
///
/// Why it does not, naming the key.
pub fn check_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("no key before the operator".into());
    }
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    if !TOP_LEVEL_KEYS.contains(&head) {
        return Err(format!(
            "unknown field {head:?}; use a top-level key ({}), fields.<name> or context.<name>",
            TOP_LEVEL_KEYS.join(", ")
        ));
    }
    if let Some(rest) = rest {
        if head != "fields" && head != "context" {
            return Err(format!(
                "{head:?} has no sub-keys (only fields.<name> and context.<name> do)"
            ));
        }
        if rest.is_empty() || rest.split('.').any(str::is_empty) {
            return Err(format!("empty key name in {path:?}"));
        }
    }
    Ok(())
}

fn parse_literal(v: &str) -> Result<Literal, String> {
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q) {
            return match inner.strip_suffix(q) {
                Some(s) => Ok(Literal::Str(s.to_string())),
                None => Err(format!("unterminated quoted value {v}")),
            };
        }
    }
    Ok(match v {
        "true" => Literal::Bool(true),
        "false" => Literal::Bool(false),
        "null" => Literal::Null,
        _ => match v.parse::<f64>() {
            Ok(n) if n.is_finite() => Literal::Number(n, v.to_string()),
            _ => Literal::Str(v.to_string()),
        },
    })
}

fn compare(v: &Value, op: Op, lit: &Literal) -> bool {
    let ord: Option<Ordering> = match (v, lit) {
        (Value::Number(n), Literal::Number(x, _)) => n.as_f64().and_then(|f| f.partial_cmp(x)),
        (Value::String(s), Literal::Str(x)) => Some(s.as_str().cmp(x.as_str())),
        (Value::Bool(b), Literal::Bool(x)) => Some(b.cmp(x)),
        (Value::Null, Literal::Null) => Some(Ordering::Equal),
        // Mixed types: only equality, on the text as written.
        (Value::String(s), Literal::Number(_, text)) => {
            return equality_only(op, s == text);
        }
        (Value::Number(n), Literal::Str(x)) => return equality_only(op, n.to_string() == *x),
        _ => return equality_only(op, false),
    };
    let Some(ord) = ord else { return false };
    match op {
        Op::Eq => ord == Ordering::Equal,
        Op::Ne => ord != Ordering::Equal,
        Op::Lt => ord == Ordering::Less,
        Op::Le => ord != Ordering::Greater,
        Op::Gt => ord == Ordering::Greater,
        Op::Ge => ord != Ordering::Less,
    }
}

fn equality_only(op: Op, equal: bool) -> bool {
    match op {
        Op::Eq => equal,
        Op::Ne => !equal,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    /// The CLI's list is the writer's: a key added to the record (and to
    /// `logger::JSON_KEYS`) must be added here too, or `--where` and
    /// `--output` columns would reject it.
    #[test]
    fn top_level_keys_are_the_writers_keys() {
        assert_eq!(super::TOP_LEVEL_KEYS, logger::JSON_KEYS);
        assert_eq!(logger_read::RECORD_KEYS, logger::JSON_KEYS);
    }

    use serde_json::json;

    use super::*;

    fn p(e: &str) -> Predicate {
        Predicate::parse(e).unwrap()
    }

    #[test]
    fn parses_each_form() {
        assert_eq!(
            p("fields.qty>=500"),
            Predicate::Compare(
                "fields.qty".into(),
                Op::Ge,
                Literal::Number(500.0, "500".into())
            )
        );
        assert_eq!(
            p(" service = risk "),
            Predicate::Compare("service".into(), Op::Eq, Literal::Str("risk".into()))
        );
        assert_eq!(
            p("msg=='a b'"),
            Predicate::Compare("msg".into(), Op::Eq, Literal::Str("a b".into()))
        );
        assert_eq!(
            p("context.strategy"),
            Predicate::Exists("context.strategy".into())
        );
        assert_eq!(
            p("!correlation_id"),
            Predicate::Absent("correlation_id".into())
        );
        assert_eq!(
            p("fields.ok!=true"),
            Predicate::Compare("fields.ok".into(), Op::Ne, Literal::Bool(true))
        );
        assert_eq!(
            p("line<10"),
            Predicate::Compare("line".into(), Op::Lt, Literal::Number(10.0, "10".into()))
        );
    }

    #[test]
    fn errors_name_the_expression_and_the_problem() {
        let e = Predicate::parse("qty>5").unwrap_err();
        assert!(
            e.contains("--where \"qty>5\"") && e.contains("unknown field \"qty\""),
            "{e}"
        );
        let e = Predicate::parse("ts.x=1").unwrap_err();
        assert!(e.contains("has no sub-keys"), "{e}");
        let e = Predicate::parse("fields.=1").unwrap_err();
        assert!(e.contains("empty key name"), "{e}");
        let e = Predicate::parse("fields.qty>=").unwrap_err();
        assert!(e.contains("no value"), "{e}");
        let e = Predicate::parse(">=3").unwrap_err();
        assert!(e.contains("no key"), "{e}");
        let e = Predicate::parse("msg='abc").unwrap_err();
        assert!(e.contains("unterminated"), "{e}");
    }

    #[test]
    fn evaluates_numbers_strings_and_absence() {
        let qty = json!(500);
        assert!(p("fields.qty>=500").eval(Some(&qty)));
        assert!(!p("fields.qty>500").eval(Some(&qty)));
        assert!(p("fields.qty=500.0").eval(Some(&qty)));
        assert!(!p("fields.qty>=500").eval(None));
        assert!(!p("fields.qty!=1").eval(None));
        let side = json!("BUY");
        assert!(p("fields.side=BUY").eval(Some(&side)));
        assert!(p("fields.side!=SELL").eval(Some(&side)));
        assert!(!p("fields.side>5").eval(Some(&side)));
        let id = json!("1001");
        assert!(p("correlation_id=1001").eval(Some(&id)));
        let num_id = json!(1001);
        assert!(p("correlation_id='1001'").eval(Some(&num_id)));
        assert!(p("!function").eval(None));
        assert!(!p("!function").eval(Some(&side)));
        let ts = json!("2026-11-21T10:30:45.1Z");
        assert!(p("ts>='2026-11-21T10:30:00Z'").eval(Some(&ts)));
    }
}

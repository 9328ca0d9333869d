//! A timestamp layout compiled once into parts, from either of two
//! syntaxes: `strftime` conversions (`%Y-%m-%d %H:%M:%S%.3f`, the
//! `timestamp` option) or loguru's tokens (`YYYY-MM-DD HH:mm:ss.SSS`, the
//! pattern format's `{time:...}`). Both compile to the same [`Part`]s,
//! rendered by one [`TimeWriter`].
//!
//! The writer renders everything that changes at most once a second (the
//! date, the time, the offset) once per second into a buffer, leaving
//! holes for what changes within a second (fraction digits, the epoch in
//! microseconds); a record of the same second costs a copy of that buffer
//! and its fraction digits, and no allocation.

use std::sync::Arc;

use super::timestamp::{OffsetCache, write_digits};
use crate::civil_time::civil_with_offset;
use crate::config::TimeZone;

const NANOS_PER_SEC: u64 = 1_000_000_000;

/// How a number shorter than its width is padded (`%d`, `%-d`, `%_d`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pad {
    Zero,
    Space,
    None,
}

/// One piece of a layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    /// Text written as it is.
    Lit(Box<str>),
    /// The year, at least four digits (`%Y`, `YYYY`).
    Year,
    /// The year's last two digits (`%y`, `YY`).
    Year2,
    /// The century, two digits (`%C`).
    Century,
    /// Month 1-12 (`%m`, `MM`, `M`).
    Month(Pad),
    /// `January` (`%B`, `MMMM`).
    MonthName,
    /// `Jan` (`%b`, `MMM`).
    MonthAbbr,
    /// Day of the month 1-31 (`%d`, `%e`, `DD`, `D`).
    Day(Pad),
    /// Day of the year 1-366, three digits (`%j`, `DDDD`, `DDD`).
    DayOfYear(Pad),
    /// Hour 0-23 (`%H`, `%k`, `HH`, `H`).
    Hour(Pad),
    /// Hour 1-12 (`%I`, `%l`, `hh`, `h`).
    Hour12(Pad),
    /// Minute (`%M`, `mm`, `m`).
    Minute(Pad),
    /// Second (`%S`, `ss`, `s`).
    Second(Pad),
    /// `AM`/`PM` (`%p`, `A`), or `am`/`pm` (`%P`).
    AmPm { lower: bool },
    /// `Monday` (`%A`, `dddd`).
    WeekdayName,
    /// `Mon` (`%a`, `ddd`).
    WeekdayAbbr,
    /// Day of the week as a number: 1-7 from Monday (`%u`, `E`) or 0-6
    /// from Sunday (`%w`, `d`).
    WeekdayNum { from_monday: bool },
    /// The UTC offset, `+0530` (`%z`, `ZZ`) or `+05:30` (`%:z`, `Z`).
    Offset { colon: bool },
    /// `UTC` in UTC, else the offset as `+05:30` (`%Z`, `zz`): the
    /// logger knows no zone abbreviations, which are ambiguous anyway.
    ZoneName,
    /// Seconds since the Unix epoch (`%s`, `X`).
    EpochSecs,
    /// The first 1 to 9 digits of the fraction of the second (`%f`: 6,
    /// `%.3f`: `.` then 3, `%3f`, `%N`: 9, `SSS`...). Changes within a
    /// second.
    Frac(u8),
    /// Microseconds since the Unix epoch (`x`). Changes within a second.
    EpochMicros,
}

impl Part {
    /// Whether the part changes within a second.
    fn sub_second(&self) -> bool {
        matches!(self, Part::Frac(_) | Part::EpochMicros)
    }
}

/// A compiled layout: its parts, shared by the formatters that use it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) parts: Arc<[Part]>,
}

impl Layout {
    /// The layout with each literal replaced by `f(literal)` (escaped for
    /// the place it is written in).
    pub(crate) fn map_literals(&self, f: impl Fn(&str) -> String) -> Layout {
        let parts = self
            .parts
            .iter()
            .map(|p| match p {
                Part::Lit(s) => Part::Lit(f(s).into()),
                other => other.clone(),
            })
            .collect();
        Layout { parts }
    }

    /// Whether any literal text satisfies `f`.
    pub(crate) fn any_literal(&self, f: impl Fn(&str) -> bool) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Lit(s) if f(s)))
    }
}

/// Why a layout does not compile: what is wrong, where (a byte offset)
/// and the layout.
fn error(layout: &str, at: usize, what: &str) -> String {
    format!("{what} at byte {at} of {layout:?}")
}

/// A literal character: anything but a control character, which would
/// break the one-line-per-record rule (or need escaping in every format).
fn literal_char(layout: &str, at: usize, c: char) -> Result<(), String> {
    if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
        return Err(error(
            layout,
            at,
            &format!("control character {c:?} (not allowed in a timestamp)"),
        ));
    }
    Ok(())
}

/// Appends literal text, merged with a literal just before it.
fn push_lit(parts: &mut Vec<Part>, s: &str) {
    if let Some(Part::Lit(prev)) = parts.last_mut() {
        let mut merged = String::from(&**prev);
        merged.push_str(s);
        *prev = merged.into();
    } else {
        parts.push(Part::Lit(s.into()));
    }
}

/// Compiles a `strftime` layout (the conversions of C, glibc and Python,
/// plus chrono's `%.3f`; see docs/configuration.md for the list).
///
/// `Err` names the first unknown conversion, a `%` at the end, or a
/// control character, with its byte offset.
pub(crate) fn strftime(layout: &str) -> Result<Layout, String> {
    if layout.is_empty() {
        return Err("an empty layout".into());
    }
    let mut parts = Vec::new();
    let mut chars = layout.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c != '%' {
            literal_char(layout, at, c)?;
            push_lit(&mut parts, c.encode_utf8(&mut [0; 4]));
            continue;
        }
        // `%[flag][digits or .digits]conversion`
        let mut spec = String::from("%");
        let mut pad = None;
        if let Some(&(_, f @ ('-' | '_' | '0'))) = chars.peek() {
            spec.push(f);
            chars.next();
            pad = Some(match f {
                '-' => Pad::None,
                '_' => Pad::Space,
                _ => Pad::Zero,
            });
        }
        let mut dot = false;
        if let Some(&(_, '.')) = chars.peek() {
            spec.push('.');
            chars.next();
            dot = true;
        }
        let mut digits = None;
        if let Some(&(_, d @ '1'..='9')) = chars.peek() {
            spec.push(d);
            chars.next();
            digits = Some(d as u8 - b'0');
        }
        let colon = matches!(chars.peek(), Some(&(_, ':')));
        if colon {
            spec.push(':');
            chars.next();
        }
        let Some((_, conv)) = chars.next() else {
            return Err(error(
                layout,
                at,
                &format!("{spec:?} ends the layout without a conversion (write %% for a %)"),
            ));
        };
        spec.push(conv);
        let unknown = || error(layout, at, &format!("unknown conversion {spec:?}"));
        // Only numbers take a padding flag; only fractions take digits or
        // a dot; only `%:z` takes a colon.
        let numeric = matches!(
            conv,
            'd' | 'e' | 'm' | 'H' | 'k' | 'I' | 'l' | 'M' | 'S' | 'j'
        );
        let fraction = matches!(conv, 'f' | 'N');
        if (pad.is_some() && !numeric)
            || ((dot || digits.is_some()) && !fraction)
            || (dot && conv == 'N')
            || (colon && conv != 'z')
            || digits.is_some_and(|d| ![3, 6, 9].contains(&d))
        {
            return Err(unknown());
        }
        let p = |default: Pad| pad.unwrap_or(default);
        let part = match conv {
            '%' => Part::Lit("%".into()),
            'Y' => Part::Year,
            'y' => Part::Year2,
            'C' => Part::Century,
            'm' => Part::Month(p(Pad::Zero)),
            'B' => Part::MonthName,
            'b' | 'h' => Part::MonthAbbr,
            'd' => Part::Day(p(Pad::Zero)),
            'e' => Part::Day(p(Pad::Space)),
            'j' => Part::DayOfYear(p(Pad::Zero)),
            'H' => Part::Hour(p(Pad::Zero)),
            'k' => Part::Hour(p(Pad::Space)),
            'I' => Part::Hour12(p(Pad::Zero)),
            'l' => Part::Hour12(p(Pad::Space)),
            'M' => Part::Minute(p(Pad::Zero)),
            'S' => Part::Second(p(Pad::Zero)),
            'p' => Part::AmPm { lower: false },
            'P' => Part::AmPm { lower: true },
            'A' => Part::WeekdayName,
            'a' => Part::WeekdayAbbr,
            'u' => Part::WeekdayNum { from_monday: true },
            'w' => Part::WeekdayNum { from_monday: false },
            'z' => Part::Offset { colon },
            'Z' => Part::ZoneName,
            's' => Part::EpochSecs,
            // Python's `%f` is microseconds; chrono's `%.3f`, `%6f`.
            'f' => {
                if dot {
                    push_lit(&mut parts, ".");
                }
                Part::Frac(digits.unwrap_or(if dot { 9 } else { 6 }))
            }
            'N' => Part::Frac(digits.unwrap_or(9)),
            // Compound conversions, in the C locale.
            'F' | 'T' | 'D' | 'R' | 'r' | 'c' | 'x' | 'X' => {
                let expansion = match conv {
                    'F' => "%Y-%m-%d",
                    'T' | 'X' => "%H:%M:%S",
                    'D' | 'x' => "%m/%d/%y",
                    'R' => "%H:%M",
                    'r' => "%I:%M:%S %p",
                    _ => "%a %b %e %H:%M:%S %Y",
                };
                for part in strftime(expansion)?.parts.iter() {
                    match part {
                        Part::Lit(s) => push_lit(&mut parts, s),
                        other => parts.push(other.clone()),
                    }
                }
                continue;
            }
            'n' | 't' => {
                return Err(error(
                    layout,
                    at,
                    &format!("{spec:?} writes a control character (not allowed in a timestamp)"),
                ));
            }
            _ => return Err(unknown()),
        };
        match part {
            Part::Lit(s) => push_lit(&mut parts, &s),
            other => parts.push(other),
        }
    }
    Ok(Layout {
        parts: parts.into(),
    })
}

/// loguru's tokens, longest first (where one is a prefix of another).
const TOKENS: &[(&str, Part)] = &[
    ("YYYY", Part::Year),
    ("YY", Part::Year2),
    ("MMMM", Part::MonthName),
    ("MMM", Part::MonthAbbr),
    ("MM", Part::Month(Pad::Zero)),
    ("M", Part::Month(Pad::None)),
    ("DDDD", Part::DayOfYear(Pad::Zero)),
    ("DDD", Part::DayOfYear(Pad::None)),
    ("DD", Part::Day(Pad::Zero)),
    ("D", Part::Day(Pad::None)),
    ("dddd", Part::WeekdayName),
    ("ddd", Part::WeekdayAbbr),
    ("d", Part::WeekdayNum { from_monday: false }),
    ("E", Part::WeekdayNum { from_monday: true }),
    ("HH", Part::Hour(Pad::Zero)),
    ("H", Part::Hour(Pad::None)),
    ("hh", Part::Hour12(Pad::Zero)),
    ("h", Part::Hour12(Pad::None)),
    ("mm", Part::Minute(Pad::Zero)),
    ("m", Part::Minute(Pad::None)),
    ("ss", Part::Second(Pad::Zero)),
    ("s", Part::Second(Pad::None)),
    ("A", Part::AmPm { lower: false }),
    ("X", Part::EpochSecs),
    ("x", Part::EpochMicros),
    ("ZZ", Part::Offset { colon: false }),
    ("Z", Part::Offset { colon: true }),
    ("zz", Part::ZoneName),
];

/// Compiles a loguru time layout (`YYYY-MM-DD HH:mm:ss.SSS`): the tokens
/// of [`TOKENS`], `S` to `SSSSSSSSS` for 1 to 9 fraction digits, text in
/// `[...]` written as it is, and any other character as itself.
///
/// `Err` names a run of more than nine `S`, an unclosed `[`, or a control
/// character, with its byte offset (`at` is added to each, for a layout
/// inside a pattern).
pub(crate) fn loguru(layout: &str, whole: &str, at: usize) -> Result<Layout, String> {
    let mut parts = Vec::new();
    let mut i = 0;
    'outer: while i < layout.len() {
        let rest = &layout[i..];
        if let Some(inner) = rest.strip_prefix('[') {
            let Some(end) = inner.find(']') else {
                return Err(error(whole, at + i, "unclosed \"[\" in the time layout"));
            };
            for (j, c) in inner[..end].char_indices() {
                literal_char(whole, at + i + 1 + j, c)?;
            }
            push_lit(&mut parts, &inner[..end]);
            i += end + 2;
            continue;
        }
        if rest.starts_with('S') {
            let n = rest.bytes().take_while(|&b| b == b'S').count();
            if n > 9 {
                return Err(error(
                    whole,
                    at + i,
                    &format!("{n} fraction digits (at most 9: SSSSSSSSS)"),
                ));
            }
            parts.push(Part::Frac(n as u8));
            i += n;
            continue;
        }
        for (token, part) in TOKENS {
            if rest.starts_with(token) {
                parts.push(part.clone());
                i += token.len();
                continue 'outer;
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        literal_char(whole, at + i, c)?;
        push_lit(&mut parts, c.encode_utf8(&mut [0; 4]));
        i += c.len_utf8();
    }
    Ok(Layout {
        parts: parts.into(),
    })
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// What goes into a hole of the per-second buffer.
#[derive(Clone, Copy)]
enum Hole {
    Frac(u8),
    EpochMicros,
}

/// Renders a [`Layout`] in a time zone, caching per second what does not
/// change within it.
pub(crate) struct TimeWriter {
    layout: Layout,
    zone: TimeZone,
    offset: OffsetCache,
    /// Unix second rendered in `cache`; `u64::MAX` before the first.
    sec: u64,
    /// The second's rendering, without what changes within it.
    cache: Vec<u8>,
    /// Where in `cache` each sub-second part goes, in order.
    holes: Vec<(usize, Hole)>,
}

impl TimeWriter {
    /// A writer of `layout` in `zone`.
    pub(crate) fn new(layout: Layout, zone: TimeZone) -> Self {
        TimeWriter {
            layout,
            zone,
            offset: OffsetCache::new(zone),
            sec: u64::MAX,
            cache: Vec::with_capacity(64),
            holes: Vec::new(),
        }
    }

    /// Appends `ts_ns` (nanoseconds since the Unix epoch).
    #[inline]
    pub(crate) fn write(&mut self, ts_ns: u64, out: &mut Vec<u8>) {
        let sec = ts_ns / NANOS_PER_SEC;
        if sec != self.sec {
            self.render_second(sec);
        }
        let nanos = (ts_ns % NANOS_PER_SEC) as u32;
        let mut from = 0;
        for &(at, hole) in &self.holes {
            out.extend_from_slice(&self.cache[from..at]);
            match hole {
                Hole::Frac(n) => {
                    let mut buf = [0u8; 9];
                    write_digits(nanos, &mut buf);
                    out.extend_from_slice(&buf[..n as usize]);
                }
                Hole::EpochMicros => {
                    out.extend_from_slice(itoa::Buffer::new().format(ts_ns / 1000).as_bytes())
                }
            }
            from = at;
        }
        out.extend_from_slice(&self.cache[from..]);
    }

    #[cold]
    fn render_second(&mut self, sec: u64) {
        self.sec = sec;
        // `u64` nanoseconds end in 2554: the seconds always fit an `i64`.
        let secs = sec as i64;
        let offset = self.offset.at(secs);
        let local = secs + offset;
        let t = civil_with_offset(local);
        let days = local.div_euclid(86_400);
        // 1970-01-01 was a Thursday (4, from Sunday 0).
        let weekday = (days + 4).rem_euclid(7) as usize;
        let day_of_year = day_of_year(t.year, t.month, t.day);
        let out = &mut self.cache;
        out.clear();
        self.holes.clear();
        for part in self.layout.parts.iter() {
            match *part {
                Part::Lit(ref s) => out.extend_from_slice(s.as_bytes()),
                Part::Year => {
                    if (0..=9999).contains(&t.year) {
                        num(out, t.year as u32, 4, Pad::Zero);
                    } else {
                        out.extend_from_slice(itoa::Buffer::new().format(t.year).as_bytes());
                    }
                }
                Part::Year2 => num(out, t.year.rem_euclid(100) as u32, 2, Pad::Zero),
                Part::Century => num(out, t.year.div_euclid(100) as u32, 2, Pad::Zero),
                Part::Month(pad) => num(out, t.month, 2, pad),
                Part::MonthName => out.extend_from_slice(MONTHS[t.month as usize - 1].as_bytes()),
                Part::MonthAbbr => {
                    out.extend_from_slice(&MONTHS[t.month as usize - 1].as_bytes()[..3])
                }
                Part::Day(pad) => num(out, t.day, 2, pad),
                Part::DayOfYear(pad) => num(out, day_of_year, 3, pad),
                Part::Hour(pad) => num(out, t.hour, 2, pad),
                Part::Hour12(pad) => num(out, (t.hour + 11) % 12 + 1, 2, pad),
                Part::Minute(pad) => num(out, t.minute, 2, pad),
                Part::Second(pad) => num(out, t.second, 2, pad),
                Part::AmPm { lower } => out.extend_from_slice(match (t.hour < 12, lower) {
                    (true, false) => b"AM",
                    (false, false) => b"PM",
                    (true, true) => b"am",
                    (false, true) => b"pm",
                }),
                Part::WeekdayName => out.extend_from_slice(WEEKDAYS[weekday].as_bytes()),
                Part::WeekdayAbbr => out.extend_from_slice(&WEEKDAYS[weekday].as_bytes()[..3]),
                Part::WeekdayNum { from_monday } => {
                    let n = if from_monday && weekday == 0 {
                        7
                    } else {
                        weekday
                    };
                    out.push(b'0' + n as u8);
                }
                Part::Offset { colon } => write_offset(out, offset, colon),
                Part::ZoneName => match self.zone {
                    TimeZone::Utc => out.extend_from_slice(b"UTC"),
                    TimeZone::Local => write_offset(out, offset, true),
                },
                Part::EpochSecs => {
                    out.extend_from_slice(itoa::Buffer::new().format(sec).as_bytes())
                }
                Part::Frac(n) => self.holes.push((out.len(), Hole::Frac(n))),
                Part::EpochMicros => self.holes.push((out.len(), Hole::EpochMicros)),
            }
        }
        debug_assert!(
            self.layout.parts.iter().filter(|p| p.sub_second()).count() == self.holes.len()
        );
    }
}

/// Day of the year, 1-366.
fn day_of_year(year: i64, month: u32, day: u32) -> u32 {
    const BEFORE: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    BEFORE[month as usize - 1] + day + u32::from(leap && month > 2)
}

/// Appends `v` in at least `width` digits, padded as `pad` says.
fn num(out: &mut Vec<u8>, v: u32, width: usize, pad: Pad) {
    let mut buf = itoa::Buffer::new();
    let s = buf.format(v).as_bytes();
    let fill = match pad {
        Pad::Zero => b'0',
        Pad::Space => b' ',
        Pad::None => 0,
    };
    if fill != 0 {
        for _ in s.len()..width {
            out.push(fill);
        }
    }
    out.extend_from_slice(s);
}

/// `+HH:MM` or `+HHMM` (seconds of a historical offset dropped).
fn write_offset(out: &mut Vec<u8>, secs: i64, colon: bool) {
    out.push(if secs < 0 { b'-' } else { b'+' });
    let minutes = (secs.unsigned_abs() / 60) as u32;
    num(out, minutes / 60, 2, Pad::Zero);
    if colon {
        out.push(b':');
    }
    num(out, minutes % 60, 2, Pad::Zero);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TS: u64 = 1_763_721_045_123_456_789; // 2025-11-21T10:30:45.123456789Z, a Friday

    fn render(layout: Layout, ts_ns: u64) -> String {
        let mut w = TimeWriter::new(layout, TimeZone::Utc);
        let mut out = Vec::new();
        w.write(ts_ns, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn s(layout: &str) -> String {
        render(strftime(layout).unwrap(), TS)
    }

    fn l(layout: &str) -> String {
        render(loguru(layout, layout, 0).unwrap(), TS)
    }

    #[test]
    fn strftime_conversions() {
        assert_eq!(s("%Y-%m-%d %H:%M:%S%.3f"), "2025-11-21 10:30:45.123");
        assert_eq!(s("%F %T.%f"), "2025-11-21 10:30:45.123456");
        assert_eq!(
            s("%.6f|%.9f|%3f|%N|%6N"),
            ".123456|.123456789|123|123456789|123456"
        );
        assert_eq!(s("%y %C %b %B %h %j %e"), "25 20 Nov November Nov 325 21");
        assert_eq!(s("%a %A %u %w"), "Fri Friday 5 5");
        assert_eq!(s("%I %l %p %P %r"), "10 10 AM am 10:30:45 AM");
        assert_eq!(s("%z %:z %Z %s"), "+0000 +00:00 UTC 1763721045");
        assert_eq!(s("%D %R %x %X"), "11/21/25 10:30 11/21/25 10:30:45");
        assert_eq!(s("%c"), "Fri Nov 21 10:30:45 2025");
        assert_eq!(s("%% 100%% é"), "% 100% é");
        // 2025-01-05 03:04:05 UTC: padding flags.
        let ts = 1_736_046_245 * NANOS_PER_SEC;
        let f = |layout: &str| render(strftime(layout).unwrap(), ts);
        assert_eq!(
            f("%d %-d %_d %e %-m %k %-H %_H %I %l %-j %p"),
            "05 5  5  5 1  3 3  3 03  3 5 AM"
        );
        assert_eq!(f("%a %u %w"), "Sun 7 0");
    }

    #[test]
    fn strftime_errors_name_the_conversion_and_the_offset() {
        let e = |layout: &str| strftime(layout).unwrap_err();
        assert_eq!(
            e("%Y-%Q"),
            "unknown conversion \"%Q\" at byte 3 of \"%Y-%Q\""
        );
        assert!(
            e("%Y %").contains(
                "\"%\" ends the layout without a conversion (write %% for a %) at byte 3"
            )
        );
        assert!(
            e("%-Y").contains("unknown conversion \"%-Y\""),
            "{}",
            e("%-Y")
        );
        assert!(e("%.3S").contains("unknown conversion \"%.3S\""));
        assert!(e("%4f").contains("unknown conversion \"%4f\""));
        assert!(e("%:Y").contains("unknown conversion \"%:Y\""));
        assert!(e("%n").contains("control character"));
        assert!(
            e("a\nb").contains("control character '\\n' (not allowed in a timestamp) at byte 1")
        );
    }

    #[test]
    fn loguru_tokens() {
        assert_eq!(l("YYYY-MM-DD HH:mm:ss.SSS"), "2025-11-21 10:30:45.123");
        assert_eq!(
            l("YY M D H m s S SSSSSS SSSSSSSSS"),
            "25 11 21 10 30 45 1 123456 123456789"
        );
        assert_eq!(
            l("MMMM MMM DDDD dddd ddd d E hh h A"),
            "November Nov 325 Friday Fri 5 5 10 10 AM"
        );
        assert_eq!(
            l("Z ZZ zz X x"),
            "+00:00 +0000 UTC 1763721045 1763721045123456"
        );
        assert_eq!(l("[YYYY at] HH"), "YYYY at 10");
        assert_eq!(l("YYYY-MM-DDTHH"), "2025-11-21T10");
        let e = |layout: &str| loguru(layout, layout, 0).unwrap_err();
        assert!(
            e("ss.SSSSSSSSSS").contains("10 fraction digits"),
            "{}",
            e("ss.SSSSSSSSSS")
        );
        assert!(e("HH [x").contains("unclosed \"[\" in the time layout at byte 3"));
    }

    #[test]
    fn holes_follow_the_second() {
        let mut w = TimeWriter::new(strftime("%S.%3f|%s|%3f").unwrap(), TimeZone::Utc);
        let mut go = |ts: u64| {
            let mut out = Vec::new();
            w.write(ts, &mut out);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(go(TS), "45.123|1763721045|123");
        assert_eq!(go(TS + 1_000_000), "45.124|1763721045|124");
        assert_eq!(go(TS + 877_000_000), "46.000|1763721046|000");
        assert_eq!(go(TS - 1_000_000_000), "44.123|1763721044|123");
        let mut x = TimeWriter::new(loguru("x", "x", 0).unwrap(), TimeZone::Utc);
        let mut out = Vec::new();
        x.write(TS, &mut out);
        x.write(TS + 1000, &mut out);
        assert_eq!(out, b"17637210451234561763721045123457");
    }

    #[test]
    fn literals_are_mapped() {
        let layout = strftime("%H \"h\"").unwrap();
        assert!(layout.any_literal(|s| s.contains('"')));
        let escaped = layout.map_literals(|s| s.replace('"', "\\\""));
        assert_eq!(render(escaped, TS), "10 \\\"h\\\"");
    }

    /// chrono's strftime, for the conversions both know the same way.
    fn chrono_of(layout: &str, ts_ns: u64) -> String {
        let t = chrono::DateTime::from_timestamp(
            (ts_ns / NANOS_PER_SEC) as i64,
            (ts_ns % NANOS_PER_SEC) as u32,
        )
        .unwrap();
        t.format(layout).to_string()
    }

    proptest! {
        #[test]
        fn agrees_with_chrono(
            ts_ns in any::<u64>(),
            layout in proptest::sample::select(vec![
                "%Y-%m-%d %H:%M:%S%.3f",
                "%F %T%.6f %z %:z",
                "%y %C %b %B %h %j %e %a %A %u %w",
                "%I %l %p %P %r %D %R %x %X %c",
                "%-d %-m %-H %-I %-M %-S %-j %_d %k",
                "%s %.9f %3f %6f %9f %%",
            ]),
        ) {
            prop_assert_eq!(render(strftime(layout).unwrap(), ts_ns), chrono_of(layout, ts_ns));
        }
    }
}

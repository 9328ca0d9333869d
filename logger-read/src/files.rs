//! Finding a destination's files: [`discover`], [`Destination`], [`LogFile`].
//!
//! In a directory, a destination named `<stem>` (`app`, `trades`, `perf`,
//! `errors`, or a configured name) has the active file `<stem>.log` and
//! rotated files `<stem>.<YYYYMMDD>T<HHMMSS>.<mmm><suffix>.log`, where the
//! suffix (possibly empty) tells apart rotations in the same millisecond;
//! a rotated file may be gzip'ed (`.log.gz`) and later encrypted (`.age`).
//! Other files (`.gz.tmp` of a compression in progress, anything else) are
//! ignored. Rotated files are ordered by the timestamp in their name, then
//! by the `ts` of their first line, then by suffix.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{ErrorKind, ReadError};
use crate::lines::{LineReader, ReaderOptions};
use crate::record::fast_ts;
use crate::timestamp::Timestamp;

/// Whether a file is still written to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileState {
    /// `<stem>.log`: the writer appends to it (or did, until it stopped).
    Active,
    /// A rotated file: final, never written again.
    Rotated,
}

/// How a file's bytes are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Compression {
    /// Plain JSON lines.
    None,
    /// gzip (`.gz`).
    Gzip,
}

/// One file of a destination.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LogFile {
    /// Where it is.
    pub path: PathBuf,
    /// Active or rotated.
    pub state: FileState,
    /// Plain or gzip.
    pub compression: Compression,
    /// Encrypted with age (`.age`): needs a decrypting reader.
    pub encrypted: bool,
    /// For a rotated file, the rotation stamp of its name
    /// (`YYYYMMDDTHHMMSS.mmm`) and the suffix after it.
    pub stamp: Option<(String, String)>,
}

/// The files of one destination, oldest first, the active file last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destination {
    /// The directory holding the files.
    pub dir: PathBuf,
    /// The destination's name: `app` for `app.log`.
    pub stem: String,
    /// Its files, oldest first; the active file (if present) last.
    pub files: Vec<LogFile>,
}

/// What a file name says about the file: `(stem, LogFile)` without the path's
/// directory, or `None` if the name is not one of a destination's files.
///
/// # Examples
///
/// ```
/// use logger_read::files::{parse_name, Compression, FileState};
/// let (stem, f) = parse_name("trades.20261121T103045.123-2.log.gz".as_ref()).unwrap();
/// assert_eq!(stem, "trades");
/// assert_eq!((f.state, f.compression), (FileState::Rotated, Compression::Gzip));
/// assert_eq!(f.stamp, Some(("20261121T103045.123".into(), "-2".into())));
/// assert_eq!(parse_name("app.log".as_ref()).unwrap().1.state, FileState::Active);
/// assert!(parse_name("app.log.gz.tmp".as_ref()).is_none());
/// assert!(parse_name("notes.txt".as_ref()).is_none());
/// ```
pub fn parse_name(path: &Path) -> Option<(String, LogFile)> {
    let name = path.file_name()?.to_str()?;
    let (base, compression, encrypted) = if let Some(b) = name.strip_suffix(".log.gz.age") {
        (b, Compression::Gzip, true)
    } else if let Some(b) = name.strip_suffix(".log.age") {
        (b, Compression::None, true)
    } else if let Some(b) = name.strip_suffix(".log.gz") {
        (b, Compression::Gzip, false)
    } else if let Some(b) = name.strip_suffix(".log") {
        (b, Compression::None, false)
    } else {
        return None;
    };
    let file = |state, stamp| LogFile {
        path: path.to_path_buf(),
        state,
        compression,
        encrypted,
        stamp,
    };
    match find_stamp(base) {
        Some(p) => Some((
            base[..p].to_string(),
            file(
                FileState::Rotated,
                Some((base[p + 1..p + 20].to_string(), base[p + 20..].to_string())),
            ),
        )),
        None if compression == Compression::None && !encrypted && !base.is_empty() => {
            Some((base.to_string(), file(FileState::Active, None)))
        }
        None => None,
    }
}

/// The index of the `.` that starts `.<8 digits>T<6 digits>.<3 digits>` in
/// `base`, after a non-empty stem.
fn find_stamp(base: &str) -> Option<usize> {
    let b = base.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    (1..b.len().saturating_sub(19)).find(|&p| {
        b[p] == b'.'
            && digits(p + 1..p + 9)
            && b[p + 9] == b'T'
            && digits(p + 10..p + 16)
            && b[p + 16] == b'.'
            && digits(p + 17..p + 20)
    })
}

impl LogFile {
    /// A file named by the user: described by its name when it follows the
    /// naming scheme; otherwise a finished file, gzip if it ends in `.gz`.
    pub fn from_path(path: &Path) -> LogFile {
        match parse_name(path) {
            Some((_, f)) => f,
            None => {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default();
                LogFile {
                    path: path.to_path_buf(),
                    state: FileState::Rotated,
                    compression: if name.ends_with(".gz") {
                        Compression::Gzip
                    } else {
                        Compression::None
                    },
                    encrypted: name.ends_with(".age"),
                    stamp: None,
                }
            }
        }
    }

    /// The `ts` of the file's first line, if it has a complete one that is a
    /// record in the writer's format (used to order files).
    pub fn first_ts(&self) -> Option<Timestamp> {
        let opts = ReaderOptions {
            buffer_bytes: 64 << 10,
            ..ReaderOptions::default()
        };
        let mut r = LineReader::open_at(self, 0, opts).ok()?;
        loop {
            match r.next_line()? {
                Ok(l) => return fast_ts(l.bytes).map(|(t, _)| t),
                Err(_) => continue,
            }
        }
    }
}

/// The suffix as a number when it is `-<n>` or `<n>`-like, for ordering.
fn suffix_key(s: &str) -> (u64, &str) {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    (digits.parse().unwrap_or(0), s)
}

/// Orders one destination's files: rotated by stamp, first `ts`, suffix;
/// the active file last. Of a rotated file present both plain and gzip'ed
/// (a compression finishing), the plain one is kept.
pub fn order_files(files: &mut Vec<LogFile>) {
    drop_twins(files);
    // Files sharing a name stamp are told apart by their first line's `ts`,
    // if every one of them has one; otherwise by suffix alone (so that the
    // order stays total).
    let mut groups: BTreeMap<Option<String>, usize> = BTreeMap::new();
    for f in files.iter() {
        *groups
            .entry(f.stamp.as_ref().map(|s| s.0.clone()))
            .or_default() += 1;
    }
    let mut keyed: Vec<(LogFile, Option<Timestamp>)> = Vec::with_capacity(files.len());
    for f in files.iter() {
        let key = f.stamp.as_ref().map(|s| s.0.clone());
        let tied = key.is_some() && groups.get(&key).is_some_and(|&n| n > 1);
        let ts = if tied { f.first_ts() } else { None };
        keyed.push((f.clone(), ts));
    }
    let complete: BTreeMap<Option<String>, bool> = groups
        .keys()
        .map(|k| {
            let all = keyed
                .iter()
                .filter(|(f, _)| f.stamp.as_ref().map(|s| &s.0) == k.as_ref())
                .all(|(_, t)| t.is_some());
            (k.clone(), all)
        })
        .collect();
    for (f, ts) in keyed.iter_mut() {
        if !complete[&f.stamp.as_ref().map(|s| s.0.clone())] {
            *ts = None;
        }
    }
    keyed.sort_by(|(a, ta), (b, tb)| order_key(a, *ta).cmp(&order_key(b, *tb)));
    *files = keyed.into_iter().map(|(f, _)| f).collect();
}

/// The sort key of a file of a destination: rotated before active, then
/// the name's stamp, the first line's `ts` (where known), the suffix, the path.
pub(crate) fn order_key(f: &LogFile, first_ts: Option<Timestamp>) -> impl Ord + '_ {
    (
        f.state == FileState::Active,
        f.stamp.as_ref().map(|s| s.0.as_str()),
        first_ts,
        f.stamp.as_ref().map(|s| suffix_key(&s.1)),
        &f.path,
    )
}

/// Drops the later form of a rotated file that is also there in an earlier
/// one (a compression or an encryption finishing: `x.log` with `x.log.gz`,
/// `x.log.gz` with `x.log.gz.age`, `x.log` with `x.log.age`): the earlier
/// form is kept; leaves `files` sorted by path.
fn drop_twins(files: &mut Vec<LogFile>) {
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let present: std::collections::HashSet<PathBuf> =
        files.iter().map(|f| f.path.clone()).collect();
    let earlier = |f: &LogFile, suffix: &str| {
        f.path
            .to_str()
            .and_then(|p| p.strip_suffix(suffix))
            .is_some_and(|p| present.contains(Path::new(p)))
    };
    files.retain(|f| {
        let twin = if f.encrypted {
            earlier(f, ".age")
        } else {
            f.compression == Compression::Gzip && earlier(f, ".gz")
        };
        !twin
    });
}

/// The files of destination `stem` in `dir`, ordered (see [`order_files`]);
/// an empty list when there are none. The directory is listed twice and the
/// listings joined, so that a file renamed during a listing is not missed.
///
/// # Errors
///
/// The directory cannot be read.
pub fn destination(dir: &Path, stem: &str) -> Result<Destination, ReadError> {
    let mut files = list_unordered(dir, stem)?;
    order_files(&mut files);
    Ok(Destination {
        dir: dir.to_path_buf(),
        stem: stem.to_string(),
        files,
    })
}

/// The files of destination `stem` in `dir`, sorted by path only, without
/// the compressed twin of a plain rotated file (for callers that order them
/// by their own means, as the follower does by identity).
pub(crate) fn list_unordered(dir: &Path, stem: &str) -> Result<Vec<LogFile>, ReadError> {
    let mut files = Vec::new();
    // A file renamed while the directory is listed (`.gz.tmp` to `.gz`,
    // then its plain twin deleted) can be missed by one listing; it cannot
    // be missed by two in a row.
    for _ in 0..2 {
        for entry in std::fs::read_dir(dir).map_err(|e| ReadError::io(e, dir))? {
            let entry = entry.map_err(|e| ReadError::io(e, dir))?;
            if let Some((s, f)) = parse_name(&entry.path()) {
                if s == stem && !files.contains(&f) {
                    files.push(f);
                }
            }
        }
    }
    drop_twins(&mut files);
    Ok(files)
}

/// Finds the destinations of `paths`: a directory gives every destination
/// in it; a file gives its destination with just that file (several files
/// of one destination are grouped, in order). Destinations come sorted by
/// directory, then name.
///
/// # Errors
///
/// A path that does not exist or cannot be read; a directory without any
/// log file ([`ErrorKind::NoLogFiles`]).
///
/// # Examples
///
/// ```no_run
/// use logger_read::discover;
/// for d in discover(&["logs".into()]).unwrap() {
///     println!("{}: {} files", d.stem, d.files.len());
/// }
/// ```
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Destination>, ReadError> {
    let mut by_dest: BTreeMap<(PathBuf, String), Vec<LogFile>> = BTreeMap::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| ReadError::io(e, path))?;
        if meta.is_dir() {
            let before = by_dest.len();
            let mut found = false;
            for entry in std::fs::read_dir(path).map_err(|e| ReadError::io(e, path))? {
                let entry = entry.map_err(|e| ReadError::io(e, path))?;
                let p = entry.path();
                if let Some((stem, f)) = parse_name(&p) {
                    if p.is_file() {
                        found = true;
                        by_dest.entry((path.clone(), stem)).or_default().push(f);
                    }
                }
            }
            if !found && by_dest.len() == before {
                return Err(ReadError::new(ErrorKind::NoLogFiles, path));
            }
        } else {
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let stem = match parse_name(path) {
                Some((s, _)) => s,
                None => path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            };
            let files = by_dest.entry((dir, stem)).or_default();
            let f = LogFile::from_path(path);
            if !files.contains(&f) {
                files.push(f);
            }
        }
    }
    Ok(by_dest
        .into_iter()
        .map(|((dir, stem), mut files)| {
            order_files(&mut files);
            Destination { dir, stem, files }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let p = |s: &str| {
            parse_name(Path::new(s)).map(|(stem, f)| (stem, f.state, f.compression, f.encrypted))
        };
        assert_eq!(
            p("app.log"),
            Some(("app".into(), FileState::Active, Compression::None, false))
        );
        assert_eq!(
            p("my.app.20261121T103045.123.log"),
            Some((
                "my.app".into(),
                FileState::Rotated,
                Compression::None,
                false
            ))
        );
        assert_eq!(
            p("app.20261121T103045.123.log.gz.age"),
            Some(("app".into(), FileState::Rotated, Compression::Gzip, true))
        );
        assert_eq!(p("app.20261121T103045.12.log.gz"), None);
        assert_eq!(p(".log"), None);
        assert_eq!(p("app.log.age"), None);
    }

    #[test]
    fn orders_by_stamp_then_suffix_active_last() {
        let mut files: Vec<LogFile> = [
            "d/app.log",
            "d/app.20261121T103045.123-10.log.gz",
            "d/app.20261121T103045.123-2.log",
            "d/app.20261121T103045.123.log.gz",
            "d/app.20261120T000000.000.log",
            "d/app.20261120T000000.000.log.gz",
        ]
        .iter()
        .map(|s| LogFile::from_path(Path::new(s)))
        .collect();
        order_files(&mut files);
        let names: Vec<_> = files.iter().map(|f| f.path.to_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                "d/app.20261120T000000.000.log",
                "d/app.20261121T103045.123.log.gz",
                "d/app.20261121T103045.123-2.log",
                "d/app.20261121T103045.123-10.log.gz",
                "d/app.log",
            ]
        );
    }
}

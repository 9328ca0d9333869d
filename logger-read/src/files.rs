//! Finding a destination's files: [`discover`], [`Destination`], [`LogFile`].
//!
//! In a directory, a destination named `<stem>` (`app`, `trades`, `perf`,
//! `errors`, or a configured name) has the active file `<stem>.log` and
//! rotated files `<stem>.<YYYYMMDD>T<HHMMSS>.<mmm><suffix>.log`, where the
//! suffix (possibly empty) tells apart rotations in the same millisecond;
//! a rotated file may be gzip'ed (`.log.gz`) and later encrypted (`.age`).
//! Other files (`.gz.tmp` of a compression in progress, anything else) are
//! ignored. Rotated files moved into the directory's `archive/` folder (the
//! writer's `archive_after_days`) belong to the same destination and are
//! listed with it. Rotated files are ordered by the timestamp in their
//! name, then by the `ts` of their first line, then by suffix.

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

/// The folder of archived rotated files, inside a log directory.
pub const ARCHIVE_DIR: &str = "archive";

/// Drops the second copy of a name seen both in the directory and in
/// `archive/` (a move seen from both sides: the archived one is kept), and
/// the later form of a rotated file that is also there in an earlier one,
/// in either folder (a compression or an encryption finishing: `x.log`
/// with `x.log.gz`, `x.log.gz` with `x.log.gz.age`, `x.log` with
/// `x.log.age`: the earlier form is kept); leaves `files` sorted by path.
fn drop_twins(files: &mut Vec<LogFile>) {
    let name = |f: &LogFile| f.path.file_name().map(|n| n.to_os_string());
    let archived = |f: &LogFile| {
        f.path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|d| d == ARCHIVE_DIR)
    };
    // Archived files first, so that they are the copy kept.
    files.sort_by_key(|f| (!archived(f), f.path.clone()));
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| f.state == FileState::Active || seen.insert(name(f)));
    let present: std::collections::HashSet<std::ffi::OsString> =
        files.iter().filter_map(name).collect();
    let earlier = |f: &LogFile, suffix: &str| {
        name(f)
            .as_deref()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(suffix))
            .is_some_and(|n| present.contains(std::ffi::OsStr::new(n)))
    };
    files.retain(|f| {
        let twin = if f.encrypted {
            earlier(f, ".age")
        } else {
            f.compression == Compression::Gzip && earlier(f, ".gz")
        };
        !twin
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
}

/// The forms a rotated file listed as `file` may have taken since: its
/// `.gz` beside it, and the `.gz` in `archive/` (for a plain file); itself
/// in `archive/` (for a `.gz`). A file in `archive/` moves no further.
/// Encrypted forms are not readable as such.
pub(crate) fn later_forms(file: &LogFile) -> Vec<LogFile> {
    let (Some(dir), Some(name)) = (file.path.parent(), file.path.file_name()) else {
        return Vec::new();
    };
    let gz = |p: PathBuf| LogFile {
        path: p,
        compression: Compression::Gzip,
        ..file.clone()
    };
    let archived = dir.file_name().is_some_and(|d| d == ARCHIVE_DIR);
    let archive = dir.join(ARCHIVE_DIR);
    let mut gz_name = name.to_os_string();
    gz_name.push(".gz");
    let mut forms = Vec::new();
    match (file.compression, file.encrypted) {
        (_, true) => {}
        (Compression::None, false) => {
            forms.push(gz(dir.join(&gz_name)));
            if !archived {
                forms.push(gz(archive.join(&gz_name)));
            }
        }
        (Compression::Gzip, false) if !archived => forms.push(gz(archive.join(name))),
        (Compression::Gzip, false) => {}
    }
    forms
}

/// `dir` and, when it exists, its `archive/` folder.
fn with_archive(dir: &Path) -> Vec<PathBuf> {
    let archive = dir.join(ARCHIVE_DIR);
    let mut dirs = vec![dir.to_path_buf()];
    if archive.is_dir() {
        dirs.push(archive);
    }
    dirs
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
    // The same holds for a move into `archive/`, listed after the directory.
    for _ in 0..2 {
        for d in with_archive(dir) {
            for entry in std::fs::read_dir(&d).map_err(|e| ReadError::io(e, &d))? {
                let entry = entry.map_err(|e| ReadError::io(e, &d))?;
                if let Some((s, f)) = parse_name(&entry.path()) {
                    let archived_active = d != dir && f.state == FileState::Active;
                    if s == stem && !archived_active && !files.contains(&f) {
                        files.push(f);
                    }
                }
            }
        }
    }
    drop_twins(&mut files);
    Ok(files)
}

/// Finds the destinations of `paths`: a directory gives every destination
/// in it, with the rotated files of its `archive/` folder; a file gives its
/// destination with just that file (several files of one destination are
/// grouped, in order). Destinations come sorted by directory, then name.
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
            for d in with_archive(path) {
                for entry in std::fs::read_dir(&d).map_err(|e| ReadError::io(e, &d))? {
                    let entry = entry.map_err(|e| ReadError::io(e, &d))?;
                    let p = entry.path();
                    if let Some((stem, f)) = parse_name(&p) {
                        // `archive/` holds rotated files only.
                        let archived_active = d != *path && f.state == FileState::Active;
                        if p.is_file() && !archived_active {
                            found = true;
                            by_dest.entry((path.clone(), stem)).or_default().push(f);
                        }
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

    #[test]
    fn archive_folder_is_part_of_its_destinations() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let a = d.join(ARCHIVE_DIR);
        std::fs::create_dir(&a).unwrap();
        for p in [
            a.join("app.20261101T000000.000.log.gz"),
            // Seen in both places: a move between two listings.
            d.join("app.20261102T000000.000.log.gz"),
            a.join("app.20261102T000000.000.log.gz"),
            // Plain in the directory while its archived `.gz` is finishing.
            d.join("app.20261103T000000.000.log"),
            a.join("app.20261103T000000.000.log.gz"),
            a.join("app.20261104T000000.000.log.gz.tmp"),
            // Not a rotated file: ignored in `archive/`.
            a.join("app.log"),
            d.join("app.log"),
            d.join("execution.log"),
            a.join("execution.20261101T000000.000.log.gz.age"),
        ] {
            std::fs::write(&p, b"").unwrap();
        }
        let dests = discover(&[d.to_path_buf()]).unwrap();
        let listed = |stem: &str| -> Vec<PathBuf> {
            let dest = dests.iter().find(|x| x.stem == stem).unwrap();
            assert_eq!(dest.dir, d);
            dest.files.iter().map(|f| f.path.clone()).collect()
        };
        let app = [
            a.join("app.20261101T000000.000.log.gz"),
            a.join("app.20261102T000000.000.log.gz"),
            d.join("app.20261103T000000.000.log"),
            d.join("app.log"),
        ];
        assert_eq!(listed("app"), app);
        assert_eq!(
            listed("execution"),
            [
                a.join("execution.20261101T000000.000.log.gz.age"),
                d.join("execution.log")
            ]
        );
        assert_eq!(dests.len(), 2);
        let one = destination(d, "app").unwrap();
        assert_eq!(
            one.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>(),
            app
        );
    }

    #[test]
    fn a_rotated_file_archived_after_it_was_listed_is_read_from_archive() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join(ARCHIVE_DIR)).unwrap();
        let gz_bytes = |text: &[u8]| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(text).unwrap();
            e.finish().unwrap()
        };
        // Listed plain, then compressed into `archive/`; listed as a `.gz`,
        // then moved there.
        let plain = d.join("app.20261101T000000.000.log");
        let gz = d.join("app.20261102T000000.000.log.gz");
        std::fs::write(&plain, b"{\"n\":1}\n").unwrap();
        std::fs::write(&gz, gz_bytes(b"{\"n\":2}\n")).unwrap();
        let listed = destination(d, "app").unwrap().files;
        assert_eq!(listed.len(), 2);
        std::fs::remove_file(&plain).unwrap();
        std::fs::write(
            d.join(ARCHIVE_DIR).join("app.20261101T000000.000.log.gz"),
            gz_bytes(b"{\"n\":1}\n"),
        )
        .unwrap();
        std::fs::rename(
            &gz,
            d.join(ARCHIVE_DIR).join("app.20261102T000000.000.log.gz"),
        )
        .unwrap();
        for (file, want) in listed.iter().zip([&b"{\"n\":1}"[..], b"{\"n\":2}"]) {
            let mut r = crate::lines::LineReader::open(file).unwrap();
            assert_eq!(r.next_line().unwrap().unwrap().bytes, want);
        }
        // Gone from everywhere: the error names the listed path.
        std::fs::remove_dir_all(d.join(ARCHIVE_DIR)).unwrap();
        let Err(e) = crate::lines::LineReader::open(&listed[0]) else {
            panic!("opened a file that is nowhere");
        };
        assert!(e.to_string().contains("app.20261101T000000.000.log"), "{e}");
    }
}

//! [`LineReader`]: the complete lines of one file, plain or gzip, in bounded
//! memory.
//!
//! A line is complete only when it ends in `\n`. The file is read in large
//! blocks (1 MiB by default) and lines are found with `memchr`; a line is
//! handed out as a slice of the block, valid until the next call. NUL bytes
//! are never data (the writer escapes NUL inside strings): NULs after the
//! last newline are the padding of a mapped window ([`Tail`]); NULs inside a
//! line are what a crash leaves before a later append, and the bytes before
//! them are reported as [`ErrorKind::CutLine`] while the line after them is
//! read. A line longer than [`ReaderOptions::max_line_bytes`] is reported
//! as [`ErrorKind::LineTooLong`] and skipped up to its newline.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use memchr::{memchr, memrchr};

use crate::error::{ErrorKind, ReadError};
use crate::files::{Compression, FileState, LogFile};
use crate::identity::FileId;

/// Default size of a read block: 1 MiB.
pub const DEFAULT_BUFFER_BYTES: usize = 1 << 20;
/// Default cap on a line's length: 16 MiB.
pub const DEFAULT_MAX_LINE_BYTES: usize = 16 << 20;

/// How a [`LineReader`] reads.
#[derive(Clone, Copy, Debug)]
pub struct ReaderOptions {
    /// Bytes read per block (at least 4 KiB); default [`DEFAULT_BUFFER_BYTES`].
    pub buffer_bytes: usize,
    /// Longest line kept, in bytes (without its newline); a longer one is
    /// reported and skipped. Default [`DEFAULT_MAX_LINE_BYTES`]. The reader's
    /// memory is at most about `max(buffer_bytes, max_line_bytes)`.
    pub max_line_bytes: usize,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions {
            buffer_bytes: DEFAULT_BUFFER_BYTES,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
        }
    }
}

/// One complete line, borrowed from the reader's block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line<'a> {
    /// The line without its newline (and without NUL padding before it).
    pub bytes: &'a [u8],
    /// Byte offset of the line's start in the uncompressed content.
    pub offset: u64,
    /// Byte offset just after its newline: where the next line starts, the
    /// offset a checkpoint stores.
    pub next: u64,
    /// 1-based line number, counting every newline from where reading
    /// started (the file's start unless [`LineReader::open_at`] was used).
    pub number: u64,
}

/// What followed the last newline: not a line. Reported by
/// [`LineReader::tail`] once the reader reached the end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tail {
    /// Offset of the first byte after the last newline.
    pub offset: u64,
    /// Trailing NUL bytes (the padding of a mapped window: a file being
    /// written, or left by a crash).
    pub nul_bytes: u64,
    /// Bytes of a line without its newline, before the padding (a line cut
    /// by a crash, or still being written).
    pub partial_bytes: u64,
}

/// Counts of what the reader skipped so far besides the tail.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SkipCounts {
    /// NUL bytes inside the content (between lines), not counting the tail.
    pub nul_bytes: u64,
    /// Cut lines reported ([`ErrorKind::CutLine`]).
    pub cut_lines: u64,
    /// Over-long lines reported ([`ErrorKind::LineTooLong`]).
    pub too_long: u64,
}

/// The complete lines of one file. See the module docs.
///
/// # Examples
///
/// ```no_run
/// use logger_read::LineReader;
/// let mut r = LineReader::open_path("logs/app.log").unwrap();
/// while let Some(line) = r.next_line() {
///     let line = line.unwrap(); // or report the error and go on
///     println!("{} {}", line.number, String::from_utf8_lossy(line.bytes));
/// }
/// if let Some(t) = r.tail() {
///     eprintln!("{} bytes of a cut line, {} NUL bytes", t.partial_bytes, t.nul_bytes);
/// }
/// ```
pub struct LineReader {
    path: PathBuf,
    src: Box<dyn Read + Send>,
    gzip: bool,
    opts: ReaderOptions,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Offset of `buf[0]` in the content.
    base: u64,
    eof: bool,
    /// A read error ended the reader.
    failed: bool,
    number: u64,
    /// Inside an over-long line, dropping bytes up to its newline.
    skipping: bool,
    /// The line after a cut fragment, handed out on the next call:
    /// (start, end) in `buf`, its number.
    pending: Option<(usize, usize, u64)>,
    /// NUL search cache: the next NUL at or after `nul_from`, or `u64::MAX`
    /// if there is none before `nul_to` (absolute offsets).
    next_nul: u64,
    nul_from: u64,
    nul_to: u64,
    skipped: SkipCounts,
    tail: Option<Tail>,
    /// The last line handed out: (start, end) in `buf`, its number.
    cur: Option<(usize, usize, u64)>,
    /// Offset just after the last newline read (where reading started if none).
    after_newline: u64,
}

impl LineReader {
    /// Opens `file` at its start (see [`LineReader::open_at`]).
    pub fn open(file: &LogFile) -> Result<LineReader, ReadError> {
        Self::open_at(file, 0, ReaderOptions::default())
    }

    /// Opens the file at `path`, gzip when its name ends in `.gz`.
    pub fn open_path(path: impl AsRef<Path>) -> Result<LineReader, ReadError> {
        Self::open(&LogFile::from_path(path.as_ref()))
    }

    /// Opens `file` to read from byte `offset` of its (uncompressed)
    /// content, which must be 0 or just after a newline.
    ///
    /// # Errors
    ///
    /// The file cannot be opened or read; it is encrypted
    /// ([`ErrorKind::Encrypted`]: use [`crate::decrypt::open_at`]); `offset`
    /// is past the end or not at a line start ([`ErrorKind::BadOffset`]).
    pub fn open_at(
        file: &LogFile,
        offset: u64,
        opts: ReaderOptions,
    ) -> Result<LineReader, ReadError> {
        Self::open_checked(file, offset, opts, None)
    }

    /// [`LineReader::open_at`], checking first that a plain file opened is
    /// the file `expect` (by its first line; a file without a complete first
    /// line yet passes): a file opened by name may have been rotated away
    /// and replaced since it was identified.
    ///
    /// # Errors
    ///
    /// As [`LineReader::open_at`], and [`ErrorKind::Replaced`].
    pub fn open_checked(
        file: &LogFile,
        offset: u64,
        opts: ReaderOptions,
        expect: Option<FileId>,
    ) -> Result<LineReader, ReadError> {
        let path = &file.path;
        if file.encrypted {
            return Err(ReadError::new(ErrorKind::Encrypted, path));
        }
        let mut f = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound && file.state == FileState::Rotated => {
                // Compressed or archived since it was listed: read the
                // form it became.
                let mut forms = crate::files::later_forms(file).into_iter();
                return forms
                    .find_map(|f| Self::open_checked(&f, offset, opts, None).ok())
                    .ok_or_else(|| ReadError::io(e, path));
            }
            Err(e) => return Err(ReadError::io(e, path)),
        };
        let src: Box<dyn Read + Send> = match file.compression {
            Compression::None => {
                if let Some(want) = expect {
                    // The file expected has a first line: a file without
                    // one is another file (just created under this name).
                    let active = file.state == FileState::Active;
                    if FileId::of_open_file(&f, active).map_err(|e| ReadError::io(e, path))?
                        != Some(want)
                    {
                        return Err(ReadError::new(ErrorKind::Replaced, path));
                    }
                }
                if offset > 0 {
                    let len = f.metadata().map_err(|e| ReadError::io(e, path))?.len();
                    if offset > len {
                        return Err(ReadError::new(ErrorKind::BadOffset { offset, len }, path));
                    }
                    f.seek(SeekFrom::Start(offset - 1))
                        .map_err(|e| ReadError::io(e, path))?;
                }
                Box::new(f)
            }
            Compression::Gzip => {
                let cap = (opts.buffer_bytes / 4).clamp(8 << 10, 256 << 10);
                let mut d = MultiGzDecoder::new(BufReader::with_capacity(cap, f));
                if offset > 0 {
                    let skipped = io::copy(&mut (&mut d).take(offset - 1), &mut io::sink())
                        .map_err(|e| ReadError::new(ErrorKind::Gzip(e), path))?;
                    if skipped < offset - 1 {
                        return Err(ReadError::new(
                            ErrorKind::BadOffset {
                                offset,
                                len: skipped,
                            },
                            path,
                        ));
                    }
                }
                Box::new(d)
            }
        };
        let mut r = Self::build(
            path.clone(),
            src,
            file.compression == Compression::Gzip,
            opts,
        );
        if offset > 0 {
            // The byte before `offset` must end a line.
            let mut prev = [0u8; 1];
            let n = read_retrying(&mut r.src, &mut prev).map_err(|e| r.read_error(e))?;
            if n == 0 || prev[0] != b'\n' {
                return Err(ReadError::new(
                    ErrorKind::BadOffset {
                        offset,
                        len: offset - 1 + n as u64,
                    },
                    path,
                ));
            }
            r.base = offset;
            r.after_newline = offset;
            r.nul_from = offset;
            r.nul_to = offset;
        }
        Ok(r)
    }

    /// Reads lines from any byte source (a decrypting reader, a pipe, a
    /// buffer), named `path` in errors.
    ///
    /// # Examples
    ///
    /// ```
    /// use logger_read::{LineReader, ReaderOptions};
    /// let data: &[u8] = b"one\ntwo\n\0\0";
    /// let mut r = LineReader::from_reader("mem", Box::new(data), ReaderOptions::default());
    /// assert_eq!(r.next_line().unwrap().unwrap().bytes, b"one");
    /// assert_eq!(r.next_line().unwrap().unwrap().bytes, b"two");
    /// assert!(r.next_line().is_none());
    /// assert_eq!(r.tail().unwrap().nul_bytes, 2);
    /// ```
    pub fn from_reader(
        path: impl Into<PathBuf>,
        src: Box<dyn Read + Send>,
        opts: ReaderOptions,
    ) -> LineReader {
        Self::build(path.into(), src, false, opts)
    }

    /// [`LineReader::from_reader`] for a source already positioned at byte
    /// `offset` of the content (just after a newline): offsets and
    /// checkpoints count from the content's start.
    pub(crate) fn from_reader_at(
        path: PathBuf,
        src: Box<dyn Read + Send>,
        offset: u64,
        opts: ReaderOptions,
    ) -> LineReader {
        let mut r = Self::build(path, src, false, opts);
        r.base = offset;
        r.after_newline = offset;
        r.nul_from = offset;
        r.nul_to = offset;
        r
    }

    fn build(path: PathBuf, src: Box<dyn Read + Send>, gzip: bool, opts: ReaderOptions) -> Self {
        let opts = ReaderOptions {
            buffer_bytes: opts.buffer_bytes.max(4096),
            max_line_bytes: opts.max_line_bytes.max(1),
        };
        LineReader {
            path,
            src,
            gzip,
            buf: vec![0; opts.buffer_bytes],
            opts,
            start: 0,
            end: 0,
            base: 0,
            eof: false,
            failed: false,
            number: 0,
            skipping: false,
            pending: None,
            next_nul: u64::MAX,
            nul_from: 0,
            nul_to: 0,
            skipped: SkipCounts::default(),
            tail: None,
            cur: None,
            after_newline: 0,
        }
    }

    /// The path lines are read from (as given).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Offset of the next byte not yet handed out as (part of) a line: after
    /// the last line returned, this is that line's `next`.
    pub fn position(&self) -> u64 {
        self.base + self.start as u64
    }

    /// Offset just after the last newline read so far (the offset reading
    /// started at, before any): where reading can resume later to get every
    /// line not yet complete, such as a line still being written.
    pub fn resume_offset(&self) -> u64 {
        self.after_newline
    }

    /// What the reader skipped so far (besides the tail).
    pub fn skipped(&self) -> SkipCounts {
        self.skipped
    }

    /// After [`LineReader::next_line`] returned `None`: what followed the
    /// last newline, if anything did.
    pub fn tail(&self) -> Option<Tail> {
        self.tail.filter(|t| t.nul_bytes + t.partial_bytes > 0)
    }

    /// Whether the reader reached the end of its input (or stopped at a read error).
    pub fn is_done(&self) -> bool {
        self.failed
            || (self.eof && self.start == self.end && self.pending.is_none())
            || self.tail.is_some()
    }

    fn read_error(&self, e: io::Error) -> ReadError {
        let kind = if self.gzip {
            ErrorKind::Gzip(e)
        } else {
            ErrorKind::Io(e)
        };
        ReadError::new(kind, &self.path).at_offset(self.position())
    }

    /// The next complete line, an error about the bytes where a line was
    /// expected (reading goes on after it), or `None` at the end.
    ///
    /// After a read error (an I/O error, a truncated gzip stream) the
    /// reader stops: the next call returns `None`.
    #[inline]
    pub fn next_line(&mut self) -> Option<Result<Line<'_>, ReadError>> {
        self.cur = None;
        if let Some((s, e, number)) = self.pending.take() {
            return Some(Ok(self.emit(s, e, number)));
        }
        self.next_line_inner()
    }

    #[inline(always)]
    fn next_line_inner(&mut self) -> Option<Result<Line<'_>, ReadError>> {
        loop {
            if let Some(k) = memchr(b'\n', &self.buf[self.start..self.end]) {
                let s = self.start;
                let e = s + k;
                self.start = e + 1;
                self.number += 1;
                self.after_newline = self.base + self.start as u64;
                if self.skipping {
                    self.skipping = false;
                    continue;
                }
                if self.has_nul(s, e) {
                    match self.split_at_nul(s, e) {
                        NulSplit::Cut(err) => return Some(Err(err)),
                        NulSplit::Line(s, e) => return Some(Ok(self.emit(s, e, self.number))),
                        NulSplit::Nothing => continue,
                    }
                }
                return Some(Ok(self.emit(s, e, self.number)));
            }
            if self.failed || self.tail.is_some() {
                return None;
            }
            if self.eof {
                self.finish();
                return None;
            }
            if let Err(e) = self.fill() {
                return Some(Err(e));
            }
        }
    }

    /// Records `buf[s..e]` as the last line handed out, and returns it.
    #[inline(always)]
    fn emit(&mut self, s: usize, e: usize, number: u64) -> Line<'_> {
        self.cur = Some((s, e, number));
        self.line_at(s, e, number)
    }

    /// The line the last [`LineReader::next_line`] returned, again (`None`
    /// if it returned anything else). Lets a caller keep its place without
    /// holding the borrow (as [`crate::Merge`] does).
    pub fn last_line(&self) -> Option<Line<'_>> {
        self.cur.map(|(s, e, n)| self.line_at(s, e, n))
    }

    #[inline(always)]
    fn line_at(&self, s: usize, e: usize, number: u64) -> Line<'_> {
        Line {
            bytes: &self.buf[s..e],
            offset: self.base + s as u64,
            next: self.base + e as u64 + 1,
            number,
        }
    }

    /// Whether `buf[s..e]` holds a NUL byte (with a cache, so that a block
    /// without NUL is searched once).
    #[inline(always)]
    fn has_nul(&mut self, s: usize, e: usize) -> bool {
        let (sa, ea) = (self.base + s as u64, self.base + e as u64);
        if self.next_nul != u64::MAX && self.next_nul >= sa {
            return self.next_nul < ea;
        }
        if self.next_nul == u64::MAX && sa >= self.nul_from && ea <= self.nul_to {
            return false;
        }
        self.next_nul = match memchr(0, &self.buf[s..self.end]) {
            Some(k) => sa + k as u64,
            None => u64::MAX,
        };
        self.nul_from = sa;
        self.nul_to = self.base + self.end as u64;
        self.next_nul < ea
    }

    /// A line `buf[s..e]` holding NUL bytes: the bytes after the last NUL
    /// are the line; non-NUL bytes before the first are a cut line.
    #[cold]
    fn split_at_nul(&mut self, s: usize, e: usize) -> NulSplit {
        let bytes = &self.buf[s..e];
        let last = memrchr(0, bytes).unwrap_or(0);
        let before = &bytes[..=last];
        let nuls = before.iter().filter(|&&b| b == 0).count();
        self.skipped.nul_bytes += nuls as u64;
        let after = (s + last + 1, e);
        // Every non-NUL byte before the last NUL belongs to cut lines.
        let cut = before.len() - nuls;
        if cut > 0 {
            self.skipped.cut_lines += 1;
            if after.0 < after.1 {
                self.pending = Some((after.0, after.1, self.number));
            }
            let first = before.iter().position(|&b| b != 0).unwrap_or(0);
            let err = ReadError::new(ErrorKind::CutLine { bytes: cut as u64 }, &self.path)
                .at_line(self.number)
                .at_offset(self.base + (s + first) as u64);
            return NulSplit::Cut(err);
        }
        if after.0 < after.1 {
            return NulSplit::Line(after.0, after.1);
        }
        NulSplit::Nothing
    }

    /// Makes room and reads one more block; marks the end of input.
    #[cold]
    fn fill(&mut self) -> Result<(), ReadError> {
        if self.start == 0 && self.end == self.buf.len() {
            // One line fills the whole block.
            if self.buf.len() <= self.opts.max_line_bytes && !self.skipping {
                let n = (self.buf.len() * 2).min(self.opts.max_line_bytes + 1);
                self.buf.resize(n, 0);
            } else {
                let offset = self.base;
                self.base += self.end as u64;
                self.start = 0;
                self.end = 0;
                if !self.skipping {
                    self.skipping = true;
                    self.skipped.too_long += 1;
                    let err = ReadError::new(
                        ErrorKind::LineTooLong {
                            cap: self.opts.max_line_bytes,
                        },
                        &self.path,
                    )
                    .at_line(self.number + 1)
                    .at_offset(offset);
                    return Err(err);
                }
            }
        } else if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.base += self.start as u64;
            self.end -= self.start;
            self.start = 0;
        }
        match read_retrying(&mut self.src, &mut self.buf[self.end..]) {
            Ok(0) => self.eof = true,
            Ok(n) => self.end += n,
            Err(e) => {
                self.failed = true;
                return Err(self.read_error(e));
            }
        }
        Ok(())
    }

    /// At the end of input: what is left is the tail.
    fn finish(&mut self) {
        let rest = &self.buf[self.start..self.end];
        let content = rest.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
        let mut tail = Tail {
            offset: self.position(),
            nul_bytes: (rest.len() - content) as u64,
            partial_bytes: content as u64,
        };
        if self.skipping {
            // An over-long line that never ended: already reported.
            tail.partial_bytes = 0;
        }
        self.tail = Some(tail);
    }
}

/// What a line holding NUL bytes turned out to be.
enum NulSplit {
    /// A cut line before the padding (the line after it, if any, is pending).
    Cut(ReadError),
    /// Padding, then the line `buf[.0...1]`.
    Line(usize, usize),
    /// Only padding.
    Nothing,
}

fn read_retrying(src: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match src.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line's bytes, offset, next and number.
    type Owned = (Vec<u8>, u64, u64, u64);

    fn read_all(data: &[u8], opts: ReaderOptions) -> (Vec<Result<Owned, String>>, Option<Tail>) {
        let mut r = LineReader::from_reader("mem", Box::new(io::Cursor::new(data.to_vec())), opts);
        let mut out = Vec::new();
        while let Some(l) = r.next_line() {
            out.push(
                l.map(|l| (l.bytes.to_vec(), l.offset, l.next, l.number))
                    .map_err(|e| e.to_string()),
            );
        }
        (out, r.tail())
    }

    fn small() -> ReaderOptions {
        ReaderOptions {
            buffer_bytes: 4096,
            max_line_bytes: 10_000,
        }
    }

    #[test]
    fn lines_offsets_and_tail() {
        let (out, tail) = read_all(b"a\nbb\n\nccc", small());
        assert_eq!(
            out,
            [
                Ok((b"a".to_vec(), 0, 2, 1)),
                Ok((b"bb".to_vec(), 2, 5, 2)),
                Ok((b"".to_vec(), 5, 6, 3)),
            ]
        );
        assert_eq!(
            tail,
            Some(Tail {
                offset: 6,
                nul_bytes: 0,
                partial_bytes: 3
            })
        );
        let (out, tail) = read_all(b"", small());
        assert!(out.is_empty() && tail.is_none());
    }

    #[test]
    fn nul_padding_in_the_middle() {
        let (out, tail) = read_all(b"one\ncut\0\0\0two\n\0\0three\n\0\0\0\n\0\0", small());
        assert_eq!(out.len(), 4, "{out:?}");
        assert_eq!(out[0], Ok((b"one".to_vec(), 0, 4, 1)));
        assert_eq!(out[1], Err("mem: line 2 (byte 4): a cut line of 3 bytes followed by NUL padding (a crash), skipped".to_string()));
        assert_eq!(out[2], Ok((b"two".to_vec(), 10, 14, 2)));
        assert_eq!(out[3], Ok((b"three".to_vec(), 16, 22, 3)));
        assert_eq!(tail.unwrap().nul_bytes, 2);
    }

    #[test]
    fn long_lines_grow_then_are_skipped() {
        let mut data = Vec::new();
        data.extend_from_slice(b"first\n");
        data.extend(std::iter::repeat_n(b'x', 9_000));
        data.push(b'\n');
        data.extend(std::iter::repeat_n(b'y', 50_000));
        data.extend_from_slice(b"\nlast\n");
        let (out, tail) = read_all(&data, small());
        assert_eq!(
            out.len(),
            4,
            "{:?}",
            out.iter()
                .map(|r| r.as_ref().map(|l| l.0.len()))
                .collect::<Vec<_>>()
        );
        assert_eq!(out[1].as_ref().unwrap().0.len(), 9_000);
        assert_eq!(
            out[2],
            Err("mem: line 3 (byte 9007): line longer than 10000 bytes, skipped".to_string())
        );
        assert_eq!(out[3], Ok((b"last".to_vec(), 59_008, 59_013, 4)));
        assert!(tail.is_none());
    }
}

//! Helpers of the security tests: the `age` command line, decrypting
//! `.age` files, reading every record of a directory whatever form its
//! files are in, and file modes.
#![allow(dead_code)]

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Path of a tool of the Debian package `age`; fails naming the script that
/// installs it when missing.
pub fn age_tool(name: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "`{name}` (Debian package `age`) is not installed: run the tests through \
             scripts/test-all.sh, which installs it (scripts/services/age.sh)"
        )
    })
}

/// Makes an identity file with the real `age-keygen`; returns its path and
/// the public key (`age1...`).
pub fn keygen(dir: &Path) -> (PathBuf, String) {
    let key = dir.join("key.txt");
    let out = Command::new(age_tool("age-keygen"))
        .arg("-o")
        .arg(&key)
        .output()
        .unwrap();
    assert!(out.status.success(), "age-keygen: {out:?}");
    let text = std::fs::read_to_string(&key).unwrap();
    let public = text
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .expect("age-keygen writes a `# public key:` line")
        .to_string();
    (key, public)
}

/// Decrypts `file` with the real `age -d -i identity`.
pub fn age_decrypt_cli(file: &Path, identity: &Path) -> Vec<u8> {
    let out = Command::new(age_tool("age"))
        .arg("-d")
        .arg("-i")
        .arg(identity)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "age -d {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Decrypts `file` with the age crate and `identity` (an `AGE-SECRET-KEY-`
/// line's key).
pub fn age_decrypt(file: &Path, identity: &age::x25519::Identity) -> Vec<u8> {
    let d = age::Decryptor::new(std::fs::File::open(file).unwrap()).unwrap();
    let mut r = d
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut out = Vec::new();
    r.read_to_end(&mut out).unwrap();
    out
}

/// The identity in an `age-keygen` key file.
pub fn identity_of(key_file: &Path) -> age::x25519::Identity {
    let text = std::fs::read_to_string(key_file).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap();
    line.parse().unwrap()
}

/// Gunzips `bytes` when `gz`.
pub fn gunzip_if(bytes: Vec<u8>, gz: bool) -> Vec<u8> {
    if !gz {
        return bytes;
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// The plaintext of a log file in any form (`.log`, `.log.gz`, `.log.age`,
/// `.log.gz.age`), decrypting with the age crate; complete lines only (a
/// crash tail of padding and a partial line is dropped).
pub fn plaintext(path: &Path, identity: &age::x25519::Identity) -> Vec<u8> {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let (raw, name) = match name.strip_suffix(".age") {
        Some(rest) => (age_decrypt(path, identity), rest.to_string()),
        None => (std::fs::read(path).unwrap(), name),
    };
    let mut bytes = gunzip_if(raw, name.ends_with(".gz"));
    let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    bytes.truncate(end);
    bytes
}

/// Every file name in `dir`, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

/// Permission bits of `path` (not following a symlink).
pub fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o7777
}

/// The `i` field of every JSON line of `bytes`.
pub fn ids(bytes: &[u8]) -> Vec<u64> {
    bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_slice(l).unwrap();
            v["fields"]["i"].as_u64()
        })
        .collect()
}

/// Sets the process umask (in a child process).
pub fn set_umask(mask: u32) {
    // SAFETY: umask only changes this process's file-creation mask.
    unsafe { libc::umask(mask as libc::mode_t) };
}

//! The PWA and the desk as they were built when this binary was (`dist/`,
//! packed by `build.rs`): unpacked once into a folder named by their hash and
//! served from there exactly as `--static-dir` would serve them.

use sha2::{Digest, Sha256};
use std::io;
use std::path::PathBuf;

static PACK: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/apps.pack"));

/// The files of `pack`: (name relative to `dist/`, bytes).
fn files(pack: &'static [u8]) -> io::Result<Vec<(&'static str, &'static [u8])>> {
    let broken = |what: &str| io::Error::new(io::ErrorKind::InvalidData, format!("the built-in apps: {what}"));
    let mut rest = pack;
    let mut files = Vec::new();
    while !rest.is_empty() {
        let take = |rest: &mut &'static [u8], n: usize| -> io::Result<&'static [u8]> {
            let (head, tail) = rest.split_at_checked(n).ok_or_else(|| broken("cut short"))?;
            *rest = tail;
            Ok(head)
        };
        let length = u32::from_le_bytes(take(&mut rest, 4)?.try_into().expect("4 bytes")) as usize;
        let name = std::str::from_utf8(take(&mut rest, length)?).map_err(|_| broken("a name is not UTF-8"))?;
        if name.split('/').any(|part| part.is_empty() || part == "..") {
            return Err(broken(&format!("{name:?} is not a plain relative name")));
        }
        let size = u64::from_le_bytes(take(&mut rest, 8)?.try_into().expect("8 bytes")) as usize;
        files.push((name, take(&mut rest, size)?));
    }
    Ok(files)
}

/// Whether this binary was built with the apps in it.
pub fn built_in() -> bool {
    !PACK.is_empty()
}

/// The folder holding the built-in apps, unpacked under `parent` on first use
/// (`pantau-apps-<hash>`, so servers of one build share it and another build
/// gets its own); None when the binary has none.
pub fn unpack(parent: &std::path::Path) -> io::Result<Option<PathBuf>> {
    if !built_in() {
        return Ok(None);
    }
    let hash = crate::photos::hex(&Sha256::digest(PACK)[..8]);
    let folder = parent.join(format!("pantau-apps-{hash}"));
    if folder.join("index.html").is_file() {
        return Ok(Some(folder));
    }
    // Written beside it and renamed whole: a server starting at the same
    // moment never serves a half-written folder.
    let partial = parent.join(format!("pantau-apps-{hash}.{}.partial", std::process::id()));
    for (name, bytes) in files(PACK)? {
        let path = partial.join(name);
        std::fs::create_dir_all(path.parent().expect("a file has a folder"))?;
        std::fs::write(&path, bytes)?;
    }
    match std::fs::rename(&partial, &folder) {
        Ok(()) => Ok(Some(folder)),
        // Another server unpacked the same build first.
        Err(_) if folder.join("index.html").is_file() => {
            std::fs::remove_dir_all(&partial)?;
            Ok(Some(folder))
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::files;

    fn pack(entries: &[(&str, &[u8])]) -> &'static [u8] {
        let mut pack = Vec::new();
        for (name, bytes) in entries {
            pack.extend((name.len() as u32).to_le_bytes());
            pack.extend(name.as_bytes());
            pack.extend((bytes.len() as u64).to_le_bytes());
            pack.extend(*bytes);
        }
        pack.leak()
    }

    #[test]
    fn a_pack_reads_back_as_its_files_and_a_broken_one_is_named() {
        let good = pack(&[("index.html", b"<html>"), ("desk/index.html", b"desk"), ("empty", b"")]);
        let read = files(good).unwrap();
        assert_eq!(read, [("index.html", &b"<html>"[..]), ("desk/index.html", b"desk"), ("empty", b"")]);
        let cut = &good[..good.len() - 3];
        assert!(files(cut).unwrap_err().to_string().contains("cut short"));
        let escaping = pack(&[("../etc/passwd", b"x")]);
        assert!(files(escaping).unwrap_err().to_string().contains("not a plain relative name"));
        assert!(files(pack(&[("a//b", b"x")])).is_err());
    }
}

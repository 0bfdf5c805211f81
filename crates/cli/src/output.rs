//! Output files of the batch commands: written beside the target and renamed over it at the end,
//! so a failed run leaves no half file. A target that exists and is not a regular file (/dev/null,
//! a pipe) is written in place: renaming over it would replace the device with a file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Writes `target` through `fill`; on an error nothing is left behind and the target is untouched.
pub fn write_file<T>(target: &Path, fill: impl FnOnce(&mut dyn Write) -> Result<T>) -> Result<T> {
    let special = std::fs::metadata(target).is_ok_and(|m| !m.is_file());
    let partial = if special { None } else { Some(partial_path(target)) };
    let path = partial.as_deref().unwrap_or(target);
    let file = File::create(path).with_context(|| format!("无法写入 {}", target.display()))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let result = fill(&mut w).and_then(|v| {
        w.flush().with_context(|| format!("无法写入 {}", target.display()))?;
        Ok(v)
    });
    drop(w);
    match (result, partial) {
        (Ok(v), Some(p)) => {
            std::fs::rename(&p, target).with_context(|| format!("无法写入 {}", target.display()))?;
            Ok(v)
        }
        (Ok(v), None) => Ok(v),
        (Err(e), p) => {
            if let Some(p) = p {
                let _ = std::fs::remove_file(p);
            }
            Err(e)
        }
    }
}

/// `out.csv` → `out.csv.partial`, beside the target (a rename does not cross file systems).
fn partial_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    target.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_run_leaves_the_target_as_it_was() {
        let dir = std::env::temp_dir().join(format!("eduq-output-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("out.csv");
        std::fs::write(&target, "old").unwrap();
        let err = write_file::<()>(&target, |w| {
            w.write_all(b"half")?;
            anyhow::bail!("bad row")
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        assert!(!dir.join("out.csv.partial").exists());
        write_file(&target, |w| Ok(w.write_all(b"new")?)).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_device_is_written_in_place_not_replaced() {
        let null = Path::new("/dev/null");
        if !null.exists() {
            return;
        }
        write_file(null, |w| Ok(w.write_all(b"x")?)).unwrap();
        assert!(!std::fs::metadata(null).unwrap().is_file(), "/dev/null is still a device");
    }
}

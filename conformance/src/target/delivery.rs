//! The trail delivery files a target has written (`spec/trail.md#delivery`), as the harness reads
//! them from the delivery folder: every file whose name ends in `.json.gz`, with its path
//! relative to the folder. Temporary files (which never end so, `spec/trail.md#delivery-atomic`)
//! are not listed. It does not read the files' contents beyond their bytes: the cases do.

use std::path::Path;

use super::TargetError;

/// One delivered file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryFile {
    /// The path below the delivery folder, `/`-separated
    /// (`AWSLogs/<account>/CloudTrail/<region>/...`).
    pub path: String,
    /// The file's bytes (gzip).
    pub bytes: Vec<u8>,
}

/// Every delivered file under `root`, sorted by path. A missing folder holds none.
pub fn read_delivery_folder(root: &Path) -> Result<Vec<DeliveryFile>, TargetError> {
    let mut out = Vec::new();
    if root.exists() {
        walk(root, "", &mut out)?;
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<DeliveryFile>) -> Result<(), TargetError> {
    let unreadable = |e: std::io::Error| {
        TargetError::Transport(format!("delivery folder {}: {e}", dir.display()))
    };
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let kind = entry.file_type().map_err(unreadable)?;
        if kind.is_dir() {
            walk(&entry.path(), &path, out)?;
        } else if name.ends_with(".json.gz") {
            let bytes = std::fs::read(entry.path()).map_err(unreadable)?;
            out.push(DeliveryFile { path, bytes });
        }
    }
    Ok(())
}

//! The root key: 32 random bytes in `<data_dir>/root.key` (mode 0600), created on first start.
//! It wraps KMS key material before the material reaches the database, so the database file
//! alone does not reveal any KMS key. Whoever holds both files holds every key: the threat model
//! of `docs/serve.md` says so.

use std::io::Write;
use std::path::Path;

use ddbsse_crypto::KeyMaterial;
use zeroize::Zeroizing;

use super::StorageError;

/// File name of the root key inside the data directory.
pub const ROOT_KEY_FILE: &str = "root.key";

/// Reads the root key of `dir`, or creates it with fresh random bytes and mode 0600.
pub fn load_or_create(dir: &Path) -> Result<KeyMaterial, StorageError> {
    let path = dir.join(ROOT_KEY_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => {
            let bytes = Zeroizing::new(bytes);
            KeyMaterial::from_slice(&bytes)
                .ok_or_else(|| StorageError("root.key is not 32 bytes".to_owned()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(&path),
        Err(e) => Err(StorageError::from_display("read root.key", e)),
    }
}

fn create(path: &Path) -> Result<KeyMaterial, StorageError> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    getrandom::fill(bytes.as_mut()).map_err(|e| StorageError::from_display("getrandom", e))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| StorageError::from_display("create root.key", e))?;
    file.write_all(bytes.as_ref())
        .and_then(|()| file.sync_all())
        .map_err(|e| StorageError::from_display("write root.key", e))?;
    Ok(KeyMaterial::from_bytes(*bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_with_0600_and_reread() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create(dir.path()).unwrap();
        let b = load_or_create(dir.path()).unwrap();
        assert_eq!(a.expose_secret(), b.expose_secret());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(ROOT_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}

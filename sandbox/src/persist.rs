//! The state file: written atomically after every change and at shutdown, never an older state
//! over a newer one.

use std::path::PathBuf;

use wechatpay_product_coupon::runtime::signing::new_nonce;

use std::sync::MutexGuard;

use crate::state::State;

/// Writes the state file atomically (temp file in the same directory, fsync, rename), one
/// writer at a time, never an older state over a newer one.
pub(crate) struct Persister {
    pub path: PathBuf,
    written: tokio::sync::Mutex<u64>,
}

impl Persister {
    pub(crate) fn new(path: PathBuf) -> Self {
        Persister { path, written: tokio::sync::Mutex::new(0) }
    }

    /// Writes the state `state` locks (`Shared::state`) if it is newer than the last written.
    pub(crate) async fn save<'s>(
        &self,
        state: impl FnOnce() -> MutexGuard<'s, State>,
        force: bool,
    ) -> std::io::Result<()> {
        let mut written = self.written.lock().await;
        let (revision, bytes) = {
            let state = state();
            if !force && state.revision <= *written {
                return Ok(());
            }
            (state.revision, state.to_json())
        };
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || write_atomic(&path, &bytes))
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))??;
        *written = revision;
        Ok(())
    }
}

pub(crate) fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "state".into());
    let tmp = dir.join(format!(".{name}.tmp-{}-{}", std::process::id(), &new_nonce()[..8]));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        #[cfg(unix)]
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

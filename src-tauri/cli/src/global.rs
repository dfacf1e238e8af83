//! The options every subcommand takes, and the one way a subcommand opens
//! (and always closes) the till.

use std::path::PathBuf;

use cryptill_core::{Error, Till, TillConfig};

/// The options every subcommand takes.
#[derive(clap::Args)]
pub(crate) struct Global {
    /// Folder of the ledger (default: CRYPTILL_DATA_DIR, else the OS app-data folder).
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// Print data as JSON.
    #[arg(long, global = true)]
    pub(crate) json: bool,
}

impl Global {
    pub(crate) fn data_dir(&self) -> Result<PathBuf, Error> {
        match &self.data_dir {
            Some(dir) => Ok(dir.clone()),
            None => cryptill_core::till::default_data_dir(),
        }
    }

    /// The data folder, created if it does not exist yet.
    pub(crate) fn ensure_data_dir(&self) -> Result<PathBuf, Error> {
        let dir = self.data_dir()?;
        std::fs::create_dir_all(&dir).map_err(|e| {
            Error::Storage(format!(
                "Cannot create the data folder {} ({e}).",
                dir.display()
            ))
        })?;
        Ok(dir)
    }

    /// Opens the till, runs `f` on it and closes it on every path, the
    /// error ones included: closing stops the till's background work and
    /// lets the ledger check-point, so no command may skip it.
    pub(crate) async fn with_till<T>(
        &self,
        f: impl AsyncFnOnce(&Till) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let till = Till::open(TillConfig::new(self.data_dir()?)).await?;
        let result = f(&till).await;
        till.close().await;
        result
    }
}

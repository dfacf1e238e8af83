//! One window per till. Tauri's single-instance plugin is per app, but a
//! till is a data folder (`CRYPTILL_DATA_DIR` runs several tills on one
//! computer, and tests rely on it), so the lock is on the data folder: the
//! first window holds an OS file lock on `window.lock` there and listens on
//! a loopback port it writes to `window.port`. A second launch on the same
//! folder finds the lock taken, asks the first window (through that port)
//! to come forward, and exits. The lock is the operating system's, so it is
//! released when the first window's process ends in any way, even killed.
//! Command-line subcommands never take it: they work beside the window.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cryptill_core::checkout::AppEvent;
use cryptill_core::{AppError, ErrorKind};
use tauri::{Emitter, Manager, Runtime};

const LOCK_FILE: &str = "window.lock";
const PORT_FILE: &str = "window.port";
/// What a second launch sends; anything else on the port is ignored.
const HELLO: &str = "cryptill-focus";

/// Held by the first window for its lifetime.
pub struct Guard {
    _lock: File,
    listener: TcpListener,
}

pub enum Acquired {
    /// This is the till's window.
    First(Guard),
    /// Another window has this till; it was asked to come forward.
    HandedOver,
}

/// Where the guard waits between `run()` and the app's setup.
pub struct Slot(Mutex<Option<Guard>>);

impl Slot {
    pub fn new(guard: Option<Guard>) -> Self {
        Self(Mutex::new(guard))
    }

    pub fn take(&self) -> Option<Guard> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

fn storage(message: String) -> AppError {
    AppError::plain(ErrorKind::Storage, message)
}

/// Takes the till's window lock, or hands over to the window holding it.
pub fn acquire(data_dir: &Path) -> Result<Acquired, AppError> {
    std::fs::create_dir_all(data_dir).map_err(|e| {
        storage(format!(
            "Cannot create the data folder {} ({e}).",
            data_dir.display()
        ))
    })?;
    let lock_path = data_dir.join(LOCK_FILE);
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| storage(format!("Cannot open {} ({e}).", lock_path.display())))?;
    match lock.try_lock() {
        Ok(()) => {
            let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
                .map_err(|e| storage(format!("Cannot listen for a second launch ({e}).")))?;
            let port = listener
                .local_addr()
                .map_err(|e| storage(e.to_string()))?
                .port();
            std::fs::write(data_dir.join(PORT_FILE), port.to_string()).map_err(|e| {
                storage(format!(
                    "Cannot write {} ({e}).",
                    data_dir.join(PORT_FILE).display()
                ))
            })?;
            Ok(Acquired::First(Guard {
                _lock: lock,
                listener,
            }))
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            hand_over(&data_dir.join(PORT_FILE))?;
            Ok(Acquired::HandedOver)
        }
        Err(std::fs::TryLockError::Error(e)) => Err(storage(format!(
            "Cannot lock {} ({e}).",
            lock_path.display()
        ))),
    }
}

/// Asks the first window to come forward. It may be starting this very
/// moment (its port not written yet), so this tries for a few seconds.
fn hand_over(port_file: &Path) -> Result<(), AppError> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let sent = std::fs::read_to_string(port_file)
            .ok()
            .and_then(|p| p.trim().parse::<u16>().ok())
            .and_then(|port| {
                TcpStream::connect_timeout(
                    &(Ipv4Addr::LOCALHOST, port).into(),
                    Duration::from_secs(1),
                )
                .ok()
            })
            .and_then(|mut stream| writeln!(stream, "{HELLO}").ok());
        if sent.is_some() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(storage(
                "Cryptill is already open on this till, but its window did not answer. Close it (or wait for it to start) and open Cryptill again.".into(),
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

impl Guard {
    /// Answers second launches for as long as the app runs: the main
    /// window is shown, unminimised and focused, and told why.
    pub fn serve<R: Runtime>(self, app: tauri::AppHandle<R>) {
        std::thread::spawn(move || {
            let _lock = self._lock;
            for stream in self.listener.incoming().flatten() {
                let mut line = String::new();
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                if BufReader::new(stream).read_line(&mut line).is_err() || line.trim() != HELLO {
                    continue;
                }
                tracing::info!("a second launch on this till: bringing the window forward");
                if let Some(window) = app.get_webview_window("main") {
                    let _ = window.show();
                    let _ = window.unminimize();
                    let _ = window.set_focus();
                }
                let _ = app.emit(AppEvent::SecondLaunch.name(), ());
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_acquire_on_the_same_folder_hands_over_and_another_folder_is_free() {
        let dir = tempfile::tempdir().unwrap();
        let Acquired::First(guard) = acquire(dir.path()).unwrap() else {
            panic!("the first acquire must get the lock");
        };
        let other = tempfile::tempdir().unwrap();
        assert!(matches!(acquire(other.path()).unwrap(), Acquired::First(_)));
        // The second launch connects and says hello; the first hears it.
        let listener = guard.listener.try_clone().unwrap();
        let heard = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut line = String::new();
            BufReader::new(stream).read_line(&mut line).unwrap();
            line
        });
        assert!(matches!(acquire(dir.path()).unwrap(), Acquired::HandedOver));
        assert_eq!(heard.join().unwrap().trim(), HELLO);
        drop(guard);
        assert!(matches!(acquire(dir.path()).unwrap(), Acquired::First(_)));
    }
}

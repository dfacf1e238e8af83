//! Getting the bytes to the printer, with bounded waits, and a sentence for
//! the counter when it does not work.
//!
//! File, USB and serial printers go through `escpos`'s own drivers. A
//! network printer goes through [`Raw9100`], a plain socket, because
//! escpos's `NetworkDriver` cannot do two things a till needs: connect to a printer by name (it takes only an IP address when a
//! timeout is set), and tell a receipt the printer took from one it dropped
//! half-way. On the raw port (9100) a printer reads until the sender closes
//! its side, prints, and closes its own; one that loses power or is
//! unplugged mid-receipt resets the connection instead. So after the last
//! byte we close our side and wait (briefly) for the printer's close: a
//! reset there means the receipt is not whole.
//!
//! Every call blocks (the drivers do); callers run it on a blocking thread,
//! never on the counter's path.

use crate::said::Said;
use std::io::{ErrorKind as Io, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use escpos::driver::Driver;

use super::address::PrinterAddress;
use crate::error::{Error, Result};

/// A printer on the network answers a connection at once; three seconds
/// covers a busy Wi-Fi without holding a print job for long.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// A receipt is a few kilobytes; a printer that takes none of them for
/// this long has stopped.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long we wait for the printer to close its side after the last byte.
/// A printer that keeps the connection open past this took the receipt as
/// far as we can tell.
pub const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// Sends one job to the printer: all of it, or an error that says what to check.
pub fn send(address: &PrinterAddress, bytes: &[u8]) -> Result<()> {
    let target = address.target();
    match address {
        PrinterAddress::Network { host, port } => {
            let driver = Raw9100::connect(host, *port).map_err(|e| network_error(&target, &e))?;
            driver
                .write_all(bytes)
                .map_err(|e| network_error(&target, &e))?;
            driver.finish().map_err(|e| network_error(&target, &e))
        }
        PrinterAddress::File { path } => {
            // A device file (`/dev/usb/lp0`) must exist: creating a plain
            // file in its place would swallow receipts. Any other path is
            // created, so a file can stand in for a printer.
            let mut options = std::fs::OpenOptions::new();
            options.append(true);
            if !path.starts_with("/dev") {
                options.create(true);
            }
            let driver = escpos::driver::FileDriver::open_with_options(path, &options);
            write_local(driver, bytes, |e| Said::printer_file_unusable(&target, e))
        }
        PrinterAddress::Usb { vendor, product } => {
            let driver = escpos::driver::NativeUsbDriver::open(*vendor, *product);
            write_local(driver, bytes, |e| Said::printer_usb_unusable(&target, e))
        }
        PrinterAddress::Serial { device, baud } => {
            let driver = escpos::driver::SerialPortDriver::open(device, *baud, Some(WRITE_TIMEOUT));
            write_local(driver, bytes, |e| Said::printer_serial_unusable(&target, e))
        }
    }
}

/// A file, USB or serial printer through its escpos driver: opened, written, flushed.
fn write_local(
    driver: escpos::errors::Result<impl Driver>,
    bytes: &[u8],
    said: impl FnOnce(&escpos::errors::PrinterError) -> Said,
) -> Result<()> {
    driver
        .and_then(|driver| driver.write(bytes).and_then(|()| driver.flush()))
        .map_err(|e| Error::printer(said(&e)))
}

/// What a network printer's failure means for the person at the counter
/// (`target`: its host and port).
fn network_error(target: &str, e: &std::io::Error) -> Error {
    Error::printer(match e.kind() {
        Io::ConnectionRefused => Said::printer_refused(target),
        Io::TimedOut | Io::WouldBlock => Said::printer_silent(target, CONNECT_TIMEOUT.as_secs()),
        Io::ConnectionReset | Io::BrokenPipe | Io::ConnectionAborted | Io::UnexpectedEof => {
            Said::printer_cut_off(target)
        }
        Io::NotFound => Said::printer_not_found(target, e),
        _ => Said::printer_unreachable(target, e),
    })
}

/// A connection to a printer's raw port.
pub struct Raw9100 {
    stream: TcpStream,
}

impl Raw9100 {
    /// Connects to the first address of `host` that answers within
    /// [`CONNECT_TIMEOUT`].
    pub fn connect(host: &str, port: u16) -> std::io::Result<Self> {
        let addresses: Vec<SocketAddr> = (host, port)
            .to_socket_addrs()
            .map_err(|e| std::io::Error::new(Io::NotFound, e.to_string()))?
            .collect();
        let mut last = std::io::Error::new(Io::NotFound, "the name has no address");
        for address in addresses {
            match TcpStream::connect_timeout(&address, CONNECT_TIMEOUT) {
                Ok(stream) => {
                    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
                    stream.set_read_timeout(Some(CLOSE_WAIT))?;
                    stream.set_nodelay(true)?;
                    return Ok(Self { stream });
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    pub fn write_all(&self, bytes: &[u8]) -> std::io::Result<()> {
        (&self.stream).write_all(bytes)
    }

    /// Closes our side and waits for the printer's: its close means it
    /// read everything; a reset means it did not.
    pub fn finish(&self) -> std::io::Result<()> {
        let mut stream = &self.stream;
        stream.flush()?;
        stream.shutdown(Shutdown::Write)?;
        let mut buf = [0u8; 256];
        loop {
            match stream.read(&mut buf) {
                // Closed: the printer read the whole job.
                Ok(0) => return Ok(()),
                // Status bytes some printers send back: not an error.
                Ok(_) => continue,
                Err(e) if matches!(e.kind(), Io::WouldBlock | Io::TimedOut) => {
                    tracing::debug!(
                        "the printer kept the connection open; the receipt was handed over"
                    );
                    return Ok(());
                }
                Err(e) => return Err(e),
            }
        }
    }
}

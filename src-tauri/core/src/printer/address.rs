//! Where the receipt printer is: one line the owner types, read the same way
//! at every door (Settings, `cryptill printer use`).

use crate::said::Said;
use std::fmt;
use std::path::PathBuf;

use crate::error::{Error, Result};

/// The port network receipt printers take raw ESC/POS on (the "raw" or
/// "JetDirect" port every network thermal printer opens).
pub const DEFAULT_PORT: u16 = 9100;
/// Serial thermal printers leave the factory at 9600 baud, 8N1 (Epson's
/// TM series and the common clones), unless their DIP switches say other.
pub const DEFAULT_BAUD: u32 = 9600;
const BAUDS: &[u32] = &[
    1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600,
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrinterAddress {
    /// `tcp://HOST[:PORT]`
    Network { host: String, port: u16 },
    /// `usb:VID:PID`, both in hexadecimal as `lsusb` shows them.
    Usb { vendor: u16, product: u16 },
    /// `serial:DEVICE[:BAUD]`
    Serial { device: String, baud: u32 },
    /// `file:PATH`: a device file (`/dev/usb/lp0`) or a plain file.
    File { path: PathBuf },
}

const FORMS: &str = "Use tcp://HOST:PORT for a network printer (port 9100 if left out), usb:VID:PID (as lsusb shows them, e.g. usb:04b8:0202), serial:DEVICE[:BAUD] (e.g. serial:/dev/ttyUSB0:9600) or file:PATH (e.g. file:/dev/usb/lp0).";

fn bad(text: &str, why: &str) -> Error {
    Error::input(Said::not_a_printer_address(
        text.chars().take(80).collect::<String>(),
        why,
        FORMS,
    ))
}

impl PrinterAddress {
    pub fn parse(text: &str) -> Result<Self> {
        let t = text.trim();
        if t.is_empty() {
            return Err(Error::input(Said::no_printer_address(FORMS)));
        }
        if t.chars().any(char::is_control) {
            return Err(bad(t, "it contains a control character"));
        }
        if let Some(rest) = strip_prefix_ci(t, "tcp://") {
            return parse_network(t, rest);
        }
        if let Some(rest) = strip_prefix_ci(t, "usb:") {
            let (vendor, product) = rest
                .split_once(':')
                .ok_or_else(|| bad(t, "a USB printer is usb:VID:PID"))?;
            let hex = |part: &str, name: &str| {
                let digits = part.trim_start_matches("0x").trim_start_matches("0X");
                if digits.is_empty() || digits.len() > 4 {
                    return Err(bad(t, &format!("the {name} is four hexadecimal digits")));
                }
                u16::from_str_radix(digits, 16)
                    .map_err(|_| bad(t, &format!("the {name} is four hexadecimal digits")))
            };
            return Ok(Self::Usb {
                vendor: hex(vendor, "vendor id")?,
                product: hex(product, "product id")?,
            });
        }
        if let Some(rest) = strip_prefix_ci(t, "serial:") {
            // The speed is the last `:` part when it is all digits, so a
            // Windows port (`COM3`) and a path both read as the device.
            let (device, baud) = match rest.rsplit_once(':') {
                Some((device, baud))
                    if !baud.is_empty() && baud.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    let baud: u32 = baud.parse().map_err(|_| bad(t, "the speed is too large"))?;
                    if !BAUDS.contains(&baud) {
                        return Err(bad(
                            t,
                            &format!("{baud} is not a serial speed (use one of 9600, 19200, 38400, 115200 ...)"),
                        ));
                    }
                    (device, baud)
                }
                _ => (rest, DEFAULT_BAUD),
            };
            if device.trim().is_empty() {
                return Err(bad(t, "the serial device is missing"));
            }
            return Ok(Self::Serial {
                device: device.trim().to_string(),
                baud,
            });
        }
        if let Some(rest) = strip_prefix_ci(t, "file:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.trim().is_empty() {
                return Err(bad(t, "the file path is missing"));
            }
            return Ok(Self::File {
                path: PathBuf::from(path),
            });
        }
        Err(bad(
            t,
            "it does not start with tcp://, usb:, serial: or file:",
        ))
    }

    /// How the person at the counter names it in a sentence.
    pub fn describe(&self) -> String {
        match self {
            Self::Network { .. } => format!("The receipt printer at {}", self.target()),
            Self::Usb { .. } => format!("The USB receipt printer {}", self.target()),
            Self::Serial { .. } => format!("The serial receipt printer on {}", self.target()),
            Self::File { .. } => format!("The receipt printer file {}", self.target()),
        }
    }

    pub(crate) fn target(&self) -> String {
        match self {
            Self::Network { host, port } if host.contains(':') => format!("[{host}]:{port}"),
            Self::Network { host, port } => format!("{host}:{port}"),
            Self::Usb { vendor, product } => format!("{vendor:04x}:{product:04x}"),
            Self::Serial { device, baud } => format!("{device} ({baud} baud)"),
            Self::File { path } => path.display().to_string(),
        }
    }
}

impl fmt::Display for PrinterAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Network { .. } => write!(f, "tcp://{}", self.target()),
            Self::Usb { vendor, product } => write!(f, "usb:{vendor:04x}:{product:04x}"),
            Self::Serial { device, baud } => write!(f, "serial:{device}:{baud}"),
            Self::File { path } => write!(f, "file:{}", path.display()),
        }
    }
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn parse_network(t: &str, rest: &str) -> Result<PrinterAddress> {
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains(['/', '?', '#', '@']) {
        return Err(bad(t, "a network printer is only a host and a port"));
    }
    let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
        let (host, after) = v6
            .split_once(']')
            .ok_or_else(|| bad(t, "an IPv6 address needs its closing ']'"))?;
        match after {
            "" => (host, None),
            _ => (
                host,
                Some(
                    after
                        .strip_prefix(':')
                        .ok_or_else(|| bad(t, "a ':' comes before the port"))?,
                ),
            ),
        }
    } else {
        match rest.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        }
    };
    let port = match port {
        None => DEFAULT_PORT,
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| bad(t, "the port is a number from 1 to 65535"))?,
    };
    let ok_host = !host.is_empty()
        && host.len() <= 253
        && (host.parse::<std::net::IpAddr>().is_ok()
            || host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'));
    if !ok_host {
        return Err(bad(t, "the host is a name or an IP address"));
    }
    Ok(PrinterAddress::Network {
        host: host.to_string(),
        port,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_reads_with_its_defaults() {
        let net = |h: &str, p| PrinterAddress::Network {
            host: h.into(),
            port: p,
        };
        assert_eq!(
            PrinterAddress::parse("tcp://192.168.1.50").unwrap(),
            net("192.168.1.50", 9100)
        );
        assert_eq!(
            PrinterAddress::parse(" TCP://till-printer.local:9101/ ").unwrap(),
            net("till-printer.local", 9101)
        );
        assert_eq!(
            PrinterAddress::parse("tcp://[fe80::1]:9100").unwrap(),
            net("fe80::1", 9100)
        );
        assert_eq!(
            PrinterAddress::parse("usb:04b8:0E15").unwrap(),
            PrinterAddress::Usb {
                vendor: 0x04b8,
                product: 0x0e15
            }
        );
        assert_eq!(
            PrinterAddress::parse("serial:/dev/ttyUSB0").unwrap(),
            PrinterAddress::Serial {
                device: "/dev/ttyUSB0".into(),
                baud: 9600
            }
        );
        assert_eq!(
            PrinterAddress::parse("serial:COM3:115200").unwrap(),
            PrinterAddress::Serial {
                device: "COM3".into(),
                baud: 115200
            }
        );
        assert_eq!(
            PrinterAddress::parse("file:/dev/usb/lp0").unwrap(),
            PrinterAddress::File {
                path: "/dev/usb/lp0".into()
            }
        );
    }

    #[test]
    fn an_address_reads_back_from_its_own_text() {
        for text in [
            "tcp://10.0.0.9:9100",
            "tcp://[::1]:9100",
            "usb:04b8:0202",
            "serial:/dev/ttyS0:38400",
            "file:/tmp/x.bin",
        ] {
            let address = PrinterAddress::parse(text).unwrap();
            assert_eq!(address.to_string(), text);
            assert_eq!(
                PrinterAddress::parse(&address.to_string()).unwrap(),
                address
            );
        }
    }

    #[test]
    fn a_wrong_address_says_what_is_wrong_and_shows_the_forms() {
        for (text, says) in [
            ("", "No printer address"),
            ("192.168.1.50:9100", "does not start with"),
            ("http://printer", "does not start with"),
            ("tcp://printer:0", "port is a number"),
            ("tcp://printer:99999", "port is a number"),
            ("tcp://user@printer", "only a host and a port"),
            ("tcp://pri nter", "host is a name"),
            ("tcp://[::1", "closing ']'"),
            ("usb:04b8", "usb:VID:PID"),
            ("usb:04b8:xyz", "product id"),
            ("usb:12345:1", "vendor id"),
            ("serial:/dev/ttyUSB0:1234", "not a serial speed"),
            ("serial:", "device is missing"),
            ("file:", "path is missing"),
            ("tcp://a\u{1b}b", "control character"),
        ] {
            let err = PrinterAddress::parse(text).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Input, "{text}");
            let message = err.to_string();
            assert!(message.contains(says), "{text}: {message}");
            if !text.is_empty() {
                assert!(message.contains("tcp://HOST:PORT"), "{text}: {message}");
            }
        }
    }
}

//! A virtual receipt printer on loopback, and a reader of what it was sent.
//!
//! A network thermal printer takes raw ESC/POS on a TCP port (9100 by
//! convention) and prints what arrives; [`VirtualPrinter`] is one on a
//! loopback port that keeps every byte of every connection instead, and can
//! misbehave the ways a real one does (closes in the middle of a receipt,
//! hangs at connect). [`decode`] reads the bytes back into what a person
//! would see on the paper: lines of text with their alignment and emphasis,
//! QR codes by their content, cuts.
//!
//! Like the gateway dialects, it is written from the command reference
//! (Epson's ESC/POS: ESC @, ESC t, ESC a, ESC E, GS !, ESC d, LF, GS ( k,
//! GS V), not from the app's printer code, so a client that sends the wrong
//! bytes fails its tests instead of agreeing with itself. Anything outside
//! that subset is an error here, not skipped.

use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the virtual printer treats a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Reads everything until the sender closes, then closes: a printer
    /// that printed the job.
    Prints,
    /// Reads this many bytes, then closes with the rest unread: a printer
    /// switched off or unplugged in the middle of a receipt.
    ClosesAfter(usize),
    /// Never accepts: its queue is full, so a connection attempt hangs
    /// until the sender gives up (a printer that is on the network but
    /// stuck).
    Hangs,
}

/// A printer on `127.0.0.1:<port>`; stops when dropped.
pub struct VirtualPrinter {
    addr: SocketAddr,
    jobs: Arc<Mutex<Vec<Vec<u8>>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    /// Connections that fill a hanging printer's queue.
    _held: Vec<TcpStream>,
}

impl VirtualPrinter {
    /// A printer that prints every job.
    pub fn start() -> Self {
        Self::with(Behaviour::Prints)
    }

    pub fn with(behaviour: Behaviour) -> Self {
        let jobs = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        if behaviour == Behaviour::Hangs {
            return Self::hanging(jobs, stop);
        }
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a loopback port");
        let addr = listener.local_addr().expect("its address");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let (kept, stopping) = (jobs.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stopping.load(std::sync::atomic::Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let kept = kept.clone();
                        std::thread::spawn(move || serve(stream, behaviour, kept));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Self {
            addr,
            jobs,
            stop,
            _held: Vec::new(),
        }
    }

    /// A listener with the smallest queue (`listen(0)`: one connection
    /// waiting on Linux), filled and never accepted: the next connect is
    /// neither accepted nor refused.
    fn hanging(jobs: Arc<Mutex<Vec<Vec<u8>>>>, stop: Arc<std::sync::atomic::AtomicBool>) -> Self {
        use socket2::{Domain, Socket, Type};
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a socket");
        socket
            .bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, 0)).into())
            .expect("a loopback port");
        socket.listen(0).expect("listening");
        let addr = socket
            .local_addr()
            .expect("its address")
            .as_socket()
            .expect("an IP address");
        let mut held = Vec::new();
        for _ in 0..4 {
            let filler = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a socket");
            filler.set_nonblocking(true).expect("non-blocking");
            let _ = filler.connect(&addr.into());
            held.push(TcpStream::from(filler));
        }
        // The listener lives as long as the printer (leaked into a thread
        // that waits for the stop flag), accepting nothing.
        let stopping = stop.clone();
        std::thread::spawn(move || {
            let _socket = socket;
            while !stopping.load(std::sync::atomic::Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        Self {
            addr,
            jobs,
            stop,
            _held: held,
        }
    }

    /// The address to give the till: `tcp://127.0.0.1:<port>`.
    pub fn address(&self) -> String {
        format!("tcp://{}", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The bytes of every finished connection so far, in order.
    pub fn jobs(&self) -> Vec<Vec<u8>> {
        self.jobs.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Waits until `count` jobs have arrived (or `within` passed) and
    /// returns every job so far, decoded.
    pub fn wait_for(&self, count: usize, within: Duration) -> Vec<Paper> {
        self.wait_for_bytes(count, within)
            .iter()
            .map(|job| decode(job).unwrap_or_else(|e| panic!("the printer got bad ESC/POS: {e}")))
            .collect()
    }
}

impl VirtualPrinter {
    /// Waits until `count` jobs have arrived (or `within` passed) and
    /// returns every job so far, as bytes.
    pub fn wait_for_bytes(&self, count: usize, within: Duration) -> Vec<Vec<u8>> {
        let until = Instant::now() + within;
        while self.jobs().len() < count && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.jobs()
    }
}

impl Drop for VirtualPrinter {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

fn serve(mut stream: TcpStream, behaviour: Behaviour, jobs: Arc<Mutex<Vec<Vec<u8>>>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut job = Vec::new();
    match behaviour {
        Behaviour::ClosesAfter(n) => {
            let mut buf = vec![0; n];
            let _ = stream.read_exact(&mut buf);
            job = buf;
            // Wait until more has arrived, so closing leaves it unread
            // (the kernel then resets the connection, as a printer that
            // lost power does).
            std::thread::sleep(Duration::from_millis(200));
        }
        _ => {
            let _ = stream.read_to_end(&mut job);
        }
    }
    jobs.lock().unwrap_or_else(|p| p.into_inner()).push(job);
}

/// The address of a printer that is switched off: a loopback port that
/// was free a moment ago, where nothing listens (a connection is refused).
pub fn switched_off() -> String {
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port();
    format!("tcp://127.0.0.1:{port}")
}

/// What came out of the printer, top to bottom.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Paper {
    pub items: Vec<Item>,
    /// The last code page selected with ESC t, if any.
    pub code_page: Option<u8>,
    /// ESC @ seen (the printer was reset before the job).
    pub initialised: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Line(Line),
    /// A QR code, by its content.
    Qr(String),
    Cut,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub align: Align,
    pub bold: bool,
    /// Wider or taller than normal (GS ! with a size above 1).
    pub large: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

impl Paper {
    pub fn lines(&self) -> impl Iterator<Item = &Line> {
        self.items.iter().filter_map(|i| match i {
            Item::Line(l) => Some(l),
            _ => None,
        })
    }

    /// The paper as a person reads it: one line of text a row, a QR code
    /// as `[QR <content>]`, a cut as `--- cut ---`. Trailing spaces dropped.
    pub fn text(&self) -> String {
        self.items
            .iter()
            .map(|i| match i {
                Item::Line(l) => l.text.trim_end().to_string(),
                Item::Qr(data) => format!("[QR {data}]"),
                Item::Cut => "--- cut ---".to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn qr_codes(&self) -> Vec<&str> {
        self.items
            .iter()
            .filter_map(|i| match i {
                Item::Qr(d) => Some(d.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The first line that contains `text`.
    pub fn line_with(&self, text: &str) -> Option<&Line> {
        self.lines().find(|l| l.text.contains(text))
    }

    /// What is printed right of `label` on its line, as a person reads a
    /// receipt: `Total        12.50 EUR` gives `12.50 EUR`.
    pub fn value(&self, label: &str) -> Option<&str> {
        self.lines().find_map(|l| {
            l.text
                .strip_prefix(label)
                .filter(|rest| rest.starts_with(' '))
                .map(str::trim)
        })
    }

    pub fn is_cut(&self) -> bool {
        self.items.last() == Some(&Item::Cut)
    }
}

/// Reads ESC/POS bytes into a [`Paper`]. Text bytes are read in the code
/// page selected (Windows code pages 1250-1257 and PC437 by their ESC t
/// numbers); a command outside the subset is an error.
pub fn decode(bytes: &[u8]) -> Result<Paper, String> {
    const ESC: u8 = 0x1b;
    const GS: u8 = 0x1d;
    const LF: u8 = 0x0a;
    let mut paper = Paper::default();
    let mut text: Vec<u8> = Vec::new();
    let mut align = Align::Left;
    let mut bold = false;
    let mut large = false;
    // Styles apply to the line as printed; a line takes those in force
    // when it is ended (the subset used sets styles at line starts).
    let mut i = 0;
    let need = |i: usize, n: usize| -> Result<(), String> {
        if i + n > bytes.len() {
            Err(format!("a command cut short at byte {i}"))
        } else {
            Ok(())
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            LF => {
                end_line(&mut paper, &mut text, align, bold, large);
                i += 1;
            }
            ESC => {
                need(i, 2)?;
                match bytes[i + 1] {
                    b'@' => {
                        paper.initialised = true;
                        align = Align::Left;
                        bold = false;
                        large = false;
                        i += 2;
                    }
                    b't' => {
                        need(i, 3)?;
                        paper.code_page = Some(bytes[i + 2]);
                        i += 3;
                    }
                    b'a' => {
                        need(i, 3)?;
                        align = match bytes[i + 2] {
                            0 | b'0' => Align::Left,
                            1 | b'1' => Align::Center,
                            2 | b'2' => Align::Right,
                            n => return Err(format!("ESC a {n}: no such alignment")),
                        };
                        i += 3;
                    }
                    b'E' => {
                        need(i, 3)?;
                        bold = bytes[i + 2] & 1 == 1;
                        i += 3;
                    }
                    b'd' => {
                        need(i, 3)?;
                        // Prints the line being built (its own feed), then
                        // feeds the rest as blank lines.
                        let mut feeds = bytes[i + 2];
                        if !text.is_empty() {
                            end_line(&mut paper, &mut text, align, bold, large);
                            feeds = feeds.saturating_sub(1);
                        }
                        for _ in 0..feeds {
                            end_line(&mut paper, &mut text, align, bold, large);
                        }
                        i += 3;
                    }
                    other => return Err(format!("ESC 0x{other:02x} is not in the subset")),
                }
            }
            GS => {
                need(i, 2)?;
                match bytes[i + 1] {
                    b'!' => {
                        need(i, 3)?;
                        large = bytes[i + 2] != 0;
                        i += 3;
                    }
                    b'V' => {
                        need(i, 3)?;
                        // GS V m (m = 0, 1, 48, 49) or GS V m n (m = 65, 66).
                        let len = if matches!(bytes[i + 2], 65 | 66) {
                            4
                        } else {
                            3
                        };
                        need(i, len)?;
                        if !text.is_empty() {
                            end_line(&mut paper, &mut text, align, bold, large);
                        }
                        paper.items.push(Item::Cut);
                        i += len;
                    }
                    b'(' => {
                        need(i, 5)?;
                        if bytes[i + 2] != b'k' {
                            return Err(format!(
                                "GS ( 0x{:02x} is not in the subset",
                                bytes[i + 2]
                            ));
                        }
                        let len = bytes[i + 3] as usize + 256 * bytes[i + 4] as usize;
                        need(i + 5, len)?;
                        let body = &bytes[i + 5..i + 5 + len];
                        // cn 49: QR code. fn 80 (store) m=48 data; fn 81 prints
                        // the stored symbol; 65/67/69 set model, size, level.
                        if body.first() != Some(&49) {
                            return Err("GS ( k for a symbol other than QR".into());
                        }
                        match body.get(1) {
                            Some(80) => {
                                let data = body.get(3..).unwrap_or_default();
                                pending_qr(&mut paper, data);
                            }
                            Some(81) => {
                                if !text.is_empty() {
                                    end_line(&mut paper, &mut text, align, bold, large);
                                }
                                let stored = paper
                                    .items
                                    .iter()
                                    .rposition(
                                        |i| matches!(i, Item::Qr(d) if d.starts_with(STORED)),
                                    )
                                    .ok_or("a QR printed before any was stored")?;
                                let Item::Qr(data) = paper.items.remove(stored) else {
                                    unreachable!()
                                };
                                paper.items.push(Item::Qr(data[STORED.len()..].to_string()));
                            }
                            Some(65 | 67 | 69) => {}
                            other => {
                                return Err(format!("QR function {other:?} is not in the subset"))
                            }
                        }
                        i += 5 + len;
                    }
                    other => return Err(format!("GS 0x{other:02x} is not in the subset")),
                }
            }
            0x00..=0x1f => return Err(format!("control byte 0x{b:02x} is not in the subset")),
            _ => {
                text.push(b);
                i += 1;
            }
        }
    }
    if !text.is_empty() {
        end_line(&mut paper, &mut text, align, bold, large);
    }
    if paper
        .items
        .iter()
        .any(|i| matches!(i, Item::Qr(d) if d.starts_with(STORED)))
    {
        return Err("a QR code was stored but never printed".into());
    }
    Ok(paper)
}

fn end_line(paper: &mut Paper, text: &mut Vec<u8>, align: Align, bold: bool, large: bool) {
    let line = decode_text(text, paper.code_page);
    paper.items.push(Item::Line(Line {
        text: line,
        align,
        bold,
        large,
    }));
    text.clear();
}

/// Marks a stored, not yet printed QR among the items.
const STORED: &str = "\u{0}stored:";

fn pending_qr(paper: &mut Paper, data: &[u8]) {
    paper.items.push(Item::Qr(format!(
        "{STORED}{}",
        String::from_utf8_lossy(data)
    )));
}

fn decode_text(bytes: &[u8], code_page: Option<u8>) -> String {
    let encoding = match code_page {
        Some(16) => encoding_rs::WINDOWS_1252,
        Some(45) => encoding_rs::WINDOWS_1250,
        Some(46) => encoding_rs::WINDOWS_1251,
        Some(47) => encoding_rs::WINDOWS_1253,
        Some(48) => encoding_rs::WINDOWS_1254,
        Some(51) => encoding_rs::WINDOWS_1257,
        // PC437, the printers' power-on page: its top half is not
        // Latin-1, so only ASCII is read as itself.
        _ => {
            return bytes
                .iter()
                .map(|&b| if b < 0x80 { b as char } else { '\u{fffd}' })
                .collect()
        }
    };
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_styles_qr_and_cut_read_as_on_paper() {
        let mut bytes = vec![0x1b, b'@', 0x1b, b't', 16, 0x1b, b'a', 1, 0x1b, b'E', 1];
        bytes.extend_from_slice(b"Caf\xe9 \x80\n");
        bytes.extend_from_slice(&[0x1b, b'E', 0, 0x1b, b'a', 0]);
        bytes.extend_from_slice(b"Total   12.50\n");
        let data = b"bitcoin:abc";
        let len = data.len() + 3;
        bytes.extend_from_slice(&[0x1d, b'(', b'k', len as u8, 0, 49, 80, 48]);
        bytes.extend_from_slice(data);
        bytes.extend_from_slice(&[0x1d, b'(', b'k', 3, 0, 49, 81, 48]);
        bytes.extend_from_slice(&[0x1b, b'd', 2, 0x1d, b'V', 65, 0]);
        let paper = decode(&bytes).unwrap();
        assert!(paper.initialised);
        let first = paper.lines().next().unwrap();
        assert_eq!(first.text, "Café €");
        assert_eq!((first.align, first.bold), (Align::Center, true));
        assert_eq!(paper.line_with("Total").unwrap().align, Align::Left);
        assert_eq!(paper.value("Total"), Some("12.50"));
        assert_eq!(paper.value("Tot"), None, "a label is a whole word");
        assert_eq!(paper.qr_codes(), vec!["bitcoin:abc"]);
        assert!(paper.is_cut());
        assert_eq!(
            paper.text(),
            "Café €\nTotal   12.50\n[QR bitcoin:abc]\n\n\n--- cut ---"
        );
    }

    #[test]
    fn bytes_outside_the_subset_are_an_error_not_skipped() {
        assert!(decode(&[0x1b, b'p', 0, 25, 250]).is_err(), "cash drawer");
        assert!(decode(&[0x1b]).is_err(), "cut short");
        assert!(decode(&[0x07]).is_err(), "bell");
        let stored_only = [0x1d, b'(', b'k', 4, 0, 49, 80, 48, b'x'];
        assert!(decode(&stored_only).is_err(), "QR never printed");
    }
}

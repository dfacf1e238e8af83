//! A slip of paper as lines, QR codes and a cut, laid out for the paper's
//! width, then turned into ESC/POS bytes by the `escpos` crate.
//!
//! Laying out and sending are apart: the bytes are made in memory (no
//! printer needed to test a layout), then sent in one go by
//! [`super::transport`].

use std::sync::{Arc, Mutex};

use escpos::driver::Driver;
use escpos::printer::Printer;
use escpos::utils::{JustifyMode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption};

use super::codepage::CodePage;
use super::settings::PaperWidth;
use crate::error::{Error, Result};
use crate::said::Said;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
}

#[derive(Clone, Debug, PartialEq)]
enum Block {
    Text {
        text: String,
        align: Align,
        bold: bool,
        large: bool,
    },
    Qr(String),
    Feed(u8),
}

/// What one print job puts on paper, top to bottom.
#[derive(Clone, Debug)]
pub struct Document {
    width: PaperWidth,
    code: CodePage,
    blocks: Vec<Block>,
}

impl Document {
    pub fn new(width: PaperWidth, code: CodePage) -> Self {
        Self {
            width,
            code,
            blocks: Vec::new(),
        }
    }

    /// Characters on one line in the printer's normal font (Font A).
    pub fn columns(&self) -> usize {
        self.width.columns()
    }

    fn push(&mut self, text: &str, align: Align, bold: bool, large: bool) {
        let columns = if large {
            self.columns() / 2
        } else {
            self.columns()
        };
        for line in wrap(text, columns) {
            self.blocks.push(Block::Text {
                text: line,
                align,
                bold,
                large,
            });
        }
    }

    /// Large, bold and centred: the shop's name.
    pub fn title(&mut self, text: &str) -> &mut Self {
        self.push(text, Align::Center, true, true);
        self
    }

    pub fn centered(&mut self, text: &str) -> &mut Self {
        self.push(text, Align::Center, false, false);
        self
    }

    pub fn bold_centered(&mut self, text: &str) -> &mut Self {
        self.push(text, Align::Center, true, false);
        self
    }

    pub fn text(&mut self, text: &str) -> &mut Self {
        self.push(text, Align::Left, false, false);
        self
    }

    /// `label` on the left, `value` on the right of one line; on two lines
    /// when both do not fit (a long label, an address).
    pub fn pair(&mut self, label: &str, value: &str) -> &mut Self {
        self.pair_styled(label, value, false)
    }

    /// A [`Self::pair`] in bold: the total.
    pub fn bold_pair(&mut self, label: &str, value: &str) -> &mut Self {
        self.pair_styled(label, value, true)
    }

    fn pair_styled(&mut self, label: &str, value: &str, bold: bool) -> &mut Self {
        let columns = self.columns();
        let (l, v) = (label.chars().count(), value.chars().count());
        if l + 1 + v <= columns {
            let line = format!("{label}{}{value}", " ".repeat(columns - l - v));
            self.push(&line, Align::Left, bold, false);
        } else {
            self.push(label, Align::Left, bold, false);
            for line in wrap(value, columns) {
                let pad = columns.saturating_sub(line.chars().count());
                self.push(
                    &format!("{}{line}", " ".repeat(pad)),
                    Align::Left,
                    bold,
                    false,
                );
            }
        }
        self
    }

    /// A line of dashes across the paper.
    pub fn rule(&mut self) -> &mut Self {
        let line = "-".repeat(self.columns());
        self.push(&line, Align::Left, false, false);
        self
    }

    pub fn qr(&mut self, data: &str) -> &mut Self {
        self.blocks.push(Block::Qr(data.to_string()));
        self
    }

    pub fn feed(&mut self) -> &mut Self {
        self.blocks.push(Block::Feed(1));
        self
    }

    /// The text as it will read on paper (without QR codes): for logs and
    /// for the command line's `--json`-less echo.
    pub fn plain_text(&self) -> String {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Text { text, .. } => Some(text.as_str()),
                Block::Feed(_) => Some(""),
                Block::Qr(_) => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The ESC/POS bytes: reset, code page, the blocks, feed past the
    /// cutter, cut.
    pub fn to_escpos(&self) -> Result<Vec<u8>> {
        let bytes = Capture::default();
        let mut p = Printer::new(bytes.clone(), Protocol::default(), None);
        let fail = |e: escpos::errors::PrinterError| Error::input(Said::receipt_layout_failed(e));
        p.init().map_err(fail)?;
        p.page_code(self.code.page).map_err(fail)?;
        let mut style = (Align::Left, false, false);
        for block in &self.blocks {
            match block {
                Block::Text {
                    text,
                    align,
                    bold,
                    large,
                } => {
                    if style.0 != *align {
                        p.justify(match align {
                            Align::Left => JustifyMode::LEFT,
                            Align::Center => JustifyMode::CENTER,
                        })
                        .map_err(fail)?;
                    }
                    if style.1 != *bold {
                        p.bold(*bold).map_err(fail)?;
                    }
                    if style.2 != *large {
                        p.size(if *large { 2 } else { 1 }, if *large { 2 } else { 1 })
                            .map_err(fail)?;
                    }
                    style = (*align, *bold, *large);
                    // Encoded here, not by escpos: it would send a
                    // character missing from the page as UTF-8 bytes.
                    p.custom(&self.code.encode(text)).map_err(fail)?;
                    p.custom(b"\n").map_err(fail)?;
                }
                Block::Qr(data) => {
                    if style.0 != Align::Center {
                        p.justify(JustifyMode::CENTER).map_err(fail)?;
                        style.0 = Align::Center;
                    }
                    let size = match self.width {
                        PaperWidth::Mm58 => 5,
                        PaperWidth::Mm80 => 6,
                    };
                    p.qrcode_option(
                        data,
                        QRCodeOption::new(QRCodeModel::Model2, size, QRCodeCorrectionLevel::M),
                    )
                    .map_err(fail)?;
                }
                Block::Feed(n) => {
                    p.feeds(*n).map_err(fail)?;
                }
            }
        }
        // Feed the last line past the cutter (about four lines on the
        // common 58/80 mm mechanisms), then cut.
        p.feeds(4).map_err(fail)?;
        p.print_cut().map_err(fail)?;
        Ok(bytes.take())
    }
}

/// Splits `text` into lines of at most `columns` characters, at spaces
/// where it can.
fn wrap(text: &str, columns: usize) -> Vec<String> {
    let columns = columns.max(1);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let mut word = word.to_string();
            loop {
                let used = line.chars().count();
                let need = word.chars().count() + usize::from(used > 0);
                if used + need <= columns {
                    if used > 0 {
                        line.push(' ');
                    }
                    line.push_str(&word);
                    break;
                }
                if used > 0 {
                    lines.push(std::mem::take(&mut line));
                    continue;
                }
                // A word longer than the line (an address, a transaction id).
                let head: String = word.chars().take(columns).collect();
                word = word.chars().skip(columns).collect();
                lines.push(head);
                if word.is_empty() {
                    break;
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// The bytes escpos writes, kept in memory.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Driver for Capture {
    fn name(&self) -> String {
        "memory".into()
    }

    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(data);
        Ok(())
    }

    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }

    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_words_and_lines_wrap_to_the_paper() {
        assert_eq!(wrap("a bb ccc", 4), vec!["a bb", "ccc"]);
        assert_eq!(wrap("0123456789", 4), vec!["0123", "4567", "89"]);
        assert_eq!(wrap("", 4), vec![""]);
        assert_eq!(wrap("ab\ncd", 10), vec!["ab", "cd"]);
    }

    #[test]
    fn a_pair_fills_the_line_or_takes_two() {
        let mut d = Document::new(PaperWidth::Mm58, CodePage::for_locale("en"));
        d.pair("Total", "12.50 EUR");
        d.pair("Address", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq");
        let text = d.plain_text();
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines[0].len(), 32);
        assert!(lines[0].starts_with("Total") && lines[0].ends_with("12.50 EUR"));
        assert_eq!(lines[1], "Address");
        assert_eq!(lines[2].len(), 32);
    }
}

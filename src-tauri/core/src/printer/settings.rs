//! The owner's printer settings: which printer, its paper, and whether a
//! receipt prints by itself when a sale is paid. Kept in the ledger's
//! settings table under their own keys (no migration; an old ledger reads
//! as "no printer").

use crate::said::Said;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::address::PrinterAddress;
use crate::error::{Error, Result};
use crate::ledger::Ledger;

const ADDRESS: &str = "printer_address";
const PAPER: &str = "printer_paper_mm";
const AUTO_PRINT: &str = "printer_auto_print";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PrinterSettings {
    /// `tcp://HOST:PORT`, `usb:VID:PID`, `serial:DEVICE[:BAUD]` or
    /// `file:PATH`; empty: no receipt printer (receipts go through the
    /// system's print dialog or a PDF).
    pub printer: String,
    /// Paper width in millimetres: 58 or 80.
    pub paper_mm: u32,
    /// Print the receipt by itself when a sale is paid.
    pub auto_print: bool,
}

impl Default for PrinterSettings {
    fn default() -> Self {
        Self {
            printer: String::new(),
            paper_mm: 80,
            auto_print: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaperWidth {
    Mm58,
    Mm80,
}

impl PaperWidth {
    pub fn from_mm(mm: u32) -> Result<Self> {
        match mm {
            58 => Ok(Self::Mm58),
            80 => Ok(Self::Mm80),
            other => Err(Error::input(Said::paper_width(other))),
        }
    }

    /// Characters a line in Font A (12x24 dots): 32 on 58 mm paper (384
    /// printable dots), 48 on 80 mm (576 dots).
    pub fn columns(self) -> usize {
        match self {
            Self::Mm58 => 32,
            Self::Mm80 => 48,
        }
    }
}

impl PrinterSettings {
    pub fn load(ledger: &Ledger) -> Result<Self> {
        let d = Self::default();
        Ok(Self {
            printer: ledger.setting(ADDRESS)?.unwrap_or(d.printer),
            paper_mm: ledger
                .setting(PAPER)?
                .and_then(|v| v.parse().ok())
                .unwrap_or(d.paper_mm),
            auto_print: ledger
                .setting(AUTO_PRINT)?
                .map(|v| v == "true")
                .unwrap_or(d.auto_print),
        })
    }

    /// The printer chosen, if any.
    pub fn address(&self) -> Result<Option<PrinterAddress>> {
        if self.printer.trim().is_empty() {
            return Ok(None);
        }
        PrinterAddress::parse(&self.printer).map(Some)
    }

    pub fn paper(&self) -> Result<PaperWidth> {
        PaperWidth::from_mm(self.paper_mm)
    }

    /// Checks the settings and writes the address in its one spelling.
    pub fn validated(&self) -> Result<Self> {
        let address = self.address()?;
        self.paper()?;
        if self.auto_print && address.is_none() {
            return Err(Error::input(Said::auto_print_needs_printer()));
        }
        Ok(Self {
            printer: address.map(|a| a.to_string()).unwrap_or_default(),
            ..self.clone()
        })
    }

    /// Validates and stores all three at once; a rejected value changes nothing.
    pub fn save(&self, ledger: &Ledger) -> Result<Self> {
        let settings = self.validated()?;
        let paper = settings.paper_mm.to_string();
        let auto = settings.auto_print.to_string();
        ledger.set_settings([
            (ADDRESS, settings.printer.as_str()),
            (PAPER, paper.as_str()),
            (AUTO_PRINT, auto.as_str()),
        ])?;
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger() -> (tempfile::TempDir, Ledger) {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&dir.path().join("l.sqlite3")).unwrap();
        (dir, ledger)
    }

    #[test]
    fn a_new_till_has_no_printer_and_saved_settings_read_back() {
        let (_dir, ledger) = ledger();
        assert_eq!(
            PrinterSettings::load(&ledger).unwrap(),
            PrinterSettings::default()
        );
        let saved = PrinterSettings {
            printer: " TCP://192.168.1.50 ".into(),
            paper_mm: 58,
            auto_print: true,
        }
        .save(&ledger)
        .unwrap();
        assert_eq!(saved.printer, "tcp://192.168.1.50:9100");
        assert_eq!(PrinterSettings::load(&ledger).unwrap(), saved);
    }

    #[test]
    fn wrong_settings_are_refused_and_nothing_changes() {
        let (_dir, ledger) = ledger();
        for (bad, says) in [
            (
                PrinterSettings {
                    printer: "lp0".into(),
                    ..Default::default()
                },
                "not a printer address",
            ),
            (
                PrinterSettings {
                    printer: "tcp://p".into(),
                    paper_mm: 76,
                    ..Default::default()
                },
                "58 or 80 mm",
            ),
            (
                PrinterSettings {
                    auto_print: true,
                    ..Default::default()
                },
                "needs a receipt printer",
            ),
        ] {
            let err = bad.save(&ledger).unwrap_err();
            assert!(err.to_string().contains(says), "{bad:?}: {err}");
        }
        assert_eq!(
            PrinterSettings::load(&ledger).unwrap(),
            PrinterSettings::default()
        );
    }
}

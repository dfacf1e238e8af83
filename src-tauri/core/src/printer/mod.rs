//! Receipt printers over ESC/POS (issue 13): a 58 or 80 mm thermal printer
//! on the network, USB, a serial port or a device file prints receipts,
//! payment slips, the test page and X/Z reports without any dialog.
//!
//! The rule that shapes this module: a printer never stops a sale. A
//! receipt prints after the sale is paid and recorded, off the counter's
//! path (a blocking thread, bounded waits, one job at a time), and a
//! printer that is off, out of paper or unplugged gives a sentence that
//! says what to check; the sale goes on and its receipt prints again on
//! demand.
//!
//! Layout, bottom up: `address` (where the printer is), `settings` (the
//! owner's choices), `codepage` (the shop's letters as the printer's
//! bytes), `document` (lines, QR codes and a cut, as ESC/POS), `layout`
//! (what each printout says), `transport` (bytes to the printer), and here
//! [`Printing`]: the jobs, and the automatic receipt when a sale turns paid.

mod address;
mod codepage;
mod document;
pub mod layout;
mod settings;
pub mod transport;

pub use address::{PrinterAddress, DEFAULT_BAUD, DEFAULT_PORT};
pub use codepage::CodePage;
pub use document::Document;
pub use layout::ReceiptExtras;
pub use settings::{PaperWidth, PrinterSettings};

use crate::said::Said;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use ts_rs::TS;

use crate::checkout::{Checkout, SaleUpdate};
use crate::error::{Error, Result};
use crate::gateway::{GatewayKind, SaleState};
use crate::ledger::Ledger;
use crate::locale::{LocaleFormat, Words};
use crate::owner::Unlocked;
use crate::report::ZReport;
use crate::settings::Settings;

/// What became of a print job the till started by itself (the window
/// shows it without stopping the cashier).
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PrintOutcome {
    #[ts(type = "number")]
    pub sale_id: i64,
    pub printed: bool,
    /// For the cashier: "Receipt of sale 12 printed." or what to check.
    pub message: String,
    /// The same sentence's code and values, for the window to say in the
    /// shop's language.
    pub said: Said,
}

/// The X or Z report on paper.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportKind {
    /// A look at the day so far.
    X,
    /// The day's close.
    Z,
}

/// The till's printing: every job goes through here, one at a time.
#[derive(Clone)]
pub struct Printing {
    inner: Arc<Inner>,
}

struct Inner {
    ledger: Arc<Ledger>,
    checkout: Arc<Checkout>,
    outcomes: tokio::sync::broadcast::Sender<PrintOutcome>,
    /// One job at a time: two receipts sent at once over two connections
    /// could come out interleaved on some printers.
    queue: tokio::sync::Mutex<()>,
    stop: tokio::sync::Notify,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

fn is_paid(state: SaleState) -> bool {
    matches!(state, SaleState::Paid | SaleState::Overpaid)
}

fn no_printer() -> Error {
    Error::input(Said::no_printer())
}

impl Printing {
    pub fn new(ledger: Arc<Ledger>, checkout: Arc<Checkout>) -> Self {
        Self {
            inner: Arc::new(Inner {
                ledger,
                checkout,
                outcomes: tokio::sync::broadcast::channel(64).0,
                queue: tokio::sync::Mutex::new(()),
                stop: tokio::sync::Notify::new(),
                task: Mutex::new(None),
            }),
        }
    }

    /// Starts printing receipts by themselves: every sale this process sees
    /// turn paid (the watcher, `sale --wait`, `order`, a demo payment) gets
    /// its receipt when the owner switched automatic printing on. Call
    /// [`Printing::finish`] before the process ends.
    pub fn start(&self) {
        // Subscribed before the task runs, so no payment published from
        // here on is missed.
        let mut updates = self.inner.checkout.subscribe();
        let me = self.clone();
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    update = updates.recv() => match update {
                        Ok(update) => me.on_update(update).await,
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                            tracing::warn!(missed = n, "the printer fell behind the sales; reprint any receipt missing");
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                    },
                    _ = me.inner.stop.notified() => {
                        // Payments already seen still get their receipts.
                        while let Ok(update) = updates.try_recv() {
                            me.on_update(update).await;
                        }
                        break;
                    }
                }
            }
        });
        *self.inner.task.lock().unwrap_or_else(|p| p.into_inner()) = Some(task);
    }

    /// Prints what is still due (each job has bounded waits), then stops.
    pub async fn finish(&self) {
        let task = self
            .inner
            .task
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(task) = task {
            self.inner.stop.notify_one();
            let _ = task.await;
        }
    }

    /// The outcome of every automatic print, as it happens.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<PrintOutcome> {
        self.inner.outcomes.subscribe()
    }

    async fn on_update(&self, update: SaleUpdate) {
        if !is_paid(update.payment.state) || is_paid(update.previous) {
            return;
        }
        let sale_id = update.payment.sale_id;
        match PrinterSettings::load(&self.inner.ledger) {
            Ok(s) if s.auto_print => {}
            Ok(_) => return,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the printer settings");
                return;
            }
        }
        match self.inner.ledger.claim_auto_print(sale_id) {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                tracing::warn!(sale = sale_id, error = %e, "cannot claim the receipt's print");
                return;
            }
        }
        let result = self.print_receipt(sale_id).await;
        let failed = result
            .as_ref()
            .err()
            .map(|e| Said::auto_print_failed_because(e.as_param(), sale_id));
        let error = failed.as_ref().map(Said::to_string);
        if let Err(e) = self
            .inner
            .ledger
            .record_auto_print(sale_id, error.as_deref())
        {
            tracing::warn!(sale = sale_id, error = %e, "cannot record the receipt's print");
        }
        let said = failed.unwrap_or_else(|| Said::receipt_printed(sale_id));
        let outcome = PrintOutcome {
            sale_id,
            printed: error.is_none(),
            message: said.to_string(),
            said,
        };
        if !outcome.printed {
            tracing::warn!(sale = sale_id, "{}", outcome.message);
        }
        let _ = self.inner.outcomes.send(outcome);
    }

    pub fn settings(&self) -> Result<PrinterSettings> {
        PrinterSettings::load(&self.inner.ledger)
    }

    /// Owner: chooses the printer, its paper and automatic printing.
    pub fn save_settings(
        &self,
        _: &Unlocked,
        settings: &PrinterSettings,
    ) -> Result<PrinterSettings> {
        settings.save(&self.inner.ledger)
    }

    /// Owner: prints the test page on the chosen printer; says where it went.
    pub async fn test_page(&self, _: &Unlocked) -> Result<String> {
        let (address, width, code, shop) = self.target()?;
        let document = layout::test_page(
            &shop.shop_name,
            &address.to_string(),
            Words::for_locale(&shop.locale),
            width,
            code,
        );
        self.send(&address, &document).await?;
        Ok(format!("Test page sent to {address}."))
    }

    /// The receipt of a paid sale, on the chosen printer.
    pub async fn print_receipt(&self, sale_id: i64) -> Result<()> {
        let (address, width, code, _) = self.target()?;
        let document = self.receipt_document(sale_id, width, code)?;
        self.send(&address, &document).await
    }

    /// A paid sale's receipt as it prints, for any paper.
    pub fn receipt_document(
        &self,
        sale_id: i64,
        width: PaperWidth,
        code: CodePage,
    ) -> Result<Document> {
        let sale = self.inner.ledger.sale(sale_id)?;
        if !is_paid(sale.state) {
            return Err(Error::not_allowed(Said::receipt_not_paid(
                sale_id,
                sale.state.as_str(),
            )));
        }
        let receipt = self.inner.checkout.receipt(sale_id)?;
        let locale = Settings::load(&self.inner.ledger)?.locale;
        let fmt = LocaleFormat::for_locale(&locale);
        let extras = ReceiptExtras {
            // None on a till without cashiers: the line is left out.
            cashier: sale.cashier.clone(),
            test_money: test_money(sale.gateway),
        };
        Ok(layout::receipt(
            &receipt,
            &extras,
            &fmt,
            Words::for_locale(&locale),
            width,
            code,
        ))
    }

    /// The payment slip of a sale waiting for payment: the QR on paper.
    pub async fn print_payment_slip(&self, sale_id: i64) -> Result<()> {
        let (address, width, code, shop) = self.target()?;
        let sale = self.inner.ledger.sale(sale_id)?;
        if !matches!(sale.state, SaleState::Awaiting | SaleState::Underpaid) {
            return Err(Error::not_allowed(Said::slip_not_waiting(
                sale_id,
                sale.state.as_str(),
            )));
        }
        let payment = self.inner.checkout.payment(&sale)?;
        if payment.payment_uri.is_empty() {
            return Err(Error::not_allowed(Said::slip_no_address(sale_id)));
        }
        let document = layout::payment_slip(
            &shop.shop_name,
            &payment,
            test_money(sale.gateway),
            &LocaleFormat::for_locale(&shop.locale),
            Words::for_locale(&shop.locale),
            width,
            code,
        );
        self.send(&address, &document).await
    }

    /// Owner: the X or Z report on paper.
    pub async fn print_report(
        &self,
        _: &Unlocked,
        kind: ReportKind,
        report: &ZReport,
    ) -> Result<()> {
        let (address, width, code, shop) = self.target()?;
        let words = Words::for_locale(&shop.locale);
        let title = match kind {
            ReportKind::X => words.x_report,
            ReportKind::Z => words.z_report,
        };
        let fmt = LocaleFormat::for_locale(&shop.locale);
        let document = layout::report(&shop.shop_name, title, report, &fmt, words, width, code);
        self.send(&address, &document).await
    }

    /// The chosen printer, its paper, the shop's code page and settings.
    fn target(&self) -> Result<(PrinterAddress, PaperWidth, CodePage, Settings)> {
        let printer = PrinterSettings::load(&self.inner.ledger)?;
        let address = printer.address()?.ok_or_else(no_printer)?;
        let shop = Settings::load(&self.inner.ledger)?;
        Ok((
            address,
            printer.paper()?,
            CodePage::for_locale(&shop.locale),
            shop,
        ))
    }

    /// One job, after any job before it, on a blocking thread.
    async fn send(&self, address: &PrinterAddress, document: &Document) -> Result<()> {
        let bytes = document.to_escpos()?;
        let _turn = self.inner.queue.lock().await;
        let address = address.clone();
        tokio::task::spawn_blocking(move || transport::send(&address, &bytes))
            .await
            .map_err(|e| Error::printer(Said::print_stopped(e)))?
    }
}

/// Demo and sandbox sales move no money; their paper says so.
fn test_money(kind: GatewayKind) -> bool {
    matches!(kind, GatewayKind::Demo | GatewayKind::CoingateSandbox)
}

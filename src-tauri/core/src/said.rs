//! The sentences the core says to the person at the counter, each with a
//! stable code and named values, so the window can say them in the shop's
//! language while the command line (and the log) keeps the English.
//!
//! Each sentence is written once here, in English, with `{name}` where a
//! value goes. A [`Said`] is one sentence with its values: `Display` gives
//! the English, `Serialize` gives `{code, params}` for the window, which
//! looks up `error.said.<code>` in its catalogue (ICU placeholders with the
//! same names) and falls back to the English message for a code it lacks.
//! [`SENTENCES`] lists every code with its value names and English; a unit
//! test writes it to `ui/src/lib/bindings/sentences.json`, and a Vitest test
//! checks that every complete language has every code, so the list and the
//! catalogues cannot drift apart.
//!
//! Errors still built from a plain `String` (`Error::Input(String)` ...)
//! reach the window in English only (what is left: sentences only the
//! command line says, and internal faults); new sentences belong here.
//!
//! A value that is a word the window already says is named after it, so
//! the window says that word in the shop's language too: `state` (a sale's
//! state, `state.<value>`), `refund_state` (a refund's state, passed as its
//! English label, `error.refundState`).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One sentence of the catalogue as the window's list gets it.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Sentence {
    pub code: &'static str,
    pub params: &'static [&'static str],
    pub english: &'static str,
}

/// A value in a sentence: text, or another sentence (a line number in
/// front of what was wrong with that line).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export)]
pub enum Param {
    Text(String),
    Said(Box<Said>),
}

/// A sentence with its values. `code` is stable; the English is the
/// catalogue's template with the values put in. Read back from JSON where
/// the ledger keeps a sentence (a refund's note, `refunds.message_said`;
/// a withdrawal request's answer, `withdrawal_requests.message_said`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Said {
    pub code: String,
    pub params: BTreeMap<String, Param>,
}

impl Said {
    fn new(code: &'static str, params: Vec<(&'static str, Param)>) -> Self {
        Self {
            code: code.to_string(),
            params: params
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        }
    }

    /// The English template of this sentence's code.
    pub fn template(&self) -> &'static str {
        SENTENCES
            .iter()
            .find(|s| s.code == self.code)
            .map_or("", |s| s.english)
    }

    /// The sentence as the ledger keeps it beside its English (a refund's
    /// note, a withdrawal request's answer): its code and values as JSON.
    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).expect("a sentence is plain JSON")
    }

    /// A stored sentence read back; one this build cannot read (damaged, or
    /// written by a newer till) is `None`, and the English is shown as it is.
    pub fn from_stored(json: Option<String>) -> Option<Said> {
        json.and_then(|text| serde_json::from_str(&text).ok())
    }
}

impl fmt::Display for Said {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.template();
        while let Some(open) = rest.find('{') {
            f.write_str(&rest[..open])?;
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                break;
            };
            match self.params.get(&after[..close]) {
                Some(Param::Text(text)) => f.write_str(text)?,
                Some(Param::Said(said)) => write!(f, "{said}")?,
                None => write!(f, "{{{}}}", &after[..close])?,
            }
            rest = &after[close + 1..];
        }
        f.write_str(rest)
    }
}

macro_rules! sentences {
    ($( $(#[$doc:meta])* $code:ident ( $($param:ident),* ) = $english:literal ; )*) => {
        /// Every sentence the core can say, in the order written here.
        pub const SENTENCES: &[Sentence] = &[
            $( Sentence { code: stringify!($code), params: &[$(stringify!($param)),*], english: $english }, )*
        ];

        impl Said {
            $(
                $(#[$doc])*
                pub fn $code($($param: impl fmt::Display),*) -> Said {
                    Said::new(stringify!($code), vec![$((stringify!($param), Param::Text($param.to_string()))),*])
                }
            )*
        }
    };
}

impl Said {
    /// "Line 2: …" in front of what was wrong with one line of a sale.
    pub fn for_line(line: usize, problem: Param) -> Said {
        Said::new(
            "on_line",
            vec![
                ("line", Param::Text(line.to_string())),
                ("problem", problem),
            ],
        )
    }

    /// "Tip: …" in front of what was wrong with the tip.
    pub fn for_tip(problem: Param) -> Said {
        Said::new("on_tip", vec![("problem", problem)])
    }

    /// A refund's note after the gateway refused it or did not answer:
    /// what went wrong (an error's own sentence) and what it means.
    pub fn refund_after_error(sent_unknown: bool, problem: Param) -> Said {
        let code = if sent_unknown {
            "refund_send_unknown"
        } else {
            "refund_send_refused"
        };
        Said::new(code, vec![("problem", problem)])
    }

    /// A refund's note when the gateway turned out to hold it after all.
    pub fn refund_found(gateway: &str, id: &str, answer: Said) -> Said {
        Said::new(
            "refund_found_after_loss",
            vec![
                ("gateway", Param::Text(gateway.to_string())),
                ("id", Param::Text(id.to_string())),
                ("answer", Param::Said(Box::new(answer))),
            ],
        )
    }

    /// A refund's note when the gateway lists no refund like it.
    pub fn refund_not_found_at_gateway(
        gateway: &str,
        amount: impl fmt::Display,
        address: &str,
        sale: i64,
        check: Said,
    ) -> Said {
        Said::new(
            "refund_not_listed",
            vec![
                ("gateway", Param::Text(gateway.to_string())),
                ("amount", Param::Text(amount.to_string())),
                ("address", Param::Text(address.to_string())),
                ("sale", Param::Text(sale.to_string())),
                ("check", Param::Said(Box::new(check))),
            ],
        )
    }

    /// A receipt the till printed by itself that did not print: why, and
    /// that the sale is safe.
    pub fn auto_print_failed_because(problem: Param, sale: i64) -> Said {
        Said::new(
            "auto_print_failed",
            vec![
                ("problem", problem),
                ("sale", Param::Text(sale.to_string())),
            ],
        )
    }

    /// A Counos refund's note: the withdrawal it became.
    pub fn refund_as_withdrawal(registered: Said) -> Said {
        Said::new(
            "refund_via_withdrawal",
            vec![("registered", Param::Said(Box::new(registered)))],
        )
    }
}

sentences! {
    on_line(line, problem) = "Line {line}: {problem}";
    on_tip(problem) = "Tip: {problem}";

    // Gateways (the structured variants of `Error`).
    gateway_auth(gateway) = "{gateway} says the API key is not valid. Ask the owner to enter it again in Settings.";
    gateway_unreachable(gateway, detail) = "Cannot reach {gateway} ({detail}). Check the internet connection, then press Retry.";
    gateway_down(gateway, status) = "{gateway} has a problem on its side (HTTP {status}). Wait a moment, then press Retry.";
    gateway_rate_limited(gateway) = "{gateway} is busy and asked us to slow down. Wait a minute, then press Retry.";
    gateway_refused(gateway, message) = "{gateway} refused: {message}";
    gateway_protocol(gateway, detail) = "{gateway} sent an answer Cryptill does not understand ({detail}). Press Retry; if it keeps happening, tell the owner.";
    gateway_mismatch(gateway, detail) = "{gateway} answered with an order that does not match this sale ({detail}). The sale was not marked with it. Press Retry; if it happens again, tell the owner.";
    gateway_implausible(detail) = "{detail}. Nothing was charged. Wait a minute and try again; if it keeps happening, tell the owner.";
    ledger_failed(detail) = "Could not read or write in the sales ledger ({detail}). Check free disk space and try again.";
    ledger_failed_nothing_sent(detail) = "Could not read or write in the sales ledger ({detail}). Nothing was sent to the gateway. Check free disk space and try again.";

    // Amounts as typed (money.rs, settings.rs).
    amount_missing() = "Type an amount first.";
    not_an_amount(text) = "'{text}' is not an amount. Type digits with at most one decimal point.";
    amount_two_points(text) = "'{text}' has more than one '.' or ','. Type the amount without thousands separators, such as 1234.56.";
    amount_negative(text) = "'{text}' is negative. Type the price of the sale without a minus sign.";
    amount_plus(text) = "'{text}' has a '+'. Type the price of the sale without a sign.";
    amount_spaces(text) = "'{text}' has spaces or thousands separators. Type the amount as one number, such as 1234.56.";
    amount_foreign_digits(text) = "'{text}' uses digits Cryptill does not read. Type it with 0-9.";
    amount_too_precise(currency, decimals, text) = "{currency} has {decimals} decimal places; '{text}' has more. Remove the extra digits.";
    amount_too_long(text) = "'{text}' is too large to be an amount. Check the number of digits.";
    amount_zero() = "The amount is zero. Type the price of the sale.";
    amount_unconvertible(amount, coin, rate) = "Cannot convert {amount} to {coin} at the rate {rate}. Pick another coin.";
    currency_no_minor_unit(code, name) = "{code} ({name}) has no minor unit in ISO 4217 (a metal, unit of account or test code), so a till cannot price in it. Use the currency your shop prices in, such as EUR or USD.";
    not_a_currency(text) = "'{text}' is not a currency code. Use a three-letter ISO 4217 code such as EUR or USD.";
    sale_too_large(text, digits) = "'{text}' is too large for a sale (at most {digits} digits before the decimal point). Check the amount.";
    sale_over_max(amount, max) = "{amount} is more than this till takes in one sale ({max}). Check the amount; the owner can raise the limit.";
    sale_too_many_lines(max, lines) = "A sale can have at most {max} lines; this one has {lines}. Split it into two sales.";
    sale_in_shop_currency(currency) = "This till sells in {currency}; type the amount in {currency} (the gateway converts it to the coin).";

    // Settings (settings.rs).
    no_such_setting(name, names) = "There is no setting '{name}'. The settings are: {names}.";
    not_on_or_off(value, name) = "'{value}' is not a choice for {name}: say on or off.";
    shop_name_length() = "The shop name must have 1 to 80 characters.";
    not_a_locale(text) = "'{text}' is not a locale. Use a code such as en-IE, de-DE or en-US.";
    tip_presets_rule() = "Tip presets are up to six whole percentages between 1 and 100.";
    max_sale_rule(text, currency, digits) = "The maximum sale amount '{text}' must be a positive amount in {currency} with at most {digits} digits before the decimal point.";
    footer_too_long() = "The receipt footer can have at most 300 characters.";
    idle_lock_range() = "Owner mode must lock after 1 to 240 idle minutes.";
    coins_are_tickers() = "Offered coins are ticker symbols such as BTC or ETH.";
    network_coin_not_ticker(coin) = "'{coin}' is not a ticker symbol. Networks are chosen per coin such as BTC or ETH.";
    not_a_network(network, coin) = "'{network}' is not a network name for {coin}. Pick one of the networks the gateway lists (cryptill coins).";
    not_a_tip_percentage(text) = "'{text}' is not a whole percentage. Tip presets are written like 5,10,15.";
    not_idle_minutes(text) = "'{text}' is not a number of minutes. Owner mode must lock after 1 to 240 idle minutes.";

    // Coins and gateways (checkout/coins.rs, gateway/, owner/gateways.rs).
    coin_not_offered(coin) = "{coin} is not offered by this terminal. Pick one of the coins shown.";
    coin_no_longer_listed(coin) = "The gateway no longer lists {coin} for this terminal.";
    coin_not_at_terminal(coin) = "The gateway does not offer {coin} at this terminal. See the coins it offers with: cryptill coins.";
    network_not_offered(coin, network, networks) = "The gateway does not offer {coin} on a network called '{network}'. It offers it on: {networks}. Pick one of these for {coin} in Settings (or: cryptill gateway network {coin} <NETWORK>).";
    gateway_key_in_use(gateway) = "{gateway} is the gateway in use; its key cannot be deleted. Choose another gateway and restart first.";
    gateway_key_chosen(gateway) = "{gateway} is the gateway chosen for this till; its key cannot be deleted. Choose another gateway first.";
    sales_still_open(count, first) = "{count} sale(s) are still waiting for payment (first: number {first}). Settle them (`cryptill order <number>`) before changing gateway.";
    gateway_address_has_user() = "The gateway address contains a user name or password (user:password@). Cryptill does not store those; type the address without them. The API key goes into the keyring with `cryptill gateway key set`.";
    not_a_gateway(name) = "'{name}' is not a gateway. Choose demo, counos, coingate or coingate-sandbox.";
    api_key_empty() = "The API key is empty. Paste the key from the gateway's dashboard.";
    not_a_web_address(text, detail) = "'{text}' is not a web address ({detail}). Use a full address such as https://payment.counos.io/api/.";
    web_address_not_encrypted(text) = "'{text}' is not encrypted. Gateways must be reached over https:// (plain http:// is allowed only for a sandbox on this computer).";
    web_address_scheme(text, scheme) = "'{text}' uses '{scheme}:'. Use an https:// address.";

    // Sales at the counter (checkout/).
    till_name_rule() = "A till's name is 1 to 40 characters, e.g. 'Counter 2'.";
    sale_not_found(id) = "There is no sale number {id} in the ledger.";
    sale_reference_not_found(reference) = "No sale in the ledger has the number or order id '{reference}'.";
    sale_cannot_be_canceled(id, state) = "Sale {id} is {state} and cannot be canceled.";
    sale_cannot_be_canceled_any_more(id, state) = "Sale {id} is {state} and cannot be canceled any more.";
    sale_payment_seen(id, state) = "The gateway has already seen a payment for sale {id} (it is {state} now), so it cannot be canceled. Wait for the payment to finish, or mark it for the owner.";
    sale_not_expired(id, state) = "Sale {id} is {state}, not expired; only an expired sale is tried again.";
    sale_being_sent(id) = "Sale {id} is being sent to the gateway by another Cryptill window or command. Wait a moment, then open the sale again.";
    simulation_demo_only() = "Simulated payments exist only in demo mode; this till takes real payments.";
    sale_no_order_yet(id) = "Sale {id} has no order yet to pay into.";

    // Owner PIN and session (owner/).
    owner_locked() = "Owner mode is locked. Unlock it with the owner PIN (the Owner button).";
    owner_pin_rule() = "The owner PIN must be 4 to 12 digits.";
    owner_pin_set_already() = "An owner PIN is already set. Unlock owner mode with it to change it.";
    owner_pin_not_set() = "No owner PIN is set yet. Set one first (the window asks for it, or run `cryptill owner pin set`).";
    owner_still_locked(seconds) = "Too many wrong PINs. Owner mode is locked for {seconds} more second(s); every try while it is locked counts as a wrong PIN and makes the wait longer.";
    owner_wrong_pin_locked(seconds, failed) = "Wrong PIN. Owner mode is locked for {seconds} second(s) after {failed} wrong PINs.";
    owner_wrong_pin(left) = "Wrong PIN. {left} more try(s) before owner mode locks for a while.";
    cashier_still_locked(name, seconds) = "Too many wrong PINs. {name}'s sign-in is locked for {seconds} more second(s); every try while it is locked counts as a wrong PIN and makes the wait longer.";
    cashier_wrong_pin_locked(name, seconds, failed) = "Wrong PIN. {name}'s sign-in is locked for {seconds} second(s) after {failed} wrong PINs.";
    cashier_wrong_pin(left, name) = "Wrong PIN. {left} more try(s) before {name}'s sign-in locks for a while.";
    withdraw_coin_unknown(coin) = "{coin} is not a coin of this terminal. Pick one from the balances.";
    withdraw_address_missing() = "Type or paste the wallet address to withdraw to.";
    withdraw_amount_zero() = "The amount to withdraw must be more than zero.";
    withdraw_permission_real_gateway() = "This is a real gateway: allow withdrawals in the Counos dashboard (account/terminals).";
    coingate_payouts_in_dashboard(gateway) = "{gateway} payouts cannot be sent from Cryptill: CoinGate asks for each payout to be requested and confirmed with two-factor authentication in its dashboard. Open the CoinGate dashboard, go to Payouts, and request it there.";

    // Cashiers and shifts (shift/, ledger/shifts.rs).
    cashier_pin_rule() = "A cashier PIN must be 4 to 8 digits.";
    cashier_name_rule() = "A cashier's name is 1 to 40 characters, e.g. Ana.";
    cashier_not_found(name) = "There is no cashier called '{name}'. The owner adds cashiers (Owner, Cashiers; or `cryptill cashier add NAME`).";
    cashier_pin_is_owner_pin() = "That is the owner PIN. Choose another PIN for the cashier.";
    cashier_disabled(name) = "{name} is disabled and cannot sign in. The owner can enable them again in Owner, Cashiers.";
    cashier_name_taken(name) = "There is a cashier called '{name}' already. Choose another name.";
    cashier_number_not_found(id) = "There is no cashier number {id}.";
    shift_open_already(cashier, since) = "A shift is open already ({cashier} sells in it since {since}). Switch cashier within it, or close it first.";
    shift_opened_already(cashier, at) = "A shift is open already (opened by {cashier} at {at}). Close it first, or switch cashier within it.";
    shift_closed_meanwhile() = "Another shift was closed meanwhile. Look at the shift history.";
    shift_not_found(id) = "There is no shift {id}.";
    no_shift_for_sale() = "No shift is open, so no sale can start. A cashier signs in with their PIN to open one (Sign in, or `cryptill shift open --cashier NAME`).";
    no_shift_open() = "No shift is open. A cashier opens one with their PIN (Sign in, or `cryptill shift open --cashier NAME`).";
    z_report_not_found(number) = "There is no Z report number {number}. Shift history lists the closed shifts.";

    // Refunds (refund/, ledger/refunds.rs).
    refund_no_rate(id) = "Sale {id} has no exchange rate recorded, so its refund cannot be worked out.";
    refund_amount_too_large() = "That amount is too large.";
    refund_which_sale() = "Say which sale to refund: its number from Sales this shift or the receipt.";
    refund_other_gateway(id, paid_through, now_uses) = "Sale {id} was paid through {paid_through}, but this till now uses {now_uses}. Refund it from {paid_through} (in its dashboard), or switch the till back first.";
    refund_nothing_paid(id) = "Sale {id} has received no payment, so there is nothing to refund.";
    refund_not_a_kind(text) = "'{text}' is not a kind of refund. Choose return (goods back), overpaid (the excess of an overpayment) or underpaid (a payment that could not be finished).";
    refund_reason_missing() = "Type the reason for the refund (for example: customer returned the item).";
    refund_reason_too_long() = "The reason is longer than 500 characters; shorten it.";
    refund_address_missing() = "Type or scan the customer's wallet address to send the refund to.";
    refund_bad_address(address, coin, network, detail) = "'{address}' is not a {coin} address on the {network} network ({detail}). Ask the customer for a {coin} address on {network}.";
    refund_bad_email(email) = "'{email}' is not an e-mail address. Type it as name@example.com.";
    refund_email_missing() = "CoinGate e-mails the customer to confirm the refund address: type the customer's e-mail address.";
    refund_below_smallest(amount, coin) = "{amount} is less than the smallest amount of {coin}; type a larger amount.";
    refund_not_overpaid(id) = "Sale {id} was not overpaid. Choose return or underpaid instead.";
    refund_over_excess(id, excess, left) = "The overpaid excess of sale {id} is {excess}, of which {left} is left after earlier refunds; type at most that, or choose return.";
    refund_coin_gone(coin, network) = "The gateway no longer offers {coin} on {network}, so the refund cannot be sent from here.";
    refund_same_coin(id, paid_in, refund_in) = "Sale {id} was paid in {paid_in}; a refund of it is in {refund_in} too.";
    refund_zero() = "The refund must be more than zero.";
    refund_more_than_left(id, left) = "That is more than sale {id} can give back: {left} is left after what was paid and earlier refunds. Type at most that.";
    refund_not_found(id) = "There is no refund number {id}.";
    refund_sale_not_found(id) = "There is no sale number {id}.";

    // Reports (report/).
    date_too_far(text) = "'{text}' is too far in the future.";
    dates_swapped() = "The first day comes after the last day. Swap them.";
    not_a_date(text) = "'{text}' is not a date. Write it as YYYY-MM-DD, e.g. 2026-11-21.";
    day_has_no_start(day) = "{day} has no start in this time zone.";
    csv_path_not_full(path) = "'{path}' is not a full path to a .csv file. Type one such as /home/shop/sales.csv.";
    csv_folder_missing(path) = "The folder of '{path}' does not exist. Choose an existing folder.";
    csv_cannot_write(path, detail) = "Cannot write the CSV to {path} ({detail}). Choose a folder you can write to.";

    // Receipts and the printer (printer/).
    no_printer() = "No receipt printer is set up. The owner chooses one in Settings (or `cryptill printer use ADDRESS`); until then, Receipt prints through the system's dialog.";
    receipt_not_paid(id, state) = "Sale {id} is {state}: a receipt prints once it is paid.";
    slip_not_waiting(id, state) = "Sale {id} is {state}: a payment slip is for a sale waiting for payment.";
    slip_no_address(id) = "Sale {id} has no payment address yet; wait for its QR code on screen.";
    paper_width(width) = "Receipt paper is 58 or 80 mm wide, not {width}. Check the roll's width on its box.";
    auto_print_needs_printer() = "Automatic printing needs a receipt printer. Enter the printer's address first.";
    not_a_printer_address(text, why, forms) = "'{text}' is not a printer address: {why}. {forms}";
    no_printer_address(forms) = "No printer address was given. {forms}";
    printer_file_unusable(target, detail) = "The receipt printer file {target} cannot be used ({detail}). Check that the printer is plugged in and switched on, and that Cryptill may write to that file.";
    printer_usb_unusable(target, detail) = "The USB receipt printer {target} cannot be used ({detail}). Check that the printer is plugged in and switched on; on Linux the till's user needs access to it (a udev rule, or file:/dev/usb/lp0 with the usblp driver).";
    printer_serial_unusable(target, detail) = "The serial receipt printer on {target} cannot be used ({detail}). Check the cable, that the printer is switched on, and that the speed matches the printer's (serial:DEVICE:BAUD).";
    printer_refused(target) = "The receipt printer at {target} refused the connection. Check that the printer is switched on and that its address and port are right (Settings, Printer).";
    printer_silent(target, seconds) = "The receipt printer at {target} did not answer within {seconds} seconds. Check that it is switched on, connected to the network, and not busy with another job.";
    printer_cut_off(target) = "The receipt printer at {target} stopped in the middle of the receipt (the connection was cut), so the receipt is not complete. Check its paper, cover and power, then print the receipt again.";
    printer_not_found(target, detail) = "The receipt printer at {target} cannot be found on the network ({detail}). Check the printer's address in Settings.";
    printer_unreachable(target, detail) = "The receipt printer at {target} cannot be reached ({detail}). Check that it is switched on and connected to the network.";
    no_key_after_move(gateway, name) = "No API key for {gateway} is stored for this till. Its data was moved or copied from another folder or computer, and keys stay with the till they were given to. Ask the owner to enter the key again (`cryptill gateway key set {name}`), or, if the data was moved on this computer, to move the keys (`cryptill owner keys move`).";
    no_key(gateway) = "No API key for {gateway} is stored. Ask the owner to enter it in Settings.";
    keyring_unavailable(detail) = "The system keyring is not available ({detail}). Cryptill keeps gateway keys only there. On Linux, make sure a Secret Service (GNOME Keyring or KWallet) is running and unlocked, then restart Cryptill.";
    coingate_unknown(gateway, what, detail) = "{gateway} does not know {what} ({detail}). Check it in the CoinGate dashboard.";
    order_unknown(gateway, detail) = "{gateway} does not know this order ({detail}).";
    no_order_for_sale(gateway, order) = "{gateway} has no order for sale {order}.";
    print_stopped(detail) = "The print job stopped unexpectedly ({detail}). Print it again.";
    receipt_printed(sale) = "Receipt of sale {sale} printed.";
    auto_print_failed(problem, sale) = "{problem} Sale {sale} is paid and recorded; print its receipt again from Sales this shift.";

    // Refunds, continued (refund/, ledger/refunds.rs, gateway/).
    refund_confirm_in_email() = "This is a real gateway: confirm the withdrawal from the e-mail Counos sent to the terminal owner.";
    refund_no_withdrawal_waiting(id) = "Refund {id} has no withdrawal waiting for the e-mail's confirmation.";
    refund_not_lost(id, refund_state) = "Refund {id} is {refund_state}; only a refund still being sent (its answer lost) can be marked sent or failed.";
    refund_cannot_be_approved(id, refund_state) = "Refund {id} is {refund_state}; it cannot be approved now.";
    refund_cannot_be_rejected(id, refund_state) = "Refund {id} is {refund_state}; it cannot be rejected now.";
    refund_cannot_be_sent(id, refund_state) = "Refund {id} is {refund_state}; it cannot be sent now.";
    refund_cannot_be_changed(id, refund_state) = "Refund {id} is {refund_state}; it cannot be changed now.";
    refund_no_main_account(gateway, coin) = "{gateway} lists no main {coin} account to pay the refund from. Check the accounts in the CoinGate dashboard.";
    refund_no_coingate_order() = "This sale has no CoinGate order, so there is nothing to refund at CoinGate.";
    sale_no_coingate_order() = "This sale has no CoinGate order.";
    withdrawal_not_listed(gateway, id) = "{gateway} does not list withdrawal {id}. Check the terminal's withdrawals in the Counos dashboard.";
    withdrawal_busy_elsewhere() = "Another till of the shop is sending a withdrawal from this gateway account right now. Wait a moment, then try again.";
    withdrawal_not_found(id) = "No withdrawal request {id}.";
    api_key_bad_characters(gateway) = "The {gateway} API key has characters a key cannot have. Paste it again from the dashboard.";
    coingate_key_bad(gateway) = "The {gateway} API key is empty or has characters a key cannot have. Paste it again from the CoinGate dashboard.";
    ledger_bad_refund_amount(text) = "The ledger holds '{text}' as a refund amount.";
    sale_refunds_do_not_add_up(id) = "The refunds of sale {id} do not add up.";
    refunds_do_not_add_up() = "The refunds in the ledger do not add up.";
    ledger_unknown_value(what, value) = "The ledger holds an unknown {what} '{value}'. Tell the owner.";

    // A refund's note, kept in the ledger with its code and values
    // (refunds.message_said) and shown in owner mode's Refunds tab.
    refund_send_refused(problem) = "{problem} Nothing was sent; the refund can be asked again.";
    refund_send_unknown(problem) = "{problem} It is not known whether the gateway took the refund: check its dashboard before asking again.";
    refund_found_after_loss(gateway, id, answer) = "Its answer was lost, but {gateway} holds it as {id}: {answer}";
    refund_not_listed(gateway, amount, address, sale, check) = "{gateway} lists no refund of {amount} to {address} for sale {sale}, so it seems it never took it. {check} Then mark it failed (it can be asked again) or sent.";
    refund_check_coingate() = "Check the order's refunds in the CoinGate dashboard.";
    refund_check_counos() = "Check the terminal's withdrawals in the Counos dashboard (and the confirmation e-mails).";
    refund_owner_marked_sent(gateway) = "The owner checked {gateway} and marked it sent.";
    refund_owner_marked_failed(gateway) = "The owner checked {gateway} and marked it failed: nothing was sent; the refund can be asked again.";
    refund_owner_did_not_approve() = "The owner did not approve this refund.";
    refund_via_withdrawal(registered) = "Counos has no refund call, so this refund is a withdrawal from the terminal. {registered}";
    withdrawal_registered(gateway, amount, address) = "{gateway} registered the withdrawal of {amount} to {address}. It has e-mailed the terminal owner a confirmation link that shows the fee and the withdrawable amount; nothing is sent until the owner confirms the withdrawal there.";
    withdrawal_done(address) = "The withdrawal to {address} is done.";
    withdrawal_done_tx(address, tx) = "The withdrawal to {address} is done (transaction {tx}).";
    withdrawal_done_no_address() = "The withdrawal to the customer is done.";
    withdrawal_done_no_address_tx(tx) = "The withdrawal to the customer is done (transaction {tx}).";
    withdrawal_waits_for_email() = "The withdrawal waits for the owner to confirm it in the link Counos e-mailed.";
    coingate_refund_pending(gateway, status) = "{gateway} accepted the refund ({status}). It e-mails the customer to confirm the address, then sends it.";
    coingate_refund_completed(gateway) = "{gateway} sent the refund to the customer.";
    coingate_refund_rejected(gateway) = "{gateway} rejected the refund. Nothing was sent; the amount can be refunded again.";
    coingate_refund_rejected_why(gateway, why) = "{gateway} rejected the refund: {why}. Nothing was sent; the amount can be refunded again.";

    // The shop's shared ledger (ledger/pg.rs, choice.rs, live.rs, mod.rs).
    shop_ledger_unreachable(host) = "The shop's ledger at {host} cannot be reached. Check the network or the server, then try again.";
    shop_one_currency(host, shop, code) = "The shop's ledger at {host} keeps the shop's sales in {shop}, and every till of the shop sells in {shop}; this till is set to {code}. Set this till's currency to {shop}, then try again.";
    not_a_postgres_address(url, detail) = "'{url}' is not a PostgreSQL address ({detail}). Write it as postgres://USER@HOST:PORT/DB.";
    postgres_password_in_address() = "Leave the password out of the address: Cryptill asks for it and keeps it in the system keyring.";
    postgres_no_server(url) = "'{url}' names no server. Write it as postgres://USER@HOST:PORT/DB.";
    shop_ledger_tls_failed(detail) = "Cannot set up TLS for the ledger ({detail}).";
    shop_ledger_cannot_connect(detail) = "Cannot start the ledger's connection ({detail}).";
    till_name_taken(name) = "Another till of the shop is called '{name}'. Choose another name.";
    shop_ledger_refused_change(place, detail) = "The shop's ledger at {place} refused a change ({detail}). Nothing of it was kept; try again, and tell the owner if it keeps happening.";
    shop_ledger_tills_full() = "The shop's ledger has 999 tills already; a till's number is part of its order ids, so there can be no more.";
    shop_ledger_newer(place, version, known) = "The shop's ledger at {place} was updated by a newer Cryptill (server schema {version}, this till knows {known}). Nothing was changed; install the latest Cryptill on this till.";
    shop_ledger_cannot_read_sales(place, detail) = "The shop's ledger at {place} could not read the sales ({detail}). Try again.";
    shop_ledger_cannot_start_reading(detail) = "Cannot start reading the ledger ({detail}).";
    shop_ledger_bad_value(column, detail) = "The shop's ledger sent a value Cryptill cannot read (column {column}: {detail}). Tell the owner.";
    shop_ledger_cannot_listen(detail) = "Cannot start listening to the shop's ledger ({detail}).";
    shop_ledger_password_missing() = "The shop ledger's password is not in this till's keyring. The owner sets it again with `cryptill ledger use`.";
    ledger_choice_unreadable(file, detail) = "The ledger choice in {file} cannot be read ({detail}). Choose again with `cryptill ledger use`.";
    data_file_cannot_read(file, detail) = "Cannot read {file} ({detail}). Check the data folder's permissions.";
    ledger_choice_cannot_write(detail) = "Cannot write the ledger choice ({detail}).";
    data_file_cannot_write(file, detail) = "Cannot write {file} ({detail}). Check the data folder's permissions.";

    // Starting and storage (till.rs, ledger/, keystore.rs, owner/pin.rs, qr.rs ...).
    no_app_data_folder() = "Cannot find this computer's app-data folder. Set CRYPTILL_DATA_DIR to a folder for Cryptill's data.";
    data_folder_cannot_create(path, detail) = "Cannot create the data folder {path} ({detail}). Check permissions or set CRYPTILL_DATA_DIR.";
    ledger_no_install_id() = "The ledger has no install id; it is damaged. Restore a backup.";
    saved_gateway_unknown(name) = "The saved gateway '{name}' is unknown. Choose a gateway again in Settings.";
    demo_gateway_cannot_start(detail) = "Cannot start the demo gateway: {detail}";
    ledger_cannot_open(path, detail) = "Cannot open the sales ledger at {path} ({detail}). Check that the folder exists and is writable.";
    ledger_cannot_update(path, detail) = "Cannot update the sales ledger at {path} ({detail}). Your sales are untouched; install the latest Cryptill.";
    ledger_cannot_read(path, detail) = "Cannot read the sales ledger at {path} ({detail}). Try again.";
    ledger_empty_value() = "The sales ledger holds an empty value where one is needed. Tell the owner.";
    ledger_empty_column(column) = "The sales ledger holds an empty value where one is needed (column {column}). Tell the owner.";
    ledger_no_row() = "The sales ledger returned no row. Try again.";
    ledger_bad_count(value) = "The ledger holds {value} where a count belongs. Tell the owner.";
    till_id_failed(detail) = "Cannot make a till id ({detail}). Try again.";
    order_id_failed(detail) = "Cannot make an order id ({detail}). Try again.";
    csv_write_failed(detail) = "Cannot write the CSV ({detail}).";
    z_report_cannot_write(detail) = "Cannot write the Z report ({detail}).";
    z_report_unreadable(number, detail) = "The stored Z report {number} cannot be read ({detail}); the ledger may be damaged.";
    receipt_layout_failed(detail) = "This receipt cannot be laid out for the printer ({detail}).";
    pin_no_random(detail) = "Cannot get random bytes for the PIN ({detail}).";
    pin_cannot_salt(detail) = "Cannot salt the PIN ({detail}).";
    pin_cannot_hash(detail) = "Cannot hash the PIN ({detail}).";
    owner_pin_damaged(detail) = "The stored owner PIN is damaged ({detail}). Set a new one with `cryptill owner pin set`.";
    qr_cannot_draw(detail) = "Cannot draw a QR code for this payment ({detail}).";
    qr_cannot_encode(detail) = "Cannot encode the QR picture ({detail}).";
    no_config_folder() = "Cannot find this computer's config folder for Cryptill.";
    no_random_bytes(detail) = "Cannot get random bytes ({detail}).";
    config_cannot_write(path, detail) = "Cannot write {path} ({detail}). Check that your config folder is writable.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_says_its_english_with_the_values_in() {
        let said = Said::cashier_not_found("Ana");
        assert_eq!(
            said.to_string(),
            "There is no cashier called 'Ana'. The owner adds cashiers (Owner, Cashiers; or `cryptill cashier add NAME`)."
        );
        let line = Said::for_line(2, Param::Said(Box::new(Said::amount_zero())));
        assert_eq!(
            line.to_string(),
            "Line 2: The amount is zero. Type the price of the sale."
        );
    }

    /// A refund's note is kept in the ledger as JSON and read back whole,
    /// a sentence inside a sentence included.
    #[test]
    fn a_sentence_kept_as_json_reads_back_the_same() {
        let said = Said::refund_after_error(
            false,
            Param::Said(Box::new(Said::gateway_refused("Counos", "not permitted"))),
        );
        let json = serde_json::to_string(&said).unwrap();
        let back: Said = serde_json::from_str(&json).unwrap();
        assert_eq!(back, said);
        assert_eq!(
            back.to_string(),
            "Counos refused: not permitted Nothing was sent; the refund can be asked again."
        );
    }

    #[test]
    fn every_code_is_written_once_and_names_only_its_own_values() {
        let mut codes = std::collections::BTreeSet::new();
        for s in SENTENCES {
            assert!(codes.insert(s.code), "{} twice", s.code);
            let mut rest = s.english;
            let mut used = Vec::new();
            while let Some(open) = rest.find('{') {
                let close = rest[open..].find('}').expect("closed brace") + open;
                used.push(&rest[open + 1..close]);
                rest = &rest[close + 1..];
            }
            for name in &used {
                assert!(s.params.contains(name), "{}: {{{name}}}", s.code);
            }
            for name in s.params {
                assert!(used.contains(name), "{}: {name} unused", s.code);
            }
        }
    }

    /// A refund's state inside a sentence is its English label; the window
    /// finds it in the English catalogue's `error.refundState` to say it in
    /// the shop's language, so the two must say the same words.
    #[test]
    fn the_window_knows_every_refund_state_by_its_english() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../ui/src/lib/i18n/messages/en.json");
        let en: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for state in crate::ledger::RefundState::ALL {
            assert_eq!(
                en["error"]["refundState"][state.as_str()],
                state.label(),
                "{}",
                state.as_str()
            );
        }
    }

    /// A gateway inside a sentence is its English name or label; the window
    /// finds it in the English catalogue's `error.gateway` to say it in the
    /// shop's language, so the two must say the same words.
    #[test]
    fn the_window_knows_every_gateway_by_its_english() {
        use crate::gateway::GatewayKind;
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../ui/src/lib/i18n/messages/en.json");
        let en: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for kind in [
            GatewayKind::Demo,
            GatewayKind::Counos,
            GatewayKind::Coingate,
            GatewayKind::CoingateSandbox,
        ] {
            let words = &en["error"]["gateway"];
            assert_eq!(
                words["name"][kind.as_str()],
                kind.name(),
                "{}",
                kind.as_str()
            );
            assert_eq!(
                words["label"][kind.as_str()],
                kind.label(),
                "{}",
                kind.as_str()
            );
        }
    }

    /// The window's list of sentences (codes, value names, English) is
    /// written from [`SENTENCES`]; the UI's Vitest test checks every
    /// complete language against it. Fails once when it was out of date
    /// (and rewrites it), so a new sentence is never left out of the commit.
    #[test]
    fn the_window_has_the_current_list_of_sentences() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../ui/src/lib/bindings/sentences.json");
        let mut json = serde_json::to_string_pretty(SENTENCES).unwrap();
        json.push('\n');
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        if old != json {
            std::fs::write(&path, &json).unwrap();
            panic!(
                "{} was out of date and is now rewritten: run the test again and commit it",
                path.display()
            );
        }
    }
}

//! How the shop's locale writes amounts and days on paper (receipts, payment
//! slips, X and Z reports), as the window does with `Intl`: a German shop's
//! receipt says `12,50 EUR` and `28.11.2026 20:36`, an Irish one `12.50 EUR`
//! and `28/11/2026 20:36`, a US one `11/28/2026`.
//!
//! A small table of the conventions CLDR gives the languages a till meets,
//! rather than a full locale database: paper needs only the decimal sign and
//! the order of day, month and year. [`Words`] gives the printed words. Amounts keep their exact digits (only
//! the decimal sign changes, never rounded, no grouping so a column of
//! figures stays easy to check); times are 24-hour, as most receipts print.

/// The order of a numeric date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DayOrder {
    DayMonthYear,
    MonthDayYear,
    YearMonthDay,
}

/// The number and date conventions of one BCP 47 locale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocaleFormat {
    decimal: char,
    order: DayOrder,
    separator: char,
}

/// Languages whose decimal sign is a comma (CLDR), unless the region says otherwise.
const DECIMAL_COMMA: &[&str] = &[
    "af", "az", "be", "bg", "bs", "ca", "cs", "da", "de", "el", "es", "et", "eu", "fi", "fo", "fr",
    "gl", "hr", "hu", "hy", "id", "is", "it", "ka", "kk", "ky", "lt", "lv", "mk", "nb", "nl", "nn",
    "no", "pl", "pt", "ro", "ru", "sk", "sl", "sq", "sr", "sv", "tr", "uk", "uz", "vi",
];
/// Regions that write a decimal point although their language mostly writes a comma.
const POINT_REGIONS: &[(&str, &str)] = &[
    ("de", "CH"),
    ("de", "LI"),
    ("it", "CH"),
    ("es", "MX"),
    ("es", "US"),
    ("es", "PR"),
    ("es", "DO"),
    ("es", "GT"),
    ("es", "HN"),
    ("es", "NI"),
    ("es", "PA"),
    ("es", "SV"),
];
/// Languages whose numeric dates are year first.
const YEAR_FIRST: &[&str] = &["ja", "zh", "ko", "hu", "lt", "sv", "mn"];
/// Languages whose numeric dates use dots (28.11.2026).
const DOTTED: &[&str] = &[
    "az", "be", "bg", "cs", "da", "de", "et", "fi", "fo", "hr", "hy", "is", "ka", "kk", "ky", "lv",
    "mk", "nb", "nn", "no", "pl", "ro", "ru", "sk", "sl", "sq", "sr", "tr", "uk", "uz",
];

impl LocaleFormat {
    /// The conventions of a locale such as `de-DE`, `en_IE` or `sr-Latn-RS`;
    /// an unknown one writes as English in Ireland does (the default shop).
    pub fn for_locale(tag: &str) -> Self {
        let mut parts = tag.trim().split(['-', '_']);
        let language = parts.next().unwrap_or("").to_ascii_lowercase();
        // The region is the two-letter (or three-digit) subtag after any script.
        let region = parts
            .find(|p| p.len() == 2 || (p.len() == 3 && p.chars().all(|c| c.is_ascii_digit())))
            .map(str::to_ascii_uppercase)
            .unwrap_or_default();
        let lang = language.as_str();
        let comma = (DECIMAL_COMMA.contains(&lang)
            && !POINT_REGIONS.contains(&(lang, region.as_str())))
            || (lang == "en" && region == "ZA");
        let order = if (lang == "en" && (region == "US" || region == "PH")) || lang == "fil" {
            DayOrder::MonthDayYear
        } else if YEAR_FIRST.contains(&lang) || (lang == "en" && region == "CA") {
            DayOrder::YearMonthDay
        } else {
            DayOrder::DayMonthYear
        };
        let separator = if order == DayOrder::YearMonthDay || lang == "nl" {
            if lang == "hu" || lang == "ko" {
                '.'
            } else {
                '-'
            }
        } else if DOTTED.contains(&lang) {
            '.'
        } else {
            '/'
        };
        Self {
            decimal: if comma { ',' } else { '.' },
            order,
            separator,
        }
    }

    /// An exact decimal text ("12.50") with the locale's decimal sign ("12,50").
    pub fn amount(&self, decimal: &str) -> String {
        if self.decimal == '.' {
            decimal.to_string()
        } else {
            decimal.replacen('.', &self.decimal.to_string(), 1)
        }
    }

    /// A day `YYYY-MM-DD` in the locale's order; any other text as it is.
    pub fn day(&self, ymd: &str) -> String {
        let mut it = ymd.splitn(3, '-');
        let (Some(y), Some(m), Some(d)) = (it.next(), it.next(), it.next()) else {
            return ymd.to_string();
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return ymd.to_string();
        }
        let s = self.separator;
        match self.order {
            DayOrder::DayMonthYear => format!("{d}{s}{m}{s}{y}"),
            DayOrder::MonthDayYear => format!("{m}{s}{d}{s}{y}"),
            DayOrder::YearMonthDay => format!("{y}{s}{m}{s}{d}"),
        }
    }

    /// A ledger timestamp (RFC 3339) as the till's local day and 24-hour time.
    pub fn date_time(&self, rfc3339: &str) -> String {
        chrono::DateTime::parse_from_rfc3339(rfc3339)
            .map(|t| {
                let local = t.with_timezone(&chrono::Local);
                format!(
                    "{} {}",
                    self.day(&local.format("%Y-%m-%d").to_string()),
                    local.format("%H:%M")
                )
            })
            .unwrap_or_else(|_| rfc3339.to_string())
    }
}

/// The words printed on paper (receipts, payment slips, the test page, X
/// and Z reports) in the shop's language: English, German, French or
/// Spanish, English for any other. A static table rather than a crate such
/// as `fluent` or `rust-i18n`: paper has a few dozen fixed labels and no
/// plurals worth a message format, a struct makes a missing word a compile
/// error in every language, and the core stays free of another dependency.
/// The window's words live in the UI's catalogues (ui/src/lib/i18n).
#[derive(Debug, PartialEq, Eq)]
pub struct Words {
    pub receipt: &'static str,
    pub demo_receipt: &'static str,
    pub sale: &'static str,
    pub cashier: &'static str,
    pub item: &'static str,
    pub tip: &'static str,
    pub total: &'static str,
    pub paid_in: &'static str,
    pub amount: &'static str,
    pub received: &'static str,
    pub rate: &'static str,
    pub address: &'static str,
    pub order: &'static str,
    pub transaction: &'static str,
    pub scan_payment: &'static str,
    pub transaction_id: &'static str,
    pub payment_request: &'static str,
    pub demo_slip: &'static str,
    pub pay: &'static str,
    pub network: &'static str,
    pub pay_before: &'static str,
    pub scan_wallet: &'static str,
    pub test_page: &'static str,
    pub printer: &'static str,
    pub paper: &'static str,
    pub characters: &'static str,
    pub dashes_note: &'static str,
    pub qr_above: &'static str,
    pub x_report: &'static str,
    pub z_report: &'static str,
    pub printed: &'static str,
    pub sales: &'static str,
    /// After a coin's number of sales: "BTC (3 sales)".
    pub sales_of_coin: &'static str,
    pub tips: &'static str,
    pub net_of_tips: &'static str,
    pub coin_received: &'static str,
    pub voids: &'static str,
    pub expired: &'static str,
    pub still_open: &'static str,
    pub for_the_owner: &'static str,
    pub other_currencies: &'static str,
    /// A refund on paper: done, sent to the gateway, or not sent yet; the
    /// day's refunded total and the count beside a coin.
    pub refunded: &'static str,
    pub refund_on_its_way: &'static str,
    pub refund_pending: &'static str,
    pub refund_on: &'static str,
    pub refund_in_coin: &'static str,
    pub refunds_of_coin: &'static str,
    /// A period's "from … to …".
    pub from: &'static str,
    pub to: &'static str,
    pub the_start: &'static str,
    pub now: &'static str,
}

impl Words {
    /// The words of a locale's language (`de-AT` -> German); English for
    /// a language without a table.
    pub fn for_locale(tag: &str) -> &'static Words {
        let language = tag
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match language.as_str() {
            "de" => &GERMAN,
            "fr" => &FRENCH,
            "es" => &SPANISH,
            _ => &ENGLISH,
        }
    }
}

const ENGLISH: Words = Words {
    receipt: "Receipt",
    demo_receipt: "DEMO - NOT A REAL PAYMENT",
    sale: "Sale",
    cashier: "Cashier",
    item: "Item",
    tip: "Tip",
    total: "Total",
    paid_in: "Paid in",
    amount: "Amount",
    received: "Received",
    rate: "Rate",
    address: "Address",
    order: "Order",
    transaction: "Transaction",
    scan_payment: "Scan to see the payment",
    transaction_id: "Transaction id",
    payment_request: "Payment request",
    demo_slip: "DEMO - DO NOT PAY",
    pay: "Pay",
    network: "Network",
    pay_before: "Pay before",
    scan_wallet: "Scan with your wallet",
    test_page: "Printer test page",
    printer: "Printer",
    paper: "Paper",
    characters: "Characters",
    dashes_note:
        "The dashes above span the paper: if they wrap or stop short, choose the other paper width.",
    qr_above: "A QR code prints above",
    x_report: "X report (not a close)",
    z_report: "Z report",
    printed: "Printed",
    sales: "Sales",
    sales_of_coin: "sales",
    tips: "Tips",
    net_of_tips: "Net of tips",
    coin_received: "received",
    voids: "Voids",
    expired: "Expired",
    still_open: "Still open",
    for_the_owner: "For the owner",
    other_currencies: "Other currencies",
    refunded: "Refunded",
    refund_on_its_way: "Refund on its way",
    refund_pending: "Refund pending",
    refund_on: "on",
    refund_in_coin: "in coin",
    refunds_of_coin: "refunds",
    from: "from",
    to: "to",
    the_start: "the start",
    now: "now",
};

const GERMAN: Words = Words {
    receipt: "Beleg",
    demo_receipt: "DEMO - KEINE ECHTE ZAHLUNG",
    sale: "Verkauf",
    cashier: "Kassierer",
    item: "Artikel",
    tip: "Trinkgeld",
    total: "Summe",
    paid_in: "Bezahlt in",
    amount: "Betrag",
    received: "Erhalten",
    rate: "Kurs",
    address: "Adresse",
    order: "Bestellung",
    transaction: "Transaktion",
    scan_payment: "Scannen, um die Zahlung zu sehen",
    transaction_id: "Transaktions-ID",
    payment_request: "Zahlungsaufforderung",
    demo_slip: "DEMO - NICHT BEZAHLEN",
    pay: "Zahlen",
    network: "Netzwerk",
    pay_before: "Zahlen bis",
    scan_wallet: "Mit Ihrer Wallet scannen",
    test_page: "Drucker-Testseite",
    printer: "Drucker",
    paper: "Papier",
    characters: "Zeichen",
    dashes_note: "Die Striche oben reichen über das Papier: Brechen sie um oder enden zu früh, wählen Sie die andere Papierbreite.",
    qr_above: "Oben wird ein QR-Code gedruckt",
    x_report: "X-Bericht (kein Abschluss)",
    z_report: "Z-Bericht",
    printed: "Gedruckt",
    sales: "Verkäufe",
    sales_of_coin: "Verkäufe",
    tips: "Trinkgelder",
    net_of_tips: "Ohne Trinkgeld",
    coin_received: "erhalten",
    voids: "Stornos",
    expired: "Abgelaufen",
    still_open: "Noch offen",
    for_the_owner: "Für den Inhaber",
    other_currencies: "Andere Währungen",
    refunded: "Erstattet",
    refund_on_its_way: "Erstattung unterwegs",
    refund_pending: "Erstattung offen",
    refund_on: "am",
    refund_in_coin: "in Krypto",
    refunds_of_coin: "Erstattungen",
    from: "vom",
    to: "bis",
    the_start: "Beginn",
    now: "jetzt",
};

const FRENCH: Words = Words {
    receipt: "Ticket",
    demo_receipt: "DÉMO - PAS UN VRAI PAIEMENT",
    sale: "Vente",
    cashier: "Caissier",
    item: "Article",
    tip: "Pourboire",
    total: "Total",
    paid_in: "Payé en",
    amount: "Montant",
    received: "Reçu",
    rate: "Taux",
    address: "Adresse",
    order: "Commande",
    transaction: "Transaction",
    scan_payment: "Scannez pour voir le paiement",
    transaction_id: "Identifiant de transaction",
    payment_request: "Demande de paiement",
    demo_slip: "DÉMO - NE PAS PAYER",
    pay: "À payer",
    network: "Réseau",
    pay_before: "Payer avant",
    scan_wallet: "Scannez avec votre portefeuille",
    test_page: "Page de test de l'imprimante",
    printer: "Imprimante",
    paper: "Papier",
    characters: "Caractères",
    dashes_note: "Les tirets ci-dessus couvrent le papier : s'ils passent à la ligne ou s'arrêtent avant, choisissez l'autre largeur de papier.",
    qr_above: "Un code QR s'imprime au-dessus",
    x_report: "Rapport X (pas une clôture)",
    z_report: "Rapport Z",
    printed: "Imprimé",
    sales: "Ventes",
    sales_of_coin: "ventes",
    tips: "Pourboires",
    net_of_tips: "Hors pourboires",
    coin_received: "reçu",
    voids: "Annulations",
    expired: "Expirées",
    still_open: "Encore ouvertes",
    for_the_owner: "Pour le propriétaire",
    other_currencies: "Autres devises",
    refunded: "Remboursé",
    refund_on_its_way: "Remboursement en cours",
    refund_pending: "Remboursement en attente",
    refund_on: "le",
    refund_in_coin: "en crypto",
    refunds_of_coin: "remboursements",
    from: "depuis",
    to: "jusqu'à",
    the_start: "le début",
    now: "maintenant",
};

const SPANISH: Words = Words {
    receipt: "Recibo",
    demo_receipt: "DEMO - NO ES UN PAGO REAL",
    sale: "Venta",
    cashier: "Cajero",
    item: "Artículo",
    tip: "Propina",
    total: "Total",
    paid_in: "Pagado en",
    amount: "Importe",
    received: "Recibido",
    rate: "Tipo de cambio",
    address: "Dirección",
    order: "Pedido",
    transaction: "Transacción",
    scan_payment: "Escanee para ver el pago",
    transaction_id: "Id de transacción",
    payment_request: "Solicitud de pago",
    demo_slip: "DEMO - NO PAGAR",
    pay: "Pagar",
    network: "Red",
    pay_before: "Pagar antes de",
    scan_wallet: "Escanee con su monedero",
    test_page: "Página de prueba de la impresora",
    printer: "Impresora",
    paper: "Papel",
    characters: "Caracteres",
    dashes_note: "Los guiones de arriba cubren el papel: si saltan de línea o no llegan al borde, elija el otro ancho de papel.",
    qr_above: "Arriba se imprime un código QR",
    x_report: "Informe X (no es un cierre)",
    z_report: "Informe Z",
    printed: "Impreso",
    sales: "Ventas",
    sales_of_coin: "ventas",
    tips: "Propinas",
    net_of_tips: "Sin propinas",
    coin_received: "recibido",
    voids: "Anulaciones",
    expired: "Caducadas",
    still_open: "Aún abiertas",
    for_the_owner: "Para el propietario",
    other_currencies: "Otras monedas",
    refunded: "Reembolsado",
    refund_on_its_way: "Reembolso en camino",
    refund_pending: "Reembolso pendiente",
    refund_on: "el",
    refund_in_coin: "en cripto",
    refunds_of_coin: "reembolsos",
    from: "desde",
    to: "hasta",
    the_start: "el inicio",
    now: "ahora",
};

#[cfg(test)]
mod tests {
    use super::{LocaleFormat, Words};

    #[test]
    fn paper_speaks_the_shop_language_and_english_otherwise() {
        assert_eq!(Words::for_locale("de-AT").receipt, "Beleg");
        assert_eq!(Words::for_locale("fr_CA").total, "Total");
        assert_eq!(Words::for_locale("es-MX").tip, "Propina");
        assert_eq!(Words::for_locale("en-IE").receipt, "Receipt");
        assert_eq!(Words::for_locale("pl-PL").receipt, "Receipt");
        assert_eq!(Words::for_locale("").receipt, "Receipt");
    }

    #[test]
    fn a_german_shop_writes_a_decimal_comma_and_dotted_days() {
        let de = LocaleFormat::for_locale("de-DE");
        assert_eq!(de.amount("12.50"), "12,50");
        assert_eq!(de.day("2026-11-28"), "28.11.2026");
    }

    #[test]
    fn irish_and_us_shops_keep_the_point_and_differ_in_the_order_of_the_day() {
        let ie = LocaleFormat::for_locale("en-IE");
        assert_eq!(ie.amount("12.50"), "12.50");
        assert_eq!(ie.day("2026-11-28"), "28/11/2026");
        assert_eq!(
            LocaleFormat::for_locale("en_US").day("2026-11-28"),
            "11/28/2026"
        );
    }

    #[test]
    fn regions_and_scripts_are_read_past() {
        assert_eq!(LocaleFormat::for_locale("de-CH").amount("1.5"), "1.5");
        assert_eq!(LocaleFormat::for_locale("es-ES").amount("1.5"), "1,5");
        assert_eq!(LocaleFormat::for_locale("es-MX").amount("1.5"), "1.5");
        assert_eq!(
            LocaleFormat::for_locale("sr-Latn-RS").day("2026-11-28"),
            "28.11.2026"
        );
        assert_eq!(
            LocaleFormat::for_locale("nl-NL").day("2026-11-28"),
            "28-11-2026"
        );
        assert_eq!(
            LocaleFormat::for_locale("sv-SE").day("2026-11-28"),
            "2026-11-28"
        );
        assert_eq!(
            LocaleFormat::for_locale("fr-FR").day("2026-11-28"),
            "28/11/2026"
        );
    }

    #[test]
    fn anything_else_is_written_as_it_came() {
        let f = LocaleFormat::for_locale("");
        assert_eq!(f.amount("12.50"), "12.50");
        assert_eq!(f.day("soon"), "soon");
        assert_eq!(f.date_time("not a time"), "not a time");
        assert_eq!(LocaleFormat::for_locale("de").amount("1000"), "1000");
    }
}

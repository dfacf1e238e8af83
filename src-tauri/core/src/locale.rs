//! How the shop's locale writes amounts and days on paper (receipts, payment
//! slips, X and Z reports), as the window does with `Intl`: a German shop's
//! receipt says `12,50 EUR` and `28.11.2026 20:36`, an Irish one `12.50 EUR`
//! and `28/11/2026 20:36`, a US one `11/28/2026`.
//!
//! A small table of the conventions CLDR gives the languages a till meets,
//! rather than a full locale database: paper needs only the decimal sign and
//! the order of day, month and year. Amounts keep their exact digits (only
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

#[cfg(test)]
mod tests {
    use super::LocaleFormat;

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

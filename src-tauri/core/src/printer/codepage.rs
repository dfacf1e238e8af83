//! The printer's character set, chosen from the shop's language.
//!
//! Thermal printers print one byte a character from a code page selected
//! with ESC t; UTF-8 prints as garbage. The Windows code pages are the ones
//! Epson-compatible printers carry for every European script (ESC t 16 and
//! 45-51), and each holds '€'. Text is encoded here, one character at a
//! time: one the page lacks prints as '?', and a control character (which
//! a printer would take as a command: a shop name with ESC in it could cut
//! the paper or open the drawer) as a space.

use encoding_rs::Encoding;
use escpos::utils::PageCode;

#[derive(Clone, Copy, Debug)]
pub struct CodePage {
    pub page: PageCode,
    encoding: &'static Encoding,
}

impl CodePage {
    /// The page for a BCP 47 locale (`de-DE`, `pl`, `sr-Latn-RS`): by its
    /// language, Western European (1252) when the language is not known.
    pub fn for_locale(locale: &str) -> Self {
        let mut parts = locale.split(['-', '_']).map(str::to_ascii_lowercase);
        let language = parts.next().unwrap_or_default();
        let latin_script = parts.any(|p| p == "latn");
        let (page, encoding) = match language.as_str() {
            "pl" | "cs" | "sk" | "hu" | "sl" | "hr" | "ro" | "sq" | "bs" => {
                (PageCode::WPC1250, encoding_rs::WINDOWS_1250)
            }
            "sr" if latin_script => (PageCode::WPC1250, encoding_rs::WINDOWS_1250),
            "ru" | "uk" | "be" | "bg" | "mk" | "sr" | "kk" | "ky" | "mn" => {
                (PageCode::WPC1251, encoding_rs::WINDOWS_1251)
            }
            "el" => (PageCode::WPC1253, encoding_rs::WINDOWS_1253),
            "tr" | "az" => (PageCode::WPC1254, encoding_rs::WINDOWS_1254),
            "lt" | "lv" | "et" => (PageCode::WPC1257, encoding_rs::WINDOWS_1257),
            _ => (PageCode::WPC1252, encoding_rs::WINDOWS_1252),
        };
        Self { page, encoding }
    }

    /// The text as the printer's bytes: one byte a character.
    pub fn encode(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len());
        let mut buf = [0u8; 4];
        for c in text.chars() {
            if c.is_control() {
                out.push(b' ');
                continue;
            }
            if c.is_ascii() {
                out.push(c as u8);
                continue;
            }
            let (bytes, _, unmappable) = self.encoding.encode(c.encode_utf8(&mut buf));
            match (unmappable, bytes.as_ref()) {
                (false, [byte]) => out.push(*byte),
                _ => out.push(b'?'),
            }
        }
        out
    }

    /// The ESC t number of the page.
    pub fn number(&self) -> u8 {
        self.page.into()
    }

    /// A line that shows whether the page prints the language's letters.
    pub fn sample(&self) -> &'static str {
        match self.page {
            PageCode::WPC1250 => "ąćęłńóśźż čďěňřšťůž őű €",
            PageCode::WPC1251 => "Съешь же ещё этих булок €",
            PageCode::WPC1253 => "αβγδε ΑΒΓΔΕ άέήίό €",
            PageCode::WPC1254 => "ğüşıöç ĞÜŞİÖÇ €",
            PageCode::WPC1257 => "ąčęėįšųūž āēīķļņ õ €",
            _ => "àâäçéèêëîïôöùûü ñ ß æø å €",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_chooses_the_page() {
        assert_eq!(CodePage::for_locale("de-DE").number(), 16);
        assert_eq!(CodePage::for_locale("en-IE").number(), 16);
        assert_eq!(CodePage::for_locale("pl-PL").number(), 45);
        assert_eq!(CodePage::for_locale("ru").number(), 46);
        assert_eq!(CodePage::for_locale("sr-Latn-RS").number(), 45);
        assert_eq!(CodePage::for_locale("el-GR").number(), 47);
        assert_eq!(CodePage::for_locale("tr-TR").number(), 48);
        assert_eq!(CodePage::for_locale("lt-LT").number(), 51);
        assert_eq!(CodePage::for_locale("xx").number(), 16);
    }

    #[test]
    fn letters_of_the_page_print_and_the_rest_cannot_reach_the_printer() {
        let western = CodePage::for_locale("fr-FR");
        assert_eq!(western.encode("Café 5 €"), b"Caf\xe9 5 \x80");
        // No Chinese in 1252, and no way to smuggle a command in.
        assert_eq!(western.encode("茶\u{1b}i"), b"? i");
        let polish = CodePage::for_locale("pl-PL");
        assert_eq!(polish.encode("Łódź"), b"\xa3\xf3d\x9f");
    }

    #[test]
    fn every_sample_prints_on_its_own_page() {
        for locale in ["en", "pl", "ru", "el", "tr", "lt"] {
            let page = CodePage::for_locale(locale);
            assert!(
                !page.encode(page.sample()).contains(&b'?'),
                "{locale}: {}",
                page.sample()
            );
        }
    }
}

//! Standard input for PINs and keys: prompts on stderr, nothing echoed on a
//! terminal, and a sentence when input ends early.

use std::io::{BufRead, IsTerminal, Write};

use cryptill_core::owner::pin;
use cryptill_core::secret::Sensitive;
use cryptill_core::Error;

/// Standard input, a line at a time; on a terminal, prompts go to stderr
/// and what is typed is not echoed.
pub(crate) struct Input {
    tty: bool,
}

impl Input {
    pub(crate) fn new() -> Self {
        Self {
            tty: std::io::stdin().is_terminal(),
        }
    }

    pub(crate) fn line(&mut self, prompt: &str) -> Result<Sensitive<String>, Error> {
        if self.tty {
            eprint!("{prompt}");
            let _ = std::io::stderr().flush();
            echo(false);
        }
        let mut line = String::new();
        let read = std::io::stdin().lock().read_line(&mut line);
        if self.tty {
            echo(true);
            eprintln!();
        }
        match read {
            Ok(0) => Err(Error::Input(format!(
                "No {} was given: standard input ended. Type it, pipe it in, or (for the current owner PIN) set CRYPTILL_OWNER_PIN.",
                prompt.trim_end_matches(": ").to_lowercase()
            ))),
            Ok(_) => Ok(Sensitive::new(
                line.trim_end_matches(['\r', '\n']).to_string(),
            )),
            Err(e) => Err(Error::Input(format!("Cannot read standard input ({e})."))),
        }
    }

    /// A line that may be left empty, or out (standard input ended): `None`.
    pub(crate) fn optional_line(
        &mut self,
        prompt: &str,
    ) -> Result<Option<Sensitive<String>>, Error> {
        let mut line = String::new();
        if self.tty {
            eprint!("{prompt}");
            let _ = std::io::stderr().flush();
            echo(false);
        }
        let read = std::io::stdin().lock().read_line(&mut line);
        if self.tty {
            echo(true);
            eprintln!();
        }
        read.map_err(|e| Error::Input(format!("Cannot read standard input ({e}).")))?;
        let line = line.trim_end_matches(['\r', '\n']);
        Ok((!line.is_empty()).then(|| Sensitive::new(line.to_string())))
    }

    /// `CRYPTILL_OWNER_PIN`, else a line of standard input.
    pub(crate) fn owner_pin(&mut self) -> Result<Sensitive<String>, Error> {
        match std::env::var("CRYPTILL_OWNER_PIN") {
            Ok(pin) if !pin.is_empty() => Ok(Sensitive::new(pin)),
            _ => self.line("Owner PIN: "),
        }
    }

    /// The new PIN, typed twice so a typo cannot lock the owner out.
    pub(crate) fn new_pin(&mut self) -> Result<Sensitive<String>, Error> {
        self.twice("New owner PIN (4 to 12 digits): ", pin::check_pin_rules)
    }

    /// `CRYPTILL_CASHIER_PIN`, else a line of standard input.
    pub(crate) fn cashier_pin(&mut self) -> Result<Sensitive<String>, Error> {
        match std::env::var("CRYPTILL_CASHIER_PIN") {
            Ok(pin) if !pin.is_empty() => Ok(Sensitive::new(pin)),
            _ => self.line("Cashier PIN: "),
        }
    }

    /// A new cashier's PIN, typed twice.
    pub(crate) fn new_cashier_pin(&mut self) -> Result<Sensitive<String>, Error> {
        self.twice(
            "The cashier's new PIN (4 to 8 digits): ",
            cryptill_core::shift::check_cashier_pin,
        )
    }

    /// A new PIN under `rules`, typed twice so a typo cannot lock anyone out.
    fn twice(
        &mut self,
        prompt: &str,
        rules: fn(&str) -> Result<(), Error>,
    ) -> Result<Sensitive<String>, Error> {
        let first = self.line(prompt)?;
        rules(first.expose())?;
        let again = self.line("The new PIN again: ")?;
        if first != again {
            return Err(Error::Input(
                "The two new PINs differ. Nothing changed; run the command again.".into(),
            ));
        }
        Ok(first)
    }
}

/// Turns terminal echo off or on (Unix `stty`); elsewhere, nothing.
fn echo(on: bool) {
    #[cfg(unix)]
    {
        let _ = std::process::Command::new("stty")
            .arg(if on { "echo" } else { "-echo" })
            .stdin(std::process::Stdio::inherit())
            .status();
    }
    #[cfg(not(unix))]
    let _ = on;
}

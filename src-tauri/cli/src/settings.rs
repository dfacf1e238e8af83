//! `cryptill settings get|set`: the shop's settings from a script, by the
//! names in the core's `SETTING_NAMES`, checked by the core's rules (the
//! same the window's Save applies).

use std::collections::BTreeMap;

use cryptill_core::settings::{Settings, SETTING_NAMES};
use cryptill_core::Error;

use crate::global::Global;
use crate::output::print;

#[derive(clap::Subcommand)]
pub(crate) enum SettingsCommand {
    /// Owner: show every setting (asks for the PIN); `--json` for a script.
    Get,
    /// Owner: change one setting (asks for the PIN). A value the window
    /// would refuse is refused with the reason, and nothing changes.
    Set {
        /// shop-name, currency, locale, coins, tips, tip-presets, max-sale,
        /// sound, receipt-footer, idle-lock-minutes or lock-on-blur.
        key: String,
        /// The new value: on/off for tips, sound and lock-on-blur; a
        /// comma-separated list for coins (`all` for every coin) and
        /// tip-presets (whole percent). May start with `-` (a footer).
        #[arg(allow_hyphen_values = true)]
        value: String,
    },
}

pub(crate) async fn run(g: &Global, command: SettingsCommand) -> Result<(), Error> {
    let settings = match command {
        SettingsCommand::Get => {
            g.with_owner(async |till, ok| till.owner().settings(ok))
                .await?
        }
        SettingsCommand::Set { key, value } => {
            g.with_owner(async |till, ok| {
                let mut settings = till.owner().settings(ok)?;
                settings.set(&key, &value)?;
                till.owner().save_settings(ok, &settings)
            })
            .await?
        }
    };
    print(g.json, &by_name(&settings), |named| {
        let width = SETTING_NAMES.iter().map(|n| n.len()).max().unwrap_or(0);
        SETTING_NAMES
            .iter()
            .map(|name| format!("{name:<width$}  {}", named[name]))
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

/// Name to value, as text `settings set` takes back unchanged.
fn by_name(settings: &Settings) -> BTreeMap<&'static str, String> {
    settings.named().into_iter().collect()
}

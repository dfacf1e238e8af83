//! `cryptill report` and `export`: the owner's Z-report and the
//! accountant's CSV.

use std::path::PathBuf;

use cryptill_core::report::{self, SaleFilter};
use cryptill_core::Error;
use serde::Serialize;

use crate::global::Global;
use crate::output::print;

#[derive(clap::Args)]
pub(crate) struct ExportArgs {
    #[arg(long, value_name = "FILE.csv")]
    csv: PathBuf,
    /// First day, YYYY-MM-DD (local time).
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: Option<String>,
    /// Last day, YYYY-MM-DD, included.
    #[arg(long, value_name = "YYYY-MM-DD")]
    to: Option<String>,
    /// Only the sales of shift N (its Z number).
    #[arg(long, value_name = "N")]
    shift: Option<i64>,
    /// Only the sales of the till of this name (on a shared ledger).
    #[arg(long, value_name = "NAME")]
    till: Option<String>,
}

pub(crate) async fn day(g: &Global, day: Option<&str>, till: Option<&str>) -> Result<(), Error> {
    let mut filter = match day {
        Some(day) => {
            report::parse_day(day)?;
            SaleFilter::day(day)
        }
        None => SaleFilter::today(),
    };
    filter.till = till.map(String::from);
    let z = g
        .with_owner(async |till, ok| till.owner().day_report(ok, &filter))
        .await?;
    print(g.json, &z, report::z_report_text);
    Ok(())
}

pub(crate) async fn export(g: &Global, args: ExportArgs) -> Result<(), Error> {
    let path = if args.csv.is_absolute() {
        args.csv
    } else {
        std::env::current_dir()
            .map_err(|e| Error::Storage(format!("Cannot read the current folder ({e}).")))?
            .join(args.csv)
    };
    let filter = SaleFilter {
        from: args.from,
        to: args.to,
        shift: args.shift,
        till: args.till,
        ..Default::default()
    };
    let sales = g
        .with_owner(async |till, ok| till.owner().export_csv(ok, &filter, &path))
        .await?;
    #[derive(Serialize)]
    struct Exported {
        path: String,
        sales: usize,
    }
    let exported = Exported {
        path: path.display().to_string(),
        sales,
    };
    print(g.json, &exported, |e| {
        format!("Wrote {} sale(s) to {}.", e.sales, e.path)
    });
    Ok(())
}

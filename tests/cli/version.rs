//! `--version`, as an owner or support reads it: the release and the
//! ledger schema that release writes.

use crate::support::Shop;
use crate::BIN;

#[test]
fn version_tells_the_release_and_the_schema_a_new_ledger_gets() {
    let shop = Shop::new(BIN, "version");
    let line = shop.ok(&["--version"]);
    let schema: u32 = line
        .trim()
        .strip_prefix(&format!(
            "cryptill {} (ledger schema ",
            env!("CARGO_PKG_VERSION")
        ))
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("unexpected --version line: {line:?}"))
        .parse()
        .unwrap();

    // A first command makes the ledger; it must be at the schema --version
    // named (in demo mode, so no gateway account is needed).
    shop.ok(&["coins"]);
    let ledger = rusqlite::Connection::open(shop.ledger_path()).unwrap();
    let on_disk: u32 = ledger
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(on_disk, schema);
}

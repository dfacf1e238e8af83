//! `cryptill settings get|set`: a till set up from a script, with the
//! window's rules (the core's `Settings::set` and `validate`).

use crate::support::Shop;
use crate::BIN;

#[test]
fn the_owner_sets_up_a_till_from_a_script_and_the_counter_follows_it() {
    let shop = Shop::new(BIN, "cli-settings");
    // Owner only: before a PIN exists, the command says how to set one.
    let err = shop.refused(&["settings", "get"], "", Some("1234"));
    assert!(err.contains("owner pin set"), "{err}");
    shop.ok_with(&["owner", "pin", "set"], "1234\n1234\n", None);
    let err = shop.refused(&["settings", "set", "shop-name", "Nope"], "", Some("9999"));
    assert!(err.contains("Wrong PIN"), "{err}");

    let defaults = shop.json_with(&["settings", "get"], Some("1234"));
    assert_eq!(defaults["shop-name"], "My shop");
    assert_eq!(defaults["coins"], "all");
    assert_eq!(defaults["tips"], "off");

    for (key, value) in [
        ("shop-name", "Bäckerei Kranz"),
        ("currency", "usd"),
        ("locale", "de-DE"),
        ("coins", "btc,ltc"),
        ("tips", "on"),
        ("tip-presets", "5,10"),
        ("max-sale", "50"),
        ("sound", "off"),
        ("receipt-footer", "-- Danke! --"),
        ("idle-lock-minutes", "15"),
        ("lock-on-blur", "on"),
    ] {
        // Each change prints every setting, the new value among them.
        let out = shop.ok_with(&["settings", "set", key, value], "", Some("1234"));
        assert!(out.lines().any(|l| l.starts_with(key)), "{key}: {out}");
    }
    let set = shop.json_with(&["settings", "get"], Some("1234"));
    assert_eq!(set["shop-name"], "Bäckerei Kranz");
    assert_eq!(set["currency"], "USD");
    assert_eq!(set["coins"], "BTC,LTC");
    assert_eq!(set["tip-presets"], "5,10");
    assert_eq!(set["max-sale"], "50");
    assert_eq!(set["lock-on-blur"], "on");
    assert_eq!(set["receipt-footer"], "-- Danke! --");
    // The human listing names every setting.
    let listed = shop.ok_with(&["settings", "get"], "", Some("1234"));
    assert_eq!(listed.lines().count(), 11, "{listed}");

    // The counter sells by them: dollars, at most 50 a sale.
    let out = shop.run(&["sale", "60", "USD", "BTC"], "");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("more than this till takes"), "{stderr}");
    assert_eq!(
        shop.json(&["sale", "40", "USD", "BTC"])["fiatAmount"],
        "40.00"
    );
}

#[test]
fn a_bad_value_exits_2_with_the_windows_sentence_and_changes_nothing() {
    let shop = Shop::new(BIN, "cli-settings-bad");
    shop.ok_with(&["owner", "pin", "set"], "1234\n1234\n", None);
    let before = shop.json_with(&["settings", "get"], Some("1234"));
    for (key, value, says) in [
        ("colour", "red", "There is no setting 'colour'"),
        ("currency", "EURO", "not a currency code"),
        ("max-sale", "12.345", "maximum sale amount"),
        ("max-sale", "0", "maximum sale amount"),
        ("tips", "maybe", "say on or off"),
        ("tip-presets", "5,150", "between 1 and 100"),
        ("idle-lock-minutes", "soon", "not a number of minutes"),
        ("shop-name", "", "1 to 80 characters"),
        ("coins", "BTC,E-TH", "ticker symbols"),
    ] {
        let out = shop.run_with(&["settings", "set", key, value], "", Some("1234"));
        assert_eq!(out.status.code(), Some(2), "{key}={value}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{key}={value}: {stderr}");
    }
    assert_eq!(shop.json_with(&["settings", "get"], Some("1234")), before);
}

//! Generates the app's command permissions and Tauri's context. tauri-build
//! needs the bundled UI to exist; a checkout that has not built it yet gets a
//! page saying how, instead of a cryptic build failure.

/// Every app command, each with generated `allow-`/`deny-` permissions; the
/// capabilities in `capabilities/` decide which window may call which.
const COMMANDS: &[&str] = &[
    "app_info",
    "list_coins",
    "quote",
    "charge",
    "watch_sale",
    "simulate_payment",
    // Checkout (issue 4).
    "simulate",
    "counter_settings",
    "quotes",
    "start_sale",
    "place_sale",
    "try_again",
    "void_sale",
    "mark_for_owner",
    "resumed_sales",
    "recent_sales",
    "sale_payment",
    "receipt",
    "open_customer_display",
    "show_on_customer_display",
    "customer_view",
    // Owner mode (owner_commands.rs): the session, then the PIN-gated commands.
    "session_status",
    "session_set_pin",
    "session_unlock",
    "session_lock",
    "owner_settings",
    "owner_save_settings",
    "owner_gateway",
    "owner_choose_gateway",
    "owner_set_key",
    "owner_delete_key",
    "owner_test_key",
    "owner_balances",
    "owner_withdrawals",
    "owner_withdrawal_requests",
    "owner_withdraw",
    "owner_demo_withdraw_permission",
    "owner_report",
    "owner_sales",
    "owner_export_csv",
    "owner_change_pin",
    "owner_coin_networks",
];

fn main() {
    let dist = std::path::Path::new("ui/dist");
    if !dist.join("index.html").exists() {
        std::fs::create_dir_all(dist).expect("create ui/dist");
        std::fs::write(
            dist.join("index.html"),
            "<!doctype html><title>Cryptill</title><p>The UI is not built. Run <code>npm --prefix ui ci &amp;&amp; npm --prefix ui run build</code>, then build Cryptill again.</p>",
        )
        .expect("write placeholder ui/dist/index.html");
    }
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}

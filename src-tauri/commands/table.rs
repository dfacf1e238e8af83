// The one list of the app's commands, by permission set. It is read twice:
// `commands/mod.rs` registers every command from it, and `build.rs` makes
// each command's permission and one permission set per group, which the
// windows' capabilities grant (`capabilities/*.json`). Adding a command is
// one line here plus its function; the TypeScript client is generated from
// both (`ui/src/lib/bindings/commands.ts`, written by `cargo test`).
command_table! {
    // The counter window: selling and following sales.
    till: till::{
        app_info,
        list_coins,
        watch_sale,
        simulate,
        counter_settings,
        quotes,
        charge_sale,
        place_sale,
        try_again,
        void_sale,
        mark_for_owner,
        resumed_sales,
        recent_sales,
        sale_payment,
        receipt,
        open_customer_display,
        show_on_customer_display,
    },
    // The counter's receipt printer (issue 13).
    till: printer::{
        printer_configured,
        print_receipt,
        print_payment_slip,
    },
    // The customer display: what to show, nothing else.
    customer: till::{
        customer_view,
    },
    // Owner mode's way in and out; none of them tells more than whether a
    // PIN is set and the session is open.
    session: owner::{
        session_status,
        session_set_pin,
        session_unlock,
        session_lock,
    },
    // Owner mode: each takes `Owner`, the proof of an unlocked session, so
    // a locked till refuses them whatever the webview sends.
    owner: owner::{
        owner_settings,
        owner_save_settings,
        owner_gateway,
        owner_choose_gateway,
        owner_set_key,
        owner_delete_key,
        owner_test_key,
        owner_balances,
        owner_withdrawals,
        owner_withdrawal_requests,
        owner_withdraw,
        owner_demo_withdraw_permission,
        owner_report,
        owner_sales,
        owner_export_csv,
        owner_change_pin,
        owner_coin_networks,
    },
    // Owner mode's cashiers and shift history (issue 12); kept next to the
    // `owner` group above, so the two make one permission set.
    owner: shift::{
        owner_cashiers,
        owner_add_cashier,
        owner_rename_cashier,
        owner_set_cashier_enabled,
        owner_shift_reports,
        owner_shift_report,
    },
    // The counter's shift: sign in with a cashier PIN, switch cashier, the
    // X report, close with the Z report. None of them opens owner mode.
    shift: shift::{
        shift_status,
        shift_open,
        shift_switch,
        shift_x_report,
        shift_close,
    },
    // Refunds at the counter (issue 18): a cashier asks; the owner's PIN
    // typed on the spot approves and sends without opening owner mode.
    till: refund::{
        refund_suggestion,
        refund_request,
        refund_approve_with_pin,
        sale_refunds,
        refund_preview,
    },
    // Refunds in owner mode: list, the owner's own, approve, reject, send.
    owner: refund::{
        owner_refunds,
        owner_refund,
        owner_refund_approve,
        owner_refund_reject,
        owner_refund_send,
        owner_demo_confirm_refund,
    },
    // A refund whose answer was lost: the owner marks it sent or failed
    // after checking the gateway (issue 18, the books).
    owner: refund::{
        owner_refund_resolve,
    },
    // The owner's receipt printer (issue 13).
    owner: printer::{
        owner_printer_settings,
        owner_save_printer_settings,
        owner_print_test_page,
        owner_print_report,
    },
    // Start-up (issue 11): the UI says when the keypad is interactive.
    till: till::{
        keypad_ready,
    },
    // The shop's tills on a shared ledger (issue 14): the owner's till filter.
    owner: owner::{
        owner_tills,
    },
}

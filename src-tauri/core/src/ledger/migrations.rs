//! Schema migrations, from the first version on. Each entry runs once, in
//! order, inside a transaction; `PRAGMA user_version` records how far a file
//! has come. Never edit a released entry: add a new one.

use rusqlite::Connection;

/// The schema this build writes: a ledger at this version needs no
/// migration. `cryptill --version` and the window's About show it, so a
/// shop can tell which builds can open its ledger (never an older one).
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

const MIGRATIONS: &[&str] = &[
    // 1: settings and sales.
    "CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    INSERT INTO settings (key, value) VALUES ('install_id', lower(hex(randomblob(6))));
    CREATE TABLE sales (
        id                     INTEGER PRIMARY KEY AUTOINCREMENT,
        merchant_order_id      TEXT NOT NULL,
        state                  TEXT NOT NULL,
        fiat_amount            TEXT NOT NULL,
        fiat_currency          TEXT NOT NULL,
        coin                   TEXT NOT NULL,
        coin_decimals          INTEGER NOT NULL,
        network                TEXT,
        crypto_amount          TEXT,
        paid_amount            TEXT,
        rate                   TEXT,
        gateway                TEXT NOT NULL,
        gateway_order_id       TEXT,
        address                TEXT,
        payment_uri            TEXT,
        expires_at             TEXT,
        confirmations          INTEGER NOT NULL DEFAULT 0,
        required_confirmations INTEGER NOT NULL DEFAULT 0,
        tx_id                  TEXT,
        created_at             TEXT NOT NULL,
        updated_at             TEXT NOT NULL,
        paid_at                TEXT
    );
    CREATE UNIQUE INDEX sales_merchant_order_id ON sales (merchant_order_id);
    CREATE INDEX sales_state ON sales (state);
    CREATE INDEX sales_created_at ON sales (created_at);",
    // 2: what the gateway wants the cashier told about a sale's order.
    "ALTER TABLE sales ADD COLUMN notice TEXT;",
    // 3: what the counter records beyond the order. `fiat_amount` stays the
    // total charged; `tip_amount` is the part of it that is tip (NULL: none).
    // Lines itemise the rest. `late_payment_at`: a payment seen after the
    // order expired or was voided. `needs_owner`: the cashier flagged the sale
    // (e.g. underpaid) for the owner. `replaces_sale_id`: a fresh order made
    // for a sale that expired.
    "ALTER TABLE sales ADD COLUMN tip_amount TEXT;
    ALTER TABLE sales ADD COLUMN late_payment_at TEXT;
    ALTER TABLE sales ADD COLUMN needs_owner INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sales ADD COLUMN replaces_sale_id INTEGER REFERENCES sales (id);
    ALTER TABLE sales ADD COLUMN voided_at TEXT;
    CREATE TABLE sale_lines (
        sale_id  INTEGER NOT NULL REFERENCES sales (id),
        position INTEGER NOT NULL,
        label    TEXT NOT NULL DEFAULT '',
        amount   TEXT NOT NULL,
        PRIMARY KEY (sale_id, position)
    );",
    // 4: owner mode. `owner_auth` holds the one owner PIN as an argon2id PHC
    // string (never the PIN) and the failed-attempt count with the time the
    // lock-out ends, so restarting the app does not reset a lock-out.
    // `withdrawal_requests`: every withdrawal the owner asked for, written
    // before the gateway is called, then the gateway's answer.
    "CREATE TABLE owner_auth (
        id              INTEGER PRIMARY KEY CHECK (id = 1),
        pin_phc         TEXT NOT NULL,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked_until    TEXT,
        updated_at      TEXT NOT NULL
    );
    CREATE TABLE withdrawal_requests (
        id                    INTEGER PRIMARY KEY AUTOINCREMENT,
        gateway               TEXT NOT NULL,
        coin                  TEXT NOT NULL,
        amount                TEXT NOT NULL,
        address               TEXT NOT NULL,
        requested_at          TEXT NOT NULL,
        outcome               TEXT NOT NULL DEFAULT 'sent',
        message               TEXT,
        gateway_withdrawal_id TEXT,
        answered_at           TEXT
    );",
    // Keys belong to the till (issue 10): a till that existed before keeps
    // its keys under the old keyring names until the owner's PIN moves them
    // (`owner::keys::migrate_legacy`). A ledger made new here has nothing to
    // move and never reads the old names, so another data folder cannot
    // take the shop's keys.
    "INSERT INTO settings (key, value)
     SELECT 'legacy_keys', 'pending'
     WHERE EXISTS (SELECT 1 FROM sales)
        OR EXISTS (SELECT 1 FROM owner_auth)
        OR EXISTS (SELECT 1 FROM settings WHERE key <> 'install_id');",
    // Placement claims: who is creating the sale's gateway order and since
    // when. Claimed in one atomic write, so two processes (the window's
    // watcher, `cryptill order`, a second window) never create two orders
    // for one sale; a claim left by a process that died goes stale.
    "ALTER TABLE sales ADD COLUMN placement_claimant TEXT;
    ALTER TABLE sales ADD COLUMN placement_claimed_at TEXT;",
    // Cashiers and shifts (issue 12). A cashier's PIN is an argon2id PHC
    // string with its own lock-out count, as the owner's. One shift is open
    // at a time (the unique index on an expression that is the same for
    // every open shift); `cashier_id` is who sells now, and every sign-in
    // (open, switch) and the close are kept in `shift_events`. At close the
    // shift gets its Z number and the Z report is stored as it was made
    // (`z_report`, JSON): it is read back, never recomputed, so a later
    // void or payment cannot rewrite it. Each sale names its cashier and
    // shift (NULL: sold before any cashier existed, or with none set up).
    "CREATE TABLE cashiers (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        name            TEXT NOT NULL,
        pin_phc         TEXT NOT NULL,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked_until    TEXT,
        disabled_at     TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL
    );
    CREATE UNIQUE INDEX cashiers_name ON cashiers (name COLLATE NOCASE);
    CREATE TABLE shifts (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        number     INTEGER UNIQUE,
        opened_at  TEXT NOT NULL,
        opened_by  INTEGER NOT NULL REFERENCES cashiers (id),
        cashier_id INTEGER NOT NULL REFERENCES cashiers (id),
        closed_at  TEXT,
        closed_by  INTEGER REFERENCES cashiers (id),
        z_report   TEXT
    );
    CREATE UNIQUE INDEX shifts_one_open ON shifts ((closed_at IS NULL)) WHERE closed_at IS NULL;
    CREATE TABLE shift_events (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        shift_id   INTEGER NOT NULL REFERENCES shifts (id),
        kind       TEXT NOT NULL,
        cashier_id INTEGER NOT NULL REFERENCES cashiers (id),
        at         TEXT NOT NULL
    );
    ALTER TABLE sales ADD COLUMN cashier_id INTEGER REFERENCES cashiers (id);
    ALTER TABLE sales ADD COLUMN shift_id INTEGER REFERENCES shifts (id);
    CREATE INDEX sales_shift_id ON sales (shift_id);",
    // The owner's reading at a million sales (issue 11). The history is read
    // newest first by (created_at, id), a page at a time: each filter gets
    // an index that yields its sales in that order, so a page reads about a
    // page of rows and never sorts. `created_at` alone already has one (its
    // rowid is the id). The partial indexes hold only the few sales they
    // are for; their WHERE is repeated word for word by ledger/query.rs,
    // which SQLite needs to use them. (state, created_at) replaces (state).
    // The watcher reads the expired and voided sales still watched for a
    // late payment at every start; `sales_late_watch` holds just those.
    "CREATE INDEX sales_state_created ON sales (state, created_at);
    DROP INDEX sales_state;
    CREATE INDEX sales_coin_created ON sales (coin, created_at);
    CREATE INDEX sales_voided ON sales (created_at) WHERE voided_at IS NOT NULL;
    CREATE INDEX sales_late ON sales (created_at) WHERE late_payment_at IS NOT NULL;
    CREATE INDEX sales_exceptions ON sales (created_at)
        WHERE (late_payment_at IS NOT NULL OR state IN ('underpaid', 'overpaid'));
    CREATE INDEX sales_late_watch ON sales (gateway, COALESCE(voided_at, expires_at, updated_at))
        WHERE state IN ('expired', 'canceled') AND late_payment_at IS NULL
          AND gateway_order_id IS NOT NULL AND gateway_order_id != '';",
    // Receipt printing (issue 13): one row per sale whose receipt printed
    // by itself when it was paid. The row is the claim (taken in one
    // insert), so the window's watcher and a command line process that
    // both see the payment print one receipt, not two; the outcome (when
    // printed, or why not) is written after.
    "CREATE TABLE receipt_prints (
        sale_id    INTEGER PRIMARY KEY REFERENCES sales (id),
        claimed_at TEXT NOT NULL,
        printed_at TEXT,
        error      TEXT
    );",
    // Search over all time at a million sales (issue 11): the owner's
    // search is "part of a sale number, order id, address or transaction
    // id", which no B-tree index serves, so a search without a day range
    // read every sale (1.6 s at 1M). An FTS5 trigram index answers any
    // substring of 3 or more characters, in any ASCII case, from the
    // index. External content (the view): the text stays in `sales` once,
    // the index holds only trigrams; the triggers keep it in step with
    // every insert, change and removal. Shorter searches keep LIKE
    // (ledger/query.rs).
    "CREATE VIEW sales_search_text AS
        SELECT id, CAST(id AS TEXT) AS number, merchant_order_id, gateway_order_id, address, tx_id
        FROM sales;
    CREATE VIRTUAL TABLE sales_search USING fts5(
        number, merchant_order_id, gateway_order_id, address, tx_id,
        content = 'sales_search_text', content_rowid = 'id', tokenize = 'trigram'
    );
    INSERT INTO sales_search (sales_search) VALUES ('rebuild');
    CREATE TRIGGER sales_search_insert AFTER INSERT ON sales BEGIN
        INSERT INTO sales_search (rowid, number, merchant_order_id, gateway_order_id, address, tx_id)
        VALUES (new.id, CAST(new.id AS TEXT), new.merchant_order_id, new.gateway_order_id,
                new.address, new.tx_id);
    END;
    CREATE TRIGGER sales_search_update
    AFTER UPDATE OF merchant_order_id, gateway_order_id, address, tx_id ON sales BEGIN
        INSERT INTO sales_search (sales_search, rowid, number, merchant_order_id, gateway_order_id,
                                  address, tx_id)
        VALUES ('delete', old.id, CAST(old.id AS TEXT), old.merchant_order_id,
                old.gateway_order_id, old.address, old.tx_id);
        INSERT INTO sales_search (rowid, number, merchant_order_id, gateway_order_id, address, tx_id)
        VALUES (new.id, CAST(new.id AS TEXT), new.merchant_order_id, new.gateway_order_id,
                new.address, new.tx_id);
    END;
    CREATE TRIGGER sales_search_delete AFTER DELETE ON sales BEGIN
        INSERT INTO sales_search (sales_search, rowid, number, merchant_order_id, gateway_order_id,
                                  address, tx_id)
        VALUES ('delete', old.id, CAST(old.id AS TEXT), old.merchant_order_id,
                old.gateway_order_id, old.address, old.tx_id);
    END;",
    // Refunds (issue 18): money given back for a sale, linked to it. Kept in
    // plain portable types (decimal text, RFC 3339 text) and read and written
    // only by ledger/refunds.rs, whose SQL runs on PostgreSQL too.
    "CREATE TABLE refunds (
        id                  INTEGER PRIMARY KEY AUTOINCREMENT,
        sale_id             INTEGER NOT NULL REFERENCES sales (id),
        kind                TEXT NOT NULL CHECK (kind IN ('return', 'overpaid', 'underpaid')),
        reason              TEXT NOT NULL,
        fiat_amount         TEXT NOT NULL,
        fiat_currency       TEXT NOT NULL,
        crypto_amount       TEXT NOT NULL,
        coin                TEXT NOT NULL,
        coin_decimals       INTEGER NOT NULL,
        network             TEXT NOT NULL,
        address             TEXT NOT NULL,
        email               TEXT,
        gateway             TEXT NOT NULL,
        state               TEXT NOT NULL CHECK (state IN
                                ('requested', 'approved', 'sending', 'sent', 'done', 'failed', 'rejected')),
        requested_by        TEXT NOT NULL,
        approved_by         TEXT,
        gateway_refund_id   TEXT,
        gateway_status      TEXT,
        message             TEXT,
        requested_at        TEXT NOT NULL,
        approved_at         TEXT,
        sent_at             TEXT,
        finished_at         TEXT,
        updated_at          TEXT NOT NULL
    );
    CREATE INDEX refunds_sale ON refunds (sale_id);
    CREATE INDEX refunds_requested_at ON refunds (requested_at);
    CREATE INDEX refunds_state ON refunds (state);",
    // A refund's note in the shop's language (issue 16): `message` keeps
    // the English (the command line's, and what older rows hold alone);
    // `message_said` the same sentence's code and values as JSON
    // (said.rs), which the window says from its catalogue.
    "ALTER TABLE refunds ADD COLUMN message_said TEXT;",
    // The search index off the charge's path (issue 11, round 24): the
    // triggers above updated the trigram index inside every write of a
    // sale's number, order ids, address or transaction id, i.e. in the
    // charge's own commits, where it was half the pages a charge writes
    // (a new FTS5 segment each commit). Now such a write only queues the
    // sale here (one small row), and the queue is indexed in batches off
    // the counter's path (`Ledger::index_queued_searches`: the watcher, a
    // search). A search is exact whatever the queue holds: a queued sale
    // is matched on its current columns, not through the index
    // (ledger/query.rs). The queue is in the sale's own transaction, so a
    // crash or a power cut never leaves a sale the search cannot find.
    // `indexed` = 1: the index holds the columns below for the sale (what
    // an external-content FTS5 index needs to take them out again); 0:
    // the index holds nothing for it yet. The first change after an
    // indexing is the one kept (`OR IGNORE`): later ones never reached
    // the index. A write that changes none of the columns queues nothing.
    "CREATE TABLE sales_search_queue (
        id                INTEGER PRIMARY KEY,
        indexed           INTEGER NOT NULL,
        number            TEXT,
        merchant_order_id TEXT,
        gateway_order_id  TEXT,
        address           TEXT,
        tx_id             TEXT
    );
    DROP TRIGGER sales_search_insert;
    DROP TRIGGER sales_search_update;
    DROP TRIGGER sales_search_delete;
    CREATE TRIGGER sales_search_insert AFTER INSERT ON sales BEGIN
        INSERT OR IGNORE INTO sales_search_queue (id, indexed) VALUES (new.id, 0);
    END;
    CREATE TRIGGER sales_search_update
    AFTER UPDATE OF merchant_order_id, gateway_order_id, address, tx_id ON sales
    WHEN old.merchant_order_id IS NOT new.merchant_order_id
      OR old.gateway_order_id IS NOT new.gateway_order_id
      OR old.address IS NOT new.address OR old.tx_id IS NOT new.tx_id
    BEGIN
        INSERT OR IGNORE INTO sales_search_queue
            (id, indexed, number, merchant_order_id, gateway_order_id, address, tx_id)
        VALUES (old.id, 1, CAST(old.id AS TEXT), old.merchant_order_id, old.gateway_order_id,
                old.address, old.tx_id);
    END;
    CREATE TRIGGER sales_search_delete AFTER DELETE ON sales BEGIN
        INSERT INTO sales_search (sales_search, rowid, number, merchant_order_id, gateway_order_id,
                                  address, tx_id)
        SELECT 'delete', old.id, number, merchant_order_id, gateway_order_id, address, tx_id
        FROM sales_search_queue WHERE id = old.id AND indexed = 1;
        INSERT INTO sales_search (sales_search, rowid, number, merchant_order_id, gateway_order_id,
                                  address, tx_id)
        SELECT 'delete', old.id, CAST(old.id AS TEXT), old.merchant_order_id,
               old.gateway_order_id, old.address, old.tx_id
        WHERE NOT EXISTS (SELECT 1 FROM sales_search_queue WHERE id = old.id);
        DELETE FROM sales_search_queue WHERE id = old.id;
    END;",
    // A withdrawal request's answer as a sentence (its code and values
    // as JSON, `Said::to_stored`) beside its English `message`, so owner
    // mode says a refusal in the shop's language as it does a refund's
    // note. Rows from before keep their English.
    "ALTER TABLE withdrawal_requests ADD COLUMN message_said TEXT;",
];

pub fn apply(conn: &mut Connection) -> rusqlite::Result<()> {
    // Up to date (the usual case): no write lock is taken at all, so a
    // dozen processes opening the ledger at once do not queue for it.
    let current: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current == MIGRATIONS.len() {
        return Ok(());
    }
    // Otherwise the version is read again inside each write transaction:
    // two processes opening an old file at once must not both run the
    // same migration.
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current: usize = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if current > MIGRATIONS.len() {
            return Err(rusqlite::Error::InvalidParameterName(format!(
                "the ledger is from a newer Cryptill (schema {current}, this one knows {})",
                MIGRATIONS.len()
            )));
        }
        let Some(sql) = MIGRATIONS.get(current) else {
            return Ok(());
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", current + 1)?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_ledger_is_at_the_schema_version_the_release_reports() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn).unwrap();
        let version: u32 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        assert!(crate::version::describe().ends_with(&format!("(ledger schema {version})")));
    }

    #[test]
    fn migrating_twice_is_a_no_op_and_a_newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn).unwrap();
        apply(&mut conn).unwrap();
        let version: usize = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len());
        conn.pragma_update(None, "user_version", 999).unwrap();
        assert!(apply(&mut conn)
            .unwrap_err()
            .to_string()
            .contains("newer Cryptill"));
    }

    /// The migration that marks old tills' keys for the owner's move, found
    /// by its text so the test does not depend on its number.
    fn legacy_keys_migration() -> usize {
        MIGRATIONS
            .iter()
            .position(|m| m.contains("'legacy_keys'"))
            .unwrap()
    }

    /// A ledger as a release before migration `at` left it.
    fn ledger_before(at: usize) -> Connection {
        let old = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..at] {
            old.execute_batch(sql).unwrap();
        }
        old.pragma_update(None, "user_version", at).unwrap();
        old
    }

    fn legacy_flag(conn: &Connection) -> Option<String> {
        conn.query_row(
            "SELECT value FROM settings WHERE key = 'legacy_keys'",
            [],
            |r| r.get(0),
        )
        .ok()
    }

    #[test]
    fn only_a_till_from_before_is_marked_to_move_its_old_keys() {
        let mut fresh = Connection::open_in_memory().unwrap();
        apply(&mut fresh).unwrap();
        assert_eq!(legacy_flag(&fresh), None);

        let at = legacy_keys_migration();
        let old = ledger_before(at);
        old.execute(
            "INSERT INTO settings (key, value) VALUES ('gateway', 'counos')",
            [],
        )
        .unwrap();
        old.execute_batch(MIGRATIONS[at]).unwrap();
        assert_eq!(legacy_flag(&old).as_deref(), Some("pending"));
    }

    #[test]
    fn withdrawal_answers_from_before_sentences_keep_their_english() {
        let at = MIGRATIONS
            .iter()
            .position(|m| m.contains("withdrawal_requests ADD COLUMN message_said"))
            .unwrap();
        let mut old = ledger_before(at);
        old.execute(
            "INSERT INTO withdrawal_requests (gateway, coin, amount, address, requested_at,
                 outcome, message)
             VALUES ('counos', 'BTC', '0.001', 'tb1qx', '2026-11-01T10:00:00Z', 'refused',
                 'Counos refused: old words.')",
            [],
        )
        .unwrap();
        apply(&mut old).unwrap();
        let (message, said): (String, Option<String>) = old
            .query_row(
                "SELECT message, message_said FROM withdrawal_requests",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(message, "Counos refused: old words.");
        assert_eq!(said, None);
    }
}

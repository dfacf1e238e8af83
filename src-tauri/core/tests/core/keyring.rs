//! The real OS keyring. On Linux these run inside a D-Bus session with an
//! unlocked gnome-keyring (the README's test command sets one up), and check
//! through `secret-tool`, an independent Secret Service client, that the key
//! really is in the Secret Service and not kept in memory.

use std::process::Command;

use cryptill_core::keystore::KeyStore;
use cryptill_core::secret::Sensitive;
use cryptill_core::{Till, TillConfig};

fn unique_service(name: &str) -> String {
    format!("cryptill-test-{name}-{}", std::process::id())
}

/// What the Secret Service holds for (service, account), read by secret-tool.
#[cfg(target_os = "linux")]
fn secret_service_lookup(service: &str, account: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", service, "username", account])
        .output()
        .expect("secret-tool (Debian package libsecret-tools) must be installed; run the README's test command");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
#[cfg(target_os = "linux")]
fn a_key_set_is_stored_in_the_secret_service_and_removed_on_delete() {
    let service = unique_service("roundtrip");
    let keys = KeyStore::new(&service);
    assert!(keys.get("counos").unwrap().is_none());
    keys.set("counos", &Sensitive::new("sk-test-123".into()))
        .unwrap();
    assert_eq!(keys.get("counos").unwrap().unwrap().expose(), "sk-test-123");
    assert_eq!(
        secret_service_lookup(&service, "counos").as_deref(),
        Some("sk-test-123")
    );
    keys.delete("counos").unwrap();
    assert!(keys.get("counos").unwrap().is_none());
    assert_eq!(secret_service_lookup(&service, "counos"), None);
    keys.delete("counos").unwrap();
}

#[tokio::test]
#[cfg(target_os = "linux")]
async fn demo_mode_files_its_key_in_the_keyring_and_never_in_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let service = unique_service("demo");
    let mut config = TillConfig::new(dir.path());
    config.keyring_service = service.clone();
    let till = Till::open(config).await.unwrap();
    assert!(till.is_demo());
    assert_eq!(
        secret_service_lookup(&service, &till.keys().account("demo")).as_deref(),
        Some(cryptill_sandbox::DEMO_API_KEY)
    );
    // A sale works with the key read back from the keyring.
    let payment = till.checkout().charge("1.00", "BTC").await.unwrap();
    till.simulate_payment(payment.sale_id).await.unwrap();
    assert_eq!(
        till.checkout()
            .refresh(payment.sale_id)
            .await
            .unwrap()
            .state
            .as_str(),
        "paid"
    );
    let keys = till.keys().clone();
    till.close().await;
    // No file in the data dir carries the key.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let needle = cryptill_sandbox::DEMO_API_KEY.as_bytes();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "key found on disk"
        );
    }
    keys.delete("demo").unwrap();
}

// Keys belong to the till (issue 10): filed under its identity, never found
// by another data folder, a copy of the ledger, or before the owner says so.

use cryptill_core::ledger::Ledger;
use cryptill_core::owner::{self, pin};
use cryptill_core::ErrorKind;

fn secret(s: &str) -> Sensitive<String> {
    Sensitive::new(s.to_string())
}

/// A ledger in `dir` set to Counos (at an address nothing is asked at open)
/// with the owner PIN 1234.
fn counos_ledger(dir: &std::path::Path) -> Ledger {
    let ledger = Ledger::open(&dir.join("cryptill.sqlite3")).unwrap();
    ledger.set_setting("gateway", "counos").unwrap();
    if !pin::is_set(&ledger).unwrap() {
        pin::set_first(&ledger, &secret("1234")).unwrap();
    }
    ledger
}

fn config(dir: &std::path::Path, service: &str) -> TillConfig {
    let mut config = TillConfig::new(dir);
    config.keyring_service = service.to_string();
    config
}

#[tokio::test]
#[cfg(target_os = "linux")]
async fn another_data_folder_and_a_copied_ledger_never_find_the_shops_key() {
    let service = unique_service("belongs");
    let shop = tempfile::tempdir().unwrap();
    let ledger = counos_ledger(shop.path());
    let keys = config(shop.path(), &service).keys(&ledger).unwrap();
    let ok = owner::unlock_with_pin(&ledger, &secret("1234")).unwrap();
    owner::set_key(
        &ok,
        &ledger,
        &keys,
        cryptill_core::gateway::GatewayKind::Counos,
        &secret("shop-real-key"),
    )
    .unwrap();
    drop(ledger);
    // Filed under the till, not under the bare gateway name.
    assert_eq!(secret_service_lookup(&service, "counos"), None);
    assert_eq!(
        secret_service_lookup(&service, &keys.account("counos")).as_deref(),
        Some("shop-real-key")
    );
    let till = Till::open(config(shop.path(), &service)).await.unwrap();
    assert_eq!(till.checkout().gateway().kind().as_str(), "counos");
    till.close().await;

    // A stranger's new data folder on the same OS account: no key.
    let stranger = tempfile::tempdir().unwrap();
    drop(counos_ledger(stranger.path()));
    let err = Till::open(config(stranger.path(), &service))
        .await
        .err()
        .unwrap();
    assert_eq!(err.kind(), ErrorKind::Keyring);
    assert!(err.to_string().contains("No API key for Counos"), "{err}");

    // The shop's ledger copied to another folder (same install id): no key
    // either, and the message says why and what the owner can do.
    let copy = tempfile::tempdir().unwrap();
    std::fs::copy(
        shop.path().join("cryptill.sqlite3"),
        copy.path().join("cryptill.sqlite3"),
    )
    .unwrap();
    let err = Till::open(config(copy.path(), &service))
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("moved or copied"), "{err}");
    keys.delete("counos").unwrap();
}

#[tokio::test]
#[cfg(target_os = "linux")]
async fn the_owner_moves_the_keys_to_a_moved_folder_and_the_old_one_loses_them() {
    let service = unique_service("move");
    let old = tempfile::tempdir().unwrap();
    let ledger = counos_ledger(old.path());
    let old_keys = config(old.path(), &service).keys(&ledger).unwrap();
    let ok = owner::unlock_with_pin(&ledger, &secret("1234")).unwrap();
    let counos = cryptill_core::gateway::GatewayKind::Counos;
    owner::set_key(&ok, &ledger, &old_keys, counos, &secret("k-moved")).unwrap();
    drop(ledger);

    let new = tempfile::tempdir().unwrap();
    std::fs::copy(
        old.path().join("cryptill.sqlite3"),
        new.path().join("cryptill.sqlite3"),
    )
    .unwrap();
    let ledger = Ledger::open(&new.path().join("cryptill.sqlite3")).unwrap();
    let new_keys = config(new.path(), &service).keys(&ledger).unwrap();
    // Without the owner's PIN there is no proof, so no move.
    assert!(owner::unlock_with_pin(&ledger, &secret("9999")).is_err());
    let ok = owner::unlock_with_pin(&ledger, &secret("1234")).unwrap();
    let moved = owner::keys::move_keys(&ok, &ledger, &new_keys).unwrap();
    assert_eq!(moved.gateways, vec!["counos".to_string()]);
    drop(ledger);
    assert_eq!(new_keys.get("counos").unwrap().unwrap().expose(), "k-moved");
    assert!(old_keys.get("counos").unwrap().is_none());
    let till = Till::open(config(new.path(), &service)).await.unwrap();
    till.close().await;
    new_keys.delete("counos").unwrap();
}

#[tokio::test]
#[cfg(target_os = "linux")]
async fn keys_from_before_are_used_by_their_till_and_moved_once_by_the_owner_pin() {
    let service = unique_service("legacy");
    // A till from before keys belonged to tills: its key under the bare
    // gateway name, its ledger marked by the migration.
    let legacy = KeyStore::new(&service);
    legacy.set("counos", &secret("old-key")).unwrap();
    let shop = tempfile::tempdir().unwrap();
    let ledger = counos_ledger(shop.path());
    ledger
        .set_setting(
            cryptill_core::till::LEGACY_KEYS,
            cryptill_core::till::LEGACY_PENDING,
        )
        .unwrap();
    drop(ledger);

    // A new data folder never reads the old names.
    let stranger = tempfile::tempdir().unwrap();
    drop(counos_ledger(stranger.path()));
    assert!(Till::open(config(stranger.path(), &service)).await.is_err());

    // The shop's own till keeps selling with it until the owner unlocks.
    let till = Till::open(config(shop.path(), &service)).await.unwrap();
    assert_eq!(legacy.get("counos").unwrap().unwrap().expose(), "old-key");
    // A wrong PIN moves nothing.
    assert!(till
        .owner()
        .unlock(&secret("0000"), chrono::Utc::now())
        .is_err());
    assert!(legacy.get("counos").unwrap().is_some());
    till.owner()
        .unlock(&secret("1234"), chrono::Utc::now())
        .unwrap();
    assert_eq!(secret_service_lookup(&service, "counos"), None);
    assert_eq!(
        secret_service_lookup(&service, &till.keys().account("counos")).as_deref(),
        Some("old-key")
    );
    assert_eq!(
        till.ledger()
            .setting(cryptill_core::till::LEGACY_KEYS)
            .unwrap()
            .as_deref(),
        Some("moved")
    );
    let keys = till.keys().clone();
    till.close().await;
    // Once: a key filed again under the old name is not taken a second time.
    legacy.set("counos", &secret("planted")).unwrap();
    let till = Till::open(config(shop.path(), &service)).await.unwrap();
    till.owner()
        .unlock(&secret("1234"), chrono::Utc::now())
        .unwrap();
    assert_eq!(keys.get("counos").unwrap().unwrap().expose(), "old-key");
    till.close().await;
    legacy.delete("counos").unwrap();
    keys.delete("counos").unwrap();
}

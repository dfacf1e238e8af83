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
        secret_service_lookup(&service, "demo").as_deref(),
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
    KeyStore::new(&service).delete("demo").unwrap();
}

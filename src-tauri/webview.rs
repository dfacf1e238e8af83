//! How WebKitGTK draws the till's windows (issue 11, BENCHMARKS.md "Round
//! 23: the page in WebKit").
//!
//! WebKitGTK 2.50 composites every page with OpenGL by default; where
//! there is no GPU to speak of (Xvfb, and the old laptops a counter gets)
//! that is Mesa's software GL in the web process, with a backing store for
//! each layer of the page. Measured on the till page: about 70 MiB more in
//! the web process after start, and 90 MiB more after a sale, than the same
//! page painted without it, and no start time saved. The till draws flat
//! boxes, text, one QR image and one small spinner: nothing that needs
//! compositing (no 3D transforms, no WebGL, no video), so WebKit paints it
//! directly.
//!
//! The choice has to be made before the first webview exists: WebKit sends
//! the page its settings when it creates it, and a page that starts in
//! compositing mode stays in it (`WebKitSettings`' hardware-acceleration
//! policy set through `with_webview` comes too late; measured: no change).
//! `WEBKIT_DISABLE_COMPOSITING_MODE` is WebKitGTK's switch for it, read when
//! the first webview is made; a value already in the environment (the
//! shop's own choice) is left as it is: `WEBKIT_DISABLE_COMPOSITING_MODE=0`
//! gives a till with a GPU worth using WebKit's default back.

const NO_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Called first thing in `main()`, before any thread exists: setting the
/// environment while another thread could read it from C (libc's
/// `getenv`, as GTK and WebKit do) is a data race, so it is done while the
/// process is still single-threaded.
pub fn paint_without_gl_compositing() {
    if cfg!(target_os = "linux") && std::env::var_os(NO_COMPOSITING).is_none() {
        std::env::set_var(NO_COMPOSITING, "1");
    }
}

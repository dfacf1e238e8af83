// A small W3C WebDriver client for tauri-driver: the few commands the
// end-to-end tests need, over Node's fetch, so the tests need no browser
// download and no framework.

import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts tauri-driver (which starts WebKitWebDriver) and waits until it answers. */
/** Files run in parallel (node --test), so each passes its own two ports. */
export async function startDriver({ env, port = 4444, nativePort = port + 1 }) {
  const proc = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`tauri-driver exited with ${proc.exitCode}`);
    try {
      if ((await fetch(`${base}/status`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      // Nobody else knows its pid: a driver left running keeps node alive.
      proc.kill("SIGKILL");
      throw new Error("tauri-driver did not start within 20 s");
    }
    await sleep(100);
  }
  return { base, pid: proc.pid, stop: () => proc.kill() };
}

async function call(base, method, path, body) {
  const response = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  const value = json.value;
  if (!response.ok || (value && value.error)) {
    const err = new Error(`${method} ${path}: ${value?.error ?? response.status}: ${value?.message ?? ""}`);
    err.webdriverError = value?.error;
    throw err;
  }
  return value;
}

export async function newSession(base, application) {
  // Only tauri:options: tauri-driver rejects other capabilities on Linux.
  const value = await call(base, "POST", "/session", {
    capabilities: { alwaysMatch: { "tauri:options": { application } } },
  });
  return new Session(base, value.sessionId);
}

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  cmd(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  async find(testid) {
    const value = await this.cmd("POST", "/element", {
      using: "css selector",
      value: `[data-testid="${testid}"]`,
    });
    return value[ELEMENT];
  }

  /** Polls until `probe` returns a truthy value (errors count as "not yet"). */
  async until(what, probe, timeout = 10_000) {
    const deadline = Date.now() + timeout;
    let last;
    for (;;) {
      try {
        const v = await probe();
        if (v) return v;
      } catch (e) {
        last = e;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? ` (${last.message})` : ""}`);
      }
      await sleep(100);
    }
  }

  waitFor(testid, timeout) {
    return this.until(`[data-testid=${testid}]`, () => this.find(testid), timeout);
  }

  async text(testid) {
    return (await this.cmd("GET", `/element/${await this.find(testid)}/text`)).trim();
  }

  async attr(testid, name) {
    return this.cmd("GET", `/element/${await this.find(testid)}/attribute/${name}`);
  }

  async click(testid) {
    await this.cmd("POST", `/element/${await this.waitFor(testid)}/click`, {});
  }

  /**
   * Clicks and waits for the click's visible effect. A native click very
   * occasionally goes nowhere on the first session after WebKitWebDriver
   * starts; only then is it repeated. The check is what the cashier would
   * see, so a click that really does not work still fails.
   */
  async clickUntil(testid, effect, attempts = 3) {
    for (let i = 1; ; i++) {
      try {
        await this.click(testid);
        return await this.until(`the effect of clicking ${testid}`, effect, 2_000);
      } catch (e) {
        if (i >= attempts) throw e;
        console.warn(`click on ${testid} had no effect (attempt ${i}): ${e.message}; clicking again`);
      }
    }
  }

  /** Types on the physical keyboard (key events to the focused document). */
  async typeKeys(text) {
    const actions = [...text].flatMap((ch) => [
      { type: "keyDown", value: ch },
      { type: "keyUp", value: ch },
    ]);
    await this.cmd("POST", "/actions", { actions: [{ type: "key", id: "keyboard", actions }] });
    await this.cmd("DELETE", "/actions");
  }

  async source() {
    return this.cmd("GET", "/source");
  }

  async screenshot(path) {
    // WebKit takes a screenshot at the page's next paint. The app paints
    // without GL compositing (src-tauri/webview.rs), and then a still page
    // (no countdown ticking) paints no more and the screenshot would wait
    // for ever: an invisible change every 100 ms until the screenshot is
    // back makes the paint. (One change 50 ms after the request was not
    // enough on a busy machine: the request reached WebKit after that
    // paint, and the screenshot waited until the HTTP client gave up.)
    await this.cmd("POST", "/execute/sync", {
      script: `clearInterval(window.__cryptillNudge);
      window.__cryptillNudge = setInterval(() => {
        const s = document.documentElement.style;
        s.outline = s.outline ? "" : "1px solid transparent";
      }, 100);`,
      args: [],
    });
    try {
      writeFileSync(path, Buffer.from(await this.cmd("GET", "/screenshot"), "base64"));
    } finally {
      await this.cmd("POST", "/execute/sync", {
        script: `clearInterval(window.__cryptillNudge); document.documentElement.style.outline = "";`,
        args: [],
      });
    }
  }

  /** Handles of the app's open windows (the till, the customer display). */
  windowHandles() {
    return this.cmd("GET", "/window/handles");
  }

  /** Sends the next commands to another window. */
  switchTo(handle) {
    return this.cmd("POST", "/window", { handle });
  }

  windowHandle() {
    return this.cmd("GET", "/window");
  }

  /** Moves and resizes the current window, as a person dragging it would. */
  setRect(rect) {
    return this.cmd("POST", "/window/rect", rect);
  }

  async close() {
    await this.cmd("DELETE", "").catch(() => {});
  }
}

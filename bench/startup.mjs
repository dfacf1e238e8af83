// Start-up and memory of Cryptill beside a bare Tauri 2 window (issue 11,
// BENCHMARKS.md), side by side in one run, under the X server of the caller
// (`bench/startup.sh` runs it under Xvfb in a D-Bus session with a keyring).
//
//   node bench/startup.mjs CRYPTILL_BIN BARE_BIN UI_DIST [RUNS]
//
// Start to interactive: from spawning the process to the line it writes
// when its page has been painted, both sent the same way (an IPC call from
// a task queued by a requestAnimationFrame callback, right after the
// frame's paint): Cryptill's log line "the keypad is interactive" (after
// the entry screen's first paint), the bare window's "bare-window:
// painted". The bare window is also run on Cryptill's own UI bundle
// (BARE_WINDOW_DIR=ui/dist): the same shell with Cryptill's page, which
// cannot reach its keypad there (no till behind it), so that row is timed
// to the page's load event ("bare-window: loaded"), before any paint.
// And on the keypad screen itself as a page without script: the window's
// DOM taken over WebDriver as its keypad appears, with the start
// stylesheet and the bare window's painted.js (no Svelte, no IPC, no
// answers): what WebKit alone costs to style, lay out and paint that
// screen, timed to its paint like the others (issue 11's "which part of
// the gap is WebKit's own", BENCHMARKS.md "Round 25").
//
// Paired starts: the machine's speed drifts (on this project's machines a
// run once went from about 650 to about 450 ms a start half-way through),
// and a median of each program's starts still carries that drift. So
// Cryptill and the bare window are also started in pairs, one right after
// the other (which one goes first alternates), each stopped as soon as it
// is ready (no memory taken), and the ratio is taken within each pair:
// the median of those ratios is the start-up figure of BENCHMARKS.md.
//
// Memory: PSS (proportional set size: shared pages split between the
// processes sharing them) summed over the process and every descendant
// (WebKit's web and network processes), from /proc/PID/smaps_rollup, 3 s
// after ready; and after a demo sale (typed, charged, paid in the real
// window through tauri-driver, as the end-to-end tests do) beside the bare
// window under the same driver. Runs alternate between the programs so
// load on the machine falls on all alike; medians are reported.

import { spawn, execFileSync } from "node:child_process";
import { copyFileSync, cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const [CRYPTILL, BARE, UI_DIST, RUNS = "5"] = process.argv.slice(2);
if (!CRYPTILL || !BARE || !UI_DIST) {
  console.error("usage: node bench/startup.mjs CRYPTILL_BIN BARE_BIN UI_DIST [RUNS]");
  process.exit(2);
}
process.env.CRYPTILL_BIN = CRYPTILL;
const { startDriver, newSession, sleep } = await import("../tests/e2e/webdriver.mjs");

const SETTLE_MS = 3_000;
const dataDir = mkdtempSync(join(tmpdir(), "cryptill-bench-start-"));
const tillEnv = {
  CRYPTILL_DATA_DIR: dataDir,
  CRYPTILL_KEYRING_SERVICE: `cryptill-bench-${process.pid}`,
  CRYPTILL_LOG: "info",
};

/** Every process below `root`, from /proc (root included). */
function tree(root) {
  const parent = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parent.set(+name, +stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
      /* gone meanwhile */
    }
  }
  const ours = [root];
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (ours.includes(ppid) && !ours.includes(pid)) {
        ours.push(pid);
        grew = true;
      }
    }
  }
  return ours;
}

/** PSS in KiB of one process (0 when it is gone). */
function pssOf(pid) {
  try {
    const m = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").match(/^Pss:\s+(\d+) kB/m);
    return m ? +m[1] : 0;
  } catch {
    return 0;
  }
}

/** PSS in KiB of `root` and its descendants. */
function pss(root) {
  return tree(root).reduce((sum, pid) => sum + pssOf(pid), 0);
}

function killTree(root) {
  for (const pid of tree(root).reverse()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }
}

/** Spawns `bin`, times it to the line matching `ready`, then its PSS (`settle` false: no PSS). */
async function startOnce(bin, env, ready, settle = true) {
  const started = performance.now();
  const child = spawn(bin, [], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const ms = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${bin} was not ready within 60 s`)), 60_000);
    const look = (chunk) => {
      if (ready.test(chunk.toString())) {
        clearTimeout(timer);
        resolve(performance.now() - started);
      }
    };
    child.stdout.on("data", look);
    child.stderr.on("data", look);
    child.on("exit", (code) => reject(new Error(`${bin} exited with ${code} before ready`)));
  });
  await sleep(settle ? SETTLE_MS : 300);
  const kib = settle ? pss(child.pid) : 0;
  const own = settle ? pssOf(child.pid) : 0;
  child.removeAllListeners("exit");
  killTree(child.pid);
  await sleep(500);
  return { ms, kib, own };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * The keypad screen as a static page in a folder of its own: Cryptill's
 * DOM as its keypad appears (under tauri-driver), its scripts and
 * preloads taken out, the bundle's assets beside it, and the bare
 * window's painted.js to report its paint.
 */
async function keypadPage() {
  const driver = await startDriver({ env: tillEnv, port: 4492 });
  let html;
  try {
    const session = await newSession(driver.base, CRYPTILL);
    await session.waitFor("key-5", 30_000);
    html = await session.cmd("POST", "/execute/sync", { script: "return document.documentElement.outerHTML", args: [] });
    await session.close().catch(() => {});
  } finally {
    killTree(driver.pid);
    await sleep(500);
  }
  const dir = mkdtempSync(join(tmpdir(), "cryptill-bench-keypad-"));
  cpSync(join(UI_DIST, "assets"), join(dir, "assets"), { recursive: true });
  const here = dirname(fileURLToPath(import.meta.url));
  copyFileSync(join(here, "bare-window", "dist", "painted.js"), join(dir, "painted.js"));
  const page = html
    .replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, "")
    .replace(/<link rel="modulepreload"[^>]*>/g, "")
    .replace("</head>", '<script type="module" src="/painted.js"></script></head>');
  if (!/class="[^"]*\bkeypad\b/.test(page)) throw new Error("the captured page has no keypad");
  writeFileSync(join(dir, "index.html"), `<!doctype html>\n${page}`);
  return dir;
}

// One start first, not counted: the ledger, the demo gateway and the
// demo key are made on a till's first start, not on the ones after.
// (Under the driver: it also takes the keypad page.)
const KEYPAD_PAGE = await keypadPage();

const NO_GL = { WEBKIT_DISABLE_COMPOSITING_MODE: "1" };
const GL = { WEBKIT_DISABLE_COMPOSITING_MODE: "0" };
const programs = {
  cryptill: () => startOnce(CRYPTILL, tillEnv, /the keypad is interactive/),
  bare: () => startOnce(BARE, {}, /bare-window: painted/),
  "bare + bundle (to its load)": () => startOnce(BARE, { BARE_WINDOW_DIR: UI_DIST }, /bare-window: loaded/),
  // Cryptill's windows are painted without GL compositing (src-tauri/webview.rs);
  // the bare window with the same WebKit switch is the like-for-like floor.
  // The same binary with WebKit's default back (webview.rs leaves a value set by the shop alone).
  "cryptill, GL compositing": () => startOnce(CRYPTILL, { ...tillEnv, ...GL }, /the keypad is interactive/),
  "bare, no GL compositing": () => startOnce(BARE, NO_GL, /bare-window: painted/),
  "bare + bundle, no GL comp.": () => startOnce(BARE, { BARE_WINDOW_DIR: UI_DIST, ...NO_GL }, /bare-window: loaded/),
  "bare + keypad page, no script": () => startOnce(BARE, { BARE_WINDOW_DIR: KEYPAD_PAGE }, /bare-window: painted/),
  "keypad page, no GL comp.": () => startOnce(BARE, { BARE_WINDOW_DIR: KEYPAD_PAGE, ...NO_GL }, /bare-window: painted/),
};

await programs.cryptill();
const results = Object.fromEntries(Object.keys(programs).map((k) => [k, []]));
for (let run = 0; run < +RUNS; run++) {
  for (const [name, once] of Object.entries(programs)) results[name].push(await once());
}

// Paired starts (see the top): 8 pairs a run, so the interval below is
// narrow enough to say on which side of issue 11's line the ratio is.
const PAIRS = 8 * +RUNS;
const pairs = [];
for (let i = 0; i < PAIRS; i++) {
  const till = () => startOnce(CRYPTILL, tillEnv, /the keypad is interactive/, false);
  const floor = () => startOnce(BARE, {}, /bare-window: painted/, false);
  let tillStart, floorStart;
  if (i % 2) {
    tillStart = await till();
    floorStart = await floor();
  } else {
    floorStart = await floor();
    tillStart = await till();
  }
  pairs.push({ cryptill: tillStart.ms, bare: floorStart.ms, ratio: tillStart.ms / floorStart.ms });
}
const quartiles = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return [s[Math.floor((s.length - 1) / 4)], s[Math.ceil((3 * (s.length - 1)) / 4)]];
};
/**
 * A 95 % interval of the median of `xs`: the percentile bootstrap (the
 * median of `xs` resampled with replacement, 2,000 times). Seeded, so the
 * same pairs always print the same interval.
 */
const medianInterval = (xs, resamples = 2_000) => {
  let seed = 0x2f6b_c3a1;
  const random = () => {
    // mulberry32: a small, well-mixed 32-bit generator.
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const medians = [];
  for (let r = 0; r < resamples; r++) {
    medians.push(median(Array.from(xs, () => xs[Math.floor(random() * xs.length)])));
  }
  medians.sort((a, b) => a - b);
  return [medians[Math.floor(0.025 * (resamples - 1))], medians[Math.ceil(0.975 * (resamples - 1))]];
};
const ratios = pairs.map((p) => p.ratio);
const [q1, q3] = quartiles(ratios);
const [low, high] = medianInterval(ratios);
// Issue 11's target, said against the interval rather than one median:
// runs of the same code have given medians 1.08x to 1.14x.
const TARGET = 1.15;
const verdict =
  high <= TARGET
    ? `at most ${TARGET}x: met (the whole interval is under it)`
    : low > TARGET
      ? `at most ${TARGET}x: not met (the whole interval is over it)`
      : `at most ${TARGET}x: the interval straddles it, so this run cannot say`;
console.log(`\nPaired starts (${PAIRS} pairs, each program stopped once ready; medians)`);
console.log(
  `cryptill ${median(pairs.map((p) => p.cryptill)).toFixed(0)} ms, bare window ${median(pairs.map((p) => p.bare)).toFixed(0)} ms; ` +
    `ratio within a pair: median ${median(ratios).toFixed(3)}x, quartiles ${q1.toFixed(3)}x to ${q3.toFixed(3)}x`,
);
console.log(`median's 95 % interval (bootstrap): ${low.toFixed(3)}x to ${high.toFixed(3)}x; target ${verdict}`);
console.log(`[ratios: ${ratios.map((r) => r.toFixed(2)).join(" ")}]`);

const mib = (kib) => (kib / 1024).toFixed(1);
console.log(`\nStart to interactive and PSS after start (${RUNS} runs each, medians)`);
const bareMs = median(results.bare.map((r) => r.ms));
const bareKib = median(results.bare.map((r) => r.kib));
for (const [name, rs] of Object.entries(results)) {
  const ms = median(rs.map((r) => r.ms));
  const kib = median(rs.map((r) => r.kib));
  console.log(
    `${name.padEnd(30)} ${ms.toFixed(0).padStart(6)} ms (${(ms / bareMs).toFixed(2)}x)  ` +
      `${mib(kib).padStart(7)} MiB PSS (${(kib / bareKib).toFixed(2)}x)  ` +
      `[ms: ${rs.map((r) => r.ms.toFixed(0)).join(" ")}; MiB: ${rs.map((r) => mib(r.kib)).join(" ")}]`,
  );
}
console.log("\nOf which the app's own process (Rust and the UI process's GTK/WebKit side; the rest is WebKit's web and network processes):");
for (const [name, rs] of Object.entries(results)) {
  console.log(`${name.padEnd(30)} ${mib(median(rs.map((r) => r.own))).padStart(7)} MiB`);
}

/** The app's process under a tauri-driver: the descendant running `bin`. */
function appUnder(driverPid, bin) {
  const pid = tree(driverPid).find((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, "utf8").startsWith(bin);
    } catch {
      return false;
    }
  });
  if (!pid) throw new Error(`no ${bin} under tauri-driver`);
  return pid;
}

/** PSS of `bin` under its own tauri-driver, once `act` has driven its window. */
async function pssUnderDriver(bin, env, port, act) {
  const driver = await startDriver({ env, port });
  try {
    const session = await newSession(driver.base, bin);
    await act(session);
    await sleep(SETTLE_MS);
    const kib = pss(appUnder(driver.pid, bin));
    await session.close().catch(() => {});
    return kib;
  } finally {
    killTree(driver.pid);
    await sleep(500);
  }
}

/** A demo sale typed, charged and paid in Cryptill's window. */
async function demoSale(session) {
  await session.waitFor("key-5", 30_000);
  // As the end-to-end tests do: a native click very occasionally goes
  // nowhere right after WebKitWebDriver starts, so it is repeated until
  // its effect shows.
  await session.clickUntil("key-5", async () => (await session.text("amount")) === "5");
  await session.clickUntil("coin-BTC", async () => (await session.attr("coin-BTC", "aria-pressed")) === "true");
  await session.until("a quote", async () => /\d/.test(await session.text("crypto-amount")), 15_000);
  await session.click("charge");
  await session.waitFor("simulate-payment", 15_000);
  await session.click("simulate-payment");
  await session.until("paid", async () => (await session.attr("status", "data-state")) === "paid", 15_000);
}

/** The bare window's page, loaded. */
async function barePage(session) {
  await session.until("the page", async () => (await session.cmd("GET", "/title")) === "Bare window");
}

// Ports of their own: the end-to-end files use 4444 to 4468, and may run beside the bench.
const sale = [];
const bare = [];
const bareNoGl = [];
const saleGl = [];
for (let run = 0; run < Math.max(3, Math.ceil(+RUNS / 2)); run++) {
  sale.push(await pssUnderDriver(CRYPTILL, tillEnv, 4488, demoSale));
  bare.push(await pssUnderDriver(BARE, {}, 4490, barePage));
  bareNoGl.push(await pssUnderDriver(BARE, NO_GL, 4490, barePage));
  saleGl.push(await pssUnderDriver(CRYPTILL, { ...tillEnv, ...GL }, 4488, demoSale));
}
console.log(`\nPSS after a demo sale, under tauri-driver (${sale.length} runs each, medians)`);
console.log(`cryptill after a paid demo sale  ${mib(median(sale)).padStart(7)} MiB  [${sale.map(mib).join(" ")}]`);
console.log(`bare window, page loaded         ${mib(median(bare)).padStart(7)} MiB  [${bare.map(mib).join(" ")}]`);
console.log(`cryptill, GL compositing (sale)  ${mib(median(saleGl)).padStart(7)} MiB  [${saleGl.map(mib).join(" ")}]`);
console.log(`bare window, no GL compositing   ${mib(median(bareNoGl)).padStart(7)} MiB  [${bareNoGl.map(mib).join(" ")}]`);
console.log(`ratio ${(median(sale) / median(bare)).toFixed(2)}x (${(median(sale) / median(bareNoGl)).toFixed(2)}x the bare window without GL compositing)`);
execFileSync("rm", ["-rf", dataDir, KEYPAD_PAGE]);

// Test-only browser checks for wgreport's HTML, in Debian's headless Chromium.
//
//   node check.mjs axe  FILE [WIDTH]   axe-core at WCAG 2.1 AA; prints {violations: [...]}
//   node check.mjs load FILE [WIDTH]   loads FILE as a visitor would (its CSP enforced) and
//                                      prints every request beyond FILE itself, dialogs,
//                                      console messages and script errors
//   node check.mjs links FILE          prints every link's href and whether its target exists
//   node check.mjs layout FILE [WIDTH] prints layout facts: the contents' CSS position, page
//                                      and viewport widths, charts, images that failed to load
//   node check.mjs serve               one Chromium for many checks: reads one JSON request a
//                                      line on stdin ({"mode", "file", "width"}) and answers
//                                      each with one JSON line on stdout: {"ok": true,
//                                      "result", "launches"} or {"ok": false, "error",
//                                      "launches"}. A browser that crashed or closed is
//                                      started again for the next check (and a check it broke
//                                      is run once more in the new one).
//
// The output is one JSON object on stdout; the Python tests read and judge it.
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { pathToFileURL, fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

function launch() {
  return chromium.launch({
    executablePath,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

// The check MODE of FILE at WIDTH in `browser`; its result (null for an unknown mode). Its
// browser context is closed afterwards, so that the next check starts from a clean one.
async function check(browser, mode, file, width) {
  const url = pathToFileURL(file).href;
  const viewport = { width: Number(width || 1280), height: 900 };
  let result = null;
  const contexts = [];
  try {
    if (mode === "axe") {
      // axe is injected by the test harness, so the page's own CSP (no scripts) is bypassed
      // for this check only; the "load" mode keeps it.
      const context = await newContext({ bypassCSP: true, viewport });
      const page = await context.newPage();
      await page.goto(url, { waitUntil: "load" });
      await page.addScriptTag({ content: readFileSync(require.resolve("axe-core/axe.min.js"), "utf8") });
      const raw = await page.evaluate(async () =>
        // eslint-disable-next-line no-undef
        await axe.run(document, {
          runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
          resultTypes: ["violations"],
        }));
      result = {
        url, viewport, axe: raw.testEngine.version, passes: raw.passes.length,
        violations: raw.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, summary: n.failureSummary })),
        })),
      };
    } else if (mode === "load") {
      const context = await newContext({ viewport });
      const page = await context.newPage();
      const requests = [], dialogs = [], consoleMessages = [], errors = [];
      page.on("request", (r) => { if (r.url() !== url) requests.push(r.url()); });
      page.on("dialog", async (d) => { dialogs.push(d.message()); await d.dismiss(); });
      page.on("console", (m) => consoleMessages.push(`${m.type()}: ${m.text()}`));
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(url, { waitUntil: "load" });
      await page.waitForTimeout(500);
      const scriptsRan = await page.evaluate(() => Boolean(window.__wgreport_pwned));
      result = { url, viewport, requests, dialogs, console: consoleMessages, errors, scriptsRan };
    } else if (mode === "layout") {
      const context = await newContext({ viewport });
      const page = await context.newPage();
      await page.goto(url, { waitUntil: "load" });
      result = await page.evaluate(() => {
        const toc = document.querySelector("nav.toc");
        const charts = [...document.querySelectorAll("figure.chart svg")];
        return {
          tocPosition: toc ? getComputedStyle(toc).position : null,
          scrollWidth: document.documentElement.scrollWidth,
          viewportWidth: window.innerWidth,
          charts: charts.length,
          chartsLabelled: charts.filter((svg) => svg.getAttribute("role") === "img"
            && svg.querySelector("title")?.textContent && svg.querySelector("desc")?.textContent).length,
          images: document.images.length,
          brokenImages: [...document.images].filter((img) => !img.complete || img.naturalWidth === 0)
            .map((img) => img.alt),
          rtl: [...document.querySelectorAll('[dir="rtl"]')].map((e) => getComputedStyle(e).direction),
        };
      });
      result.url = url;
    } else if (mode === "anchors") {
      // Follow every contents link; where does its heading land under the sticky banner?
      const context = await newContext({ viewport });
      const page = await context.newPage();
      await page.goto(url, { waitUntil: "load" });
      const hrefs = await page.$$eval("nav.toc a[href^='#']", (as) => as.map((a) => a.getAttribute("href")));
      const landed = [];
      for (const href of hrefs) {
        await page.evaluate((h) => { location.hash = ""; location.hash = h; }, href);
        await page.waitForTimeout(50);
        landed.push(await page.evaluate((h) => {
          const target = document.getElementById(h.slice(1));
          const heading = target.querySelector("h2") || target;
          const banner = document.querySelector(".draft-info");
          return {
            href: h,
            headingTop: heading.getBoundingClientRect().top,
            bannerBottom: banner ? banner.getBoundingClientRect().bottom : 0,
          };
        }, href));
      }
      const svgText = await page.$$eval("figure.chart svg text", (ts) =>
        ts.map((t) => t.getBoundingClientRect().height).filter((h) => h > 0));
      result = { url, viewport, landed, minSvgTextPx: svgText.length ? Math.min(...svgText) : null };
    } else if (mode === "links") {
      const context = await newContext({ viewport });
      const page = await context.newPage();
      await page.goto(url, { waitUntil: "load" });
      const hrefs = await page.$$eval("a[href]", (as) => as.map((a) => a.href));
      const ids = new Set(await page.$$eval("[id]", (es) => es.map((e) => e.id)));
      result = {
        url,
        links: hrefs.map((href) => {
          const target = new URL(href);
          let exists = null;
          if (target.protocol === "file:") {
            const samePage = target.pathname === new URL(url).pathname;
            exists = samePage ? (!target.hash || ids.has(decodeURIComponent(target.hash.slice(1))))
                              : existsSync(fileURLToPath(target));
          }
          return { href, exists };
        }),
      };
    }
} finally {
    for (const context of contexts) await context.close().catch(() => {});
  }
  return result;

  async function newContext(options) {
    const context = await browser.newContext(options);
    contexts.push(context);
    return context;
  }
}

const MODES = new Set(["axe", "load", "links", "layout", "anchors"]);
const [mode, file, width] = process.argv.slice(2);
if (mode === "serve") {
  await serve();
} else {
  if (!mode || !file) {
    console.error("usage: node check.mjs axe|load|links|layout|anchors FILE [WIDTH] | serve");
    process.exit(2);
  }
  if (!MODES.has(mode)) {
    console.error(`unknown mode ${mode}`);
    process.exit(2);
  }
  const browser = await launch();
  let result;
  try {
    result = await check(browser, mode, file, width);
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(result) + "\n");
}

async function serve() {
  let browser = null;
  let launches = 0;
  const ready = async () => {
    if (browser && browser.isConnected()) return browser;
    if (browser) await browser.close().catch(() => {});
    browser = await launch();
    launches += 1;
    return browser;
  };
  const answer = (reply) => process.stdout.write(JSON.stringify({ ...reply, launches }) + "\n");
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    let request;
    try {
      request = JSON.parse(line);
    } catch (e) {
      answer({ ok: false, error: `not a JSON request: ${line.slice(0, 200)}` });
      continue;
    }
    if (!MODES.has(request.mode) || !request.file) {
      answer({ ok: false, error: `unknown mode ${request.mode} or no file` });
      continue;
    }
    let reply;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const result = await check(await ready(), request.mode, request.file, request.width);
        reply = { ok: true, result };
        break;
      } catch (e) {
        reply = { ok: false, error: String(e && e.stack ? e.stack : e) };
        // a browser that died under the check: once more in a new one; any other error is
        // the check's own and is answered as it is
        if (browser && browser.isConnected()) break;
      }
    }
    answer(reply);
  }
  if (browser) await browser.close().catch(() => {});
}

// Test-only: `wgreport preview` used in Debian's headless Chromium as a writer would: the
// page open, files saved beside it, the page watched until it shows what the save made.
//
//   node live.mjs PLAN.json
//
// PLAN: { "url": "http://127.0.0.1:PORT/", "timeout_ms": 60000, "steps": [STEP...] }
// STEP: { "name": "...", "path": FILE, "content": TEXT,           the save (written whole)
//         "text": "a sentence",                                    wait until the report shows it
//         "problem": "KR.yaml:4",                                  … or the problems panel shows this
//         "no_problems": true }                                    … or the panel has no problems
// Each step waits for a page of a newer build (the panel's data-build) that meets its
// condition, and records the milliseconds from the save until then; the next step is
// taken once that page listens to the server's events again. The page itself never
// polls (it listens to the server's events); this script checks the page it has, between
// reloads, every 10 ms. Prints one JSON object: the steps as seen (each with whether the
// page was loaded again or changed in place), and the page's errors.
import { readFileSync, writeFileSync } from "node:fs";
import { chromium } from "playwright-core";

const plan = JSON.parse(readFileSync(process.argv[2], "utf8"));
const TIMEOUT = plan.timeout_ms || 60000;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
  ],
});
const seen = { errors: [], steps: [], requests: [] };
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on("pageerror", (e) => seen.errors.push(String(e)));
page.on("console", (m) => { if (m.type() === "error") seen.errors.push(m.text()); });
page.on("request", (r) => seen.requests.push(new URL(r.url()).pathname));
let loads = 0; // the page loaded again (a reload), not changed in place
page.on("framenavigated", (f) => { if (f === page.mainFrame()) loads += 1; });

const state = () => page.evaluate(() => {
  const panel = document.getElementById("wg-live");
  const problems = panel && panel.querySelector(".wg-live-problems");
  return {
    build: panel ? Number(panel.dataset.build) : 0,
    connected: panel ? panel.dataset.connected === "yes" : false,
    body: document.body.textContent,
    problems: problems ? problems.innerText : null,
    banner: (document.querySelector(".draft-info") || {}).textContent || null,
    bar: (panel && panel.querySelector(".wg-live-bar") || {}).textContent || null,
  };
});

async function until(test) {
  const started = Date.now();
  while (Date.now() - started < TIMEOUT) {
    try {
      const now = await state();
      if (test(now)) return now;
    } catch (e) { /* the page is reloading: its context is gone for a moment */ }
    await new Promise((r) => setTimeout(r, 10));
  }
  return null;
}

await page.goto(plan.url, { waitUntil: "load" });
let current = await until((s) => s.connected);
seen.opened = current ? { build: current.build, connected: true } : null;
for (const step of plan.steps) {
  if (!current) break;
  const before = current.build;
  const saved = Date.now();
  const loadsBefore = loads;
  writeFileSync(step.path, step.content);
  const met = await until((s) => s.build > before
    && (step.text === undefined || s.body.includes(step.text))
    && (step.problem === undefined || (s.problems || "").includes(step.problem))
    && (!step.no_problems || s.problems === null));
  const ms = Date.now() - saved;
  seen.steps.push({ name: step.name, ok: met !== null, ms, build: met ? met.build : null,
                    problems: met ? met.problems : null,
                    shows_text: met && step.text ? met.body.includes(step.text) : null,
                    reloaded: loads > loadsBefore,
                    banner: met ? met.banner : null, bar: met ? met.bar : null });
  // the next save once the page listens again (a save before that is not missed either:
  // the page's first event says which build is newest, and it reloads if it is not that)
  current = met && await until((s) => s.build === met.build && s.connected);
}
await browser.close();
process.stdout.write(JSON.stringify(seen));

// Test-only measurements of the report page in Debian's headless Chromium (issue 40), with
// the playwright-core and axe-core that tools/browser installs (tools/browser/check.mjs is
// the suite's general checker; this adds what it does not measure):
//
//   node pagemeasure.mjs FILE WIDTH [FRAGMENT]
//
// prints one JSON object: the page's and viewport's widths; each chart's box (left, right,
// width) and whether a link to its full-size figure is there; the reading measure (the
// characters per line of the running text's paragraphs); and axe-core's violations with the
// best-practice rules included. With FRAGMENT the page is opened at FILE#FRAGMENT (a link
// followed), and the smallest chart text's height is measured too.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const tools = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "tools", "browser");
const require = createRequire(join(tools, "package.json"));
const { chromium } = require("playwright-core");
const [file, width, fragment] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage"],
});
let result;
try {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: Number(width || 1280), height: 900 } });
  const page = await context.newPage();
  const url = pathToFileURL(file).href + (fragment ? `#${fragment}` : "");
  await page.goto(url, { waitUntil: "load" });
  result = await page.evaluate(() => {
    const charts = [...document.querySelectorAll("figure.chart")].map((figure) => {
      const box = figure.querySelector("svg").getBoundingClientRect();
      const full = figure.querySelector("a.full-size");
      return { id: figure.id, left: box.left, right: box.right, width: box.width,
               fullSize: full ? full.getAttribute("href") : null };
    });
    // the running text: paragraphs of a chapter of at least three lines
    const measures = [];
    for (const p of document.querySelectorAll("main section.chapter p")) {
      const style = getComputedStyle(p);
      const lineHeight = parseFloat(style.lineHeight);
      const lines = Math.round(p.getBoundingClientRect().height / lineHeight);
      const text = p.textContent.replace(/\s+/g, " ").trim();
      if (lines >= 3 && text.length > 200) {
        // characters per full line: the text's length over its lines, the last one half full
        measures.push(Math.round(text.length / (lines - 0.5)));
      }
    }
    measures.sort((a, b) => a - b);
    const svgText = [...document.querySelectorAll("figure.chart svg text")]
      .map((t) => t.getBoundingClientRect().height).filter((h) => h > 0);
    return {
      minSvgTextPx: svgText.length ? Math.min(...svgText) : null,
      viewportWidth: window.innerWidth,
      scrollWidth: document.documentElement.scrollWidth,
      charts,
      medianMeasure: measures.length ? measures[Math.floor(measures.length / 2)] : null,
      paragraphs: measures.length,
    };
  });
  await page.addScriptTag({ content: readFileSync(require.resolve("axe-core/axe.min.js"), "utf8") });
  const raw = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
      resultTypes: ["violations"],
    }));
  result.axePasses = raw.passes.length;
  result.violations = raw.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, summary: n.failureSummary })),
  }));
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result) + "\n");

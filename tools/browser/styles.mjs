// Test-only: the computed styles of the elements a selector matches, in Debian's headless
// Chromium.
//
//   node styles.mjs FILE SELECTOR PROPERTY... [text]
//
// prints {elements: [{PROPERTY: value, ..., text: "the element's text"}]}; the Python tests
// read and judge it.
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [file, selector, ...properties] = process.argv.slice(2);
if (!file || !selector) {
  console.error("usage: node styles.mjs FILE SELECTOR PROPERTY...");
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
  ],
});
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  const elements = await page.$$eval(selector, (found, names) => found.map((element) => {
    const style = getComputedStyle(element);
    return Object.fromEntries(names.map((name) => [
      name, name === "text" ? element.textContent.trim() : style.getPropertyValue(name),
    ]));
  }), properties);
  process.stdout.write(JSON.stringify({ elements }) + "\n");
} finally {
  await browser.close();
}

// Test-only: the portal used by its three roles in Debian's headless Chromium.
//
//   node portal.mjs PLAN.json
//
// PLAN names the sign-in links, the files a member uploads, where downloads and (when
// given) screenshots go, and the comment a reviewer writes. The script does what a person
// would do with the pages (no request is made behind the pages' back) and prints what it
// saw as one JSON object on stdout; the Python tests judge it.
//
//   member:      sign in, upload `bad`, read the problems table, upload `good`, read the verdict
//   secretariat: sign in, press "Build a new draft", wait for the build to end, read its row
//   reviewer:    sign in, download the newest draft's PDF, read its listed sha256, comment
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const plan = JSON.parse(readFileSync(process.argv[2], "utf8"));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
  ],
});
const viewport = { width: 1100, height: 800 };
const seen = { errors: [] };

async function signedIn(link) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  page.on("pageerror", (e) => seen.errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") seen.errors.push(m.text()); });
  page.on("response", (r) => {
    if (r.status() >= 400) seen.errors.push(`${r.status()} ${new URL(r.url()).pathname}`);
  });
  await page.goto(link, { waitUntil: "load" });
  // the link's page has a button: the link is spent when a person presses it
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("#signin")]);
  return page;
}

// Press a form's button and wait for the page it leads to. (waitForURL would not do: the
// form posts from the very page it returns to, so the URL matches before the post is sent.)
async function submit(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click(selector)]);
}

async function shot(page, name) {
  if (plan.screenshots) {
    await page.screenshot({ path: join(plan.screenshots, name), fullPage: false });
  }
}

async function member() {
  const page = await signedIn(plan.member.link);
  const out = { landed: new URL(page.url()).pathname };
  await page.setInputFiles("#contribution", plan.member.bad);
  await submit(page, "#upload-button");
  out.problems = await page.$$eval("#problems tr.error", (rows) => rows.map((r) => ({
    at: r.querySelector(".at")?.textContent ?? null,
    noticed: r.querySelector(".noticed")?.textContent ?? null,
    text: r.textContent.replace(/\s+/g, " ").trim(),
  })));
  out.first_verdict = (await page.textContent("main h2 + p")).trim();
  await shot(page, "portal-member.png");
  await page.setInputFiles("#contribution", plan.member.good);
  await submit(page, "#upload-button");
  out.verdict = (await page.textContent("main h2 + p")).trim();
  out.problems_after = await page.$$eval("#problems tr.error", (rows) => rows.length);
  return out;
}

async function secretariat() {
  const page = await signedIn(plan.secretariat.link);
  const out = { landed: new URL(page.url()).pathname };
  if (!plan.secretariat.build) {
    await shot(page, "portal-secretariat.png");
    return out;
  }
  await submit(page, "#build-draft");
  out.started = (await page.textContent("#builds tbody tr:first-child .status")).trim();
  const deadline = Date.now() + (plan.secretariat.timeout_ms || 300000);
  let status = out.started;
  while (status.startsWith("running") && Date.now() < deadline) {
    await page.waitForTimeout(2000);
    await page.goto(new URL("/secretariat", plan.base).href, { waitUntil: "load" });
    status = (await page.textContent("#builds tbody tr:first-child .status")).trim();
  }
  out.status = status;
  out.draft_link = await page.getAttribute("#builds tbody tr:first-child a", "href");
  out.log = (await page.textContent("#build-log")) ?? "";
  await shot(page, "portal-secretariat.png");
  return out;
}

async function reviewer() {
  const page = await signedIn(plan.reviewer.link);
  const out = { landed: new URL(page.url()).pathname };
  const newest = page.locator("#drafts tbody tr").first();
  out.draft = await newest.getAttribute("data-draft");
  out.listed_sha256 = (await newest.locator(".sha256").textContent()).trim();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    newest.locator("a", { hasText: "PDF" }).click(),
  ]);
  out.download_name = download.suggestedFilename();
  out.download_path = join(plan.downloads, out.download_name);
  await download.saveAs(out.download_path);
  const c = plan.reviewer.comment;
  await page.selectOption("#draft", String(Number(out.draft)));
  await page.selectOption("#section", c.section);
  await page.fill("#page", String(c.page));
  await page.fill("#comment", c.comment);
  await page.fill("#proposed_change", c.proposed_change);
  await page.selectOption("#kind", c.kind);
  await submit(page, "text=Add the comment");
  out.mine = await page.$$eval("#mine article", (rows) =>
    rows.map((r) => r.textContent.replace(/\s+/g, " ").trim()));
  await shot(page, "portal-reviewer.png");
  return out;
}

try {
  const result = {};
  for (const role of plan.roles || ["member", "secretariat", "reviewer"]) {
    result[role] = await { member, secretariat, reviewer }[role]();
  }
  result.errors = seen.errors;
  process.stdout.write(JSON.stringify(result, null, 1));
} finally {
  await browser.close();
}

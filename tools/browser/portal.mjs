// Test-only: the portal used by its three roles in Debian's headless Chromium.
//
//   node portal.mjs PLAN.json
//
// PLAN names the sign-in links, the files a member uploads, where downloads and (when
// given) screenshots go, what a reviewer and the secretariat write, and the steps to take,
// in order. The script does what a person would do with the pages (no request is made
// behind the pages' back) and prints what it saw as one JSON object on stdout; the Python
// tests judge it. A role signs in with its link the first time; its session is kept in
// PLAN.sessions/<role>.json, so that a later run (a later phase of the same rehearsal)
// carries on signed in.
//
// Every page a step lands on is checked where it stands: axe-core (WCAG 2.1 A and AA),
// evaluated in the live page (not as an inline script, so the portal's CSP stays enforced),
// at each of PLAN.widths, and the page's width against the viewport's at each (sideways
// scroll). Each check is one entry of `checks`.
//
// Steps:
//   workbook:    download the pre-filled workbook (last edition's), type into it in
//                LibreOffice (PLAN.office: tests/support/office_typist.py) with two mistakes,
//                upload it, read the problems; type the fixes, upload, read the verdict; open
//                the preview of the chapter, refresh until it is ready, download its PDF
//   member:      upload `bad` (YAML), read the problems table, upload `good`, read the verdict
//   secretariat: press "Build a new draft", wait for the build to end, read its row
//   reviewer:    download the newest draft's PDF, read its listed sha256; comment with a page
//                past the draft's last (refused: read back what the form kept and why), then
//                with the right page
//   answer:      the secretariat answers the reviewer's comment on its comments page
//   reply:       the reviewer reads the answer and replies to it; the secretariat reads the
//                thread
//   edit:        the member uploads `edited` (a word changed in the summary)
//   build2:      the secretariat builds another draft
//   words:       the reviewer reads what changed in the newest draft, in words
import { mkdirSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const plan = JSON.parse(readFileSync(process.argv[2], "utf8"));
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const WIDTHS = plan.widths || [1280, 390];
const HEIGHT = 900;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
  ],
});
const viewport = { width: WIDTHS[0], height: HEIGHT };
const seen = { errors: [], checks: [] };
// responses >= 400 a step expects (a refused form is answered 400): "STATUS PATH" → count;
// and Chromium's console error for each ("... responded with a status of 400 ...")
const expected = new Map();
const expectedConsole = new Map();
const pages = {};

function expect(status, path) {
  const key = `${status} ${path}`;
  expected.set(key, (expected.get(key) || 0) + 1);
  expectedConsole.set(status, (expectedConsole.get(status) || 0) + 1);
}

function consoleError(role, message) {
  const status = Number((/status of (\d{3})/.exec(message) || [])[1]);
  if (expectedConsole.get(status)) expectedConsole.set(status, expectedConsole.get(status) - 1);
  else seen.errors.push(`${role}: ${message}`);
}

function sessionFile(role) {
  return join(plan.sessions, `${role}.json`);
}

async function as(role) {
  if (pages[role]) return pages[role];
  const stored = existsSync(sessionFile(role)) ? sessionFile(role) : undefined;
  const context = await browser.newContext({ viewport, acceptDownloads: true, storageState: stored });
  const page = await context.newPage();
  page.on("pageerror", (e) => seen.errors.push(`${role}: ${e}`));
  page.on("console", (m) => { if (m.type() === "error") consoleError(role, m.text()); });
  page.on("response", (r) => {
    if (r.status() < 400) return;
    const key = `${r.status()} ${new URL(r.url()).pathname}`;
    if (expected.get(key)) expected.set(key, expected.get(key) - 1);
    else seen.errors.push(`${role}: ${key}`);
  });
  pages[role] = page;
  if (stored) {
    await page.goto(new URL(plan[role].home, plan.base).href, { waitUntil: "load" });
  } else {
    await page.goto(plan[role].link, { waitUntil: "load" });
    await checked(page, `${role}: sign-in`);
    // the link's page has a button: the link is spent when a person presses it
    await submit(page, "#signin");
  }
  return page;
}

// Press a form's button (or follow a link) and wait for the page it leads to. (waitForURL
// would not do: the form posts from the very page it returns to, so the URL matches before
// the post is sent.)
async function submit(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click(selector)]);
}

// Follow a page's "Refresh" link: whether the page was really loaded again (a link to the
// same page with a #fragment only scrolls it, and what it shows stays as it was).
async function refresh(page, selector) {
  await page.evaluate(() => { window.__wgreportNotReloaded = true; });
  await submit(page, selector);
  return !(await page.evaluate(() => window.__wgreportNotReloaded === true));
}

async function visit(page, path) {
  await page.goto(new URL(path, plan.base).href, { waitUntil: "load" });
}

// axe-core and the page's width against the viewport's, at each width, where the page
// stands; the viewport is put back as it was.
async function checked(page, name) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: HEIGHT });
    if (!(await page.evaluate(() => typeof window.axe === "object"))) {
      await page.evaluate(AXE); // evaluated, not a <script>: the page's CSP is left alone
    }
    const found = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const raw = await axe.run(document, {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        resultTypes: ["violations"],
      });
      return {
        axe: raw.testEngine.version,
        passes: raw.passes.length,
        violations: raw.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, summary: n.failureSummary })),
        })),
        scrollWidth: document.documentElement.scrollWidth,
        viewportWidth: window.innerWidth,
      };
    });
    seen.checks.push({ page: name, path: new URL(page.url()).pathname, width, ...found });
  }
  await page.setViewportSize(viewport);
}

async function shot(page, name, options = {}) {
  if (!plan.screenshots) return;
  const { height, top } = options;
  if (height) await page.setViewportSize({ width: viewport.width, height });
  if (top) await page.evaluate((sel) => document.querySelector(sel).scrollIntoView(), top);
  await page.screenshot({ path: join(plan.screenshots, name), fullPage: false });
  if (height) await page.setViewportSize(viewport);
  await page.evaluate(() => window.scrollTo(0, 0));
}

function text(s) {
  return (s ?? "").replace(/\s+/g, " ").trim();
}

async function verdict(page) {
  return text(await page.textContent("#verdict"));
}

async function download(page, locator, target) {
  const [file] = await Promise.all([page.waitForEvent("download"), locator.click()]);
  mkdirSync(dirname(target), { recursive: true });
  await file.saveAs(target);
  return file.suggestedFilename();
}

// LibreOffice types `edits` ([sheet, cell, text]) into `source` and saves `target`.
function typeInOffice(source, target, edits, name) {
  const o = plan.office;
  mkdirSync(dirname(target), { recursive: true });
  const editsFile = join(plan.downloads, `${name}-edits.json`);
  writeFileSync(editsFile, JSON.stringify(edits));
  const out = execFileSync(o.python, [o.typist, source, target, o.profile, editsFile],
    { encoding: "utf8", timeout: 180000, stdio: ["ignore", "pipe", "pipe"] });
  return out.trim().split("\n").filter(Boolean).map((line) => JSON.parse(line));
}

async function upload(page, file) {
  await page.setInputFiles("#contribution", file);
  await submit(page, "#upload-button");
}

// --- the steps ---------------------------------------------------------------------------

async function workbook() {
  const w = plan.workbook;
  const page = await as("member");
  const out = { landed: new URL(page.url()).pathname };
  await checked(page, "member: nothing this edition yet");
  out.deadline = text(await page.textContent("#deadline"));
  out.deadline_state = await page.getAttribute("#deadline", "data-state");
  out.offered = text(await page.textContent("#previous-file"));
  await shot(page, "portal-member.png");
  const prefilled = join(plan.downloads, "prefilled", "KR.xlsx");
  out.download_name = await download(page, page.locator("#previous-xlsx"), prefilled);
  out.prefilled = prefilled;
  // the member fills the workbook in LibreOffice, with two mistakes
  const mistaken = join(plan.downloads, "mistaken", "KR.xlsx");
  out.typed = typeInOffice(prefilled, mistaken, [...w.fill, ...w.mistakes], "mistaken");
  await upload(page, mistaken);
  out.first_verdict = await verdict(page);
  out.problems = await page.$$eval("#problems tr.error", (rows) => rows.map((r) => ({
    cell: r.querySelector(".cell")?.textContent ?? null,
    where: r.querySelector(".where")?.textContent.replace(/\s+/g, " ").trim() ?? null,
    hint: r.querySelector("td:nth-child(3)")?.textContent.replace(/\s+/g, " ").trim() ?? null,
    text: r.textContent.replace(/\s+/g, " ").trim(),
  })));
  await checked(page, "member: workbook refused");
  await shot(page, "portal-member-problems.png", { top: "#problems", height: 700 });
  // ... and types the two cells again
  const fixed = join(plan.downloads, "fixed", "KR.xlsx");
  out.fixes = typeInOffice(mistaken, fixed, w.fixes, "fixed");
  await upload(page, fixed);
  out.verdict = await verdict(page);
  out.problems_after = await page.$$eval("#problems tr.error", (rows) => rows.length);
  out.preview_first = await page.getAttribute("#preview-state", "data-state");
  await checked(page, "member: workbook accepted");
  // the preview of the chapter: its page, refreshed until it is ready
  out.reloaded_first = await refresh(page, out.preview_first === "ready" ? "#preview-pages" : "#preview-state a");
  out.preview_path = new URL(page.url()).pathname;
  await checked(page, `member: preview ${await page.getAttribute("#preview-state", "data-state")}`);
  const deadline = Date.now() + (w.preview_ms || 90000);
  let state = await page.getAttribute("#preview-state", "data-state");
  out.reloaded = [];
  while (state === "preparing" && Date.now() < deadline) {
    await page.waitForTimeout(250); // a person would look sooner than the preview is ready
    out.reloaded.push(await refresh(page, "#preview-state a")); // "Refresh this page"
    if (!out.reloaded.at(-1)) break; // it would never say "Ready"
    state = await page.getAttribute("#preview-state", "data-state");
  }
  out.preview_state = state;
  out.preview_text = text(await page.textContent("#preview-state"));
  out.preview_images = await page.$$eval(".pages img", (imgs) =>
    imgs.map((i) => ({ src: i.getAttribute("src"), alt: i.alt })));
  if (state === "ready") {
    // lazy images: scrolled through so that each is loaded, then their sizes read
    await page.$$eval(".pages img", (imgs) => imgs.forEach((i) => { i.loading = "eager"; }));
    await page.waitForFunction(() => [...document.images].every((i) => i.complete));
    out.preview_images_loaded = await page.$$eval(".pages img", (imgs) =>
      imgs.filter((i) => i.naturalWidth > 0).length);
    await checked(page, "member: preview ready");
    await shot(page, "portal-preview.png");
    out.preview_pdf = join(plan.downloads, "preview", "chapter.pdf");
    out.preview_pdf_name = await download(page, page.locator("#preview-pdf"), out.preview_pdf);
  }
  if (out.preview_path === "/member/preview") await submit(page, "text=Back to your contribution");
  else await visit(page, "/member");
  out.back = new URL(page.url()).pathname;
  out.accepted_links = await page.$$eval("#accepted-file a", (as) => as.map((a) => a.getAttribute("href")));
  await checked(page, "member: contribution accepted");
  return out;
}

async function member() {
  const page = await as("member");
  const out = { landed: new URL(page.url()).pathname };
  await upload(page, plan.member.bad);
  out.problems = await page.$$eval("#problems tr.error", (rows) => rows.map((r) => ({
    at: r.querySelector(".at")?.textContent ?? null,
    noticed: r.querySelector(".noticed")?.textContent ?? null,
    text: r.textContent.replace(/\s+/g, " ").trim(),
  })));
  out.first_verdict = await verdict(page);
  await checked(page, "member: YAML refused");
  await upload(page, plan.member.good);
  out.verdict = await verdict(page);
  out.problems_after = await page.$$eval("#problems tr.error", (rows) => rows.length);
  await checked(page, "member: YAML accepted");
  return out;
}

async function build(label) {
  const page = await as("secretariat");
  const out = { landed: new URL(page.url()).pathname };
  await checked(page, `secretariat: before the ${label}`);
  await submit(page, "#build-draft");
  out.started = text(await page.textContent("#builds tbody tr:first-child .status"));
  await checked(page, `secretariat: the ${label} being built`);
  const deadline = Date.now() + (plan.secretariat.timeout_ms || 300000);
  let status = out.started;
  out.reloaded = [];
  while (status.startsWith("running") && Date.now() < deadline) {
    await page.waitForTimeout(500); // the build's end seen within half a second
    // the page's own "Refresh" link, as a person would (gone once the build has ended)
    if (await page.$("#refresh")) {
      out.reloaded.push(await refresh(page, "#refresh"));
      if (!out.reloaded.at(-1)) break; // it would never show the build's end
    } else {
      await visit(page, "/secretariat");
    }
    status = text(await page.textContent("#builds tbody tr:first-child .status"));
  }
  out.status = status;
  const link = await page.$("#builds tbody tr:first-child a");
  out.draft_link = link && (await link.getAttribute("href"));
  out.log = (await page.textContent("#build-log")) ?? "";
  await checked(page, `secretariat: the ${label} built`);
  return out;
}

async function secretariat() {
  if (!plan.secretariat.build) {
    const page = await as("secretariat");
    await checked(page, "secretariat: status");
    return { landed: new URL(page.url()).pathname };
  }
  return build("first draft");
}

async function reviewer() {
  const page = await as("reviewer");
  const out = { landed: new URL(page.url()).pathname };
  await checked(page, "reviewer: drafts");
  const newest = page.locator("#drafts tbody tr").first();
  out.draft = await newest.getAttribute("data-draft");
  out.listed_sha256 = text(await newest.locator(".sha256").textContent());
  out.download_name = await download(page, newest.locator("a", { hasText: "PDF" }),
    join(plan.downloads, "draft.pdf"));
  out.download_path = join(plan.downloads, "draft.pdf");
  const c = plan.reviewer.comment;
  await page.selectOption("#draft", String(Number(out.draft)));
  await page.selectOption("#section", c.section);
  await page.fill("#page", String(c.refused_page));
  await page.fill("#comment", c.comment);
  await page.fill("#proposed_change", c.proposed_change);
  await page.selectOption("#kind", c.kind);
  expect(400, "/review/comment");
  await submit(page, "text=Add the comment");
  out.refused = {
    problems: text(await page.textContent("#problems")),
    at_page: text(await page.textContent("#problem-page")),
    page_invalid: await page.getAttribute("#page", "aria-invalid"),
    page_described_by: await page.getAttribute("#page", "aria-describedby"),
    kept: {
      draft: await page.inputValue("#draft"),
      section: await page.inputValue("#section"),
      page: await page.inputValue("#page"),
      comment: await page.inputValue("#comment"),
      proposed_change: await page.inputValue("#proposed_change"),
      kind: await page.inputValue("#kind"),
    },
  };
  await checked(page, "reviewer: comment refused");
  await page.fill("#page", String(c.page));
  await submit(page, "text=Add the comment");
  out.after = new URL(page.url()).pathname;
  out.mine = await page.$$eval("#mine article", (rows) =>
    rows.map((r) => r.textContent.replace(/\s+/g, " ").trim()));
  await checked(page, "reviewer: comment sent");
  return out;
}

async function answer() {
  const a = plan.answer;
  const page = await as("secretariat");
  await submit(page, 'nav.secretariat a[href="/secretariat/comments"]');
  const card = page.locator(`article[data-ref="${a.ref}"]`);
  const out = { landed: new URL(page.url()).pathname, comment: text(await card.locator(".comment").textContent()) };
  await checked(page, "secretariat: comments");
  await card.locator('select[name="status"]').selectOption(a.status);
  await card.locator('textarea[name="response"]').fill(a.response);
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }),
    card.locator("form[action$='/answer'] button").click()]);
  const after = page.locator(`article[data-ref="${a.ref}"]`);
  out.status = text(await after.locator(".status").textContent());
  out.response = text(await after.locator(".response").textContent());
  await checked(page, "secretariat: comment answered");
  return out;
}

async function reply() {
  const page = await as("reviewer");
  await visit(page, "/review");
  const n = plan.reply.comment;
  const card = page.locator(`#c-${n}`);
  const out = {
    status: text(await card.locator(".status").textContent()),
    answer: text(await card.locator(".response").textContent()),
  };
  await checked(page, "reviewer: comment answered");
  await page.fill(`#reply-text-${n}`, plan.reply.text);
  await submit(page, `#reply-${n} button`);
  out.landed = new URL(page.url()).pathname + new URL(page.url()).hash;
  out.thread = await page.$$eval(`#c-${n} ol.thread li`, (items) =>
    items.map((li) => ({ by: li.dataset.by, text: li.querySelector(".text").textContent })));
  await checked(page, "reviewer: replied");
  const desk = await as("secretariat");
  await visit(desk, "/secretariat/comments");
  out.secretariat_sees = await desk.$$eval(`article[data-ref="${plan.answer.ref}"] ol.thread li`,
    (items) => items.map((li) => ({ by: li.dataset.by, text: li.querySelector(".text").textContent })));
  await checked(desk, "secretariat: the reviewer's reply");
  return out;
}

async function edit() {
  const page = await as("member");
  await visit(page, "/member");
  await upload(page, plan.member.edited);
  const out = { verdict: await verdict(page) };
  await checked(page, "member: summary edited");
  return out;
}

async function build2() {
  const page = await as("secretariat");
  await visit(page, "/secretariat");
  const out = await build("second draft");
  // the edition's stage and next steps, the members' submissions and the builds
  await shot(page, "portal-secretariat.png", { height: 1750 });
  return out;
}

async function words() {
  const page = await as("reviewer");
  await visit(page, "/review");
  const out = {
    drafts: await page.$$eval("#drafts tbody tr", (rows) => rows.map((r) => r.dataset.draft)),
    heading: text(await page.textContent("#words-title")),
    members: await page.$$eval("#words details.words", (ds) => ds.map((d) => ({
      member: d.dataset.member,
      summary: d.querySelector("summary").textContent.replace(/\s+/g, " ").trim(),
      fields: [...d.querySelectorAll("dt")].map((dt) => dt.textContent),
      html: [...d.querySelectorAll("dd")].map((dd) => dd.innerHTML),
      deleted: [...d.querySelectorAll("del")].map((x) => x.textContent),
      inserted: [...d.querySelectorAll("ins")].map((x) => x.textContent),
    }))),
  };
  await checked(page, "reviewer: words changed");
  // what changed in words, the comment form and the comment's thread below it
  await shot(page, "portal-reviewer.png", { top: "#words", height: 1500 });
  return out;
}

// The portal's other pages, each checked where it stands (axe and the phone's width), so
// that every page a person reaches is checked, not only those the steps above land on.
async function tour() {
  const out = {};
  for (const [role, paths] of [
    ["member", ["/member/validation", "/guide/members"]],
    ["secretariat", ["/secretariat/people", "/secretariat/validation", "/secretariat/final"]],
  ]) {
    const page = await as(role);
    for (const path of paths) {
      await visit(page, path);
      out[path] = new URL(page.url()).pathname;
      await checked(page, `${role}: ${path}`);
    }
  }
  return out;
}

const STEPS = { workbook, member, secretariat, reviewer, answer, reply, edit, build2, words, tour };

const result = {};
let failed = null;
try {
  for (const step of plan.steps) {
    result[step] = {};
    result[step] = await STEPS[step]();
  }
  mkdirSync(plan.sessions, { recursive: true });
  for (const [role, page] of Object.entries(pages)) {
    await page.context().storageState({ path: sessionFile(role) });
  }
} catch (e) {
  // what was seen up to the failure, for the test's message
  failed = String(e.stack || e);
  for (const [role, page] of Object.entries(pages)) {
    result[`${role}_at`] = page.url();
  }
} finally {
  await browser.close();
}
result.errors = seen.errors;
result.checks = seen.checks;
result.expected_not_seen = [...expected, ...expectedConsole].filter(([, n]) => n > 0)
  .map(([k]) => String(k));
if (failed) result.failed = failed;
process.stdout.write(JSON.stringify(result, null, 1));
if (failed) process.exitCode = 1;

// Browser test of buergerkonto's pages: headless Chromium (Debian's /usr/bin/chromium) driven by
// playwright-core runs complete logins through the real pages as a person would, and axe-core checks
// every page reached against WCAG 2.1 A/AA with zero violations allowed (issue 5, items 4 and 6).
// What axe cannot see is checked by hand on every page as well: a keyboard sweep (Tab order follows
// the document, visible focus with >= 3:1 contrast, focused control on screen) and reflow at 320px.
// An axe self-test on a deliberately faulty page first proves the checker reports what it should.
//
// Usage: node tests/browser/login.mjs <broker base URL> [screenshot dir]
// With a screenshot dir, PNGs of the main pages (1280 px wide) are written there: docs/screenshots/
// is made this way (docs/operations.md, "Screenshots").
// Run by tests/it/browser.rs against a TestBroker started from config/dev.toml. Exit code 0 = all
// passed; any failed step or axe violation → exit 1 with the reason on stderr.
//
// Not reached here: the certificate login needs a client certificate, which headless Chromium does
// not present without a platform certificate store. Its refusals end on the same failure page
// (upstream_error.html) as "upstream cancelled", which is checked here; their texts, languages and
// reasons are covered with real TLS by tests/it/mtls_pages.rs.
//
// Scenarios (each in a fresh browser context, so no session cookie carries over):
//   de-approve   /demo → "Anmelden mit Vertrauensniveau substanziell" → choice page (keyboard: Tab to
//                the development method's button, Enter) → dev login (Erika Mustermann, success) →
//                consent → approve → the demo shows the decoded ID token and userinfo.
//   en-approve   the same in English, chosen with the demo's language link (→ ui_locales=en).
//   switch-deny  German start, the broker's language switch on the choice page → English, then
//                "Decline" on the consent page → the demo shows access_denied readably.
//   no-js        the German login with JavaScript disabled and the pages' CSP enforced: proves the
//                pages work without JavaScript and without relaxing the Content-Security-Policy.
//   errors       an error page (/authorize?client_id=unknown) in German and English.
//   replay       the login-CSRF attack of issue 9: context A (the attacker) runs the eID login up to
//                the simulator's SAML POST form and keeps SAMLResponse + RelayState without
//                submitting; context B (the victim, with its own login running in another tab)
//                submits them from a page of another origin. B must land on the restart page
//                ("Bitte starten Sie die Anmeldung bei dem Online-Dienst neu"), hold no session
//                cookie, and never reach the demo's callback; A's login is dead as well.
//   tabs         two logins in two tabs of one browser, finished in reverse order: both complete.
//   logout       issue 11: after a login, the citizen's /session page (de, en) lists the demo; a
//                logout request without id_token_hint (/logout?client_id=demo) shows the
//                confirmation page; "Ja, abmelden" ends the session (logged-out page); /session
//                then says nobody is logged in.
//   site         issue 15: the start page, the login in Leichte Sprache / plain language and the 404
//                page, each in German and English; the branding the broker was started with
//                (BK_BRAND: name, logo URL, primary colour) shows on them and on the login pages;
//                the footer's legal links are on every page.
//
// Every axe check runs at 1280 and at 320 CSS pixels width (issue 15 item 7), then the keyboard
// sweep and the reflow check.
//
// BK_BRAND (JSON, set by tests/it/browser.rs): {"name", "color" (#rrggbb), "logo" (URL path),
// "legal": [hrefs]} — what the header, the buttons and the footer must show.
//
// About `bypassCSP`: the broker sends `Content-Security-Policy: default-src 'none'`, which (rightly)
// blocks the injected axe-core script. The axe contexts therefore use Playwright's `bypassCSP: true`.
// It only changes what this test browser enforces; the pages and their headers are unchanged, and the
// `no-js` scenario runs with the CSP enforced and asserts the header is present.

import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const ACR_SUBSTANTIAL = 'http://eidas.europa.eu/LoA/substantial';
// The development login method, picked by its configured id (the hidden `method` field), never by
// position: other methods (eid, …) may be listed before it.
const DEV_METHOD = 'dev';

const base = (process.argv[2] || '').replace(/\/+$/, '');
if (!/^https?:\/\//.test(base)) {
  console.error('usage: node tests/browser/login.mjs <broker base URL> [screenshot dir]');
  process.exit(2);
}
const shotDir = process.argv[3] || '';
/** The branding the broker runs with (tests/it/browser.rs), or null for the development defaults. */
const brand = process.env.BK_BRAND ? JSON.parse(process.env.BK_BRAND) : null;

/** One line per axe-checked page, printed at the end. */
const axeReport = [];
/** One line per keyboard-swept page. */
const focusReport = [];
/** Violations found, for the exit code. */
let violationCount = 0;

function log(msg) {
  console.log(msg);
}

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

/** The widths every page is checked at (issue 15 item 7): desktop, and the WCAG 1.4.10 reflow width. */
const WIDTHS = [1280, 320];

/**
 * Run axe-core on the current page at every width of WIDTHS; record (and print) every violation
 * with its nodes; then the keyboard sweep, the reflow check and, with BK_BRAND, the branding.
 */
async function checkA11y(page, name) {
  const size = page.viewportSize();
  await page.addScriptTag({ path: AXE_PATH });
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width === 320 ? 640 : 800 });
    await runAxe(page, `${name} @${width}px`);
  }
  await page.setViewportSize(size);
  const lang = await page.getAttribute('html', 'lang');
  assert(lang === 'de' || lang === 'en', `${name}: <html lang> is set (got ${lang})`);
  await checkFocus(page, name);
  await checkReflow(page, name);
  if (new URL(page.url()).origin === base && !new URL(page.url()).pathname.startsWith('/demo') && !new URL(page.url()).pathname.startsWith('/dev/')) {
    await checkChrome(page, name);
  }
}

/**
 * The page chrome of a broker page (issue 15 items 1, 2): the configured name in the header and
 * the title, the logo loaded from its hashed URL, buttons and links in the primary colour, and the
 * legal links in the footer.
 */
async function checkChrome(page, name) {
  const c = await page.evaluate(() => {
    const img = document.querySelector('header .brand img.logo');
    const button = document.querySelector('main button:not(.secondary), main .button');
    const link = document.querySelector('main a[href]:not(.button)');
    return {
      brand: (document.querySelector('header .brand')?.textContent || '').trim(),
      title: document.title,
      logo: img ? { src: new URL(img.src).pathname, loaded: img.complete && img.naturalWidth > 0, alt: img.getAttribute('alt') } : null,
      button: button ? getComputedStyle(button).backgroundColor : null,
      link: link ? getComputedStyle(link).color : null,
      legal: [...document.querySelectorAll('footer nav a')].map((a) => a.getAttribute('href')),
    };
  });
  if (!brand) return;
  assert(c.brand === brand.name, `${name}: header names "${brand.name}" (got "${c.brand}")`);
  assert(c.title.endsWith(`– ${brand.name}`), `${name}: title ends with the name (got "${c.title}")`);
  assert(c.logo && c.logo.src === brand.logo && c.logo.loaded && c.logo.alt === '', `${name}: logo ${brand.logo} loaded with alt="" (got ${JSON.stringify(c.logo)})`);
  const rgb = `rgb(${parseInt(brand.color.slice(1, 3), 16)}, ${parseInt(brand.color.slice(3, 5), 16)}, ${parseInt(brand.color.slice(5, 7), 16)})`;
  if (c.button) assert(c.button === rgb, `${name}: buttons in ${brand.color} (got ${c.button})`);
  if (c.link) assert(c.link === rgb, `${name}: links in ${brand.color} (got ${c.link})`);
  for (const href of brand.legal) assert(c.legal.includes(href), `${name}: footer links ${href} (has ${c.legal.join(', ')})`);
  brandReport.add(name);
}

/** Pages whose branding was checked. */
const brandReport = new Set();

async function runAxe(page, name) {
  const r = await page.evaluate(
    async (tags) => {
      // eslint-disable-next-line no-undef
      const res = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations', 'incomplete'] });
      const slim = (list) =>
        list.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })) }));
      return { violations: slim(res.violations), incomplete: slim(res.incomplete), passes: res.passes.length };
    },
    AXE_TAGS,
  );
  const lang = await page.getAttribute('html', 'lang');
  axeReport.push(`${name} [lang=${lang}]: ${r.violations.length} violations, ${r.passes} rules passed, ${r.incomplete.length} need review${r.incomplete.length ? ' (' + r.incomplete.map((i) => i.id).join(', ') + ')' : ''}`);
  for (const v of r.violations) {
    violationCount += 1;
    console.error(`AXE VIOLATION on ${name} (${page.url()}): ${v.id} [${v.impact}] ${v.help}`);
    for (const n of v.nodes) console.error(`    ${n.target}: ${n.summary.replace(/\n/g, ' / ')}`);
  }
}

/** Reflow (WCAG 1.4.10): at 320 CSS pixels wide the page needs no horizontal scrolling. */
async function checkReflow(page, name) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.setViewportSize(size);
  assert(wide <= 320, `${name}: no horizontal scrolling at 320px (content is ${wide}px wide)`);
}

/**
 * Keyboard sweep of a page (WCAG 2.1.1, 2.4.3, 2.4.7, 1.4.11): Tab through every stop from the top;
 * the stops must follow document order, each must show a focus outline whose colour has at least
 * 3:1 contrast against the page background, and must be on screen while focused (the skip link
 * is moved into view on focus).
 */
async function checkFocus(page, name) {
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  const stops = [];
  for (let i = 0; i < 60; i += 1) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate((index) => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      el.dataset.bkFocusStop = String(index);
      const cs = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      const rgb = (c) => (c.match(/[\d.]+/g) || []).slice(0, 3).map(Number);
      const lum = ([r8, g8, b8]) => {
        const ch = (v) => { const x = v / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * ch(r8) + 0.7152 * ch(g8) + 0.0722 * ch(b8);
      };
      const bg = rgb(getComputedStyle(document.body).backgroundColor);
      const [l1, l2] = [lum(rgb(cs.outlineColor)), lum(bg)].sort((a, b) => b - a);
      const all = [...document.querySelectorAll('[data-bk-focus-stop]')];
      const prev = all.find((e) => e.dataset.bkFocusStop === String(index - 1));
      return {
        label: `${el.tagName.toLowerCase()} "${(el.textContent || el.value || '').trim().slice(0, 40)}"`,
        outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2,
        contrast: (l1 + 0.05) / (l2 + 0.05),
        onScreen: r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.left < innerWidth,
        after: !prev || !!(prev.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING),
        first: index > 0 && all.find((e) => e.dataset.bkFocusStop === '0') === el,
      };
    }, i);
    if (!f || f.first) break;
    stops.push(f.label);
    assert(f.outline, `${name}: visible focus outline on ${f.label}`);
    assert(f.contrast >= 3, `${name}: focus outline contrast ${f.contrast.toFixed(2)}:1 >= 3:1 on ${f.label}`);
    assert(f.onScreen, `${name}: ${f.label} is on screen while focused`);
    assert(f.after, `${name}: focus order follows the document (${stops.join(' → ')})`);
  }
  assert(stops.length > 0, `${name}: at least one focusable control`);
  focusReport.push(`${name}: ${stops.length} Tab stops in document order, focus visible (>= 3:1); reflows at 320px`);
}

async function screenshot(page, file) {
  if (shotDir) {
    const size = page.viewportSize();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: join(shotDir, file), fullPage: true });
    await page.setViewportSize(size);
    log(`  screenshot ${join(shotDir, file)}`);
  }
}

/** Check the page title (h1) and language, so every step proves where we are. */
async function expectPage(page, name, lang, heading) {
  await page.waitForLoadState('load');
  const h1 = (await page.locator('h1').first().textContent()) || '';
  assert(h1.includes(heading), `${name}: heading "${heading}" expected, got "${h1}" at ${page.url()}`);
  const l = await page.getAttribute('html', 'lang');
  assert(l === lang, `${name}: lang=${lang} expected, got ${l}`);
  log(`  ok ${name} (${lang}): "${h1.trim()}"`);
}

/** The submit button of the choice-page form whose hidden `method` field is `id`. */
function methodButton(page, id) {
  return page.locator(`form:has(input[name="method"][value="${id}"]) button[type="submit"]`);
}

/**
 * Keyboard operability of the choice page: from the top of the page, Tab must go to the skip link,
 * the language switch, then the method buttons in document order; Enter on the development method's
 * button must submit it. Every focused control must show a visible focus indicator (WCAG 2.4.7).
 */
async function chooseDevByKeyboard(page) {
  const methodIds = await page.locator('form input[name="method"]').evaluateAll((els) => els.map((e) => e.value));
  assert(methodIds.includes(DEV_METHOD), `choice page lists the "${DEV_METHOD}" method (has ${methodIds.join(', ')})`);
  // Start from the document, as after loading the page.
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  const focused = async () =>
    page.evaluate(() => {
      const el = document.activeElement;
      const form = el && el.closest('form');
      const method = form && form.querySelector('input[name="method"]');
      const cs = el ? getComputedStyle(el) : null;
      return {
        tag: el ? el.tagName.toLowerCase() : '',
        cls: el ? el.className : '',
        text: el ? (el.textContent || '').trim() : '',
        method: method ? method.value : null,
        outline: cs ? `${cs.outlineStyle} ${cs.outlineWidth}` : '',
      };
    });
  const order = [];
  for (let i = 0; i < 2 + methodIds.length; i += 1) {
    await page.keyboard.press('Tab');
    const f = await focused();
    order.push(f.method ? `button(${f.method})` : `${f.tag}${f.cls ? '.' + f.cls : ''}`);
    assert(f.outline.split(' ')[0] !== 'none' && !f.outline.endsWith(' 0px'), `focus visible on ${order.at(-1)} (outline ${f.outline})`);
    if (f.method === DEV_METHOD) {
      // The first Tab stops are the skip link and the language switch, then the method buttons.
      assert(order[0] === 'a.skip', `first Tab stop is the skip link (order: ${order.join(' → ')})`);
      const firstButton = order.findIndex((o) => o.startsWith('button('));
      assert(firstButton === 2, `first method button is the third Tab stop (order: ${order.join(' → ')})`);
      assert(order.slice(firstButton).every((o, k) => o === `button(${methodIds[k]})`), `method buttons in document order (${order.join(' → ')})`);
      log(`  ok keyboard: Tab order ${order.join(' → ')}; Enter`);
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      return;
    }
  }
  throw new Error(`Tab never reached the "${DEV_METHOD}" method button (order: ${order.join(' → ')})`);
}

/** The development login page: Erika Mustermann, outcome success. */
async function devLogin(page, t) {
  await page.getByLabel(/Erika Mustermann/).check();
  await page.getByLabel(t.success, { exact: true }).check();
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: t.submit }).click()]);
}

const DE = {
  lang: 'de',
  demoTitle: 'Demo-Fachverfahren',
  startButton: 'Anmelden mit Vertrauensniveau substanziell',
  choiceTitle: 'Wie möchten Sie sich anmelden?',
  devTitle: 'Testanmeldung',
  success: 'Erfolgreich angemeldet',
  submit: 'Anmeldung abschließen',
  consentTitle: 'Daten an den Dienst übermitteln?',
  approve: 'Zustimmen und weiter',
  deny: 'Ablehnen',
  resultTitle: 'Angemeldet',
  deniedTitle: 'Anmeldung nicht abgeschlossen',
  deniedText: 'Sie haben die Anmeldung oder die Weitergabe Ihrer Daten abgelehnt.',
  // Texts the consent page must show for Erika Mustermann (issue 15 item 4, German formats); each
  // entry is asserted on the consent page.
  consentShows: ['Mustermann', '12. August 1964'],
};
const EN = {
  lang: 'en',
  demoTitle: 'Demo service',
  startButton: 'Log in with trust level substantial',
  choiceTitle: 'How would you like to log in?',
  devTitle: 'Test login',
  success: 'Login succeeds',
  submit: 'Finish login',
  consentTitle: 'Share your data with the service?',
  approve: 'Agree and continue',
  deny: 'Decline',
  resultTitle: 'Logged in',
  deniedTitle: 'Login not completed',
  deniedText: 'You declined the login or the release of your data.',
  // As DE.consentShows.
  consentShows: ['Mustermann', '12 August 1964'],
};

/** The result page of the demo: decoded ID token and userinfo with the person and the acr. */
async function expectResult(page, t, name) {
  await expectPage(page, name, t.lang, t.resultTitle);
  const text = (await page.locator('main').textContent()) || '';
  assert(text.includes('Mustermann'), `${name}: "Mustermann" is shown`);
  assert(text.includes('Erika'), `${name}: "Erika" is shown`);
  assert(text.includes(ACR_SUBSTANTIAL), `${name}: acr ${ACR_SUBSTANTIAL} is shown`);
  assert((await page.locator('main pre').count()) === 2, `${name}: ID token and userinfo blocks`);
  assert(page.url().startsWith(`${base}/demo/callback?`), `${name}: back at the demo's redirect URI (${page.url()})`);
}

async function newContext(browser, opts = {}) {
  // bypassCSP only lets this test inject axe-core (see the header comment); locale is what the
  // browser would send as Accept-Language — German, the default a person in Germany has.
  return browser.newContext({ bypassCSP: true, locale: 'de-DE', ...opts });
}

async function scenarioApprove(browser, t) {
  const name = `${t.lang}-approve`;
  log(`scenario ${name}`);
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  await page.goto(`${base}/demo`);
  await expectPage(page, 'demo start (de)', 'de', DE.demoTitle);
  if (t.lang === 'de') await checkA11y(page, 'demo start (de)');
  if (t.lang === 'en') {
    // The demo's own language link; the demo then sends ui_locales=en to the broker.
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'English' }).click()]);
    await expectPage(page, 'demo start (en)', 'en', EN.demoTitle);
    await checkA11y(page, 'demo start (en)');
  }
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: t.startButton }).click()]);
  await expectPage(page, `choice (${t.lang})`, t.lang, t.choiceTitle);
  assert(new URL(page.url()).origin === base, 'choice page is on the broker');
  await checkA11y(page, `choice (${t.lang})`);
  await screenshot(page, `choice-${t.lang}.png`);
  if (t.lang === 'de') {
    await chooseDevByKeyboard(page);
  } else {
    await Promise.all([page.waitForNavigation(), methodButton(page, DEV_METHOD).click()]);
  }
  await expectPage(page, `dev login (${t.lang})`, t.lang, t.devTitle);
  await checkA11y(page, `dev login (${t.lang})`);
  await devLogin(page, t);
  await expectPage(page, `consent (${t.lang})`, t.lang, t.consentTitle);
  const consentText = (await page.locator('main').textContent()) || '';
  assert(consentText.includes('Demo-Fachverfahren'), 'consent page names the service');
  assert(consentText.includes('Mustermann'), 'consent page lists the data to be released');
  for (const shown of t.consentShows) assert(consentText.includes(shown), `consent (${t.lang}) shows "${shown}"`);
  await checkA11y(page, `consent (${t.lang})`);
  if (t.lang === 'de') await screenshot(page, 'consent-de.png');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: t.approve }).click()]);
  await expectResult(page, t, `demo result (${t.lang})`);
  await checkA11y(page, `demo result (${t.lang})`);
  await ctx.close();
}

/**
 * The eID login as the README's first command shows it: the demo asks for level high, the choice
 * page offers the online ID card, the development eID simulator (a SAML IdP answering like the
 * eIDAS middleware: signed Response, AES-256-GCM encrypted assertion) posts back to our ACS.
 */
async function scenarioEid(browser) {
  log('scenario eid (development eID simulator, level high)');
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  await page.goto(`${base}/demo`);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Anmelden mit Vertrauensniveau hoch' }).click()]);
  await expectPage(page, 'choice (high)', 'de', DE.choiceTitle);
  await checkA11y(page, 'choice (high)');
  await Promise.all([page.waitForNavigation(), methodButton(page, 'eid').click()]);
  await expectPage(page, 'eID simulator', 'de', 'Online-Ausweis');
  await checkA11y(page, 'eID simulator');
  // The simulator's own language switch (issue 15 item 5): one language per page, then back.
  await Promise.all([page.waitForNavigation(), page.getByRole('navigation', { name: 'Sprache' }).getByRole('link', { name: 'English' }).click()]);
  await expectPage(page, 'eID simulator (en)', 'en', 'Online ID card');
  await checkA11y(page, 'eID simulator (en)');
  await Promise.all([page.waitForNavigation(), page.getByRole('navigation', { name: 'Language' }).getByRole('link', { name: 'Deutsch' }).click()]);
  await expectPage(page, 'eID simulator (switched back)', 'de', 'Online-Ausweis');
  await page.getByLabel(/Erika Mustermann/).check();
  await page.locator('input[name="outcome"][value="success"]').check();
  await Promise.all([page.waitForNavigation(), page.locator('form button[type="submit"]').first().click()]);
  // The HTTP-POST binding's return leg: a form with a visible button (no inline script).
  assert((await page.locator('form input[name="SAMLResponse"]').count()) === 1, 'SAML POST form');
  await checkA11y(page, 'eID simulator return form');
  await Promise.all([page.waitForNavigation(), page.locator('form button[type="submit"]').first().click()]);
  await expectPage(page, 'consent (eID)', 'de', DE.consentTitle);
  const consentText = (await page.locator('main').textContent()) || '';
  assert(consentText.includes('Gabler'), 'consent lists the birth name from the eID');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: DE.approve }).click()]);
  await expectPage(page, 'demo result (eID)', 'de', DE.resultTitle);
  const text = (await page.locator('main').textContent()) || '';
  assert(text.includes('http://eidas.europa.eu/LoA/high'), 'acr high after the eID login');
  assert(text.includes('Mustermann') && text.includes('Heidestraße 17'), 'eID attributes reach the relying party');
  await ctx.close();
}

/** The eID login in `page` up to the simulator's SAML POST form: its fields, not submitted. */
async function eidUpToPostForm(page) {
  await page.goto(`${base}/demo`);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Anmelden mit Vertrauensniveau hoch' }).click()]);
  await Promise.all([page.waitForNavigation(), methodButton(page, 'eid').click()]);
  await page.getByLabel(/Erika Mustermann/).check();
  await page.locator('input[name="outcome"][value="success"]').check();
  await Promise.all([page.waitForNavigation(), page.locator('form button[type="submit"]').first().click()]);
  const action = await page.locator('form').first().getAttribute('action');
  const saml = await page.locator('form input[name="SAMLResponse"]').inputValue();
  const relay = await page.locator('form input[name="RelayState"]').inputValue();
  return { action, saml, relay };
}

/** Issue 9: a Response captured in browser A and submitted from browser B plants nothing in B. */
async function scenarioReplay(browser) {
  log('scenario replay (Response captured in context A, submitted from context B)');
  const attacker = await newContext(browser);
  const a = await attacker.newPage();
  const captured = await eidUpToPostForm(a);
  assert(captured.action === `${base}/saml/acs` && captured.saml && captured.relay, 'captured the SAML POST form');
  const victim = await newContext(browser);
  // The victim has a login of their own running (their own binding cookie).
  const own = await victim.newPage();
  await own.goto(`${base}/demo`);
  await Promise.all([own.waitForNavigation(), own.getByRole('button', { name: 'Anmelden mit Vertrauensniveau hoch' }).click()]);
  await expectPage(own, 'victim choice', 'de', DE.choiceTitle);
  // The attacker's page (another origin: about:blank) posts the captured form.
  const b = await victim.newPage();
  const esc = (v) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  await b.setContent(
    `<!doctype html><html lang="en"><title>innocent</title><form method="post" action="${esc(captured.action)}">` +
      `<input type="hidden" name="SAMLResponse" value="${esc(captured.saml)}">` +
      `<input type="hidden" name="RelayState" value="${esc(captured.relay)}"><button type="submit">win</button></form></html>`,
  );
  await Promise.all([b.waitForNavigation(), b.locator('button').click()]);
  await expectPage(b, 'restart page (victim)', 'de', 'Anmeldung nicht fortgesetzt');
  const text = (await b.locator('main').textContent()) || '';
  assert(text.includes('Bitte starten Sie die Anmeldung bei dem Online-Dienst neu'), 'restart text (de)');
  assert(text.includes('Please start the login at the online service again'), 'restart text (en)');
  assert(!b.url().includes('/demo/callback'), `victim never reaches the callback (${b.url()})`);
  await checkA11y(b, 'restart page');
  const cookies = await victim.cookies();
  assert(!cookies.some((c) => c.name.endsWith('bk_session')), `no session cookie in the victim's browser (${cookies.map((c) => c.name).join(', ')})`);
  // Submitted in A now, the spent Response continues nothing either.
  await Promise.all([a.waitForNavigation(), a.locator('form button[type="submit"]').first().click()]);
  assert(!a.url().includes('/demo/callback'), `the attacker's login is spent (${a.url()})`);
  const aCookies = await attacker.cookies();
  assert(!aCookies.some((c) => c.name.endsWith('bk_session')), 'no session cookie in A either');
  log('  ok replay refused; no session cookie in either browser');
  await attacker.close();
  await victim.close();
}

/** Two logins in two tabs of one browser, finished in reverse order: both complete. */
async function scenarioTabs(browser) {
  log('scenario tabs (two logins in parallel tabs of one browser)');
  const ctx = await newContext(browser);
  const tabs = [await ctx.newPage(), await ctx.newPage()];
  for (const page of tabs) {
    await page.goto(`${base}/demo`);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: DE.startButton }).click()]);
    await Promise.all([page.waitForNavigation(), methodButton(page, DEV_METHOD).click()]);
    await expectPage(page, 'dev login (tab)', 'de', DE.devTitle);
  }
  for (const page of [...tabs].reverse()) {
    await devLogin(page, DE);
    if ((await page.locator('h1').first().textContent()).includes(DE.consentTitle)) {
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: DE.approve }).click()]);
    }
    await expectResult(page, DE, 'demo result (tab)');
  }
  await ctx.close();
}

/** Cancelled at the upstream: the broker explains it, and the way back tells the service. */
async function scenarioCancel(browser) {
  log('scenario cancel (upstream cancelled → explanation page → back to the service)');
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  await page.goto(`${base}/demo`);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: DE.startButton }).click()]);
  await Promise.all([page.waitForNavigation(), methodButton(page, DEV_METHOD).click()]);
  await page.locator('input[name="outcome"][value="cancelled"]').check();
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: DE.submit }).click()]);
  await expectPage(page, 'upstream cancelled', 'de', 'Anmeldung abgebrochen');
  await checkA11y(page, 'upstream cancelled');
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Zurück zum Dienst' }).click()]);
  await expectPage(page, 'demo access_denied after cancel', 'de', DE.deniedTitle);
  await ctx.close();
}

async function scenarioSwitchDeny(browser) {
  log('scenario switch-deny');
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  await page.goto(`${base}/demo`);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: DE.startButton }).click()]);
  await expectPage(page, 'choice (de)', 'de', DE.choiceTitle);
  // The broker's language switch in the page header.
  await Promise.all([page.waitForNavigation(), page.getByRole('navigation').getByRole('link', { name: 'English' }).click()]);
  await expectPage(page, 'choice after switch (en)', 'en', EN.choiceTitle);
  await checkA11y(page, 'choice after switch (en)');
  await Promise.all([page.waitForNavigation(), methodButton(page, DEV_METHOD).click()]);
  await expectPage(page, 'dev login after switch (en)', 'en', EN.devTitle);
  await devLogin(page, EN);
  await expectPage(page, 'consent after switch (en)', 'en', EN.consentTitle);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: EN.deny }).click()]);
  // The demo remembers the language the login started in (German); both are readable pages.
  const url = new URL(page.url());
  assert(url.pathname === '/demo/callback' && url.searchParams.get('error') === 'access_denied', `deny → access_denied at the demo (${page.url()})`);
  const text = (await page.locator('main').textContent()) || '';
  assert(text.includes(DE.deniedText), `denied page explains the refusal (${text})`);
  assert(text.includes('access_denied'), 'denied page shows the error code');
  await expectPage(page, 'demo access_denied (de)', 'de', DE.deniedTitle);
  await checkA11y(page, 'demo access_denied (de)');
  await ctx.close();
}

async function scenarioNoJs(browser) {
  log('scenario no-js (JavaScript disabled, CSP enforced)');
  const ctx = await browser.newContext({ javaScriptEnabled: false, bypassCSP: false, locale: 'de-DE' });
  const page = await ctx.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  const res = await page.goto(`${base}/demo`);
  assert(/default-src 'none'/.test(res.headers()['content-security-policy'] || ''), 'the CSP header is sent');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: DE.startButton }).click()]);
  await expectPage(page, 'choice (no-js)', 'de', DE.choiceTitle);
  await Promise.all([page.waitForNavigation(), methodButton(page, DEV_METHOD).click()]);
  await expectPage(page, 'dev login (no-js)', 'de', DE.devTitle);
  await devLogin(page, DE);
  await expectPage(page, 'consent (no-js)', 'de', DE.consentTitle);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: DE.approve }).click()]);
  await expectResult(page, DE, 'demo result (no-js)');
  assert(problems.length === 0, `no console errors / CSP violations: ${problems.join(' | ')}`);
  log('  ok no console errors, no CSP violations');
  await ctx.close();
}

async function scenarioErrors(browser) {
  log('scenario errors');
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  for (const [lang, query, heading] of [
    ['de', 'client_id=unknown', null],
    ['en', 'client_id=unknown&ui_locales=en', null],
  ]) {
    const res = await page.goto(`${base}/authorize?${query}`);
    assert(res.status() >= 400 && res.status() < 500, `error page status 4xx (got ${res.status()})`);
    const l = await page.getAttribute('html', 'lang');
    assert(l === lang, `error page lang=${lang} (got ${l})`);
    const text = (await page.locator('main').textContent()) || '';
    assert(!/panic|backtrace|src\/|\.rs:/.test(text), 'no internal detail on the error page');
    const h1 = (await page.locator('h1').textContent()) || heading || '';
    log(`  ok error page (${lang}) ${res.status()}: "${h1.trim()}"`);
    await checkA11y(page, `error page (${lang})`);
  }
  await ctx.close();
}

/**
 * The checker itself must work: on a page with known faults (no lang, an image without alt, a
 * button without a name, light-grey text) axe has to report exactly those rules. Otherwise "zero
 * violations" elsewhere would prove nothing (e.g. a wrong tag list or axe failing to load).
 */
async function axeSelfTest(browser) {
  log('axe self-test');
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  await page.setContent('<!doctype html><html><head><title>x</title></head><body><main><img src="data:,">' +
    '<button></button><p style="color:#bbb;background:#fff">faint</p></main></body></html>');
  await page.addScriptTag({ path: AXE_PATH });
  const ids = await page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const res = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return res.violations.map((v) => v.id).sort();
  }, AXE_TAGS);
  for (const id of ['button-name', 'color-contrast', 'html-has-lang', 'image-alt']) {
    assert(ids.includes(id), `axe self-test: ${id} detected (got ${ids.join(', ')})`);
  }
  log(`  ok axe detects ${ids.join(', ')} on a faulty page`);
  await ctx.close();
}

async function scenarioLogout(browser) {
  log('scenario logout');
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  const t = DE;
  await page.goto(`${base}/demo`);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: t.startButton }).click()]);
  await Promise.all([page.waitForNavigation(), methodButton(page, DEV_METHOD).click()]);
  await devLogin(page, t);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: t.approve }).click()]);
  await expectResult(page, t, 'demo result (logout scenario)');
  await page.goto(`${base}/session`);
  // The texts name the service as configured ([branding] name; `{name}` in src/web/i18n.rs).
  await expectPage(page, 'session (de)', 'de', `Ihre Anmeldung bei ${brand ? brand.name : ''}`);
  assert(((await page.locator('main').textContent()) || '').includes('Demo-Fachverfahren'), '/session lists the demo');
  await checkA11y(page, 'session (de)');
  await page.goto(`${base}/session?lang=en`);
  await expectPage(page, 'session (en)', 'en', brand ? `Your ${brand.name} login` : 'login');
  await checkA11y(page, 'session (en)');
  // The switch above set the language cookie: without ui_locales the page stays English; a
  // relying party's ui_locales beats the cookie (issue 15 item 5).
  await page.goto(`${base}/logout?client_id=demo`);
  await expectPage(page, 'logout confirmation (en, language cookie)', 'en', 'Log out?');
  await page.goto(`${base}/logout?client_id=demo&ui_locales=de`);
  await expectPage(page, 'logout confirmation (de)', 'de', 'Abmelden?');
  await checkA11y(page, 'logout confirmation (de)');
  await page.goto(`${base}/logout?client_id=demo&ui_locales=en`);
  await expectPage(page, 'logout confirmation (en)', 'en', 'Log out?');
  await checkA11y(page, 'logout confirmation (en)');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Yes, log out' }).click()]);
  await expectPage(page, 'logged out (en)', 'en', 'You are logged out');
  await checkA11y(page, 'logged out (en)');
  await page.goto(`${base}/session?lang=de`);
  await expectPage(page, 'session after logout (de)', 'de', 'Sie sind nicht angemeldet');
  await checkA11y(page, 'session after logout (de)');
  await ctx.close();
}

/**
 * Issue 15 items 1–3: the site's own pages in both languages — start page, the login in Leichte
 * Sprache / plain language, the 404 page — each through checkA11y (axe at 1280 and 320 px, keyboard,
 * reflow, branding). Then the pages no login scenario reaches in the other language.
 */
async function scenarioSite(browser) {
  log('scenario site (start page, Leichte Sprache, 404; de and en)');
  for (const [lang, locale] of [['de', 'de-DE'], ['en', 'en-GB']]) {
    const ctx = await newContext(browser, { locale });
    const page = await ctx.newPage();
    const de = lang === 'de';
    let res = await page.goto(`${base}/`);
    assert(res.status() === 200, `start page 200 (got ${res.status()})`);
    await expectPage(page, `start (${lang})`, lang, de ? 'Anmeldung für Online-Dienste' : 'login for online services');
    await checkA11y(page, `start (${lang})`);
    await screenshot(page, `start-${lang}.png`);
    await Promise.all([page.waitForNavigation(), page.getByRole('main').getByRole('link', { name: de ? 'Anmelden – in Leichter Sprache' : 'Logging in – in plain language' }).click()]);
    await expectPage(page, `easy language (${lang})`, lang, de ? 'Anmelden – in Leichter Sprache' : 'Logging in – in plain language');
    await checkA11y(page, `easy language (${lang})`);
    if (de) await screenshot(page, 'leichte-sprache-de.png');
    res = await page.goto(`${base}/no/such/page`);
    assert(res.status() === 404, `unknown path → 404 (got ${res.status()})`);
    await expectPage(page, `404 (${lang})`, lang, de ? 'Seite nicht gefunden' : 'Page not found');
    const text = (await page.locator('main').textContent()) || '';
    assert(!/panic|backtrace|src\/|\.rs:/.test(text), '404: no internal detail');
    await checkA11y(page, `404 (${lang})`);
    if (!de) await screenshot(page, 'not-found-en.png');
    // The switch on the 404 page keeps the path and flips the language.
    await Promise.all([page.waitForNavigation(), page.getByRole('navigation', { name: de ? 'Sprache' : 'Language' }).getByRole('link').click()]);
    await expectPage(page, `404 switched (${lang})`, de ? 'en' : 'de', de ? 'Page not found' : 'Seite nicht gefunden');
    await ctx.close();
  }
  // The upstream-cancelled page in English and the logged-out page in German (the other languages
  // are reached by the cancel and logout scenarios).
  const ctx = await newContext(browser, { locale: 'en-GB' });
  const page = await ctx.newPage();
  await page.goto(`${base}/demo?lang=en`);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: EN.startButton }).click()]);
  await Promise.all([page.waitForNavigation(), methodButton(page, DEV_METHOD).click()]);
  await page.locator('input[name="outcome"][value="cancelled"]').check();
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: EN.submit }).click()]);
  await expectPage(page, 'upstream cancelled (en)', 'en', 'Login cancelled');
  await checkA11y(page, 'upstream cancelled (en)');
  await page.goto(`${base}/logout?client_id=demo&ui_locales=de`);
  await expectPage(page, 'logged out, nobody logged in (de)', 'de', 'Sie sind nicht angemeldet');
  await checkA11y(page, 'logged out, nobody logged in (de)');
  await ctx.close();
}

async function main() {
  // Playwright gives every launch a fresh temporary profile (--user-data-dir) and removes it at close;
  // it refuses a --user-data-dir argument for launch(). HOME/XDG dirs point at a private temp dir so
  // Chromium writes nothing to the user's real profile locations either.
  const home = mkdtempSync(join(tmpdir(), 'bk-browser-'));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache') },
  });
  try {
    log(`chromium ${browser.version()} against ${base}`);
    await axeSelfTest(browser);
    await scenarioApprove(browser, DE);
    await scenarioApprove(browser, EN);
    await scenarioEid(browser);
    await scenarioCancel(browser);
    await scenarioSwitchDeny(browser);
    await scenarioNoJs(browser);
    await scenarioErrors(browser);
    await scenarioReplay(browser);
    await scenarioTabs(browser);
    await scenarioLogout(browser);
    await scenarioSite(browser);
  } finally {
    await browser.close();
    rmSync(home, { recursive: true, force: true });
  }
  log('axe-core (tags ' + AXE_TAGS.join(', ') + '):');
  for (const line of axeReport) log(`  ${line}`);
  log('keyboard:');
  for (const line of focusReport) log(`  ${line}`);
  if (brand) {
    log(`branding "${brand.name}" (logo ${brand.logo}, colour ${brand.color}, ${brand.legal.length} legal links) checked on ${brandReport.size} pages:`);
    log(`  ${[...brandReport].join('; ')}`);
    assert(brandReport.size >= 10, 'the branding was checked on the broker pages');
  }
  if (violationCount > 0) {
    console.error(`${violationCount} axe-core violation(s)`);
    process.exit(1);
  }
  log(`browser test passed: ${axeReport.length} pages checked with axe-core, 0 violations`);
}

main().catch((e) => {
  console.error(`browser test FAILED: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});

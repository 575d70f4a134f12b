// check_report.cjs -- the browser check of the HTML report (make check-report): opens it
// in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) at 1280
// and 390 pixels wide, takes a screenshot at each width (the window, and each section on
// its own), and fails on console errors,
// failed requests, zero-sized drawings, a page wider than the window (a table must
// scroll inside its own box), links to places the file does not have, or links out of
// the file.
//   NODE_PATH=build/check/node_modules node tools/check_report.cjs REPORT.html OUTDIR
'use strict';
const { chromium } = require('playwright-core');
const path = require('node:path');

(async () => {

const [file, outdir] = process.argv.slice(2);
if (!file || !outdir) {
  console.error('usage: node tools/check_report.cjs REPORT.html OUTDIR');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
const failures = [];
for (const width of [1280, 390]) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('requestfailed', (r) => errors.push('request failed: ' + r.url()));
  await page.goto('file://' + path.resolve(file), { waitUntil: 'load' });
  const found = await page.evaluate(() => {
    const out = [];
    for (const s of document.querySelectorAll('svg')) {
      const b = s.getBoundingClientRect();
      if (b.width < 1 || b.height < 1) out.push('zero-sized drawing: ' + (s.getAttribute('aria-label') || '?'));
    }
    const w = document.documentElement.scrollWidth;
    if (w > window.innerWidth + 1) out.push(`the page is wider than the window: ${w} > ${window.innerWidth}`);
    for (const a of document.querySelectorAll('a[href]')) {
      const h = a.getAttribute('href');
      if (!h.startsWith('#')) out.push('a link out of the file: ' + h);
      else if (!document.getElementById(decodeURIComponent(h.slice(1)))) out.push('a dead link: ' + h);
    }
    for (const img of document.querySelectorAll('img')) if (!img.getAttribute('alt')) out.push('an image without alt text');
    if (!document.querySelector('h1')) out.push('no h1');
    return out;
  });
  await page.screenshot({ path: path.join(outdir, `report-${width}.png`) });
  // each section too (its first 2,400 pixels), for a person to look at
  const boxes = await page.evaluate(() => Array.from(document.querySelectorAll('section[id]'), (s) => {
    const b = s.getBoundingClientRect();
    return { id: s.id, x: b.left + window.scrollX, y: b.top + window.scrollY, w: b.width, h: b.height };
  }));
  for (const b of boxes) {
    if (b.w < 1 || b.h < 1) continue;
    await page.screenshot({ path: path.join(outdir, `report-${width}-${b.id}.png`), fullPage: true,
      clip: { x: Math.max(0, b.x - 8), y: Math.max(0, b.y - 8), width: Math.min(width, b.w + 16), height: Math.min(2400, b.h + 16) } });
  }
  for (const e of errors) failures.push(`${width} px: console: ${e}`);
  for (const e of found) failures.push(`${width} px: ${e}`);
  await page.close();
}
await browser.close();
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log(`report ok at 1280 and 390 pixels wide; screenshots in ${outdir}`);
})().catch((e) => {
  console.error(String(e && e.stack || e));
  process.exit(1);
});

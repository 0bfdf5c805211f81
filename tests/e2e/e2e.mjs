// End-to-end test in headless Chromium (Debian's package, driven by playwright-core):
// log in, open the dashboard, import a students file with a bad row and see the row error,
// fix it, import, find the student. Starts its own `eduq demo` on a free port.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'web-assets', 'package.json'));
const { chromium } = require('playwright-core');

let passed = 0, failed = 0;
async function step(name, fn) {
  try { await fn(); passed++; console.log(`ok - ${name}`); }
  catch (e) { failed++; console.log(`not ok - ${name}\n  ${e && e.stack || e}`); throw e; }
}
function assert(c, m) { if (!c) throw new Error(m); }

function freePort() {
  return new Promise((res) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
}

// A valid 身份证号 (GB 11643-1999 check character) for a synthetic girl born 2018-03-15.
function idCard(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const c = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
  let s = 0; for (let i = 0; i < 17; i++) s += Number(first17[i]) * w[i];
  return first17 + c[s % 11];
}

const port = await freePort();
const dir = mkdtempSync(join(tmpdir(), 'eduq-e2e-'));
const bin = join(process.env.CARGO_TARGET_DIR || join(root, 'target'), 'debug', 'eduq');
const server = spawn(bin, ['demo', '--students', '3000', '--listen', `127.0.0.1:${port}`, '--data-dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
server.stdout.on('data', () => {});
const base = `http://127.0.0.1:${port}`;
let browser;
try {
  for (let i = 0; i < 240; i++) {
    try { const r = await fetch(`${base}/healthz`); if (r.ok) break; } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage();
  // A demo user signed in on a page of its own browser context.
  const login = async (ctx, user) => {
    const p = await ctx.newPage();
    await p.goto(`${base}/login`);
    await p.fill('input[name=username]', user);
    await p.fill('input[name=password]', 'Demo@2026');
    await p.click('button[type=submit]');
    await p.waitForURL(`${base}/`);
    return p;
  };

  await step('log in and see the dashboard', async () => {
    await page.goto(`${base}/students`);
    assert(page.url().endsWith('/login'), `expected redirect to /login, got ${page.url()}`);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'Demo@2026');
    await page.click('button[type=submit]');
    await page.waitForSelector('#stat-students');
    const n = Number(await page.textContent('#stat-students'));
    assert(n > 2000, `students on the dashboard: ${n}`);
    await page.waitForSelector('canvas', { timeout: 10000 });
    await page.screenshot({ path: join(dir, 'dashboard.png') });
  });

  const id = idCard('11010520180315002');
  const header = '学年,学期,学校标识码,年级,班号,全国学籍号,姓名,性别,出生日期\n';
  const bad = join(dir, 'bad.csv'), good = join(dir, 'good.csv');
  writeFileSync(bad, header + `2026-2027,第一学期,3199000009,三年级,1,G${id},测试新生甲,女,2018-02-30\n`);
  writeFileSync(good, header + `2026-2027,第一学期,3199000009,三年级,1,G${id},测试新生甲,女,2018-03-15\n`);

  await step('a bad row is reported with row, column and value', async () => {
    await page.goto(`${base}/imports`);
    await page.selectOption('#kind', 'students');
    await page.setInputFiles('#file', bad);
    await page.click('#preview-btn');
    await page.waitForSelector('.row-error');
    const text = await page.textContent('.row-error');
    assert(text.includes('第2行「出生日期」的值“2018-02-30”不是有效日期'), `row error: ${text}`);
  });

  await step('the fixed file imports and the student is found', async () => {
    await page.setInputFiles('#file', good);
    await page.click('#preview-btn');
    await page.waitForSelector('#apply-btn');
    await page.click('#apply-btn');
    await page.waitForSelector('#import-done', { timeout: 30000 });
    await page.goto(`${base}/students?q=${encodeURIComponent('测试新生甲')}`);
    const total = await page.textContent('#total');
    assert(total.trim() === '1', `found ${total}`);
    assert((await page.content()).includes(`G${id}`), 'student number listed');
    await page.screenshot({ path: join(dir, 'students.png') });
  });

  await step('the 优质均衡 board recomputes a what-if in place', async () => {
    await page.goto(`${base}/balance?stage=primary`);
    await page.waitForSelector('#balance-results table.heat');
    await page.waitForFunction(() => document.querySelectorAll('.gauges .chart canvas').length === 7);
    await page.click('#what-if summary');
    await page.fill('#what-if input[name=a6]', '40');
    await page.click('#what-if button[type=submit]');
    await page.waitForSelector('#balance-results .notice', { timeout: 10000 });
    const note = await page.textContent('#balance-results .notice');
    assert(note.includes('网络多媒体教室数+40') && note.includes('未保存'), `what-if note: ${note}`);
    assert(page.url().includes('/balance'), 'no navigation: htmx swapped the results');
    await page.screenshot({ path: join(dir, 'balance.png'), fullPage: true });
  });

  await step('政府保障程度: 360学时 comes from the records; the bureau enters a figure and its check turns', async () => {
    await page.goto(`${base}/balance/guarantee`);
    await page.waitForSelector('#guarantee-items');
    const summary = await page.textContent('#guarantee-summary');
    assert(summary.includes('15项中'), `summary: ${summary}`);
    // 360学时 comes from the platform's training records: nothing to enter.
    const training = page.locator('#guarantee-items tr', { hasText: '5年360学时培训完成率' }).first();
    assert((await training.textContent()).includes('eduq培训学时记录'), 'item 9 from the records');
    assert((await training.locator('input[name=value]').count()) === 0, 'no figure asked for item 9');
    const row = page.locator('#guarantee-items tr', { hasText: '镇区就近划片入学比例' }).first();
    assert((await row.textContent()).includes('97.3'), 'the demo entered 97.3 %');
    await row.locator('input[name=value]').fill('93');
    await row.locator('input[name=source]').fill('县教育局招生工作总结');
    await row.locator('button[type=submit]').click();
    await page.waitForSelector('#guarantee-summary .notice');
    assert((await page.textContent('#guarantee-summary .notice')).includes('已保存'), 'saved');
    const after = page.locator('#guarantee-items tr', { hasText: '镇区就近划片入学比例' }).first();
    assert((await after.locator('td.verdict').textContent()).trim() === '未达到', 'the item falls short now');
    await page.screenshot({ path: join(dir, 'guarantee.png'), fullPage: true });
  });

  await step('the plan dashboard draws each target with its trend, and the A4 report lists them', async () => {
    await page.goto(`${base}/`);
    await page.waitForSelector('#plan-cards .target-card');
    const cards = await page.locator('#plan-cards .target-card').count();
    await page.waitForFunction((n) => document.querySelectorAll('#plan-cards .chart.spark canvas').length === n, cards);
    const myopia = await page.textContent('#plan-cards .target-card[data-key=myopia_rate]');
    assert(myopia.includes('每年降低1个百分点') && /进度|已达成/.test(myopia), `myopia card: ${myopia}`);
    await page.screenshot({ path: join(dir, 'home.png'), fullPage: true });
    await page.goto(`${base}/report`);
    await page.waitForSelector('.report .gauges canvas');
    const text = await page.textContent('.report');
    assert(text.includes('计划目标进度') && text.includes('近视率') && text.includes('差异系数') && text.includes('政府保障程度'), 'report sections');
    await page.pdf({ path: join(dir, 'report.pdf'), format: 'A4' });
  });

  await step('the public lottery verifier recomputes a draw in the browser', async () => {
    const lot = join(dir, 'lottery');
    execFileSync(bin, ['sample', 'lottery', '--applicants', '2000', '--schools', '8', '--out', join(lot, 'in')]);
    execFileSync(bin, ['lottery', 'draw', '--lottery-id', 'e2e-2026', '--applicants', join(lot, 'in', 'applicants.csv'),
      '--schools', join(lot, 'in', 'schools.csv'), '--priorities', join(lot, 'in', 'priorities.csv'),
      '--entropy', 'beacon:123', '--entropy', '现场:0815', '--out', join(lot, 'out')]);
    const names = ['manifest.json', 'applicants.csv', 'schools.csv', 'priorities.csv', 'result.csv', 'order.csv'];
    const fresh = await browser.newPage(); // no session: the verifier is public
    await fresh.goto(`${base}/lottery/verify`);
    await fresh.setInputFiles('#files', names.map((n) => join(lot, 'out', n)));
    await fresh.waitForFunction(() => document.querySelector('#verdict').textContent.startsWith('一致') ||
      document.querySelector('#verdict').textContent.startsWith('不一致') || document.querySelector('#verdict').textContent.startsWith('无法'), null, { timeout: 60000 });
    const ok = await fresh.textContent('#verdict');
    assert(ok.startsWith('一致'), `verdict: ${ok} ${await fresh.textContent('#details')}`);
    // A forged admission is found and named.
    const forged = join(lot, 'forged'); mkdirSync(forged);
    for (const n of names) copyFileSync(join(lot, 'out', n), join(forged, n));
    const lines = readFileSync(join(forged, 'result.csv'), 'utf8').split('\n');
    const i = lines.findIndex((l, k) => k > 0 && l.endsWith(','));
    lines[i] = lines[i] + 'S0001';
    writeFileSync(join(forged, 'result.csv'), lines.join('\n'));
    await fresh.setInputFiles('#files', names.map((n) => join(forged, n)));
    await fresh.waitForFunction(() => document.querySelector('#verdict').textContent.startsWith('不一致'), null, { timeout: 60000 });
    const details = await fresh.textContent('#details');
    assert(details.includes(`result.csv 第${i + 1}行公布为`), `details: ${details}`);
    await fresh.screenshot({ path: join(dir, 'verifier.png'), fullPage: true });
    await fresh.close();
  });

  await step('a 控辍保学 case: the board, the case file, a 劝返 attempt logged', async () => {
    await page.goto(`${base}/cases`);
    await page.waitForSelector('#case-board');
    await page.locator('#case-tabs a', { hasText: '台账' }).click();
    await page.waitForSelector('#case-list');
    const open = page.locator('#case-list tr', { hasText: '劝返中' }).first().locator('a').first();
    await open.click();
    await page.waitForSelector('#case-events');
    const before = await page.locator('#case-events tr').count();
    await page.selectOption('#attempt select[name=party]', 'head_teacher');
    await page.fill('#attempt input[name=note]', '浏览器测试：电话联系家长');
    await page.click('#attempt button[type=submit]');
    await page.waitForSelector('#case-events');
    const after = await page.locator('#case-events tr').count();
    assert(after === before + 1, `events ${before} -> ${after}`);
    assert((await page.textContent('#case-events')).includes('浏览器测试：电话联系家长'), 'the attempt is listed');
    await page.screenshot({ path: join(dir, 'case.png'), fullPage: true });
  });

  await step('an exam paper report draws its charts, and value-added links two exams', async () => {
    await page.goto(`${base}/exams`);
    await page.waitForSelector('#exam-list');
    await page.locator('#exam-list a', { hasText: '八年级期中' }).first().click();
    await page.locator('a', { hasText: '质量分析' }).nth(1).click();
    await page.waitForSelector('#paper-items');
    await page.waitForFunction(() => document.querySelectorAll('.chart canvas').length >= 4);
    assert((await page.textContent('#paper-items')).includes('疑似答案错误'), 'the wrong key is flagged');
    // #25.1: every 四率 on the page is a percentage (the district's was 922.5 % once).
    const rates = (await page.$$eval('#paper-summary tr', (rows) => rows.slice(1).flatMap((r) => Array.from(r.children).slice(9, 13).map((c) => parseFloat(c.textContent)))))
      .filter((x) => !Number.isNaN(x));
    assert(rates.length >= 8 && rates.every((x) => x >= 0 && x <= 100), `四率: ${rates}`);
    await page.screenshot({ path: join(dir, 'paper.png'), fullPage: true });
    await page.goBack();
    const entry = page.locator('select[name=entry] option', { hasText: '第二学期七年级期末' }).filter({ hasText: '数学' }).first();
    await page.selectOption('select[name=entry]', await entry.getAttribute('value'));
    const exit = page.locator('select[name=exit] option', { hasText: '数学' }).first();
    await page.selectOption('select[name=exit]', await exit.getAttribute('value'));
    await page.check('input[name=slope]');
    await page.check('input[name=sex]');
    await page.click('form[action="/exams/va"] button[type=submit]');
    await page.waitForSelector('#va-effects');
    const model = await page.textContent('body');
    assert(model.includes('斜率方差') && model.includes('女生'), 'the random slope and sex in the model: ' + (await page.locator('p.notice').allTextContents()).join(' '));
    await page.waitForFunction(() => document.querySelectorAll('.chart canvas').length >= 1);
    const rows = await page.locator('#va-effects tr').count();
    assert(rows > 3, `schools with an effect: ${rows - 1}`);
    await page.screenshot({ path: join(dir, 'va.png'), fullPage: true });
  });

  await step('the demo lottery published by the platform verifies in the browser', async () => {
    const now = new Date();
    const start = now.getMonth() + 1 >= 8 ? now.getFullYear() : now.getFullYear() - 1;
    const key = `${start + 1}-demo-xiaoxue`;
    const fresh = await browser.newPage(); // the public page needs no login
    await fresh.goto(`${base}/lottery/${key}`);
    const digest = (await fresh.textContent('#digest')).trim();
    assert(/^[0-9a-f]{64}$/.test(digest), `digest on the public page: ${digest}`);
    const names = ['manifest.json', 'applicants.csv', 'schools.csv', 'priorities.csv', 'result.csv', 'order.csv'];
    const pub = join(dir, 'published'); mkdirSync(pub);
    for (const n of names) {
      const r = await fetch(`${base}/lottery/${key}/files/${n}`);
      assert(r.ok, `${n}: ${r.status}`);
      writeFileSync(join(pub, n), Buffer.from(await r.arrayBuffer()));
    }
    await fresh.goto(`${base}/lottery/verify`);
    await fresh.setInputFiles('#files', names.map((n) => join(pub, n)));
    await fresh.waitForFunction(() => /^(一致|不一致|无法)/.test(document.querySelector('#verdict').textContent), null, { timeout: 60000 });
    const verdict = await fresh.textContent('#verdict');
    assert(verdict.startsWith('一致'), `verdict: ${verdict} ${await fresh.textContent('#details')}`);
    await fresh.close();
  });
  await step('a class teacher takes the roll on a 390 px phone: no sideways scrolling, the date reloads the list, save in reach', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const phone = await ctx.newPage();
    const fits = () => phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    await phone.goto(`${base}/login`);
    await phone.fill('input[name=username]', 'teacher');
    await phone.fill('input[name=password]', 'Demo@2026');
    await phone.click('button[type=submit]');
    await phone.waitForURL(`${base}/`);
    assert(await fits(), 'the home page fits 390 px');
    const header = await phone.locator('header').boundingBox();
    assert(header.height <= 80, `the header is short on a phone: ${header.height}px`);
    await phone.goto(`${base}/attendance`);
    assert(await fits(), 'the board fits 390 px');
    const link = await phone.locator('a.roll-link').first().boundingBox();
    assert(link && link.x + link.width <= 390, 'the 点名 link is on screen');
    await phone.locator('a.roll-link').first().click();
    await phone.waitForSelector('#roll-save');
    assert(await fits(), 'the roll fits 390 px');
    // Another day: the page reloads with that day's list, and the save carries it.
    const shown = await phone.inputValue('#roll-day input[name=date]');
    const d = new Date(shown + 'T12:00:00Z');
    do { d.setUTCDate(d.getUTCDate() - 1); } while (d.getUTCDay() === 0 || d.getUTCDay() === 6);
    const prev = d.toISOString().slice(0, 10);
    await Promise.all([phone.waitForURL(new RegExp(`date=${prev}`)), phone.fill('#roll-day input[name=date]', prev)]);
    assert((await phone.inputValue('input[name=day]')) === prev, 'the list loaded is the day chosen');
    const save = await phone.locator('#roll-save').boundingBox();
    assert(save.y + save.height <= 844 + 1, `保存 is pinned in reach: ${save.y}`);
    await phone.click('#roll-save');
    await phone.waitForSelector('#roll-message, #roll-error');
    const msg = await phone.textContent('#roll-message, #roll-error');
    assert(msg.includes(prev) || msg.includes('教学日'), `saved for the day shown: ${msg}`);
    await phone.screenshot({ path: join(dir, 'phone-roll.png'), fullPage: false });
    await ctx.close();
  });
  await step('the A4 report and the 优质均衡 board print every column within the page', async () => {
    const a4 = await browser.newPage({ viewport: { width: 718, height: 1000 } }); // 210 mm − margins at 96 dpi
    await a4.goto(`${base}/login`);
    await a4.fill('input[name=username]', 'admin');
    await a4.fill('input[name=password]', 'Demo@2026');
    await a4.click('button[type=submit]');
    await a4.waitForURL(`${base}/`);
    await a4.emulateMedia({ media: 'print' });
    for (const path of ['/report', '/balance', '/balance/guarantee', '/balance/self-report']) {
      await a4.goto(`${base}${path}`);
      const over = await a4.evaluate(() => [...document.querySelectorAll('table')]
        .filter((t) => t.offsetParent !== null && t.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map((t) => (t.querySelector('tr') || t).textContent.slice(0, 60)));
      assert(over.length === 0, `${path}: tables past the A4 width: ${over.join(' | ')}`);
      await a4.screenshot({ path: join(dir, `print${path.replaceAll('/', '-')}.png`), fullPage: true });
    }
    await a4.close();
  });
  await step('the A4 PDF (Chromium) of /report and /balance carries every column of its tables', async () => {
    const a4 = await browser.newPage();
    await a4.goto(`${base}/login`);
    await a4.fill('input[name=username]', 'admin');
    await a4.fill('input[name=password]', 'Demo@2026');
    await a4.click('button[type=submit]');
    await a4.waitForURL(`${base}/`);
    for (const path of ['/report', '/balance', '/balance/self-report']) {
      await a4.goto(`${base}${path}`);
      // Each visible table's headers, by their first words (a wrapped header breaks after them).
      const heads = await a4.$$eval('table th', (ths) => ths.filter((t) => t.offsetParent !== null)
        .map((t) => (t.childNodes[0] && t.childNodes[0].textContent || '').trim().slice(0, 4)).filter((h) => h.length > 0));
      const file = join(dir, `a4${path.replaceAll('/', '-')}.pdf`);
      await a4.pdf({ path: file, format: 'A4', printBackground: true });
      // pdftotext cannot map the glyph of 学 in the CJK font Chromium embeds (it reads as a
      // space), so 学 is left out of the comparison on both sides.
      const norm = (x) => x.replace(/[\s学]+/g, '');
      const text = norm(execFileSync('pdftotext', [file, '-']).toString());
      // A header wrapped one character a line in a narrow column is read by pdftotext across its
      // neighbour (达标项 beside 结论 reads 达结标论项): its characters are looked for in order,
      // each within a few characters of the one before.
      const carried = (h) => {
        const cs = [...norm(h)];
        for (let at = text.indexOf(cs[0]); at >= 0; at = text.indexOf(cs[0], at + 1)) {
          let pos = at, ok = true;
          for (const c of cs.slice(1)) {
            const next = text.indexOf(c, pos + 1);
            if (next < 0 || next - pos > 4) { ok = false; break; }
            pos = next;
          }
          if (ok) return true;
        }
        return false;
      };
      const missing = [...new Set(heads)].filter((h) => !carried(h));
      assert(heads.length > 10 && missing.length === 0, `${path}: columns missing from the PDF: ${missing.join('、')}`);
    }
    await a4.close();
  });
  await step('each role sees its own scope with its labels; 科室 are told what they may import', async () => {
    const as = async (user) => {
      const ctx = await browser.newContext();
      const p = await ctx.newPage();
      await p.goto(`${base}/login`);
      await p.fill('input[name=username]', user);
      await p.fill('input[name=password]', 'Demo@2026');
      await p.click('button[type=submit]');
      await p.waitForURL(`${base}/`);
      return [ctx, p];
    };
    let [ctx, p] = await as('principal');
    const school = await p.textContent('h1');
    assert(/(小学|中学|学校)/.test(school), `the principal's home names the school: ${school}`);
    assert(!(await p.textContent('#plan-cards').catch(() => '')).includes('区县 '), 'no district value labels');
    await ctx.close();
    [ctx, p] = await as('teacher');
    assert((await p.textContent('.cards')).includes('本班在校生'), 'a class teacher counts the own classes');
    assert(await p.locator('#stat-teachers').count() === 0, 'no school totals for a class teacher');
    await ctx.close();
    [ctx, p] = await as('leader');
    assert((await p.textContent('h1')).includes('示范区'), 'the leader sees the district');
    await p.goto(`${base}/cases`);
    await p.waitForSelector('#case-board');
    assert((await p.textContent('main')).includes('只对经办人员开放'), 'the leader reads the figures, not the case files');
    await ctx.close();
    [ctx, p] = await as('staff');
    await p.goto(`${base}/imports`);
    const kinds = await p.$$eval('#kind option', (os) => os.map((o) => o.value));
    assert(!kinds.includes('students') && kinds.includes('conditions'), `科室 import only what they may: ${kinds}`);
    // 科室 import the district's 办学条件: their own export comes back unchanged, row for row.
    const exported = await p.request.get(`${base}/export/conditions?format=csv`);
    assert(exported.ok(), `export: ${exported.status()}`);
    const file = join(dir, 'conditions.csv');
    writeFileSync(file, await exported.body());
    await p.selectOption('#kind', 'conditions');
    await p.setInputFiles('#file', file);
    await p.click('#preview-btn');
    await p.waitForSelector('#apply-btn');
    const preview = await p.textContent('#preview-result');
    assert(/将新增 0 行，更新 0 行，\d+ 行未变/.test(preview), `科室's preview: ${preview}`);
    await p.click('#apply-btn');
    await p.waitForSelector('#import-done', { timeout: 30000 });
    await ctx.close();
  });
  await step('an inspector scores a school on a phone, raises a problem; the school answers, 复查 and 销号 by a second person', async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const phone = await login(ctx, 'inspector');
    const fits = () => phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    await phone.goto(`${base}/supervision/inspections`);
    // The demo principal's school assessed itself; the inspection waits for the inspector.
    const row = phone.locator('#inspection-list tr', { hasText: '学校已自评' }).first();
    await row.locator('a').click();
    await phone.waitForSelector('#marks');
    const url = phone.url();
    assert(await fits(), 'the scoring page fits 390 px');
    const selects = phone.locator('#marks select');
    const n = await selects.count();
    assert(n >= 20, `one mark per item: ${n}`);
    for (let i = 0; i < n; i++) await selects.nth(i).selectOption(i === 0 ? 'C' : 'A');
    await phone.click('#save-marks');
    await phone.waitForSelector('#inspection-message');
    assert((await phone.textContent('#inspection-message')).includes(`已保存${n}项`), 'every item saved');
    assert((await phone.textContent('#band')).trim() === '优秀', `band: ${await phone.textContent('#band')}`);
    await phone.setInputFiles('input[type=file][name=file]', { name: '现场照片.png', mimeType: 'image/png', buffer: Buffer.from('synthetic photo') });
    await Promise.all([phone.waitForURL(url), phone.click('form[action$="/evidence"] button')]);
    assert((await phone.textContent('#evidence')).includes('现场照片.png'), 'the photo is kept');
    // The first item falls short: a problem is raised from it, prefilled.
    await phone.locator('#marks a.button', { hasText: '下达整改通知' }).first().click();
    await phone.waitForSelector('#raise');
    assert(await fits(), 'the raise form fits 390 px');
    await phone.fill('#raise textarea[name=description]', '未按规定公示招生方案');
    await phone.fill('#raise input[name=responsible]', '教务主任');
    await phone.click('#raise button[type=submit]');
    await phone.waitForURL(/\/supervision\/problems\/\d+$/);
    const problem = phone.url();
    assert((await phone.textContent('#problem-state')).includes('待整改'), 'raised');
    await phone.goto(url);
    await phone.fill('#close textarea[name=summary]', '管理规范，个别问题限期整改');
    await phone.click('#close button');
    await phone.waitForSelector('#report-outcome, #inspection-state');
    assert((await phone.textContent('#inspection-state')).includes('已完成'), 'closed');
    await phone.screenshot({ path: join(dir, 'phone-inspection.png'), fullPage: false });

    const school = await login(await browser.newContext(), 'principal');
    await school.goto(problem);
    await school.setInputFiles('#upload input[type=file]', { name: '整改照片.png', mimeType: 'image/png', buffer: Buffer.from('synthetic') });
    await Promise.all([school.waitForURL(problem), school.click('#upload button')]);
    await school.fill('#submit textarea[name=note]', '已在校门口和网站公示招生方案');
    await Promise.all([school.waitForURL(problem), school.click('#submit button')]);
    assert((await school.textContent('#problem-state')).includes('待复查'), 'answered');

    await phone.goto(problem);
    await Promise.all([phone.waitForURL(problem), phone.click('#review-pass button')]);
    assert((await phone.textContent('#problem-state')).includes('待确认销号'), 'passed 复查');
    assert((await phone.locator('#confirm-close').count()) === 0, 'the reviewer cannot confirm the 销号');

    const office = await login(await browser.newContext(), 'staff');
    await office.goto(problem);
    await Promise.all([office.waitForURL(problem), office.click('#confirm-close button')]);
    assert((await office.textContent('#problem-state')).includes('已销号'), 'closed by the 督导室');
    await office.goto(`${base}/supervision`);
    assert((await office.textContent('#problem-board')).includes('整改率'), 'the board');
    await ctx.close();
  });

  await step('a teacher enters hours with a certificate on a phone; the school and the bureau approve; the ledger and the district rate move', async () => {
    const rate = async (p) => parseFloat((await p.textContent('#training-rate')).replace('%', ''));
    const office = await login(await browser.newContext(), 'staff');
    await office.goto(`${base}/teachers/training`);
    const before = await rate(office);

    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const phone = await login(ctx, 'teacher');
    await phone.click('nav a[href="/teachers/training/mine"]');
    await phone.waitForSelector('#own-hours');
    assert(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the page fits 390 px');
    const counted = parseFloat(await phone.textContent('#own-counted'));
    assert(counted < 360, `the demo teacher has not completed the cycle: ${counted}`);
    const hours = Math.ceil(360 - counted);
    await phone.fill('#claim-form input[name=course]', '省级骨干班主任高级研修');
    await phone.selectOption('#claim-form select[name=level]', 'provincial');
    await phone.selectOption('#claim-form select[name=mode]', 'concentrated');
    await phone.fill('#claim-form input[name=hours]', String(hours));
    await phone.fill('#claim-form input[name=day]', '2026-11-20');
    await phone.setInputFiles('#claim-form input[type=file]', { name: '结业证书.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 synthetic certificate') });
    await phone.click('#claim-form button[type=submit]');
    await phone.waitForSelector('#claim-message');
    assert((await phone.textContent('#own-claims')).includes('待学校审核'), 'waits for the school');
    const claimUrl = base + await phone.locator('#own-claims a', { hasText: '省级骨干班主任高级研修' }).getAttribute('href');

    const school = await login(await browser.newContext(), 'principal');
    await school.goto(`${base}/teachers/training/claims`);
    await school.locator('#claims-waiting a', { hasText: '省级骨干班主任高级研修' }).click();
    await school.waitForSelector('#claim-approve');
    assert((await school.textContent('#claim')).includes('结业证书.pdf'), 'the certificate is shown to the school');
    await Promise.all([school.waitForURL(claimUrl), school.click('#claim-approve button')]);
    assert((await school.textContent('#claim-state')).includes('待教育局审核'), 'checked by the school');

    await office.goto(claimUrl);
    await Promise.all([office.waitForURL(claimUrl), office.click('#claim-approve button')]);
    assert((await office.textContent('#claim-state')).includes('已认定'), 'confirmed by the bureau');
    await office.goto(`${base}/teachers/training`);
    const after = await rate(office);
    assert(after > before, `the district rate moves: ${before} -> ${after}`);

    await phone.goto(`${base}/teachers/training/mine`);
    const now = parseFloat(await phone.textContent('#own-counted'));
    assert(Math.abs(now - (counted + hours)) < 0.05, `the ledger counts the hours: ${counted} + ${hours} = ${now}`);
    assert((await phone.textContent('#own-records')).includes('省级骨干班主任高级研修'), 'listed as a record');
    await phone.screenshot({ path: join(dir, 'phone-training.png'), fullPage: false });
    await ctx.close();
  });

  await step('名师认定 and 工作室: a school nominates, the bureau scores, the school reads it without the panel; an activity with a photo moves the studio board', async () => {
    const school = await login(await browser.newContext(), 'principal');
    await school.goto(`${base}/teachers`);
    const staffNo = (await school.locator('table tr td:first-child').last().textContent()).trim();
    await school.goto(`${base}/teachers/designations`);
    await school.fill('#designation-nominate input[name=staff_no]', staffNo);
    await school.selectOption('#designation-nominate select[name=honour]', 'rising');
    await school.fill('#designation-nominate input[name=reason]', '课堂教学获区赛一等奖');
    await Promise.all([school.waitForURL(/\/teachers\/designations\/\d+$/), school.click('#designation-nominate button')]);
    const url = school.url();
    assert((await school.textContent('#designation-state')).includes('待评审'), 'waits for the panel');
    assert((await school.textContent('#designation-history')).includes('推荐'), 'the history starts');

    const office = await login(await browser.newContext(), 'staff');
    await office.goto(url);
    await office.fill('#designation-score input[name=score]', '88');
    await Promise.all([office.waitForURL(url), office.click('#designation-score button')]);
    assert((await office.textContent('#designation-review')).includes('88.0'), 'one judge, 88');
    assert((await office.textContent('#designation-scores')).includes('1位评委'), 'counted once');
    await school.reload();
    assert(await school.locator('#designation-scores').count() === 0, 'the panel is the bureau\'s');

    await office.goto(`${base}/teachers/studios`);
    const outreach = parseInt(await office.textContent('#studio-kind-outreach'));
    await office.locator('#studio-list a').first().click();
    await office.waitForSelector('#studio-activity');
    const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
    await office.selectOption('#studio-activity select[name=kind]', 'outreach');
    await office.fill('#studio-activity input[name=title]', '送教到村小：整本书阅读');
    await office.fill('#studio-activity input[name=day]', today);
    await office.fill('#studio-activity input[name=participants]', '35');
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    await office.setInputFiles('#studio-activity input[type=file]', { name: '送教现场.png', mimeType: 'image/png', buffer: png });
    await Promise.all([office.waitForURL(/\/teachers\/studios\/\d+/), office.click('#studio-activity button')]);
    const list = await office.textContent('#studio-activities');
    assert(list.includes('送教到村小：整本书阅读') && list.includes('送教现场.png'), 'listed with its photo');
    await office.goto(`${base}/teachers/studios`);
    assert(parseInt(await office.textContent('#studio-kind-outreach')) === outreach + 1, 'the board counts it');
  });

  await step('心理筛查: a pupil answers on a phone with a one-time code; the critical answer alerts the 心理教师 at once; the 班主任 sees a flag only; the principal no result', async () => {
    const teacher = await login(await browser.newContext(), 'teacher6');
    await teacher.goto(`${base}/psych`);
    const className = (await teacher.textContent('#psych-flags tr:nth-child(2) td:first-child')).trim();
    const flaggedBefore = await teacher.locator('#psych-flags tr').count() - 1;

    const psych = await login(await browser.newContext(), 'psych');
    await psych.goto(`${base}/psych`);
    const alertsBefore = await psych.locator('#psych-alerts tr').count() - 1;
    await psych.locator('#psych-rounds a').first().click();
    await psych.waitForSelector('#round-codes');
    const roundUrl = psych.url();
    const everyName = await psych.$$eval('#round-results tr td:nth-child(3)', (tds) => tds.map((t) => t.textContent.trim()));
    await psych.selectOption('#round-codes select[name=class_id]', { label: className });
    await psych.click('#round-codes button');
    await psych.waitForSelector('#slips');
    const code = (await psych.textContent('#slips tr:nth-child(2) code')).trim();
    const pupil = (await psych.textContent('#slips tr:nth-child(2) td:nth-child(2)')).trim();

    // The pupil's phone: no login, nothing about anyone, fits 390 px.
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
      userAgent: 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Mobile Safari/537.36 MicroMessenger/8.0.50' });
    const phone = await ctx.newPage();
    await phone.goto(`${base}/answer`);
    await phone.fill('#answer-code input[name=code]', code.toLowerCase());
    await phone.click('#answer-code button');
    await phone.waitForSelector('#answer-sheet');
    assert(await phone.locator('#answer-sheet fieldset').count() === 9, 'PHQ-9 has nine items');
    assert(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the sheet fits 390 px');
    assert(!(await phone.content()).includes(pupil), 'no name on the pupil\'s page');
    for (let n = 1; n <= 8; n++) await phone.check(`#answer-sheet input[name=q${n}][value="0"]`);
    await phone.check('#answer-sheet input[name=q9][value="2"]');
    await phone.click('#answer-sheet button[type=submit]');
    await phone.waitForSelector('#answer-done');
    assert(!(await phone.content()).includes('无抑郁症状'), 'the result is not shown to the pupil');
    await ctx.close();

    // Within that request: the alert on the 心理教师's home and board.
    await psych.goto(`${base}/`);
    assert(await psych.locator('#psych-reminder').count() === 1, 'the home page reminds');
    await psych.goto(`${base}/psych`);
    assert(await psych.locator('#psych-alerts tr').count() - 1 === alertsBefore + 1, 'one alert more');
    assert((await psych.textContent('#psych-alerts')).includes(pupil), 'the alert names the pupil');

    await teacher.reload();
    const flags = await teacher.textContent('#psych-flags');
    assert(flags.includes(pupil) && flags.includes('需关注'), 'the 班主任 sees the flag');
    assert(await teacher.locator('#psych-flags tr').count() - 1 === flaggedBefore + 1, 'one flag more');
    const body = await teacher.textContent('main');
    for (const secret of ['总分', '无抑郁症状', '中度', '重度', '第9题']) assert(!body.includes(secret), `the 班主任 reads ${secret}`);

    const school = await login(await browser.newContext(), 'principal');
    for (const path of ['/', '/psych', new URL(roundUrl).pathname]) {
      await school.goto(`${base}${path}`);
      const text = await school.textContent('main');
      for (const name of [pupil, ...everyName]) assert(!text.includes(name), `the principal reads ${name} on ${path}`);
    }
    assert((await school.textContent('#round-coverage')).endsWith('%'), 'aggregates shown');
    const refused = await school.request.get(`${roundUrl}/results.xlsx`);
    assert(refused.status() === 403, `individual export refused: ${refused.status()}`);
    const summary = await school.request.get(`${roundUrl}/summary.xlsx`);
    assert(summary.status() === 200, 'the summary workbook');
  });

  await step('问卷调查: the bureau uploads a form; a parent scans the QR code on a phone and answers; the result and /balance move', async () => {
    const staff = await login(await browser.newContext(), 'staff');
    // The shipped template, downloaded and uploaded as the bureau does after editing it in Excel.
    const tpl = await staff.request.get(`${base}/surveys/templates/recognition.xlsx`);
    assert(tpl.status() === 200, `template: ${tpl.status()}`);
    const form = join(dir, 'recognition.xlsx');
    writeFileSync(form, await tpl.body());
    const recognitionLine = async () => {
      await staff.goto(`${base}/balance`);
      return (await staff.textContent('#assessment-parts tr[data-part="社会认可度"] td:last-child')).trim();
    };
    const before = await recognitionLine();
    await staff.goto(`${base}/surveys`);
    await staff.fill('#survey-create input[name=title]', '端到端社会认可度调查');
    await staff.fill('#survey-create input[name=closes]', new Date(Date.now() + 7 * 864e5).toISOString().slice(0, 10));
    await staff.check('#survey-create input[name=recognition]');
    await staff.setInputFiles('#survey-create input[name=file]', form);
    await staff.click('#survey-create button[type=submit]');
    await staff.waitForSelector('#survey-links');
    const surveyUrl = staff.url();
    assert(Number(await staff.textContent('#survey-responses')) === 0, 'a new survey has no answers');

    // The QR code of the first school's link, read back by a QR decoder (zbarimg).
    const pngHref = await staff.getAttribute('#survey-links tr:nth-child(3) a[href$=".png"]', 'href');
    const png = await staff.request.get(`${base}${pngHref}`);
    const qr = join(dir, 'survey-qr.png');
    writeFileSync(qr, await png.body());
    const url = execFileSync('zbarimg', ['--raw', '-q', qr], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    assert(url.startsWith(`${base}/s/`), `the QR code holds the link: ${url}`);

    // A parent's phone in WeChat: no login; the parents' question appears once 家长 is chosen.
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
      userAgent: 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Mobile Safari/537.36 MicroMessenger/8.0.50' });
    const phone = await ctx.newPage();
    await phone.goto(url);
    await phone.waitForSelector('#survey-form');
    assert(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the form fits 390 px');
    assert(await phone.locator('#q-parent_school').count() === 0, 'the parents\' question waits for the answer 家长');
    const choose = async (sel) => {
      await Promise.all([phone.waitForResponse((r) => r.url().endsWith('/refresh')), phone.check(sel)]);
      await phone.waitForFunction((s) => document.querySelector(s) && document.querySelector(s).checked, sel);
    };
    await choose('#q-respondent-parent');
    await phone.waitForSelector('#q-parent_school');
    for (const q of ['equity', 'sharing', 'conduct', 'quality_ed', 'assessment', 'quality', 'overall', 'parent_school']) {
      await choose(`#q-${q}-s5`);
    }
    await phone.screenshot({ path: join(dir, 'survey-phone.png'), fullPage: true });
    await phone.click('#survey-submit');
    await phone.waitForSelector('#answer-done');
    await ctx.close();

    await staff.goto(surveyUrl);
    assert(Number(await staff.textContent('#survey-responses')) === 1, 'the answer counts');
    assert((await staff.textContent('#survey-recognition')).trim() === '100.0%', 'eight of eight answers favourable');
    const after = await recognitionLine();
    assert(after !== before, `社会认可度 moves: ${before} → ${after}`);
    await staff.screenshot({ path: join(dir, 'balance-parts.png'), fullPage: true });
  });
  await step('双减: a class teacher logs homework on a phone that puts a grade-4 class over 60 minutes; the principal is alerted and handles it; the board moves', async () => {
    const school = await login(await browser.newContext(), 'principal');
    await school.goto(`${base}/homework`);
    const overBefore = Number(await school.textContent('#homework-over'));
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const phone = await login(ctx, 'teacher');
    await phone.click('nav a[href="/homework"]');
    await phone.waitForSelector('#homework-board');
    await phone.click('#homework-log-link');
    await phone.waitForSelector('#homework-form');
    const g4 = await phone.evaluate(() => [...document.querySelectorAll('#homework-pick select[name=class] option')].find((o) => o.textContent.startsWith('四年级')).value);
    if (await phone.inputValue('#homework-pick select[name=class]') !== g4) {
      // The picker reloads the form for the class chosen (data-autosubmit, no inline script).
      await Promise.all([phone.waitForURL(/class=/), phone.selectOption('#homework-pick select[name=class]', g4)]);
    }
    await phone.waitForSelector('#homework-form');
    assert(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the form fits 390 px');
    const day = await phone.getAttribute('#homework-form input[name=day]', 'value');
    // Written minutes already logged today, other than the two subjects about to be logged.
    const others = await phone.evaluate(() => [...document.querySelectorAll('#homework-day tr')].slice(1)
      .map((r) => [...r.children].map((c) => c.textContent.trim()))
      .filter((c) => c[1].startsWith('书面') && c[0] !== '语文' && c[0] !== '数学')
      .reduce((a, c) => a + Number(c[2]), 0));
    const wasOver = await phone.evaluate(() => [...document.querySelectorAll('#homework-day tr')].slice(1)
      .map((r) => [...r.children].map((c) => c.textContent.trim()))
      .filter((c) => c[1].startsWith('书面')).reduce((a, c) => a + Number(c[2]), 0) > 60);
    for (const [subject, minutes] of [['语文', '35'], ['数学', '40']]) {
      await phone.fill('#homework-form input[name=subject]', subject);
      await phone.fill('#homework-form input[name=minutes]', minutes);
      await phone.fill('#homework-form textarea[name=note]', '练习册');
      await Promise.all([phone.waitForNavigation(), phone.click('#homework-form button[type=submit]')]);
      await phone.waitForSelector('#homework-message');
    }
    const message = await phone.textContent('#homework-message');
    assert(message.includes(`合计约${75 + others}分钟`) && message.includes('超出规定'), message);
    assert(await phone.evaluate(() => document.querySelector('#homework-message').classList.contains('bad')), 'shown as a warning');
    await phone.screenshot({ path: join(dir, 'phone-homework.png'), fullPage: true });
    await ctx.close();

    await school.goto(`${base}/homework`);
    await school.waitForSelector('#homework-alerts');
    const overNow = Number(await school.textContent('#homework-over'));
    assert(overNow === overBefore + (wasOver ? 0 : 1), `the board moves: ${overBefore} -> ${overNow}`);
    const mine = `#homework-alerts form:has(input[name=class_id][value="${g4}"]):has(input[name=day][value="${day}"])`;
    const row = school.locator(mine);
    await row.locator('input[name=note]').fill('已与任课教师沟通，次日减量');
    await Promise.all([school.waitForURL(`${base}/homework`), row.locator('button').click()]);
    assert(await school.locator(mine).count() === 0, 'handled');

    // 课后服务: the principal opens a school day the demo recorded, corrects one class's count and
    // reads it back in the day's line.
    await school.goto(`${base}/after-school`);
    await Promise.all([school.waitForURL(/day=/), school.click('#service-days a')]);
    const firstClass = school.locator('#service-sessions-form input[name^=a]').first();
    await firstClass.fill('1');
    await Promise.all([school.waitForNavigation(), school.click('#service-sessions-form button[type=submit]')]);
    const saved = await school.textContent('#service-message');
    assert(saved.startsWith('已登记'), saved);
    assert(await firstClass.inputValue() === '1', 'the day reloads with what was saved');
  });
} catch (e) {
  if (passed + failed === 0) console.log(`setup failed: ${e && e.stack || e}`);
} finally {
  if (browser) await browser.close();
  server.kill('SIGINT');
  console.log(`screenshots in ${dir}`);
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed === 20 ? 0 : 1);
}

import { chromium, type Page } from 'playwright-core';
import net from 'node:net';
import fs from 'node:fs';
import { startHarness } from '../helpers/harness';
import { startAgentsPlayground } from '../../src/playground/agents-playground';
import { createLogger } from '../../src/logging/logger';

async function freePort(): Promise<number> {
  return new Promise((res, rej) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const a = s.address(); const p = typeof a === 'object' && a ? a.port : 0; s.close(() => res(p)); }); s.on('error', rej); });
}
async function send(page: Page, text: string) {
  const editor = page.locator('[data-lexical-editor="true"]').first();
  await editor.click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}
async function main() {
  const h = await startHarness({ app: { cardSyncWaitMs: 15000 } });
  const port = await freePort();
  const pg = startAgentsPlayground({ botPort: h.app.port, port, logger: createLogger('silent') });
  for (;;) { try { const r = await fetch(pg.url); if (r.ok) break; } catch {} await new Promise(r => setTimeout(r, 200)); }
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu','--disable-quic','--no-first-run','--disable-background-networking','--disable-component-update','--disable-sync'] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(pg.url);
  await page.locator('.ac-adaptiveCard').first().waitFor();
  await send(page, 'status');
  await page.getByText('Never synced').first().waitFor();
  await page.getByRole('button', { name: 'Sync now' }).last().click();
  await page.waitForTimeout(3000);
  await page.screenshot({ path: '/tmp/explore/03-syncnow.png' });
  await send(page, 'status');
  await page.waitForTimeout(2000);
  await page.screenshot({ path: '/tmp/explore/04-status2.png' });
  await page.locator('.ac-adaptiveCard').last().screenshot({ path: '/tmp/explore/04b-card.png' });
  await page.locator('.fai-OutputCard').last().screenshot({ path: '/tmp/explore/04c-card.png' });
  await send(page, 'help');
  await page.waitForTimeout(1500);
  await page.screenshot({ path: '/tmp/explore/05-help.png' });
  await send(page, 'sync');
  await page.waitForTimeout(3000);
  await page.screenshot({ path: '/tmp/explore/06-sync.png' });
  await page.getByRole('button', { name: 'Show status' }).last().click().catch(e => console.log('no show status', String(e).slice(0,100)));
  await page.waitForTimeout(2000);
  await page.screenshot({ path: '/tmp/explore/07-showstatus.png' });
  await page.getByText('General').first().click();
  await page.waitForTimeout(2000);
  await page.screenshot({ path: '/tmp/explore/08-general.png' });
  fs.writeFileSync('/tmp/explore/general.html', await page.content());
  await browser.close(); await pg.stop(); await h.close();
}
main().catch(e => { console.error(e); process.exit(1); });

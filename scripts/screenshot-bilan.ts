/**
 * `npx tsx scripts/screenshot-bilan.ts [out.png]`: the README's picture of /bilan (default
 * docs/bilan.png). Builds the pages, puts the demo in a temporary DATA_DIR, serves it on a free
 * local port, signs in as the demo's board account in Debian's Chromium (1366 px wide) and
 * shoots /bilan as it opens, from the top to the end of the daily chart. Nothing is kept but
 * the picture.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { chromium } from 'playwright-core'
import { openDatabase } from '../db/open.js'
import { buildApp } from '../server/app.js'
import { ManualClock, systemClock } from '../server/clock.js'
import { loadConfig, projectRoot } from '../server/config.js'
import { buildDemo, DEMO_PASSWORD } from './demo-build.js'

const ROOT = projectRoot()
const out = resolve(process.argv[2] ?? join(ROOT, 'docs', 'bilan.png'))
/** The demo as built on a 2 November: /bilan opens on the 2020 season whatever today is. */
const DEMO_NOW = '2026-11-02T09:00:00.000Z'

const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs')], { cwd: ROOT, stdio: 'inherit' })
if (built.status !== 0) throw new Error('building the pages failed')

const dataDir = mkdtempSync(join(tmpdir(), 'creneaux-shot-'))
const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' })
try {
  const demo = await buildDemo({ config, clock: new ManualClock(DEMO_NOW) })
  const board = demo.accounts.find((a) => a.role === 'board')
  if (board === undefined) throw new Error('the demo has no board account')
  const db = openDatabase(config)
  const app = await buildApp({ config, db, clock: systemClock, logger: { level: 'warn' } })
  const base = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('[::1]', 'localhost')
  // A French browser (LANGUAGE); the page's date fields are French (jj/mm/aaaa) in any browser.
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--lang=fr-FR'],
    env: { ...process.env, LANG: 'fr_FR.UTF-8', LANGUAGE: 'fr' },
    headless: true
  })
  try {
    const context = await browser.newContext({
      viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1, locale: 'fr-FR', timezoneId: 'Europe/Paris', baseURL: base, reducedMotion: 'reduce'
    })
    const signIn = await context.request.post('/api/session', { data: { email: board.email, password: DEMO_PASSWORD } })
    if (!signIn.ok()) throw new Error(`sign-in: ${signIn.status()}`)
    const page = await context.newPage()
    await page.goto('/bilan')
    await page.waitForURL(/from=/)
    await page.locator('.bl-report[aria-busy="false"] .bl-chart canvas').waitFor()
    const box = await page.locator('.bl-days').boundingBox()
    if (box === null) throw new Error('no daily chart on the page')
    mkdirSync(dirname(out), { recursive: true })
    await page.screenshot({ path: out, clip: { x: 0, y: 0, width: 1366, height: Math.ceil(box.y + box.height + 16) }, fullPage: true })
    console.log(`${out}: ${page.url().replace(base, '')}, ${Math.round(statSync(out).size / 1024)} KB`)
  } finally {
    await browser.close()
    await app.close()
    await db.destroy()
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true })
}

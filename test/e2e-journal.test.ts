// /admin/journal and /admin/patients in a real browser (Debian's Chromium): the coordinator
// filters the audit journal by keyboard, pages through it, downloads its CSV and reads it back,
// then answers a patient's rights (export, erasure: their bookings and waiting-list request) and
// finds them in the journal. Checked against the API; axe finds nothing serious.
import { readFileSync } from 'node:fs'
import { parse } from 'csv-parse/sync'
import type { Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { withRppsKey } from '../shared/rpps.js'
import { AUDIT_CSV_HEADERS } from '../server/features/audit/audit-routes.js'
import { PATIENT_CSV_HEADERS } from '../server/features/patients/patient-csv.js'
import type { AuditEntry, AuditPage } from '../shared/schemas/audit.js'
import { ADMIN, describeViolations, DESKTOP, PHONE, scenario, seriousA11yViolations, startE2e } from './helpers/e2e.js'

const PASSWORD = 'mot-de-passe-e2e'
const GP = { name: 'Dr Claire Martin', email: 'claire.martin@cpts.test', rpps: withRppsKey('1000000042') }
const REGULATOR = { name: 'Julie Morel', email: 'regulation@cpts.test' }
const BOARD = { name: 'Paul Girard', email: 'bureau@cpts.test' }
const PATIENT = { lastName: 'Zorglub-Étienne', firstName: 'Ysoldine', birthDate: '1980-01-02', phone: '06 11 22 33 44' }
const OTHER = { lastName: 'Martin', firstName: 'Louis', birthDate: '1975-05-06', phone: '06 12 34 56 78' }
/** Readings of the GP's bookings made for paging: with the first one, 31 entries, two pages of 25. */
const READS = 30

function scriptErrors (errors: string[]): string[] {
  return errors.filter((e) => !/Failed to load resource/.test(e))
}

async function expectNoSeriousViolations (t: Test, page: Page, what: string): Promise<void> {
  const found = await seriousA11yViolations(page)
  t.same(found.map((v) => v.id), [], `${what}: no serious or critical axe violation` + (found.length > 0 ? '\n' + describeViolations(found) : ''))
}

/** The journal as the page's own session reads it from the API (itself an audited read). */
async function apiJournal (page: Page, query: string): Promise<AuditPage> {
  return await page.evaluate(async (q) => {
    const res = await fetch('/api/audit?' + q)
    if (!res.ok) throw new Error(`${res.status} ${await res.text()}`)
    return await res.json()
  }, query) as AuditPage
}

/** Waits for the table (or the empty message) of a finished load, and returns the ids shown. */
async function shownIds (page: Page): Promise<number[]> {
  await page.locator('.jr-summary', { hasText: /^(Page \d+|Aucune entrée|Le journal est vide)/ }).waitFor()
  return (await page.locator('.jr-table tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-id')))))
}

/** Runs `click` and returns the text of the file the browser downloads. */
async function downloaded (page: Page, click: () => Promise<void>): Promise<{ name: string, bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()])
  return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) }
}

t.test('/admin/journal and /admin/patients in a real browser', async (t) => {
  const e2e = await startE2e(t)
  const cpts = await e2e.api.createCpts('CPTS Côte de Lumière')
  const gp = await e2e.api.createUser({
    email: GP.email, name: GP.name, password: PASSWORD, role: 'practitioner', cptsId: cpts.id,
    practitioner: { rpps: GP.rpps, profession: 'gp', address: '12 rue de la Plage', postalCode: '85160', commune: 'Saint-Jean-de-Monts', phone: '02 51 58 00 42' }
  })
  await e2e.api.createUser({ email: REGULATOR.email, name: REGULATOR.name, password: PASSWORD, role: 'regulator' })
  await e2e.api.createUser({ email: BOARD.email, name: BOARD.name, password: PASSWORD, role: 'board', cptsId: cpts.id })
  const gpCookie = await e2e.api.signIn(GP.email, PASSWORD)
  const regCookie = await e2e.api.signIn(REGULATOR.email, PASSWORD)

  // Three bookings tomorrow: two for the patient, one for someone else; the GP reads them.
  const tomorrow = Date.now() + 24 * 3600_000
  const bookingIds: string[] = []
  for (const [i, patient] of [PATIENT, PATIENT, OTHER].entries()) {
    const start = new Date(Math.floor(tomorrow / 3600_000) * 3600_000 + i * 30 * 60_000)
    const slot = await e2e.api.request('POST', '/api/slots', { cookie: gpCookie, body: { start: start.toISOString(), end: new Date(start.getTime() + 15 * 60_000).toISOString(), kind: 'snp', mode: 'office' }, expect: 201 })
    const booking = await e2e.api.request('POST', `/api/slots/${slot.id}/booking`, { cookie: regCookie, body: { patient, reason: 'Fièvre', hasTreatingGp: 'no' }, expect: 201 })
    bookingIds.push(booking.id)
  }
  const [mine1, mine2, other] = bookingIds as [string, string, string]
  // And the patient on the waiting list until tomorrow (Paris), for a callback.
  const until = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(tomorrow))
  const waiting = await e2e.api.request('POST', '/api/waiting-list', {
    cookie: regCookie, expect: 201,
    body: { communeCode: '85234', kind: 'snp', modes: ['office', 'video'], until, patient: PATIENT, reason: 'Toux depuis une semaine', hasTreatingGp: 'no' }
  })
  // Each reading of the bookings with their patients is a booking.read entry of the GP.
  for (let i = 0; i <= READS; i++) await e2e.api.request('GET', '/api/bookings', { cookie: gpCookie })

  let page: Page
  let pageOne: number[] = []
  let pageTwo: number[] = []
  const step = scenario(t)

  step('only the admin: other roles are sent back to their page', async (t) => {
    const board = await e2e.newPage(DESKTOP)
    await e2e.signInPage(board, BOARD.email, PASSWORD)
    await board.goto('/admin/journal')
    await board.waitForURL(/\/bilan\?refus=journal$/)
    await board.getByText(/Vous n'avez pas accès à la page «\s*Journal d’audit\s*»/).waitFor()
    t.pass('the board is sent to /bilan, with the reason')
    t.equal(await board.evaluate(async () => (await fetch('/api/audit')).status), 403, 'and the API refuses it the journal')
    t.equal(await board.evaluate(async () => (await fetch('/api/admin/patients/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"lastName":"Zorglub","birthDate":"1980-01-02"}' })).status), 403, 'and a patient search')
    await board.goto('/admin/patients')
    await board.waitForURL(/\/bilan\?refus=patients$/)
    await board.context().close()
  })

  step('the admin opens the journal: newest first, in French', async (t) => {
    page = await e2e.newPage(DESKTOP)
    await e2e.signInPage(page, ADMIN.email, ADMIN.password)
    await page.goto('/admin/journal')
    await page.getByRole('heading', { level: 1, name: 'Journal d’audit' }).waitFor()
    t.equal(await page.title(), 'Journal d’audit · Créneaux')
    const ids = await shownIds(page)
    t.ok(ids.length > READS && ids.length <= 50, `a first page of at most 50 entries (${ids.length})`)
    t.same(ids, [...ids].sort((a, b) => b - a), 'newest first')
    t.match(await page.locator('.jr-table tbody tr').first().innerText(), /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}/, 'dates as 01/06/2026 10:00:00')
    t.ok(await page.locator('.jr-table td', { hasText: 'Connexion' }).count() > 0, 'actions named in French')
    t.ok(await page.getByRole('link', { name: 'Journal d’audit' }).count() > 0, 'the page is in the navigation')
  })

  step('filters by keyboard: a person and an action, Enter applies', async (t) => {
    await page.getByLabel('Entrées par page').selectOption('25')
    await shownIds(page)
    await page.getByLabel('Personne (compte)').selectOption(gp.id)
    await page.getByLabel('Action').selectOption('booking.read')
    await page.getByLabel('Réservation (identifiant)').focus()
    await page.keyboard.press('Enter')
    await page.locator('.jr-summary', { hasText: 'Page 1 : entrées 1 à 25' }).waitFor()
    pageOne = await shownIds(page)
    t.equal(pageOne.length, 25, 'a page of 25')
    const api = await apiJournal(page, `userId=${gp.id}&action=booking.read&limit=25`)
    t.same(pageOne, api.entries.map((e) => e.id), 'the entries of the API, in its order')
    const texts = await page.locator('.jr-table tbody tr').allInnerTexts()
    t.ok(texts.every((r) => r.includes(GP.email) && r.includes('Lecture de l’identité d’un patient')), 'only the GP\'s readings of patients')
    const actions = await page.locator('.jr-table tbody td[data-action]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-action')))
    t.ok(actions.length === 25 && actions.every((a) => a === 'booking.read'), 'each row\'s action (its code kept out of the text)')
  })

  step('the focus order goes from the filters to the CSV and the paging buttons', async (t) => {
    await page.getByRole('button', { name: 'Filtrer le journal' }).focus()
    const order: string[] = []
    for (let i = 0; i < 7; i++) {
      await page.keyboard.press('Tab')
      order.push(await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null
        if (el === null) return ''
        if (el.getAttribute('role') === 'region') return 'region'
        if (el.tagName === 'SELECT') return '#' + el.id
        return (el.textContent ?? '').replace(/\s+/g, ' ').trim()
      }))
    }
    t.same(order, ['Effacer les filtres', '#jr-size', '⤓ Télécharger (CSV) : toutes les entrées de ces filtres', '« Première page', '‹ Page précédente', 'Page suivante ›', 'region'],
      'filters, page size, CSV, the paging buttons (all reachable), then the table')
  })

  step('paging: older entries, then back, no entry twice', async (t) => {
    const older = page.getByRole('button', { name: 'Page suivante' })
    await older.focus()
    await page.keyboard.press('Enter')
    await page.locator('.jr-summary', { hasText: `Page 2 : entrées 26 à ${READS + 1} (les plus anciennes)` }).waitFor()
    pageTwo = await shownIds(page)
    t.equal(pageTwo.length, READS + 1 - 25, 'the rest on page 2')
    t.ok(Math.max(...pageTwo) < Math.min(...pageOne), 'older than every entry of page 1')
    t.equal(await older.getAttribute('aria-disabled'), 'true', 'no page after the last one')
    t.ok(await older.evaluate((el) => el === document.activeElement), 'the focus stays on the button')
    await page.keyboard.press('Enter')
    t.match(await page.locator('.jr-summary').innerText(), /^Page 2/, 'Enter on the last page does nothing')
    await page.getByRole('button', { name: 'Page précédente' }).click()
    await page.locator('.jr-summary', { hasText: 'Page 1 : entrées 1 à 25' }).waitFor()
    t.same(await shownIds(page), pageOne, 'page 1 again')
    await e2e.screenshot(page, 'journal')
    await expectNoSeriousViolations(t, page, '/admin/journal filtered')
  })

  step('the CSV holds every entry of the filters, parsed back', async (t) => {
    const file = await downloaded(page, async () => { await page.getByRole('link', { name: /Télécharger \(CSV\)/ }).click() })
    t.equal(file.name, 'journal.csv')
    t.same([...file.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with its byte-order mark')
    const rows = parse(file.bytes.toString('utf8'), { bom: true, delimiter: ';' }) as string[][]
    t.same(rows[0], [...AUDIT_CSV_HEADERS], 'French headers')
    const body = rows.slice(1)
    t.same(body.map((r) => Number(r[0])), [...pageOne, ...pageTwo], 'the entries of both pages, newest first')
    t.ok(body.every((r) => r[3] === GP.email && r[5] === 'booking.read'), 'the same filters')
    t.match(body[0]![1], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'instants as 2026-06-01 10:00:00')
  })

  step('a patient\'s name: the entries of their bookings and waiting-list request, not in the address', async (t) => {
    await page.getByRole('button', { name: 'Effacer les filtres' }).click()
    await shownIds(page)
    await page.getByLabel('Entrées par page').selectOption('100')
    await shownIds(page)
    await page.getByLabel('Nom du patient').fill('zorglub etienne')
    await page.getByLabel('Date de naissance du patient (facultatif)').fill('02/01/1980')
    await page.keyboard.press('Enter')
    await page.locator('.jr-summary', { hasText: 'Page 1 : entrées' }).waitFor()
    const ids = await shownIds(page)
    const api = await apiJournal(page, 'patientName=zorglub%20etienne&patientBirthDate=1980-01-02&limit=100')
    t.same(ids, api.entries.map((e) => e.id), 'the entries of the API')
    const about = (e: AuditEntry): string[] => {
      const d = e.detail as { bookingIds?: string[], requestIds?: string[] } | null
      return [e.subjectId ?? '', ...(d?.bookingIds ?? []), ...(d?.requestIds ?? [])]
    }
    t.ok(api.entries.some((e) => e.action === 'booking.create' && e.subjectId === mine1), 'the booking of the patient')
    t.ok(api.entries.some((e) => e.action === 'waiting_request.create' && e.subjectId === waiting.id), 'and the request that put them on the waiting list')
    t.ok(api.entries.every((e) => about(e).includes(mine1) || about(e).includes(mine2) || about(e).includes(waiting.id)), 'only entries about the patient\'s bookings and request')
    t.notOk(api.entries.some((e) => e.subjectId === other), 'not the other patient\'s booking')
    t.notOk(page.url().toLowerCase().includes('zorglub'), 'the name is not in the page\'s address')
    t.match(await page.getByRole('link', { name: /Télécharger \(CSV\)/ }).getAttribute('href') ?? '', /^\/api\/audit\.csv\?patientName=zorglub\+etienne&patientBirthDate=1980-01-02$/, 'the CSV takes the same filters')
  })

  step('a bad period is said next to its field, and an empty one says so', async (t) => {
    await page.getByRole('button', { name: 'Effacer les filtres' }).click()
    await shownIds(page)
    await page.getByLabel('Du', { exact: true }).fill('2026-06-10')
    await page.getByLabel('Au (inclus)').fill('2026-06-01')
    await page.getByRole('button', { name: 'Filtrer le journal' }).click()
    const error = page.locator('#jr-to-error')
    await error.waitFor()
    t.equal(await error.innerText(), 'La fin de la période doit être le même jour ou après son début.')
    await page.waitForFunction(() => document.activeElement?.id === 'jr-to', undefined, { timeout: 5000 }).catch(() => {})
    t.equal(await page.evaluate(() => document.activeElement?.id), 'jr-to', 'the focus goes to the field at fault')
    t.equal(await page.locator('#jr-to').getAttribute('aria-describedby'), 'jr-to-hint jr-to-error', 'its format hint, then the error')
    await expectNoSeriousViolations(t, page, '/admin/journal with an error')
    await page.getByLabel('Du', { exact: true }).fill('2001-01-01')
    await page.getByLabel('Au (inclus)').fill('2001-01-31')
    await page.getByLabel('Au (inclus)').press('Enter')
    await page.locator('.jr-summary', { hasText: 'Aucune entrée ne correspond à ces filtres.' }).waitFor()
    t.equal(await page.locator('.jr-table').count(), 0, 'no table for no entry')
  })

  step('/admin/patients: find the patient, export CSV and JSON, erase', async (t) => {
    const pt = await e2e.newPage(DESKTOP)
    await e2e.signInPage(pt, ADMIN.email, ADMIN.password)
    await pt.goto('/admin/patients')
    await pt.getByRole('heading', { level: 1, name: 'Droits des patients' }).waitFor()
    await pt.getByRole('button', { name: 'Rechercher' }).click()
    t.equal(await pt.locator('#pt-lastName-error').innerText(), 'Indiquez le nom du patient.', 'the name is required')
    await pt.waitForFunction(() => document.activeElement?.id === 'pt-lastName', undefined, { timeout: 5000 }).catch(() => {})
    t.equal(await pt.evaluate(() => document.activeElement?.id), 'pt-lastName')
    await pt.getByLabel('Nom', { exact: true }).fill('ZORGLUB ETIENNE')
    await pt.getByLabel('Date de naissance').fill('02011980')
    await pt.getByLabel('Date de naissance').press('Enter')
    await pt.locator('.pt-table tbody tr').first().waitFor()
    t.same(await pt.locator('.pt-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id'))), [mine1, mine2], 'the patient\'s two bookings')
    t.match(await pt.locator('.pt-results').innerText(), /2 réservations et 1 demande de liste d’attente conservées pour ZORGLUB ETIENNE, né\(e\) le 02\/01\/1980/)
    t.same(await pt.locator('.pt-req-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id'))), [waiting.id], 'and the request')
    t.match(await pt.locator('.pt-req-table tbody tr').innerText(), /Cabinet, Téléconsultation[\s\S]*Saint-Jean-de-Monts[\s\S]*En attente[\s\S]*Zorglub-Étienne Ysoldine[\s\S]*Rappel : 06 11 22 33 44[\s\S]*Toux depuis une semaine/)
    t.match(await pt.locator('.pt-table tbody tr').first().innerText(), /Dr Claire Martin[\s\S]*Zorglub-Étienne Ysoldine[\s\S]*06 11 22 33 44[\s\S]*Fièvre/)
    await expectNoSeriousViolations(t, pt, '/admin/patients with results')

    const csv = await downloaded(pt, async () => { await pt.getByRole('button', { name: /Exporter \(CSV\)/ }).click() })
    t.match(csv.name, /^droit-d-acces-\d{4}-\d{2}-\d{2}\.csv$/, 'a file named by its date')
    const rows = parse(csv.bytes.toString('utf8'), { bom: true, delimiter: ';' }) as string[][]
    t.same(rows[0], [...PATIENT_CSV_HEADERS])
    t.same(rows.slice(1, 3).map((r) => [r[0], r[2], r[3], r[4], r[5], r[6], r[17]]), [
      [mine1, PATIENT.lastName, PATIENT.firstName, PATIENT.birthDate, PATIENT.phone, 'Fièvre', GP.name],
      [mine2, PATIENT.lastName, PATIENT.firstName, PATIENT.birthDate, PATIENT.phone, 'Fièvre', GP.name]
    ], 'the CSV, parsed back: both bookings with the patient and the practitioner')
    t.same([rows.length, rows[3]![1], rows[3]![2], rows[3]![5], rows[3]![6], rows[3]![19]], [4, 'en attente', PATIENT.lastName, PATIENT.phone, 'Toux depuis une semaine', waiting.id], 'then the request')
    const json = await downloaded(pt, async () => { await pt.getByRole('button', { name: /Exporter \(JSON\)/ }).click() })
    t.match(json.name, /\.json$/)
    const file = JSON.parse(json.bytes.toString('utf8'))
    t.same(file.bookings.map((b: any) => [b.id, b.patient.lastName, b.slot.practitioner.name]), [[mine1, PATIENT.lastName, GP.name], [mine2, PATIENT.lastName, GP.name]])
    t.same(file.requests.map((r: any) => [r.id, r.status, r.patient.phone]), [[waiting.id, 'open', PATIENT.phone]])
    await pt.getByRole('status').getByText('Export JSON téléchargé : 2 réservations et 1 demande de liste d’attente.').waitFor()

    await pt.getByRole('button', { name: 'Effacer les données de ce patient…' }).click()
    // The page moves the focus on its next frame: wait for it (a loaded machine takes a while).
    await pt.waitForFunction(() => document.activeElement?.id === 'pt-confirm-title', undefined, { timeout: 5000 }).catch(() => {})
    t.equal(await pt.evaluate(() => document.activeElement?.id), 'pt-confirm-title', 'the confirmation takes the focus')
    t.match(await pt.locator('#pt-confirm').innerText(), /2 réservations sont à venir/, 'it warns that the bookings are to come')
    t.match(await pt.locator('#pt-confirm').innerText(), /de 2 réservations et 1 demande de liste d’attente seront effacés[\s\S]*1 demande est encore en attente : elle sera retirée de la liste d’attente/, 'and counts the request, still open')
    await expectNoSeriousViolations(t, pt, '/admin/patients confirming')
    await e2e.screenshot(pt, 'patients')
    await pt.getByRole('button', { name: 'Effacer définitivement' }).click()
    await pt.getByText('Données du patient effacées pour 2 réservations et 1 demande de liste d’attente. Une demande en attente a été retirée de la liste d’attente.', { exact: false }).waitFor()
    await pt.getByText('Aucune réservation ni demande de liste d’attente conservée pour ZORGLUB ETIENNE', { exact: false }).waitFor()
    t.pass('erased, and found no more')
    const gpView = await e2e.api.request('GET', '/api/bookings', { cookie: gpCookie })
    t.same(gpView.filter((b: any) => b.patient !== undefined).map((b: any) => b.id), [other], 'the practitioner sees only the other patient now')
    const list = await e2e.api.request('GET', '/api/waiting-list', { cookie: regCookie })
    t.same(list.requests, [], 'the request is no longer on the regulators\' list')
    t.same(scriptErrors(e2e.pageErrors(pt)), [], 'no script error')
  })

  step('the erasure is in the journal, without the name', async (t) => {
    await page.getByRole('button', { name: 'Effacer les filtres' }).click()
    await shownIds(page)
    await page.getByLabel('Action').selectOption('patient.erase')
    await page.getByRole('button', { name: 'Filtrer le journal' }).click()
    await page.locator('.jr-summary', { hasText: 'Page 1 : entrées 1 à 1' }).waitFor()
    const row = await page.locator('.jr-table tbody tr').innerText()
    t.match(row, /Effacement pour un patient/, 'the action in French')
    t.match(row, new RegExp(`réservations : ${mine1}, ${mine2}`), 'the bookings erased, in French')
    t.match(row, new RegExp(`demandes de liste d’attente : ${waiting.id}`), 'and the request')
    t.notOk(/zorglub/i.test(row), 'not the patient\'s name')
    t.same(scriptErrors(e2e.pageErrors(page)), [], 'no script error on the journal')
  })

  step('on a phone: the journal fits the screen', async (t) => {
    const phone = await e2e.newPage(PHONE)
    await e2e.signInPage(phone, ADMIN.email, ADMIN.password)
    await phone.goto('/admin/journal')
    await shownIds(phone)
    t.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling of the page')
    t.ok(await phone.locator('.jr-results .table-wrap').evaluate((el) => el.scrollWidth > el.clientWidth), 'the table scrolls sideways in its own region')
    await e2e.screenshot(phone, 'journal')
    await expectNoSeriousViolations(t, phone, '/admin/journal on a phone')
  })
})

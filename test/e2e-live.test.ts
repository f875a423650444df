// The live flows in a real browser against the real server: a GP publishes on /praticien, two
// regulators (two browser contexts, two accounts) watch /regulation update without a reload,
// hold, book, let a hold run out, live through a server restart, and do a whole call from the
// keyboard. Form errors, small screens, axe and screenshots: test/e2e-live-pages.test.ts.
import { join } from 'node:path'
import t, { type Test } from 'tap'
import Database from 'better-sqlite3'
import type { Locator, Page } from 'playwright-core'
import { withRppsKey } from '../shared/rpps.js'
import { DESKTOP, frenchDay, isoWeekday, localDate, scenario, startE2e, TIMEOUT } from './helpers/e2e.js'

const PASSWORD = 'mot-de-passe-e2e'
const GP = {
  name: 'Dr Claire Martin', email: 'claire.martin@cpts.test', rpps: withRppsKey('1000000042'),
  address: '12 rue de la Plage', postalCode: '85160', commune: 'Saint-Jean-de-Monts', phone: '02 51 58 00 42'
}
const REG_A = { name: 'Julie Morel', email: 'regulation-a@cpts.test' }
const REG_B = { name: 'Marc Petit', email: 'regulation-b@cpts.test' }
/** A short hold for the step where one runs out (the server's minimum is 5 s). */
const SHORT_HOLD = { HOLD_SECONDS: '5', HOLD_SWEEP_MS: '100' }
/** Bounded wait for a hold of SHORT_HOLD to run out and be swept, on a loaded machine. */
const EXPIRY_WAIT = 20_000
/** Bounded wait for the pages to reconnect after a restart (their backoff starts at 0.5 s). */
const RECONNECT_WAIT = 20_000

/** The series of the first step: three days from the day after tomorrow, two slots a day at 10:00 and 10:20. */
const DAY1 = localDate(2)
const DAY2 = localDate(3)
const DAY3 = localDate(4)

/** Rows of slots still on the board (not the faded "Pris" / "Indisponible" ones). */
const rows = (page: Page): Locator => page.locator('li.rg-row:not(.is-ghost)')
const row = (page: Page, id: string): Locator => page.locator(`li.rg-row[data-slot-id="${id}"]`)
/** The polite live region of /regulation's toolbar, where changes are announced. */
const LIVE_REGION = '.rg-activity[aria-live="polite"]'

async function rowIds (page: Page): Promise<string[]> {
  return await rows(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-slot-id') ?? ''))
}

async function waitRowCount (page: Page, n: number, timeout = TIMEOUT.action): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll('li.rg-row:not(.is-ghost)').length === n, n, { timeout })
}

/** Waits until the polite live region of /regulation says `text` (announcements are batched). */
async function announced (t: Test, page: Page, text: string, what: string): Promise<void> {
  await page.waitForFunction(({ selector, text }) => (document.querySelector(selector)?.textContent ?? '').includes(text),
    { selector: LIVE_REGION, text })
  t.pass(`${what}: « ${text} »`)
}

/** The slot id of the row holding the focus, or the id of the focused element, or its text. */
async function focused (page: Page): Promise<string> {
  return await page.evaluate(() => {
    const el = document.activeElement
    return el?.closest('[data-slot-id]')?.getAttribute('data-slot-id') ?? (el?.id !== undefined && el.id !== '' ? '#' + el.id : (el?.textContent ?? '').trim())
  })
}

async function waitFocus (page: Page, selector: string): Promise<void> {
  await page.waitForFunction((sel) => document.activeElement?.matches(sel) === true, selector)
}

/** Errors the page raised itself (failed loads and sockets while the server is down are expected). */
function scriptErrors (errors: string[]): string[] {
  return errors.filter((e) => !/Failed to load resource|WebSocket connection to/.test(e))
}

async function openBoard (page: Page): Promise<void> {
  await page.goto('/regulation')
  await page.locator('.rg-status.is-live').waitFor()
  await page.locator('.rg-count').filter({ hasNotText: 'Chargement' }).waitFor()
}

t.test('live flows in a real browser', async (t) => {
  const e2e = await startE2e(t)
  const cpts = await e2e.api.createCpts('CPTS Côte de Lumière')
  await e2e.api.createUser({
    email: GP.email, name: GP.name, password: PASSWORD, role: 'practitioner', cptsId: cpts.id,
    practitioner: { rpps: GP.rpps, profession: 'gp', address: GP.address, postalCode: GP.postalCode, commune: GP.commune, phone: GP.phone }
  })
  for (const r of [REG_A, REG_B]) await e2e.api.createUser({ email: r.email, name: r.name, password: PASSWORD, role: 'regulator' })
  const gpCookie = await e2e.api.signIn(GP.email, PASSWORD)

  let gp: Page, a: Page, b: Page
  /** Slots of the series, by time: filled in by the first step. */
  let series: string[] = []

  // Each step builds on the one before (see scenario).
  const step = scenario(t)

  step('a GP publishes a series; both regulators see the slots appear without reloading', async (t) => {
    a = await e2e.newPage(DESKTOP)
    b = await e2e.newPage(DESKTOP)
    gp = await e2e.newPage(DESKTOP)
    await e2e.signInPage(a, REG_A.email, PASSWORD)
    await e2e.signInPage(b, REG_B.email, PASSWORD)
    await e2e.signInPage(gp, GP.email, PASSWORD)
    for (const page of [a, b]) {
      await openBoard(page)
      await page.getByText('Aucun créneau ouvert.', { exact: false }).waitFor()
      // Gone if the page reloads: proves the slots come over the socket.
      await page.evaluate(() => { (window as unknown as { e2eMark: number }).e2eMark = 1 })
    }

    await gp.goto('/praticien')
    await gp.getByRole('heading', { level: 2, name: 'Publier des créneaux' }).waitFor()
    await gp.getByText('Mis à jour en direct').waitFor()
    await gp.getByLabel('Du', { exact: true }).fill(DAY1)
    await gp.getByLabel('Au (inclus)').fill(DAY3)
    await gp.getByRole('button', { name: 'tous les jours' }).click()
    await gp.getByLabel('1er créneau à', { exact: true }).selectOption('10')
    await gp.getByLabel('1er créneau à, minutes').selectOption('00')
    await gp.getByLabel('Durée', { exact: true }).selectOption('20')
    await gp.getByLabel('Nombre par jour').fill('2')
    await gp.getByRole('radio', { name: 'Cabinet' }).check()
    await gp.locator('.pr-count').getByText('6 créneaux seront créés', { exact: true }).waitFor()
    t.pass('the preview counts 3 days × 2 slots')
    await gp.getByRole('button', { name: 'Publier 6 créneaux' }).click()
    await gp.getByRole('status').getByText('6 créneaux publiés.').waitFor()
    t.pass('the GP is told 6 slots were published')

    for (const [who, page] of [['A', a], ['B', b]] as const) {
      await waitRowCount(page, 6)
      await page.locator('.rg-count').getByText('6 créneaux libres').waitFor()
      t.equal(await page.evaluate(() => (window as unknown as { e2eMark?: number }).e2eMark), 1, `${who}: the page was not reloaded`)
      await announced(t, page, `Nouveau créneau : ${frenchDay(DAY1)} 10:`, `${who}: the live region announced the new slots`)
    }
    series = await rowIds(a)
    t.same(await rowIds(b), series, 'both boards list the same slots in the same order')
    t.equal(new Set(series).size, 6, 'six distinct slots')
    const times = await rows(a).locator('.rg-time').allInnerTexts()
    t.same(times, ['10:00', '10:20', '10:00', '10:20', '10:00', '10:20'], 'by day, then time')
  })

  /** How many times the GP's page has read the bookings (each read of patient identity is audited). */
  const gpBookingReads = (): number => {
    const db = new Database(join(e2e.dataDir, 'creneaux.sqlite'), { readonly: true })
    try {
      return (db.prepare(`select count(*) as n from audit_log join users on users.id = audit_log.user_id
        where users.email = ? and audit_log.action = 'booking.read'`).get(GP.email) as { n: number }).n
    } finally { db.close() }
  }

  step('A holds a slot: B sees it "en cours" with a countdown; A books: it leaves B, A reads the confirmation', async (t) => {
    const id = series[0]!
    const readsBefore = gpBookingReads()
    await row(a, id).getByRole('button', { name: 'Réserver', exact: true }).click()
    await a.mouse.move(1, 1) // off the list: a pointer on the list holds back its changes
    await a.getByRole('heading', { name: 'Réservation en cours' }).waitFor()
    await waitFocus(a, '#pt-last')
    t.pass('A: the form opens with the focus in "Nom"')
    t.match(await a.getByRole('timer').innerText(), /^0[23]:\d\d$/, 'A: the hold counts down from 03:00')
    await row(a, id).getByText('Bloqué pour vous').waitFor()

    const held = row(b, id)
    await held.getByText('en cours').waitFor()
    const first = await held.locator('.rg-countdown').innerText()
    t.match(first, /^0[0-3]:[0-5]\d$/, `B: a mm:ss countdown (${first})`)
    t.equal(await held.getByRole('button').count(), 0, 'B: no button to hold it')
    await b.locator('.rg-count').getByText('5 créneaux libres · 1 en cours').waitFor()
    await announced(t, b, `Créneau en cours de réservation : ${frenchDay(DAY1)} 10:00, ${GP.name}.`, 'B: the live region announced the hold')
    await b.waitForFunction(({ id, first }) =>
      document.querySelector(`li[data-slot-id="${id}"] .rg-countdown`)?.textContent !== first, { id, first })
    t.pass('B: the countdown moves')

    await a.getByLabel('Nom', { exact: true }).fill('Moreau')
    await a.getByLabel('Prénom').fill('Léa')
    await a.getByLabel('Date de naissance').fill('14/03/1987')
    await a.getByLabel('Téléphone').fill('06 12 34 56 78')
    await a.getByRole('radio', { name: 'Non', exact: true }).check()
    await a.getByRole('button', { name: 'Réserver pour ce patient' }).click()

    const confirm = a.locator('.rg-confirm')
    await confirm.getByRole('heading', { name: 'Rendez-vous réservé' }).waitFor()
    const read = await confirm.getByRole('status').innerText()
    t.match(read, `le ${frenchDay(DAY1)} à 10:00 avec le ${GP.name}`, 'A: day and time to read to the patient')
    t.match(read, `${GP.address}, ${GP.postalCode} ${GP.commune}`, 'A: the address')
    t.match(read, GP.phone, 'A: the phone of the practice')
    t.match(await confirm.locator('dl').innerText(), /Patient\s+MOREAU Léa/, 'A: the patient')
    await waitFocus(a, '#new-call')
    t.pass('A: the focus is on "Nouvel appel"')

    await held.getByText('Pris').waitFor()
    await held.waitFor({ state: 'detached' })
    t.pass('B: the row says "Pris", then goes')
    await waitRowCount(b, 5)
    await b.locator('.rg-count').getByText('5 créneaux libres', { exact: true }).waitFor()
    await waitRowCount(a, 5)
    t.notOk(await rowIds(a).then((ids) => ids.includes(id)), 'A: the booked slot left the list too')

    // The GP's page follows as well (it reloads its lists when the feed touches its slots).
    await gp.locator('#reservations').getByText('MOREAU Léa').waitFor()
    t.pass('the GP sees the booking without reloading')
    t.equal(gpBookingReads() - readsBefore, 1, "the GP's page read its patients once, to show the new booking")
  })

  step('keyboard only: list, j/k and arrows, Entrée holds, Ctrl+Entrée books, f logs a call without slot', async (t) => {
    // B holds the last slot and lets it go: A's live region says so.
    const ids = await rowIds(a)
    t.equal(ids.length, 5, 'five slots left')
    const readsBefore = gpBookingReads()
    await row(b, ids[4]!).getByRole('button', { name: 'Réserver', exact: true }).click()
    await gp.getByText(/1 en cours de réservation/).waitFor()
    t.equal(gpBookingReads(), readsBefore, "the GP's page shows B's hold without reading its patients again (each read is audited)")
    await announced(t, a, `Créneau en cours de réservation : ${frenchDay(DAY3)} 10:20`, 'A: the live region announced B\'s hold')
    await b.getByRole('button', { name: 'Annuler', exact: true }).click()
    await b.getByRole('heading', { name: 'Réservation en cours' }).waitFor({ state: 'detached' })
    await b.mouse.move(1, 1)
    await announced(t, a, `Créneau de nouveau libre : ${frenchDay(DAY3)} 10:20`, 'A: the live region announced the release')

    // From here on A uses only the keyboard.
    await waitFocus(a, '#new-call')
    await a.keyboard.press('n')
    await waitFocus(a, '#patient-commune')
    t.pass('n: a new call, the focus in "Commune du patient"')
    await a.keyboard.type('Saint-Jean-de-M')
    await a.locator('#patient-commune-list [role=option]').first().waitFor()
    await a.keyboard.press('Enter')
    await a.locator('#patient-commune[aria-expanded="false"]').waitFor()
    t.equal(await a.locator('#patient-commune').inputValue(), 'Saint-Jean-de-Monts (85160)', 'Entrée chooses the suggested commune')
    await a.getByRole('heading', { name: 'Même commune : Saint-Jean-de-Monts' }).waitFor()

    let tabs = 0
    while (!ids.includes(await focused(a))) {
      if (++tabs > 12) throw new Error(`Tab never reached the list (focus on ${await focused(a)})`)
      await a.keyboard.press('Tab')
    }
    t.equal(await focused(a), ids[0], `Tab reaches the list on its first slot (${tabs} Tab)`)
    const moves: Array<[string, number]> = [['j', 1], ['ArrowDown', 2], ['k', 1], ['ArrowUp', 0], ['End', 4], ['Home', 0], ['j', 1]]
    for (const [key, to] of moves) {
      await a.keyboard.press(key)
      await a.waitForFunction((id) => document.activeElement?.getAttribute('data-slot-id') === id, ids[to]!)
    }
    t.pass('j/↓ go down, k/↑ go up, Fin/Début to the ends')

    await a.keyboard.press('Enter')
    await waitFocus(a, '#pt-last')
    t.pass('Entrée holds the slot and puts the focus in "Nom"')
    await row(a, ids[1]!).getByText('Bloqué pour vous').waitFor()
    await row(b, ids[1]!).getByText('en cours').waitFor()
    await a.keyboard.type('Durand')
    await a.keyboard.press('Tab')
    await a.keyboard.type('Paul')
    await a.keyboard.press('Tab')
    await a.keyboard.type('02/01/1980')
    await a.keyboard.press('Tab')
    await a.keyboard.type('06 98 76 54 32')
    await a.keyboard.press('Tab')
    await a.keyboard.type('Fièvre depuis hier')
    await a.keyboard.press('Tab')
    await waitFocus(a, '#pt-gp-yes')
    await a.keyboard.press('Space')
    t.ok(await a.locator('#pt-gp-yes').isChecked(), 'Tab and Espace answer "A un médecin traitant ?"')
    await a.keyboard.press('Control+Enter')
    await a.getByRole('heading', { name: 'Rendez-vous réservé' }).waitFor()
    t.match(await a.locator('.rg-confirm dl').innerText(), /Patient\s+DURAND Paul/, 'Ctrl+Entrée books for the patient typed')
    t.match(await a.locator('.rg-confirm').getByRole('status').innerText(), `le ${frenchDay(DAY2)} à 10:00`, 'the slot chosen with the keys (the second of the list)')
    await waitFocus(a, '#new-call')
    t.pass('the focus lands on "Nouvel appel"')
    await row(b, ids[1]!).waitFor({ state: 'detached' })

    // The next call finds nothing: n, then out of the commune field, then f.
    await a.keyboard.press('n')
    await waitFocus(a, '#patient-commune')
    await a.keyboard.press('Shift+Tab')
    t.equal(await focused(a), 'Nouvel appel', 'Shift+Tab leaves the field for the toolbar')
    await a.keyboard.press('f')
    await a.getByRole('heading', { name: 'Fin d’appel sans réservation' }).waitFor()
    await waitFocus(a, '#end-outcome-redirected_treating_gp')
    t.pass('f opens the end-of-call form with the focus on its first choice')
    for (let i = 0; i < 3; i++) await a.keyboard.press('ArrowDown')
    t.ok(await a.locator('#end-outcome-no_slot').isChecked(), '↓ moves to "Aucun créneau disponible"')
    await a.keyboard.press('Control+Enter')
    await a.getByRole('status').getByText('Appel enregistré : Aucun créneau disponible. Prêt pour l’appel suivant.', { exact: true }).waitFor()
    // No slot: the waiting list is offered, one key away (test/e2e-regulation-waiting.test.ts).
    await waitFocus(a, '#wl-offer')
    t.pass('Ctrl+Entrée logs the call; ready for the next one, the waiting list offered')
    await waitRowCount(a, 4)
    await row(a, ids[1]!).waitFor({ state: 'detached' }) // its faded "Pris" row too
  })

  step('a server restart: "reconnexion…", then the same slots without a reload, and new ones keep coming', async (t) => {
    const before = await rowIds(a)
    t.equal(before.length, 4, 'four slots before the restart')
    t.same(await rowIds(b), before, 'B lists the same')
    for (const page of [a, b, gp]) await page.evaluate(() => { (window as unknown as { e2eMark: number }).e2eMark = 2 })

    // Restarted with short holds for the next step.
    await e2e.restart({
      env: SHORT_HOLD,
      whileStopped: async () => {
        await a.locator('.rg-status').getByText('reconnexion…').waitFor()
        await b.locator('.rg-status').getByText('reconnexion…').waitFor()
        await gp.locator('.pr-live').getByText('Reconnexion…').waitFor()
        t.pass('the three pages say "reconnexion…" while the server is down')
        t.match(await a.locator('.rg-count').innerText(), /peut-être plus à jour/, 'A: the list may be out of date')
      }
    })
    for (const page of [a, b]) await page.locator('.rg-status').getByText('En direct').waitFor({ timeout: RECONNECT_WAIT })
    await gp.locator('.pr-live').getByText('Mis à jour en direct').waitFor({ timeout: RECONNECT_WAIT })
    t.pass('the three pages are live again')
    for (const [who, page] of [['A', a], ['B', b]] as const) {
      const after = await rowIds(page)
      t.same(after, before, `${who}: the same slots, none lost, none twice`)
      t.equal(await page.locator('li.rg-row').count(), before.length, `${who}: no extra row`)
    }

    // Published over the API while the server is up again: it appears on both boards.
    await e2e.api.request('POST', '/api/slots/series', {
      cookie: gpCookie,
      body: { from: DAY3, to: DAY3, weekdays: [isoWeekday(DAY3)], startTime: '16:00', slotMinutes: 20, count: 1, kind: 'snp', mode: 'office' },
      expect: 201
    })
    for (const [who, page] of [['A', a], ['B', b]] as const) {
      await waitRowCount(page, 5)
      const ids = await rowIds(page)
      t.equal(new Set(ids).size, 5, `${who}: five distinct slots`)
      t.same(ids.filter((id) => !before.includes(id)).length, 1, `${who}: one new slot`)
      await announced(t, page, `Nouveau créneau : ${frenchDay(DAY3)} 16:00`, `${who}: the new slot is announced`)
    }
    for (const page of [a, b, gp]) {
      t.equal(await page.evaluate(() => (window as unknown as { e2eMark?: number }).e2eMark), 2, 'no reload')
    }
    await gp.locator('.pr-jump').getByText('Créneaux (5 libres)').waitFor()
    t.pass('the GP\'s page lists its new slot')
  })

  step('a hold that runs out (HOLD_SECONDS=5): the slot is bookable again on both pages', async (t) => {
    const ids = await rowIds(a)
    const id = ids[0]!
    await row(a, id).getByRole('button', { name: 'Réserver', exact: true }).click()
    await a.mouse.move(1, 1)
    await a.getByRole('heading', { name: 'Réservation en cours' }).waitFor()
    t.match(await a.getByRole('timer').innerText(), /^00:0[0-5]$/, 'A: a 5-second hold')
    await row(b, id).getByText('en cours').waitFor()
    t.match(await row(b, id).locator('.rg-countdown').innerText(), /^00:0[0-5]$/, 'B: "en cours" for a few seconds')

    // Real time passes: the server's sweep releases the hold.
    await row(b, id).getByRole('button', { name: 'Réserver', exact: true }).waitFor({ timeout: EXPIRY_WAIT })
    t.equal(await row(b, id).getByText('en cours').count(), 0, 'B: no longer "en cours"')
    await b.locator('.rg-count').getByText('5 créneaux libres', { exact: true }).waitFor()
    await announced(t, b, `Créneau de nouveau libre : ${frenchDay(DAY1)} 10:20`, 'B: the live region says it is free again')
    await a.getByText('Délai écoulé : le créneau n’est plus bloqué pour vous.').waitFor({ timeout: EXPIRY_WAIT })
    t.pass('A: the form says the hold ran out')
    await row(a, id).getByText('Délai écoulé').waitFor()
    t.equal(await row(a, id).getByText('Bloqué pour vous').count(), 0, 'A: the row no longer says "Bloqué pour vous"')

    // A closes the form: the slot is offered to A like any other.
    await a.getByRole('button', { name: 'Annuler', exact: true }).click()
    await row(a, id).getByRole('button', { name: 'Réserver', exact: true }).waitFor()
    await a.locator('.rg-count').getByText('5 créneaux libres', { exact: true }).waitFor()
    t.pass('A: the slot can be held again')

    for (const [who, page] of [['A', a], ['B', b], ['GP', gp]] as const) {
      t.same(scriptErrors(e2e.pageErrors(page)), [], `${who}: no script error`)
    }
  })
})

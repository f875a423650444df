// The waiting list on /regulation, keyboard only, in a real browser (issue 25): a call that
// finds no slot ends « aucun créneau », one key puts its patient on the list, and the sentence to
// read is shown; a GP then publishes a slot that answers it, the regulator's list shows the match
// live, one key claims it (the slot held), the patient and the number to call back are on
// screen, the booking is confirmed and its confirmation read. A second regulator sees the
// request taken by another. No serious axe violation at each state.
import t, { type Test } from 'tap'
import { DateTime } from 'luxon'
import type { Page } from 'playwright-core'
import { withRppsKey } from '../shared/rpps.js'
import { describeViolations, DESKTOP, frenchDay, localDate, PHONE, scenario, seriousA11yViolations, startE2e } from './helpers/e2e.js'

const PASSWORD = 'mot-de-passe-e2e'
const PLACE = { address: '12 rue de la Plage', postalCode: '85160', commune: 'Saint-Jean-de-Monts' }
const GP = { name: 'Dr Claire Martin', email: 'claire.martin@cpts.test', rpps: withRppsKey('1000000042'), phone: '02 51 58 00 42' }
const REG_A = { name: 'Julie Morel', email: 'regulation-a@cpts.test' }
const REG_B = { name: 'Marc Petit', email: 'regulation-b@cpts.test' }
const PATIENT = { lastName: 'Lebreton', firstName: 'Maëlle', birth: '04/03/1988', phone: '06 71 72 73 74' }

const waitFocus = async (page: Page, selector: string): Promise<void> => {
  await page.waitForFunction((sel) => document.activeElement?.matches(sel) === true, selector)
}
async function expectNoSeriousViolations (t: Test, page: Page, what: string): Promise<void> {
  const found = await seriousA11yViolations(page)
  t.same(found.map((v) => v.id), [], `${what}: no serious or critical axe violation` + (found.length > 0 ? '\n' + describeViolations(found) : ''))
}

t.test('the waiting list, keyboard only', async (t) => {
  const e2e = await startE2e(t)
  const cpts = await e2e.api.createCpts('CPTS Pays de Monts')
  await e2e.api.createUser({
    email: GP.email, name: GP.name, password: PASSWORD, role: 'practitioner', cptsId: cpts.id,
    practitioner: { rpps: GP.rpps, profession: 'gp', ...PLACE, phone: GP.phone }
  })
  for (const r of [REG_A, REG_B]) await e2e.api.createUser({ email: r.email, name: r.name, password: PASSWORD, role: 'regulator' })
  const gpCookie = await e2e.api.signIn(GP.email, PASSWORD)
  const regB = await e2e.api.signIn(REG_B.email, PASSWORD)
  const TOMORROW = localDate(1)
  const LAST_DAY = localDate(2)

  let a: Page, b: Page
  let requestId = ''
  let slotId = ''
  const step = scenario(t)

  step('a call that finds no slot ends « aucun créneau »; one key opens the waiting list', async (t) => {
    a = await e2e.newPage(DESKTOP)
    await e2e.signInPage(a, REG_A.email, PASSWORD)
    await a.goto('/regulation')
    await a.locator('.rg-status.is-live').waitFor()
    await a.locator('.rg-count').getByText('0 créneau libre', { exact: true }).waitFor()
    await a.locator('.rg-wl').getByText('Aucun patient en attente.').waitFor()

    await a.keyboard.press('/')
    await waitFocus(a, '#patient-commune')
    await a.keyboard.type('Saint-Jean-de-Mo')
    await a.locator('#patient-commune-list [role=option]').first().filter({ hasText: 'Saint-Jean-de-Monts' }).waitFor()
    await a.keyboard.press('Enter')
    await waitFocus(a, '#slots-title')
    await a.keyboard.press('f')
    await waitFocus(a, '#end-call-form input')
    t.ok(await a.locator('#end-outcome-no_slot').isChecked(), 'no slot on the board: « Aucun créneau disponible » proposed')
    await a.keyboard.press('Control+Enter')
    await waitFocus(a, '#wl-offer')
    t.pass('the call logged, « Inscrire sur la liste d’attente » has the focus')
    await a.keyboard.press('Enter')
    await waitFocus(a, '#wl-days')
    t.match(await a.locator('#wl-form').innerText(), 'Saint-Jean-de-Monts (85160)', 'the commune of the call')
    t.ok(await a.locator('#wl-kind-snp').isChecked(), 'the kind of the call')
    t.ok(await a.locator('#wl-mode-office').isChecked(), 'the office by default')
    await expectNoSeriousViolations(t, a, 'the waiting-list form')
  })

  step('the form filled by keyboard; the sentence to read is shown', async (t) => {
    await a.keyboard.press('ArrowDown') // « 2 jours »
    t.equal(await a.locator('#wl-days').inputValue(), '2', 'the patient can wait two days')
    await a.locator('#wl-mode-video').focus()
    await a.keyboard.press('Space')
    t.ok(await a.locator('#wl-mode-video').isChecked(), 'video accepted too')
    // Sent empty: every patient field says what is missing, the first takes the focus.
    await a.keyboard.press('Control+Enter')
    await a.locator('#pt-last-error').waitFor()
    await waitFocus(a, '#pt-last')
    await a.keyboard.type(PATIENT.lastName)
    for (const [id, text] of [['#pt-first', PATIENT.firstName], ['#pt-birth', PATIENT.birth], ['#pt-phone', PATIENT.phone], ['#pt-reason', 'Otite persistante']] as const) {
      await a.locator(id).focus()
      await a.keyboard.type(text)
    }
    await a.locator('#pt-gp-no').focus()
    await a.keyboard.press('Space')
    await a.keyboard.press('Control+Enter')
    await waitFocus(a, '#wl-new-call')
    const read = await a.locator('.rg-read').innerText()
    t.match(read, `Vous êtes inscrit sur la liste d’attente jusqu’au ${frenchDay(LAST_DAY)}.`, 'until the last day the patient can wait')
    t.match(read, `un régulateur vous rappelle au ${PATIENT.phone.replace(/ /g, '\u00a0')}`, 'the callback number, never wrapped')
    await expectNoSeriousViolations(t, a, 'the sentence to read')
    await e2e.screenshot(a, 'regulation-liste-attente-inscrit')

    const list = await e2e.api.request<{ requests: any[] }>('GET', '/api/waiting-list', { cookie: regB })
    t.equal(list.requests.length, 1, 'one open request')
    const r = list.requests[0]
    requestId = r.id
    t.ok(r.callId !== null, 'linked to the call logged « aucun créneau »')
    t.same([r.kind, r.modes, r.place.communeCode], ['snp', ['office', 'video'], '85234'])
    t.equal(r.patient, undefined, 'no patient in the list')

    await a.keyboard.press('n')
    await waitFocus(a, '#patient-commune')
    t.equal(await a.locator('#wl-offer').count(), 0, 'a new call: nothing offered twice')
    const row = a.locator(`[data-request-id="${requestId}"]`)
    await row.getByText('Aucun créneau correspondant pour l’instant').waitFor()
    t.match(await row.innerText(), /Saint-Jean-de-Monts/, 'the request in the list: its commune')
    t.notMatch(await a.locator('.rg-wl').innerText(), /Lebreton|LEBRETON|06 71/, 'no patient data in the list')
  })

  step('a second regulator sees the request', async () => {
    b = await e2e.newPage(DESKTOP)
    await e2e.signInPage(b, REG_B.email, PASSWORD)
    await b.goto('/regulation')
    await b.locator('.rg-status.is-live').waitFor()
    await b.locator(`[data-request-id="${requestId}"]`).waitFor()
  })

  step('a GP publishes a slot that answers it: the match shows live; one key claims it', async (t) => {
    const start = DateTime.fromISO(`${TOMORROW}T10:00`, { zone: 'Europe/Paris' }).toUTC().toISO()!
    const end = new Date(Date.parse(start) + 20 * 60_000).toISOString()
    slotId = (await e2e.api.request('POST', '/api/slots', { cookie: gpCookie, body: { start, end, kind: 'snp', mode: 'office' }, expect: 201 })).id
    const row = a.locator(`[data-request-id="${requestId}"]`)
    await row.locator('.rg-badge').getByText('même commune').waitFor()
    t.match(await row.innerText(), /10:00/, 'the slot time')
    t.match(await row.innerText(), /Dr Claire Martin/, 'its practitioner')
    await expectNoSeriousViolations(t, a, 'the list with a match')

    await a.keyboard.press('Escape') // out of the commune field, on the slots' list
    await waitFocus(a, `li.rg-row[data-slot-id="${slotId}"]`)
    await a.keyboard.press('a')
    await waitFocus(a, `[data-request-id="${requestId}"]`)
    await a.keyboard.press('Enter')
    await waitFocus(a, '#wl-book')
    t.equal((await a.locator('#wl-phone').innerText()).trim(), PATIENT.phone, 'the number to call back')
    t.match(await a.locator('.rg-panel').innerText(), 'LEBRETON Maëlle, né(e) le 04/03/1988', 'the patient')
    t.match(await a.locator('.rg-panel').innerText(), /Créneau bloqué pour vous encore/, 'the slot held')
    await expectNoSeriousViolations(t, a, 'the claimed request')
    await e2e.screenshot(a, 'regulation-liste-attente-prise')

    const list = await e2e.api.request<{ requests: any[] }>('GET', '/api/waiting-list', { cookie: regB })
    t.same(list.requests[0].claim && [list.requests[0].claim.by, list.requests[0].claim.slotId], ['other', slotId], 'claimed with the slot, by another for B')
    await b.locator(`[data-request-id="${requestId}"]`).getByText('pris en charge par un autre régulateur').waitFor()
    t.pass('the second regulator sees it taken by another')
    await b.locator(`li.rg-row[data-slot-id="${slotId}"].is-held`).waitFor()
    t.pass('and the slot held')

    // On a phone too: the request and its match fit the width.
    const phone = await e2e.newPage(PHONE)
    await e2e.signInPage(phone, REG_B.email, PASSWORD)
    await phone.goto('/regulation')
    await phone.locator(`[data-request-id="${requestId}"]`).getByText('pris en charge par un autre régulateur').waitFor()
    t.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scroll on a phone')
    await expectNoSeriousViolations(t, phone, 'the list on a phone')
    await e2e.screenshot(phone, 'regulation-liste-attente')
    await phone.context().close()
  })

  step('booked after a confirmation; the confirmation read; the request booked', async (t) => {
    await a.locator('.rg-panel').getByRole('button', { name: 'Prolonger' }).click()
    await a.locator('.rg-activity').getByText('Délai prolongé.').waitFor()
    t.pass('« Prolonger » takes the claim again')
    await a.keyboard.press('Control+Enter')
    await waitFocus(a, '#wl-book-confirm')
    t.match(await a.locator('#wl-confirm-text').innerText(), `LEBRETON Maëlle aura rendez-vous le ${frenchDay(TOMORROW)} à 10:00 avec le ${GP.name}`)
    t.equal((await e2e.api.request<any[]>('GET', '/api/bookings/search?q=lebreton', { cookie: regB })).length, 0, 'nothing booked before the confirmation')
    await a.keyboard.press('Control+Enter')
    await waitFocus(a, '#new-call')
    t.match(await a.locator('.rg-read').innerText(), `Votre rendez-vous est le ${frenchDay(TOMORROW)} à 10:00 avec le ${GP.name}`, 'the sentence of a booking')
    t.match(await a.locator('.rg-confirm').innerText(), 'LEBRETON Maëlle')
    await expectNoSeriousViolations(t, a, 'the confirmation')

    const bookings = await e2e.api.request<any[]>('GET', '/api/bookings/search?q=lebreton', { cookie: regB })
    t.equal(bookings.length, 1, 'the booking exists')
    t.equal(bookings[0].slotId, slotId, 'in the slot held')
    const booked = await e2e.api.request<{ requests: any[] }>('GET', '/api/waiting-list?status=booked', { cookie: regB })
    t.same(booked.requests.map((r) => [r.id, r.status, r.bookingId]), [[requestId, 'booked', bookings[0].id]], 'the request is booked, linked to its booking')
    await b.locator(`[data-request-id="${requestId}"]`).waitFor({ state: 'detached' })
    t.pass('it left the second regulator\'s list')
    t.same([...e2e.pageErrors(a), ...e2e.pageErrors(b)], [], 'no page error')

    await a.keyboard.press('n')
    await waitFocus(a, '#patient-commune')
  })

  step('called back by hand (p), given back (Échap), refused to another regulator, withdrawn with a reason', async (t) => {
    const other = await e2e.api.request('POST', '/api/waiting-list', {
      cookie: regB,
      body: { communeCode: '85234', kind: 'snp', modes: ['office'], until: TOMORROW, patient: { lastName: 'Garnier', firstName: 'Hugo', birthDate: '1990-05-06', phone: '06 11 22 33 44' }, hasTreatingGp: 'yes' },
      expect: 201
    })
    const rowA = a.locator(`[data-request-id="${other.id}"]`)
    await rowA.waitFor()
    await a.keyboard.press('Escape')
    await waitFocus(a, '#slots-title')
    await a.keyboard.press('a')
    await waitFocus(a, `[data-request-id="${other.id}"]`)
    await a.keyboard.press('p')
    await waitFocus(a, '#wl-phone')
    t.equal((await a.locator('#wl-phone').innerText()).trim(), '06 11 22 33 44', 'the number to call back, no slot held')
    t.match(await a.locator('.rg-panel').innerText(), 'Aucun créneau bloqué')

    // The second regulator presses Entrée on it: the server's refusal, in French.
    await b.locator(`[data-request-id="${other.id}"]`).getByText('pris en charge par un autre régulateur').waitFor()
    await b.locator(`[data-request-id="${other.id}"]`).focus()
    await b.keyboard.press('Enter')
    await b.locator('.rg-wl [role=alert]').getByText('Cette demande de la liste d’attente est déjà prise en charge par un autre régulateur.').waitFor()
    await waitFocus(b, `[data-request-id="${other.id}"]`)
    t.pass('B is told who handles it, on its row')

    await a.keyboard.press('Escape')
    await waitFocus(a, `[data-request-id="${other.id}"]`)
    t.equal(await a.locator('#wl-claim-title').count(), 0, 'Échap gives it back')
    const open = await e2e.api.request<{ requests: any[] }>('GET', '/api/waiting-list', { cookie: regB })
    t.equal(open.requests.find((r) => r.id === other.id)?.claim, undefined, 'nobody handles it now')

    await a.keyboard.press('p')
    await waitFocus(a, '#wl-phone')
    await a.locator('#wl-withdraw-reason').focus()
    await a.keyboard.press('Control+Enter')
    await a.locator('#wl-withdraw-reason-error').waitFor()
    await a.keyboard.type('Le patient a vu son médecin traitant')
    await a.keyboard.press('Control+Enter')
    await rowA.waitFor({ state: 'detached' })
    await waitFocus(a, '#wl-title')
    const withdrawn = await e2e.api.request<{ requests: any[] }>('GET', '/api/waiting-list?status=withdrawn', { cookie: regB })
    t.same(withdrawn.requests.map((r) => r.id), [other.id], 'withdrawn')
    await expectNoSeriousViolations(t, a, 'the list after a withdrawal')
    // B's refused claim (409) is a console line of the browser's own, not a script error.
    t.same([...e2e.pageErrors(a), ...e2e.pageErrors(b)].filter((e) => !/Failed to load resource: .* 409/.test(e)), [], 'no script error')
  })
})

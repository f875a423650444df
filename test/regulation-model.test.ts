import t from 'tap'
import type { Slot } from '../shared/schemas/slots.js'
import { batchAnnouncements, boardView, feedAnnouncement, ghostReason, NO_FILTERS, placeName, practitionersOf, resyncAnnouncement, type Commune, type PractitionerRef } from '../web/components/regulation-model.js'

/** What /regulation lists, and what its polite live region says when the list changes (web/components/regulation-model.ts). */

const LABEL = 'lundi 14 juillet 10:00, Dr Claire Martin'
const slot = (over: Partial<Slot>): Slot => ({
  id: 'a', cptsId: 'cpts-1', start: '2030-07-14T08:00:00Z', end: '2030-07-14T08:20:00Z', kind: 'snp', mode: 'office', status: 'free',
  practitioner: {
    id: 'gp-1', name: 'Claire Martin', profession: 'gp', rpps: '10000000421', address: '12 rue de la Plage', postalCode: '85160',
    commune: 'Saint-Jean-de-Monts', phone: '0251580042', communeCode: '85234', epci: null, departement: '85'
  },
  cptsIds: ['cpts-1'],
  place: { id: 'gp-1', label: 'Saint-Jean-de-Monts', address: '12 rue de la Plage', postalCode: '85160', commune: 'Saint-Jean-de-Monts', communeCode: '85234', epci: null, departement: '85' },
  ...over
})
const free = slot({})
const heldByOther = slot({ status: 'held', hold: { by: 'other', expiresAt: '2030-07-13T09:03:00Z' } })

t.test("another regulator's changes, in French", async (t) => {
  t.equal(feedAnnouncement('slot.published', free, undefined, LABEL), `Nouveau créneau : ${LABEL}.`)
  t.equal(feedAnnouncement('slot.held', heldByOther, free, LABEL), `Créneau en cours de réservation : ${LABEL}.`)
  t.equal(feedAnnouncement('slot.held', heldByOther, heldByOther, LABEL), null, 'a hold extended is not news')
  t.equal(feedAnnouncement('slot.released', free, heldByOther, LABEL), `Créneau de nouveau libre : ${LABEL}.`)
  t.equal(feedAnnouncement('slot.booked', slot({ status: 'booked' }), heldByOther, LABEL), `Créneau pris : ${LABEL}.`)
  t.equal(feedAnnouncement('slot.withdrawn', slot({ status: 'withdrawn' }), undefined, LABEL), null, 'a slot never listed is not said to go')
  t.equal(ghostReason('slot.booked'), 'booked', 'a booked row stays a moment as "Pris"')
})

t.test('changes that come together are said in one sentence', async (t) => {
  t.equal(batchAnnouncements(['Un.', 'Deux.', 'Trois.']), 'Un. Deux. Trois.')
  t.equal(batchAnnouncements(['Un.', 'Deux.', 'Trois.', 'Quatre.', 'Cinq.']), 'Un. Deux. Et 3\u00a0autres changements.')
  t.equal(resyncAnnouncement(1, 2), 'Liste mise à jour : 1\u00a0créneau apparu, 2\u00a0partis.')
})

t.test("the board: the treating GP's free slots first, rows that just left stay a moment", async (t) => {
  const NOW = Date.parse('2030-07-13T09:00:00Z')
  const other = { ...free.practitioner, id: 'gp-2', name: 'Paul Durand' }
  const slots = new Map<string, Slot>([
    ['a', slot({ id: 'a', start: '2030-07-14T09:00:00Z' })],
    ['b', slot({ id: 'b', start: '2030-07-14T08:00:00Z', practitioner: other })],
    ['c', slot({ id: 'c', start: '2030-07-13T08:00:00Z' })], // started: not listed
    ['d', slot({ id: 'd', start: '2030-07-14T10:00:00Z', practitioner: other })]
  ])
  const gp: PractitionerRef = { id: 'gp-1', name: 'Claire Martin', rpps: '10000000421', profession: 'gp', commune: 'Saint-Jean-de-Monts' }
  const base = { slots, ghosts: [], fresh: new Map<string, number>(), deferred: new Set<string>(), filters: NO_FILTERS, commune: null, gp: null, now: NOW, zoneOf: () => 'Europe/Paris' }

  t.same(boardView(base).order.map((r) => r.id), ['b', 'a', 'd'], 'open slots by time')
  const withGp = boardView({ ...base, gp })
  t.equal(withGp.gpFree, 1)
  t.same(withGp.order.map((r) => r.id), ['a', 'b', 'd'], "the GP's free slot in its own block, first")
  t.equal(boardView({ ...base, gp: { ...gp, id: 'gp-3' } }).gpGroups.length, 0, 'a GP with no free slot: no block')

  const gone = slot({ id: 'e', start: '2030-07-14T08:30:00Z' })
  const view = boardView({ ...base, ghosts: [{ slot: gone, reason: 'booked', until: NOW + 2000 }], deferred: new Set(['d']) })
  t.same(view.order, [{ id: 'b', ghost: false }, { id: 'e', ghost: true }, { id: 'a', ghost: false }], 'a booked row stays, faded; a new one waits while the pointer is on the list')
  t.same(view.shown.map((s) => s.id), ['a', 'b'], 'the count leaves the faded row out')
})

t.test('a GP at two places: each slot ranked by its own place; a slot offered to two CPTS is listed under each', async (t) => {
  const NOW = Date.parse('2030-07-13T09:00:00Z')
  const soullans = { id: 'place-2', label: 'Maison de santé de Soullans', address: '2 rue de l’Étier', postalCode: '85300', commune: 'Soullans', communeCode: '85284', epci: '200043990', departement: '85' }
  // The practitioner's own fields name the home practice (Saint-Jean-de-Monts): only the place tells where a slot is.
  const home = slot({ id: 'home', start: '2030-07-14T08:00:00Z' })
  const there = slot({ id: 'there', start: '2030-07-14T12:00:00Z', place: soullans, cptsIds: ['cpts-1', 'cpts-2'] })
  const slots = new Map<string, Slot>([['home', home], ['there', there]])
  const base = { slots, ghosts: [], fresh: new Map<string, number>(), deferred: new Set<string>(), filters: NO_FILTERS, commune: null, gp: null, now: NOW, zoneOf: () => 'Europe/Paris' }
  const patient: Commune = { code: '85284', name: 'Soullans', departement: '85', postalCodes: ['85300'], epci: '200043990' }
  const ranked = boardView({ ...base, commune: patient })
  t.same(ranked.groups.map((g) => [g.rank, g.days.flatMap((d) => d.rows.map((r) => r.slot.id))]), [[0, ['there']], [2, ['home']]],
    'a patient of Soullans: the Soullans slot first (same commune), the other practice\'s later (same département)')
  const fromMonts: Commune = { code: '85234', name: 'Saint-Jean-de-Monts', departement: '85', postalCodes: ['85160'], epci: null }
  t.same(boardView({ ...base, commune: fromMonts }).groups.map((g) => [g.rank, g.days.flatMap((d) => d.rows.map((r) => r.slot.id))]), [[0, ['home']], [2, ['there']]],
    'a patient of Saint-Jean-de-Monts: the other way round')

  t.same(boardView({ ...base, filters: { ...NO_FILTERS, cptsId: 'cpts-2' } }).shown.map((s) => s.id), ['there'], 'the filter on the second CPTS lists the slot offered to it too')
  t.same(boardView({ ...base, filters: { ...NO_FILTERS, cptsId: 'cpts-1' } }).shown.map((s) => s.id), ['home', 'there'], 'and the one on its own CPTS both')
  t.same(boardView({ ...base, filters: { ...NO_FILTERS, cptsId: 'cpts-3' } }).shown, [], 'a CPTS it is not offered to, none')

  t.same(practitionersOf([home, there]).map((p) => [p.name, p.commune]), [['Claire Martin', 'Saint-Jean-de-Monts, Soullans']], 'the treating-GP field names both communes')
  t.equal(placeName(there), 'Soullans · Maison de santé de Soullans', 'a row names the place by its commune and label')
  t.equal(placeName(home), 'Saint-Jean-de-Monts', 'a place labelled by its commune, once')
})

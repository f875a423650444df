import t from 'tap'
import type { Slot } from '../shared/schemas/slots.js'
import { batchAnnouncements, feedAnnouncement, ghostReason, resyncAnnouncement } from '../web/components/regulation-model.js'

/** What the polite live region of /regulation says when the list changes (web/components/regulation-model.ts). */

const LABEL = 'lundi 14 juillet 10:00, Dr Claire Martin'
const slot = (over: Partial<Slot>): Slot => ({
  id: 'a', cptsId: 'cpts-1', start: '2030-07-14T08:00:00Z', end: '2030-07-14T08:20:00Z', kind: 'snp', mode: 'office', status: 'free',
  practitioner: {
    id: 'gp-1', name: 'Claire Martin', profession: 'gp', rpps: '10000000421', address: '12 rue de la Plage', postalCode: '85160',
    commune: 'Saint-Jean-de-Monts', phone: '0251580042', communeCode: '85234', epci: null, departement: '85'
  },
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
  t.equal(batchAnnouncements(['Un.', 'Deux.', 'Trois.', 'Quatre.', 'Cinq.']), 'Un. Deux. Et 3 autres changements.')
  t.equal(resyncAnnouncement(1, 2), 'Liste mise à jour : 1 créneau apparu, 2 partis.')
})

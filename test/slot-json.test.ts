import t from 'tap'
import { forViewer, slotJson, toNeutralSlot, type SlotJsonParts, type SlotRecord } from '../server/features/slots/slot-repository.js'

// slotJson writes a snapshot's slots from the records: it must write exactly what the objects
// (toNeutralSlot, forViewer) give to JSON.stringify, for every viewer and every kind of slot.
const NOW = new Date('2026-07-13T09:30:00.000Z')

const base: SlotRecord = {
  id: 's1', cpts_id: 'c1', practitioner_id: 'p1', start_at: '2026-07-13T10:00:00.000Z', end_at: '2026-07-13T10:15:00.000Z',
  kind: 'snp', mode: 'office', status: 'free', hold_by: null, hold_expires_at: null, booking_id: null, version: 3, series_id: null,
  practitioner_name: 'Dr Élodie "Lou" Martin', profession: 'gp', rpps: '10000000017', phone: '02 51 58 00 01',
  place_id: 'l1', place_label: 'Cabinet\nde la Plage', address: '1 rue de la Plage', postal_code: '85160', commune: 'Saint-Jean-de-Monts',
  commune_code: '85234', timezone: 'Europe/Paris', extra_cpts: null
}

const cases: Array<[string, Partial<SlotRecord>]> = [
  ['free', {}],
  ['held, live', { status: 'held', hold_by: 'u1', hold_expires_at: '2026-07-13T09:35:00.000Z' }],
  ['held, lapsed (free for everyone)', { status: 'held', hold_by: 'u1', hold_expires_at: '2026-07-13T09:30:00.000Z' }],
  ['held without a holder', { status: 'held', hold_by: null, hold_expires_at: '2026-07-13T09:35:00.000Z' }],
  ['booked, of a series', { status: 'booked', booking_id: 'b1', series_id: 'r1' }],
  ['offered to other CPTS', { extra_cpts: 'c3,c2' }],
  ['an empty list of extras', { extra_cpts: '' }],
  ['another zone, a commune not in the list', { timezone: 'Indian/Reunion', commune_code: '99999', postal_code: '97400' }],
  ['no label', { place_label: null as unknown as string }],
  ['another place of the same practitioner', { id: 's2', place_id: 'l2', address: '2 place du Marché', commune_code: '85113', postal_code: '85300', commune: 'Challans' }]
]

t.test('slotJson writes what JSON.stringify(forViewer(toNeutralSlot)) writes', async (t) => {
  // One parts map for the records of one read (a snapshot's): they agree on each owner's fields.
  let parts: SlotJsonParts = new Map()
  for (const [name, change] of cases) {
    const r = { ...base, ...change }
    // Other owner fields under the same ids: another read.
    if (change.place_id === undefined && (change.place_label !== undefined || change.commune_code !== undefined)) parts = new Map()
    for (const viewer of [null, 'u1', 'u2']) {
      t.equal(slotJson(r, NOW.toISOString(), viewer, parts), JSON.stringify(forViewer(toNeutralSlot(r, NOW), viewer)), `${name}, viewer ${String(viewer)}`)
    }
  }
})

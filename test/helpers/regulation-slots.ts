import type { Slot } from '../../shared/schemas/slots.js'

/** The instant the /regulation unit tests (call reducer, page actions) are set at. */
export const NOW = Date.parse('2030-07-13T09:00:00Z')
export const inSeconds = (s: number): string => new Date(NOW + s * 1000).toISOString()

/** A free slot of Claire Martin's, the day after NOW, as the live feed sends it; `over` changes any field. */
export function slot (id: string, over: Partial<Slot> = {}): Slot {
  return {
    id,
    cptsId: 'cpts-1',
    practitioner: {
      id: 'gp-1', name: 'Claire Martin', profession: 'gp', rpps: '10000000421', address: '12 rue de la Plage', postalCode: '85160',
      commune: 'Saint-Jean-de-Monts', phone: '0251580042', communeCode: '85234', epci: '200000000', departement: '85'
    },
    cptsIds: ['cpts-1'],
    place: {
      id: 'gp-1', label: 'Saint-Jean-de-Monts', address: '12 rue de la Plage', postalCode: '85160', commune: 'Saint-Jean-de-Monts',
      communeCode: '85234', epci: '200000000', departement: '85'
    },
    start: '2030-07-14T08:00:00Z',
    end: '2030-07-14T08:20:00Z',
    kind: 'snp',
    mode: 'office',
    status: 'free',
    ...over
  }
}

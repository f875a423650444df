import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Commune, TerritoryLevel } from '../../shared/communes.js'
import { indexCommune, NO_TERRITORY, normalizeName, rankCommunes, territoryOf, type IndexedCommune, type Territory } from './commune-search.js'

/**
 * The official list of French communes (`@etalab/decoupage-administratif`): used to check
 * a practitioner's postal code against their commune, and to rank slots by the patient's
 * commune, intercommunality (EPCI) and département. Loaded once, on first use (~40 ms).
 */

interface RawCommune {
  code: string
  nom: string
  type: string
  departement?: string
  codesPostaux?: string[]
}
interface RawEpci { code: string, membres: Array<{ code: string }> }

const require = createRequire(import.meta.url)

let cache: { byCode: Map<string, Commune>, byPostalCode: Map<string, Commune[]>, index: Array<IndexedCommune<Commune>> } | undefined

function load (): NonNullable<typeof cache> {
  if (cache !== undefined) return cache
  // Read, not require()d: require would keep the whole 12 MB of parsed JSON in its cache for
  // the life of the process; only the compact maps below are kept.
  const readJson = (name: string): unknown => JSON.parse(readFileSync(require.resolve(`@etalab/decoupage-administratif/data/${name}`), 'utf8'))
  const raw = readJson('communes.json') as RawCommune[]
  const epcis = readJson('epci.json') as RawEpci[]
  const epciOf = new Map<string, string>()
  for (const e of epcis) for (const m of e.membres) epciOf.set(m.code, e.code)
  const byCode = new Map<string, Commune>()
  const byPostalCode = new Map<string, Commune[]>()
  for (const r of raw) {
    // Delegated and associated communes carry no postal code: addresses use the current commune.
    if ((r.type !== 'commune-actuelle' && r.type !== 'arrondissement-municipal') || r.codesPostaux === undefined) continue
    const c: Commune = { code: r.code, name: r.nom, departement: r.departement ?? r.code.slice(0, 2), postalCodes: r.codesPostaux, epci: epciOf.get(r.code) ?? null }
    byCode.set(c.code, c)
    for (const pc of c.postalCodes) {
      const list = byPostalCode.get(pc) ?? []
      list.push(c)
      byPostalCode.set(pc, list)
    }
  }
  // Names folded once: a search then compares words only.
  cache = { byCode, byPostalCode, index: [...byCode.values()].map(indexCommune) }
  return cache
}

export { normalizeName }

export type CommuneMatch =
  | { ok: true, commune: Commune }
  | { ok: false, reason: 'unknown_postal_code' | 'mismatch', candidates: string[] }

/** Checks that `name` is a commune served by `postalCode`. */
export function matchCommune (postalCode: string, name: string): CommuneMatch {
  const list = load().byPostalCode.get(postalCode)
  if (list === undefined) return { ok: false, reason: 'unknown_postal_code', candidates: [] }
  const wanted = normalizeName(name)
  const found = list.find((c) => normalizeName(c.name) === wanted)
  return found !== undefined
    ? { ok: true, commune: found }
    : { ok: false, reason: 'mismatch', candidates: list.map((c) => c.name) }
}

/** Loads the list ahead of the first request that needs it (called once the server listens). */
export function preloadCommunes (): void {
  load()
}

export function communeByCode (code: string): Commune | undefined {
  return load().byCode.get(code)
}

/** A commune as the autocomplete answers it: where it lies from the asker's territory. */
export interface CommuneHit extends Commune { territory: TerritoryLevel }

/**
 * Autocomplete: communes whose name's words start with the words typed (or whose postal code
 * starts with the digits), the territory's first (see commune-search.ts).
 */
export function searchCommunes (query: string, limit = 10, territory: Territory = NO_TERRITORY): CommuneHit[] {
  return rankCommunes(load().index, query, territory, limit).map((r) => ({ ...r.commune, territory: r.territory }))
}


/** The territory of practitioners practising in these communes (INSEE codes). */
export function territoryOfCommunes (codes: Iterable<string>): Territory {
  return territoryOf(codes, communeByCode)
}

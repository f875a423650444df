/** Where a commune lies from the territories of the instance: a commune of their practitioners (or of their intercommunality), one of their départements, or outside. */
export type TerritoryLevel = 'cpts' | 'departement' | 'outside'

/**
 * A French commune, from the official list (`@etalab/decoupage-administratif`): as the server
 * loads it (server/lib/communes.ts) and as GET /api/communes answers it (with `territory`).
 */
export interface Commune {
  /** INSEE code, e.g. 85234. */
  code: string
  name: string
  departement: string
  postalCodes: string[]
  /** SIREN of the EPCI the commune belongs to, when it belongs to one. */
  epci: string | null
  /** In GET /api/communes' answers only: where it lies from the asker's territory. */
  territory?: TerritoryLevel
}

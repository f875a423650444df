/**
 * Places, CPTS memberships and slot offers (migration 0019) written at the database level, for
 * tests that need a practitioner with several places or CPTS before the routes that make them.
 */
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/types.js'

const AT = '2026-01-01T00:00:00.000Z'

export interface PlaceFields { label?: string, address?: string, postalCode?: string, commune?: string, communeCode?: string, structureId?: string | null, phone?: string | null }

/** Adds a (non-home) place to a practitioner; returns its id. */
export async function givePlace (db: Kysely<Database>, practitionerId: string, p: PlaceFields = {}): Promise<string> {
  const id = randomUUID()
  await db.insertInto('practitioner_places').values({
    id, practitioner_id: practitionerId, label: p.label ?? `Cabinet ${id.slice(0, 4)}`, address: p.address ?? '2 place du Marché',
    postal_code: p.postalCode ?? '85000', commune: p.commune ?? 'La Roche-sur-Yon', commune_code: p.communeCode ?? '85191',
    structure_id: p.structureId ?? null, phone: p.phone ?? null, is_home: 0, created_at: AT, archived_at: null
  }).execute()
  return id
}

/** Makes a practitioner a member of one more CPTS. */
export async function joinCpts (db: Kysely<Database>, practitionerId: string, cptsId: string): Promise<void> {
  await db.insertInto('cpts_memberships').values({ practitioner_id: practitionerId, cpts_id: cptsId, created_at: AT }).execute()
}

/** Offers a slot to one more CPTS (besides its own). */
export async function offerTo (db: Kysely<Database>, slotId: string, cptsId: string): Promise<void> {
  await db.insertInto('slot_offers').values({ slot_id: slotId, cpts_id: cptsId }).execute()
}

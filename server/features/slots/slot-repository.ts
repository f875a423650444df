import { isPostgres } from '../../../db/dialect.js'
import type { Kysely, Transaction } from 'kysely'
import type { Database, PractitionerRow, SlotRow } from '../../../db/types.js'
import type { Slot, SlotStatus } from '../../../shared/schemas/slots.js'
import { communeByCode } from '../../lib/communes.js'
import { toZonedIso } from '../../lib/zoned-time.js'
import { holdIsLive, lapsedHold } from './hold-rule.js'
import { extraCpts, offeredCptsIds, slotOfferedTo } from './offer-rule.js'
import { overlappingSlots } from './overlap-rule.js'

/** Who holds a slot, kept by id: each viewer sees `me` or `other`. */
export type NeutralSlot = Omit<Slot, 'hold'> & { hold?: { holderId: string, expiresAt: string } }

/** Slots with their practitioner's account and profile and their CPTS, for callers to select from. */
export function slotsWithOwners (db: Kysely<Database>) {
  return db.selectFrom('slots')
    .innerJoin('users', 'users.id', 'slots.practitioner_id')
    .innerJoin('practitioners', 'practitioners.user_id', 'slots.practitioner_id')
    .innerJoin('cpts', 'cpts.id', 'slots.cpts_id')
}

function slotQuery (db: Kysely<Database>) {
  return slotsWithOwners(db)
    .innerJoin('practitioner_places as place', 'place.id', 'slots.place_id')
    .select([
      'slots.id', 'slots.cpts_id', 'slots.practitioner_id', 'slots.start_at', 'slots.end_at', 'slots.kind', 'slots.mode',
      'slots.status', 'slots.hold_by', 'slots.hold_expires_at', 'slots.booking_id', 'slots.version', 'slots.series_id',
      'users.name as practitioner_name', 'practitioners.profession', 'practitioners.rpps', 'practitioners.phone',
      'place.id as place_id', 'place.label as place_label', 'place.address', 'place.postal_code', 'place.commune',
      'place.commune_code', 'cpts.timezone', extraCpts(db)
    ])
}

export type SlotRecord = Awaited<ReturnType<ReturnType<typeof slotQuery>['executeTakeFirstOrThrow']>>

/** A slot as everyone may see it (no patient data), times in its CPTS's zone. */
export function toNeutralSlot (r: SlotRecord, now: Date): NeutralSlot {
  const commune = communeByCode(r.commune_code)
  const epci = commune?.epci ?? null
  const departement = commune?.departement ?? r.postal_code.slice(0, 2)
  // A hold past its expiry is free for every purpose, even before the sweeper writes it.
  const heldNow = holdIsLive(r, now.toISOString())
  const view: NeutralSlot = {
    id: r.id,
    cptsId: r.cpts_id,
    cptsIds: offeredCptsIds(r),
    // The address fields: the slot's place's, until every page reads `place`.
    practitioner: {
      id: r.practitioner_id, name: r.practitioner_name, profession: r.profession, rpps: r.rpps, address: r.address,
      postalCode: r.postal_code, commune: r.commune, phone: r.phone, communeCode: r.commune_code, epci, departement
    },
    place: {
      id: r.place_id, label: r.place_label, address: r.address, postalCode: r.postal_code, commune: r.commune,
      communeCode: r.commune_code, epci, departement
    },
    start: toZonedIso(r.start_at, r.timezone),
    end: toZonedIso(r.end_at, r.timezone),
    kind: r.kind,
    mode: r.mode,
    status: r.status === 'held' && !heldNow ? 'free' : r.status
  }
  if (heldNow && r.hold_by !== null && r.hold_expires_at !== null) {
    view.hold = { holderId: r.hold_by, expiresAt: toZonedIso(r.hold_expires_at, r.timezone) }
  }
  if (r.booking_id !== null) view.bookingId = r.booking_id
  if (r.series_id !== null) view.seriesId = r.series_id
  return view
}

/** The slot as one viewer sees it: their own hold is `me`, anyone else's `other`. */
export function forViewer (s: NeutralSlot, viewerId: string | null): Slot {
  if (s.hold === undefined) return s as Slot
  const { hold, ...rest } = s
  return { ...rest, hold: { by: hold.holderId === viewerId ? 'me' : 'other', expiresAt: hold.expiresAt } }
}

/**
 * What `JSON.stringify(forViewer(toNeutralSlot(r, now), viewerId))` writes, byte for byte, written
 * from the record without the objects in between (a snapshot writes thousands of slots, for
 * hundreds of sockets at a restart: docs/performance.md, "Memory"). The practitioner and place
 * parts, the same for every slot of a practitioner at a place, are written once per `parts`
 * (one per read of the slots: the records of one read agree). test/slot-json.test.ts holds it
 * to the objects' text: a field added to `toNeutralSlot` must be added here too.
 */
export function slotJson (r: SlotRecord, nowIso: string, viewerId: string | null, parts: SlotJsonParts): string {
  const q = JSON.stringify
  let byPlace = parts.get(r.practitioner_id)
  if (byPlace === undefined) parts.set(r.practitioner_id, byPlace = new Map())
  let owner = byPlace.get(r.place_id)
  if (owner === undefined) {
    const commune = communeByCode(r.commune_code)
    const where = `,"address":${q(r.address)},"postalCode":${q(r.postal_code)},"commune":${q(r.commune)}`
    const area = `,"communeCode":${q(r.commune_code)},"epci":${q(commune?.epci ?? null)},"departement":${q(commune?.departement ?? r.postal_code.slice(0, 2))}}`
    owner = `,"practitioner":{"id":${q(r.practitioner_id)},"name":${q(r.practitioner_name)},"profession":${q(r.profession)},"rpps":${q(r.rpps)}${where},"phone":${q(r.phone)}${area}` +
      `,"place":{"id":${q(r.place_id)},"label":${q(r.place_label)}${where}${area}`
    byPlace.set(r.place_id, owner)
  }
  const heldNow = holdIsLive(r, nowIso)
  const cpts = r.extra_cpts === null || r.extra_cpts === '' ? q(r.cpts_id) : offeredCptsIds(r).map((id) => q(id)).join(',')
  let json = `{"id":${q(r.id)},"cptsId":${q(r.cpts_id)},"cptsIds":[${cpts}]${owner},"start":${q(toZonedIso(r.start_at, r.timezone))},"end":${q(toZonedIso(r.end_at, r.timezone))}` +
    `,"kind":${q(r.kind)},"mode":${q(r.mode)},"status":${q(r.status === 'held' && !heldNow ? 'free' : r.status)}`
  if (r.booking_id !== null) json += `,"bookingId":${q(r.booking_id)}`
  if (r.series_id !== null) json += `,"seriesId":${q(r.series_id)}`
  // forViewer puts the hold last.
  if (heldNow && r.hold_by !== null && r.hold_expires_at !== null) {
    json += `,"hold":{"by":${r.hold_by === viewerId ? '"me"' : '"other"'},"expiresAt":${q(toZonedIso(r.hold_expires_at, r.timezone))}}`
  }
  return json + '}'
}

/** The practitioner-and-place parts of `slotJson`, by practitioner id then place id: one per read of the slots. */
export type SlotJsonParts = Map<string, Map<string, string>>

export async function findSlotRecord (db: Kysely<Database>, id: string): Promise<SlotRecord | undefined> {
  return await slotQuery(db).where('slots.id', '=', id).executeTakeFirst()
}

export interface SlotFilters {
  /** Slots ending after this instant (ISO UTC). */
  endAfter?: string
  /** Slots starting before this instant (ISO UTC). */
  startBefore?: string
  statuses?: SlotStatus[]
  kind?: Slot['kind']
  mode?: Slot['mode']
  /** Slots offered to this CPTS (its own or an extra). */
  cptsId?: string
  practitionerId?: string
  limit?: number
}

export async function listSlotRecords (db: Kysely<Database>, f: SlotFilters): Promise<SlotRecord[]> {
  let q = slotQuery(db)
  if (f.endAfter !== undefined) q = q.where('slots.end_at', '>', f.endAfter)
  if (f.startBefore !== undefined) q = q.where('slots.start_at', '<', f.startBefore)
  if (f.statuses !== undefined && f.statuses.length > 0) q = q.where('slots.status', 'in', f.statuses)
  if (f.kind !== undefined) q = q.where('slots.kind', '=', f.kind)
  if (f.mode !== undefined) q = q.where('slots.mode', '=', f.mode)
  if (f.cptsId !== undefined) q = q.where(slotOfferedTo(f.cptsId))
  if (f.practitionerId !== undefined) q = q.where('slots.practitioner_id', '=', f.practitionerId)
  return await q.orderBy('slots.start_at').orderBy('slots.id').limit(f.limit ?? 10_000).execute()
}

/** True when the practitioner has a slot overlapping [start, end), by the overlap rule (overlap-rule.ts). */
export async function hasOverlap (db: Transaction<Database>, practitionerId: string, startIso: string, endIso: string): Promise<boolean> {
  // On PostgreSQL the practitioner's account is locked until the transaction ends, so that two
  // publishes of one practitioner cannot both see "no overlap" and both insert.
  await lockAccounts(db, [practitionerId])
  const row = await overlappingSlots(db, [practitionerId], startIso, endIso).select('id').limit(1).executeTakeFirst()
  return row !== undefined
}

/**
 * Locks accounts (their `users` rows) until the transaction ends, on PostgreSQL: a practitioner
 * publishing or importing (before an overlap check), a regulator holding or booking (one hold per regulator, whichever instance).
 * The lock order of every writing transaction is: accounts, then slots by id, then bookings,
 * then the events counter (appendEvent), then the rollups' counters in one ordered step
 * (applyRollups, db/rollup-deltas.ts), then the audit chain's head at commit: two transactions
 * never wait on each other in a circle (CONTRIBUTING, "Several instances"). SQLite has one
 * writer at a time (and no row locks).
 */
export async function lockAccounts (trx: Transaction<Database>, userIds: readonly string[]): Promise<void> {
  if (!isPostgres(trx) || userIds.length === 0) return
  // NO KEY UPDATE, not UPDATE: it does not conflict with the KEY SHARE locks that foreign-key
  // checks take (an audit entry naming this account after its event), which would deadlock
  // against a transaction waiting here while holding the events counter.
  await trx.selectFrom('users').select('id').where('id', 'in', [...userIds]).orderBy('id').forNoKeyUpdate().execute()
}

/** The columns a change of state writes: what its UPDATE returns, to update a record read before it. */
export type SlotChange = Pick<SlotRow, 'status' | 'hold_by' | 'hold_expires_at' | 'booking_id'>
export const SLOT_CHANGE_COLUMNS = ['status', 'hold_by', 'hold_expires_at', 'booking_id'] as const

/**
 * A regulator's claim (hold, book, move) reads, once, the slots it may change — `slotIds` and
 * those the regulator holds, whose holds it releases — with their owners, and the regulator's
 * name (a booking's answer shows it). On PostgreSQL the slots are locked in id order
 * (`FOR NO KEY UPDATE OF slots`, the lock order in lockAccounts; call it after locking the
 * account): their rows then stay as read until the transaction ends, and the changes' RETURNING
 * completes them (SQLite: one writer at a time). `held`: the ids of the held ones but `slotIds`.
 */
export async function lockClaim (trx: Transaction<Database>, regulatorId: string, slotIds: readonly string[]): Promise<{ slots: Map<string, SlotRecord>, held: string[], regulatorName: string | null }> {
  const q = slotQuery(trx)
    .leftJoin('users as claimant', (j) => j.on('claimant.id', '=', regulatorId))
    .select('claimant.name as claimant_name')
    .where((eb) => eb.or([eb('slots.id', 'in', [...slotIds]), eb.and([eb('slots.status', '=', 'held'), eb('slots.hold_by', '=', regulatorId)])]))
    .orderBy('slots.id')
  const rows = await (isPostgres(trx) ? q.forNoKeyUpdate('slots') : q).execute()
  const slots = new Map<string, SlotRecord>()
  const held: string[] = []
  for (const { claimant_name: _, ...r } of rows) {
    slots.set(r.id, r)
    if (!slotIds.includes(r.id)) held.push(r.id)
  }
  return { slots, held, regulatorName: rows[0]?.claimant_name ?? null }
}

/**
 * Locks slots, in id order, before a transaction changes several of them (or a slot and its
 * booking): on PostgreSQL, so that two such transactions (a move and a cancel, a hold and a
 * withdrawal) take their locks in one order and never deadlock (SQLite: one writer at a time).
 * Returns them by id, read with their owners, for the views of the events.
 */
export async function lockSlots (trx: Transaction<Database>, slotIds: readonly string[]): Promise<Map<string, SlotRecord>> {
  if (slotIds.length === 0) return new Map()
  const q = slotQuery(trx).where('slots.id', 'in', [...new Set(slotIds)]).orderBy('slots.id')
  const rows = await (isPostgres(trx) ? q.forNoKeyUpdate('slots') : q).execute()
  return new Map(rows.map((r) => [r.id, r]))
}

/** What the state machine reads of a slot to decide, or to say why it refused. */
export type SlotState = Pick<SlotRow, 'practitioner_id' | 'status' | 'hold_by' | 'hold_expires_at' | 'start_at'>

export async function findSlotState (db: Kysely<Database>, id: string): Promise<SlotState | undefined> {
  return await db.selectFrom('slots').select(['practitioner_id', 'status', 'hold_by', 'hold_expires_at', 'start_at'])
    .where('id', '=', id).executeTakeFirst()
}

/** Whether some slot's hold has run out but is still written held (the sweeper's work). */
export async function anyLapsedHold (db: Kysely<Database>, nowIso: string): Promise<boolean> {
  return (await db.selectFrom('slots').select('id').where(lapsedHold(nowIso)).limit(1).executeTakeFirst()) !== undefined
}

/**
 * The slots whose hold has run out but that are still written held, in id
 * order. Inside the sweeper's transaction on PostgreSQL they are locked, skipping those another
 * transaction holds (another instance's sweeper, a regulator claiming one): two sweepers
 * release different slots, each exactly once, and never wait on each other.
 */
export async function lockLapsedHolds (trx: Transaction<Database>, nowIso: string): Promise<string[]> {
  const q = trx.selectFrom('slots').select('id').where(lapsedHold(nowIso)).orderBy('id')
  const rows = await (isPostgres(trx) ? q.forNoKeyUpdate().skipLocked() : q).execute()
  return rows.map((r) => r.id)
}

/**
 * A practitioner who may publish: their profession, their home CPTS (null when attached to
 * none), their active places (the home one first) and the CPTS they are members of, with zones
 * (the home one first).
 */
export interface Publisher {
  id: string
  cpts_id: string | null
  profession: PractitionerRow['profession']
  places: Array<{ id: string, commune_code: string, postal_code: string, is_home: boolean }>
  memberships: Array<{ cpts_id: string, timezone: string }>
}

/**
 * The ids of a practitioner's slots not yet started nor withdrawn, of one series and/or one
 * local date (the CPTS's), in start order: what a withdrawal of several slots looks at.
 */
export async function withdrawableSlotIds (db: Kysely<Database>, f: { practitionerId: string, nowIso: string, seriesId?: string | undefined, date?: string | undefined }): Promise<string[]> {
  let q = db.selectFrom('slots').select('id')
    .where('practitioner_id', '=', f.practitionerId).where('start_at', '>', f.nowIso).where('status', '!=', 'withdrawn')
  if (f.seriesId !== undefined) q = q.where('series_id', '=', f.seriesId)
  if (f.date !== undefined) q = q.where('local_date', '=', f.date)
  const rows = await q.orderBy('start_at').orderBy('id').execute()
  return rows.map((r) => r.id)
}

export async function findPublisher (db: Kysely<Database>, userId: string): Promise<Publisher | undefined> {
  const p = await db.selectFrom('users')
    .innerJoin('practitioners', 'practitioners.user_id', 'users.id')
    .select(['users.id', 'users.cpts_id', 'practitioners.profession'])
    .where('users.id', '=', userId).executeTakeFirst()
  if (p === undefined) return undefined
  const places = await db.selectFrom('practitioner_places').select(['id', 'commune_code', 'postal_code', 'is_home'])
    .where('practitioner_id', '=', userId).where('archived_at', 'is', null)
    .orderBy('is_home', 'desc').orderBy('created_at').orderBy('id').execute()
  const memberships = await db.selectFrom('cpts_memberships').innerJoin('cpts', 'cpts.id', 'cpts_memberships.cpts_id')
    .select(['cpts_memberships.cpts_id', 'cpts.timezone'])
    .where('cpts_memberships.practitioner_id', '=', userId).orderBy('cpts_memberships.cpts_id').execute()
  memberships.sort((a, b) => Number(b.cpts_id === p.cpts_id) - Number(a.cpts_id === p.cpts_id))
  return { ...p, places: places.map((x) => ({ ...x, is_home: Number(x.is_home) === 1 })), memberships }
}

/**
 * A practitioner's places of consultation and CPTS memberships, as an admin manages them
 * (issue 21). Each change is one transaction with its audit entry, the practitioner's account
 * locked first (lockAccounts: a publish checking the place or the CPTS waits for it, and the
 * other way round). The home place is copied into the practitioner's own address columns in the
 * same transaction, for the readers not yet moved to places (home-place.ts: their only writer).
 */
import type { Kysely, Updateable } from 'kysely'
import type { Database, PractitionerPlacesTable } from '../../../db/types.js'
import type { CreatePlaceBody, MembershipsBody, Place, UpdatePlaceBody } from '../../../shared/schemas/places.js'
import { AppError, invalid, notFound, type Issue } from '../../errors.js'
import { foldName } from '../../lib/fold-name.js'
import { newId } from '../../lib/secrets.js'
import { appendAudit } from '../audit/audit-repository.js'
import { listCpts } from '../cpts/cpts-repository.js'
import type { Actor } from '../session/actor.js'
import { lockAccounts } from '../slots/slot-repository.js'
import { findUser } from '../users/users-repository.js'
import { copyHomePlace } from './home-place.js'
import { resolveCommune } from '../users/users-service.js'
import {
  activePlaces, findActivePlace, futureSlotsAt, futureSlotsOfferedTo, insertPlace, replaceMemberships,
  setHomePlace, toPlace, updatePlaceRow, type PlaceRow
} from './places-repository.js'

const custom = (path: PropertyKey[], message: string): Issue => ({ code: 'custom', path, message })

/** Labels compare without case nor accents, spaces squeezed: "Cabinet du Port" = "cabinet du port". */
const labelKey = (label: string): string => foldName(label).replace(/\s+/g, ' ').trim()

/** The issue of a label another active place of the practitioner has already, or null. */
function labelTaken (places: readonly PlaceRow[], label: string, placeId: string | null, path: PropertyKey[] = ['label']): Issue | null {
  const other = places.find((p) => p.id !== placeId && labelKey(p.label) === labelKey(label))
  return other === undefined ? null : custom(path, `another place of this practitioner is named ${other.label}`)
}

/** The practitioner an admin names in the URL (404 for an unknown account or another role's). */
async function practitioner (db: Kysely<Database>, id: string): Promise<void> {
  const u = await findUser(db, id)
  if (u?.practitioner == null) throw notFound('Practitioner')
}

/** The active places of a practitioner, the home place first. */
export async function listPlacesOf (db: Kysely<Database>, practitionerId: string): Promise<Place[]> {
  await practitioner(db, practitionerId)
  return (await activePlaces(db, [practitionerId])).map(toPlace)
}

/** Adds a place; with `home: true` it becomes the home place at once. */
export async function createPlace (db: Kysely<Database>, practitionerId: string, body: CreatePlaceBody, actor: Actor, now: Date): Promise<Place> {
  await practitioner(db, practitionerId)
  const found = resolveCommune(body.postalCode, body.commune, [])
  if ('path' in found) throw invalid([found])
  const row: PlaceRow = {
    id: newId(),
    practitioner_id: practitionerId,
    label: body.label ?? found.name,
    address: body.address,
    postal_code: body.postalCode,
    commune: found.name,
    commune_code: found.code,
    structure_id: body.structureId ?? null,
    phone: body.phone ?? null,
    is_home: 0,
    created_at: now.toISOString(),
    archived_at: null,
    revision: 0,
    revised_at: null
  }
  await db.transaction().execute(async (trx) => {
    await lockAccounts(trx, [practitionerId])
    const taken = labelTaken(await activePlaces(trx, [practitionerId]), row.label, null)
    if (taken !== null) throw invalid([taken])
    await insertPlace(trx, row)
    if (body.home === true) {
      await setHomePlace(trx, practitionerId, row.id)
      await copyHomePlace(trx, practitionerId)
    }
    await appendAudit(trx, {
      at: now, userId: actor.id, action: 'place.create', subjectType: 'user', subjectId: practitionerId, ip: actor.ip,
      detail: { placeId: row.id, label: row.label, home: body.home === true }
    })
  })
  return toPlace({ ...row, is_home: body.home === true ? 1 : 0 })
}

/** The columns of a place to write for the address fields sent, its commune checked (or the issues). */
function addressChanges (place: PlaceRow, body: Pick<UpdatePlaceBody, 'address' | 'postalCode' | 'commune' | 'structureId'>, path: PropertyKey[]):
{ set: Updateable<PractitionerPlacesTable>, issues: Issue[] } {
  const set: Updateable<PractitionerPlacesTable> = {}
  const issues: Issue[] = []
  if (body.address !== undefined) set.address = body.address
  if (body.structureId !== undefined) set.structure_id = body.structureId
  if (body.postalCode !== undefined || body.commune !== undefined) {
    const postalCode = body.postalCode ?? place.postal_code
    const found = resolveCommune(postalCode, body.commune ?? place.commune, path)
    if ('path' in found) {
      issues.push(found)
    } else {
      set.postal_code = postalCode
      set.commune = found.name
      set.commune_code = found.code
    }
  }
  return { set, issues }
}

/**
 * A place named after its commune (the default label) follows its commune when that changes,
 * unless another place has the new name already.
 */
function labelFollowsCommune (places: readonly PlaceRow[], place: PlaceRow, set: Updateable<PractitionerPlacesTable>): void {
  if (set.label !== undefined || typeof set.commune !== 'string' || labelKey(place.label) !== labelKey(place.commune)) return
  if (labelTaken(places, set.commune, place.id) === null) set.label = set.commune
}

const ADDRESS_COLUMNS = ['address', 'postal_code', 'commune', 'commune_code', 'structure_id'] as const

/** Edits a place (only the fields sent); `home: true` makes it the home place. */
export async function updatePlace (db: Kysely<Database>, practitionerId: string, placeId: string, body: UpdatePlaceBody, actor: Actor, now: Date): Promise<Place> {
  await practitioner(db, practitionerId)
  const before = await findActivePlace(db, practitionerId, placeId)
  if (before === undefined) throw notFound('Place')
  const { set, issues } = addressChanges(before, body, [])
  if (body.label !== undefined) set.label = body.label
  if (body.phone !== undefined) set.phone = body.phone
  if (issues.length > 0) throw invalid(issues)

  await db.transaction().execute(async (trx) => {
    await lockAccounts(trx, [practitionerId])
    const places = await activePlaces(trx, [practitionerId])
    const place = places.find((p) => p.id === placeId)
    if (place === undefined) throw notFound('Place')
    labelFollowsCommune(places, place, set)
    const taken = set.label === undefined ? null : labelTaken(places, set.label, placeId)
    if (taken !== null) throw invalid([taken])
    await updatePlaceRow(trx, placeId, set, now)
    const makeHome = body.home === true && place.is_home === 0
    if (makeHome) await setHomePlace(trx, practitionerId, placeId)
    if (makeHome || (place.is_home === 1 && ADDRESS_COLUMNS.some((c) => set[c] !== undefined))) await copyHomePlace(trx, practitionerId)
    await appendAudit(trx, {
      at: now, userId: actor.id, action: 'place.update', subjectType: 'user', subjectId: practitionerId, ip: actor.ip,
      detail: { placeId, fields: [...Object.keys(set), ...(makeHome ? ['home'] : [])] }
    })
  })
  const after = await findActivePlace(db, practitionerId, placeId)
  if (after === undefined) throw notFound('Place')
  return toPlace(after)
}

/**
 * Archives a place: it is no longer offered for new slots nor listed, its past slots keep it.
 * Refused (PLACE_IN_USE) for the home place (make another one home first) and for a place with
 * slots still to come (withdraw them first): a regulator may be booking one.
 */
export async function archivePlace (db: Kysely<Database>, practitionerId: string, placeId: string, actor: Actor, now: Date): Promise<void> {
  await practitioner(db, practitionerId)
  await db.transaction().execute(async (trx) => {
    await lockAccounts(trx, [practitionerId])
    const place = await findActivePlace(trx, practitionerId, placeId)
    if (place === undefined) throw notFound('Place')
    if (place.is_home === 1) {
      throw new AppError('PLACE_IN_USE', 'The home place cannot be archived: make another place the home place first', { details: [custom(['placeId'], 'home place')] })
    }
    const future = await futureSlotsAt(trx, placeId, now.toISOString())
    if (future > 0) {
      throw new AppError('PLACE_IN_USE', `${future} slot(s) still to come are published at this place: withdraw them first`, { details: [{ ...custom(['placeId'], 'slots still to come'), slots: future }] })
    }
    await updatePlaceRow(trx, placeId, { archived_at: now.toISOString() }, now)
    await appendAudit(trx, {
      at: now, userId: actor.id, action: 'place.archive', subjectType: 'user', subjectId: practitionerId, ip: actor.ip,
      detail: { placeId, label: place.label }
    })
  })
}

/**
 * Edits the home place from an account's edit (`PATCH /api/users/:id` with `practitioner.address`,
 * `postalCode`, `commune` or `structureId`), inside the caller's transaction, the account locked.
 * Returns the issues found (the caller refuses the whole edit), or the columns written.
 */
export async function editHomePlace (trx: Kysely<Database>, practitionerId: string, body: { address?: string, postalCode?: string, commune?: string, structureId?: string | null }, now: Date):
Promise<{ issues: Issue[], columns: string[] }> {
  const places = await activePlaces(trx, [practitionerId])
  const home = places.find((p) => p.is_home === 1)
  if (home === undefined) throw notFound('Home place')
  const { set, issues } = addressChanges(home, body, ['practitioner'])
  if (issues.length > 0) return { issues, columns: [] }
  const columns = Object.keys(set)
  labelFollowsCommune(places, home, set)
  await updatePlaceRow(trx, home.id, set, now)
  if (columns.length > 0) await copyHomePlace(trx, practitionerId)
  return { issues: [], columns }
}

/**
 * Sets every CPTS a practitioner is a member of and their home CPTS (`users.cpts_id`: their
 * session's, their calendar feed's, the import's default). Leaving a CPTS that slots still to
 * come are offered to is refused (MEMBERSHIP_IN_USE): withdraw them first.
 */
export async function setMemberships (db: Kysely<Database>, practitionerId: string, body: MembershipsBody, actor: Actor, now: Date): Promise<void> {
  await practitioner(db, practitionerId)
  const known = new Set((await listCpts(db)).map((c) => c.id))
  const issues = body.cptsIds.flatMap((id, i) => known.has(id) ? [] : [custom(['cptsIds', i], `unknown CPTS ${id}`)])
  if (issues.length > 0) throw invalid(issues)
  await db.transaction().execute(async (trx) => {
    await lockAccounts(trx, [practitionerId])
    const current = await trx.selectFrom('cpts_memberships').select('cpts_id').where('practitioner_id', '=', practitionerId).execute()
    for (const { cpts_id: left } of current) {
      if (body.cptsIds.includes(left)) continue
      const future = await futureSlotsOfferedTo(trx, practitionerId, left, now.toISOString())
      if (future > 0) {
        throw new AppError('MEMBERSHIP_IN_USE', `${future} slot(s) still to come are offered to CPTS ${left}: withdraw them first`, { details: [{ code: 'custom', path: ['cptsIds'], message: 'future slots offered', cptsId: left, slots: future }] })
      }
    }
    const { added, removed } = await replaceMemberships(trx, practitionerId, body.cptsIds, now)
    const user = await trx.selectFrom('users').select('cpts_id').where('id', '=', practitionerId).executeTakeFirstOrThrow()
    if (user.cpts_id !== body.homeCptsId) await trx.updateTable('users').set({ cpts_id: body.homeCptsId }).where('id', '=', practitionerId).execute()
    await appendAudit(trx, {
      at: now, userId: actor.id, action: 'practitioner.cpts', subjectType: 'user', subjectId: practitionerId, ip: actor.ip,
      detail: { added, removed, homeCptsId: body.homeCptsId, homeChanged: user.cpts_id !== body.homeCptsId }
    })
  })
}

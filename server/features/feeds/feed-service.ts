import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { FeedUrls } from '../../../shared/schemas/feeds.js'
import { appendAudit } from '../audit/audit-repository.js'
import type { Actor } from '../session/actor.js'
import { toZonedIso } from '../../lib/zoned-time.js'
import { zoneFor } from '../cpts/cpts-repository.js'
import { buildFeedCalendar, FEED_TTL_SECONDS } from './feed-calendar.js'
import { ensureFeedToken, feedRows, practitionerByFeedToken, replaceFeedToken, type FeedToken } from './feeds-repository.js'

/** Booked slots stay in the feed this long after they end (the bookings list shows as much). */
export const FEED_PAST_DAYS = 30

/** What `newSecret()` makes: 32 random bytes in base64url. Anything else is not looked up. */
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/

export interface FeedDeps {
  db: Kysely<Database>
  /** Without a trailing slash. */
  publicUrl: string
}

async function view (deps: FeedDeps, actor: Actor & { cptsId: string | null }, t: FeedToken): Promise<FeedUrls> {
  const url = `${deps.publicUrl}/feeds/${t.token}.ics`
  const zone = await zoneFor(deps.db, actor.cptsId ?? undefined)
  return { url, urlWithFree: `${url}?free=1`, createdAt: toZonedIso(t.createdAt, zone), refreshMinutes: FEED_TTL_SECONDS / 60 }
}

/** The practitioner's feed addresses, the token created on first use (and audited). */
export async function feedUrls (deps: FeedDeps, actor: Actor & { cptsId: string | null }, now: Date): Promise<FeedUrls> {
  const t = await deps.db.transaction().execute(async (trx) => {
    const { token, created } = await ensureFeedToken(trx, actor.id, now)
    if (created) await appendAudit(trx, { at: now, userId: actor.id, action: 'feed.create', subjectType: 'feed', subjectId: actor.id, ip: actor.ip })
    return token
  })
  return await view(deps, actor, t)
}

/** A new token: the previous address answers 404 from the moment this commits. */
export async function rotateFeed (deps: FeedDeps, actor: Actor & { cptsId: string | null }, now: Date): Promise<FeedUrls> {
  const t = await deps.db.transaction().execute(async (trx) => {
    const token = await replaceFeedToken(trx, actor.id, now)
    await appendAudit(trx, { at: now, userId: actor.id, action: 'feed.rotate', subjectType: 'feed', subjectId: actor.id, ip: actor.ip })
    return token
  })
  return await view(deps, actor, t)
}

export interface RenderedFeed { body: string, etag: string }

/** The feed behind a token, or null when no active practitioner has that token. */
export async function renderFeed (deps: FeedDeps, token: string, includeFree: boolean, now: Date): Promise<RenderedFeed | null> {
  if (!TOKEN_RE.test(token)) return null
  const owner = await practitionerByFeedToken(deps.db, token)
  if (owner === undefined) return null
  const since = new Date(now.getTime() - FEED_PAST_DAYS * 86_400_000).toISOString()
  const rows = await feedRows(deps.db, owner.id, since)
  const body = buildFeedCalendar({ practitioner: owner.practitioner, zone: owner.zone, publicUrl: deps.publicUrl, includeFree, ...rows })
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url')}"` }
}

/** True when an If-None-Match header names this entity tag (weak comparison, RFC 9110 §13.1.2). */
export function matchesEtag (header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  if (header.trim() === '*') return true
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)
}

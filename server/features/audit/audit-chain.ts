/**
 * The audit log's hash chain (migration 0016; docs/security.md says what it proves and what it
 * does not). Each entry has its place (`chain_seq`, 1, 2, 3… with no gap, in commit order), the
 * hash of the entry before it and its own hash: SHA-256 of `prev_hash`, `|`, and its canonical
 * content (the seq and every field but the row id, each as `<UTF-8 length>:<text>` or `-` for
 * NULL, joined by `|`). The same function is written in the migration (the backfill) and in
 * PostgreSQL (the trigger that chains entries at commit); the tests check they agree.
 */
import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'

export const GENESIS = '0'.repeat(64)
const FIELDS = ['at', 'user_id', 'action', 'subject_type', 'subject_id', 'ip', 'detail'] as const
export type ChainedContent = Record<(typeof FIELDS)[number], string | null>

const field = (v: string | null): string => v === null ? '-' : `${Buffer.byteLength(v, 'utf8')}:${v}`

export function chainHash (prev: string, seq: number, row: ChainedContent): string {
  const body = [String(seq), ...FIELDS.map((f) => row[f])].map(field).join('|')
  return createHash('sha256').update(prev + '|' + body, 'utf8').digest('hex')
}

/** What the purge records in its own entry: the chain's link to the entries it deleted. */
export interface PurgeLink { lastSeq: number, lastHash: string }

export type ChainReport =
  | { ok: true, entries: number, headSeq: number }
  | { ok: false, entries: number, headSeq: number, brokenAt: { id: number | null, seq: number | null, at: string | null }, reason: string }

const BATCH = 5000

/**
 * Walks the whole chain and reports the first entry where it breaks: an entry edited (its hash
 * no longer matches its content), entries deleted (a gap in seq, or before the first one with no
 * purge that says so, or after the last one the head knows), reordered or inserted (an entry
 * whose `prev_hash` is not the hash of the one before it, or one outside the chain).
 */
export async function verifyAuditChain (db: Kysely<Database>): Promise<ChainReport> {
  const head = await db.selectFrom('audit_chain_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst()
  const headSeq = Number(head?.seq ?? 0)
  let entries = 0
  const broken = (row: { id: number, chain_seq: number | null, at: string } | null, reason: string): ChainReport =>
    ({ ok: false, entries, headSeq, brokenAt: { id: row === null ? null : Number(row.id), seq: row?.chain_seq === null || row === null ? null : Number(row.chain_seq), at: row?.at ?? null }, reason })
  if (head === undefined) return broken(null, 'the chain\'s head row is missing')

  // An entry outside the chain (PostgreSQL chains at commit: a committed entry is always chained).
  const unchained = await db.selectFrom('audit_log').select(['id', 'chain_seq', 'at']).where('chain_seq', 'is', null).orderBy('id').executeTakeFirst()
  if (unchained !== undefined) return broken(unchained, 'entry outside the chain (inserted without its hash)')

  // The retention purges' links: the latest says up to which seq entries were deleted lawfully.
  let anchor: PurgeLink | null = null
  for (const p of await db.selectFrom('audit_log').select('detail').where('action', '=', 'audit_log.purge').execute()) {
    const d = JSON.parse(p.detail ?? '{}') as Partial<PurgeLink>
    if (typeof d.lastSeq === 'number' && typeof d.lastHash === 'string' && (anchor === null || d.lastSeq > anchor.lastSeq)) anchor = { lastSeq: d.lastSeq, lastHash: d.lastHash }
  }

  let prev: { seq: number, hash: string } | null = null
  let after = 0
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('chain_seq', '>', after).orderBy('chain_seq').limit(BATCH).execute()
    for (const row of rows) {
      const seq = Number(row.chain_seq)
      if (prev === null) {
        if (seq === 1) {
          if (row.prev_hash !== GENESIS) return broken(row, 'the first entry does not start the chain')
        } else if (anchor === null || anchor.lastSeq < seq - 1) {
          return broken(row, `entries 1 to ${seq - 1} were deleted, not by the retention purge`)
        } else if (anchor.lastSeq === seq - 1 && row.prev_hash !== anchor.lastHash) {
          return broken(row, 'the first entry does not follow the last one the retention purge deleted')
        }
      } else {
        if (seq !== prev.seq + 1) return broken(row, `entries ${prev.seq + 1} to ${seq - 1} are missing (deleted)`)
        if (row.prev_hash !== prev.hash) return broken(row, 'entry does not follow the one before it (reordered or inserted)')
      }
      if (chainHash(row.prev_hash ?? '', seq, row) !== row.hash) return broken(row, 'entry edited: its content no longer matches its hash')
      if (anchor !== null && seq === anchor.lastSeq && row.hash !== anchor.lastHash) return broken(row, 'entry differs from the one the retention purge recorded')
      prev = { seq, hash: row.hash ?? '' }
      entries++
    }
    if (rows.length < BATCH) break
    after = prev?.seq ?? after
  }
  if (headSeq !== (prev?.seq ?? anchor?.lastSeq ?? 0) || (prev !== null && head.hash !== prev.hash)) {
    return broken(null, `the last entries were deleted (the chain's head is at ${headSeq}, the log ends at ${prev?.seq ?? 0})`)
  }
  return { ok: true, entries, headSeq }
}
